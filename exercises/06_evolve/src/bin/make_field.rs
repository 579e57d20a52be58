//! Given: writes the lesson's initial field, `data/bottle.dat`.
//!
//!     cargo run -p evolve --bin make_field
//!
//! A test (tests/field_file.rs) proves the shipped file is exactly what this
//! writes, so the file and its generator cannot drift apart.

use evolve::field::{bottle, bottle_path};

fn main() -> std::io::Result<()> {
    let path = bottle_path();
    let field = bottle(200, 200);
    std::fs::write(&path, field.to_text())?;
    println!(
        "wrote a {} × {} field to {}",
        field.nx,
        field.ny,
        path.display()
    );
    Ok(())
}
