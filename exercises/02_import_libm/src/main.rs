//! Lesson 2's program: open the C maths library and ask its `sqrtf` for
//! square roots.
//!
//! You do not need to change this file: it calls the functions you write in
//! `src/lib.rs`. Run it with `cargo run -p import_libm`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let os = std::env::consts::OS;
    match import_libm::libm_file_name(os) {
        Some(name) => println!("The C maths library on {os} is {name}"),
        None => println!("No C maths library is known for {os}"),
    }
    // The Python lesson's `lib.sqrtf(4)`, and a few more.
    for x in [4.0, 2.0, 0.25] {
        match import_libm::sqrtf(x) {
            Ok(root) => println!("sqrtf({x}) = {root}"),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
