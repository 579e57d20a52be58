//! Lesson 11's program: what bindgen generated from the three headers, what
//! it left out, and the generated declarations at work. You do not edit this
//! file: your code is in binding_options.rs and src/lib.rs.

use std::process::ExitCode;

use generated_bindings::{Point, Unit, ffi};

mod items;

fn main() -> ExitCode {
    let items = items::items(items::BINDINGS);
    println!(
        "bindgen read csrc/ABI_add.h, csrc/evolve.h and csrc/generated.h and wrote {} items:",
        items.len()
    );
    for item in items.iter().take(12) {
        println!("  {} {}", item.kind, item.name);
    }
    if items.len() > 12 {
        println!("  ... and {} more", items.len() - 12);
    }
    let foreign = items
        .iter()
        .filter(|item| !items::from_the_workbook(&item.name))
        .count();
    if foreign > 0 {
        println!("  {foreign} of them come from system headers, not from the workbook's");
    }

    println!();
    println!("Not in the bindings (bindgen cannot bring them over):");
    for (name, what) in [
        ("SQUARE", "a function-like macro"),
        ("generated_distance_squared", "a static inline function"),
    ] {
        let present = items.iter().any(|item| item.name == name);
        println!(
            "  {name}, {what}: {}",
            if present {
                "present (bindgen was told to wrap it)"
            } else {
                "absent"
            }
        );
    }
    println!("Written by hand in src/lib.rs instead:");
    println!("  square(1.5) = {}", generated_bindings::square(1.5));
    let (a, b) = (Point { x: 0.0, y: 0.0 }, Point { x: 3.0, y: 4.0 });
    println!(
        "  distance_squared((0, 0), (3, 4)) = {}",
        generated_bindings::distance_squared(a, b)
    );

    println!();
    println!("The generated declarations at work:");
    let mut x = [1.0, 2.0, 3.0];
    let y = [10.0, 20.0, 30.0];
    // SAFETY: both arrays hold 3 doubles, the count passed; `add` only writes x.
    unsafe { ffi::add(x.as_mut_ptr(), y.as_ptr(), 3) };
    println!("  add([1, 2, 3], [10, 20, 30]) -> {x:?}");
    println!(
        "  GENERATED_MAX_POINTS = {} (a #define, brought over as a u32 const)",
        ffi::GENERATED_MAX_POINTS
    );
    let path = [a, Point { x: 3.0, y: 0.0 }, b];
    for unit in [Unit::Metres, Unit::Feet] {
        match generated_bindings::path_length(&path, unit) {
            Ok(length) => {
                println!("  path_length((0, 0) -> (3, 0) -> (3, 4), {unit:?}) = {length:.6}")
            }
            Err(error) => {
                println!("  path_length refused 3 points: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let too_many = vec![a; generated_bindings::MAX_POINTS + 1];
    match generated_bindings::path_length(&too_many, Unit::Metres) {
        Err(error) => println!("  {} points: {error}", too_many.len()),
        Ok(length) => println!("  {} points were NOT refused: {length}", too_many.len()),
    }
    ExitCode::SUCCESS
}
