//! Checks for lesson 2. Each test says what it expected, what came, and where
//! to look.

use std::any::{TypeId, type_name};
use std::process::Command;

use import_libm::{Sqrtf, libm_file_name, sqrtf};

#[test]
fn linux_names_the_versioned_so_file() {
    assert_eq!(
        libm_file_name("linux"),
        Some("libm.so.6"),
        "\nOn Linux the maths library is the file libm.so.6 (.so, then its version 6).\n\
         A bare libm.so is a linker script for `ld`, not a library: dlopen cannot load it.\n\
         Look at the \"linux\" arm of libm_file_name in src/lib.rs."
    );
}

#[test]
fn macos_names_a_dylib() {
    assert_eq!(
        libm_file_name("macos"),
        Some("libm.dylib"),
        "\nOn macOS shared libraries end in .dylib, so libm is libm.dylib.\n\
         Look at the \"macos\" arm of libm_file_name in src/lib.rs."
    );
}

#[test]
fn windows_names_the_c_runtime_dll() {
    assert_eq!(
        libm_file_name("windows"),
        Some("ucrtbase.dll"),
        "\nOn Windows, libraries end in .dll and have no `lib` prefix, and C's maths \
         functions live in the Universal C Runtime: ucrtbase.dll.\n\
         Look at the \"windows\" arm of libm_file_name in src/lib.rs."
    );
}

#[test]
fn unknown_systems_get_none() {
    for os in ["freebsd", "plan9", "Linux", ""] {
        assert_eq!(
            libm_file_name(os),
            None,
            "\nlibm_file_name({os:?}) should be None: only \"linux\", \"macos\" and \
             \"windows\" (spelled exactly so) have a known name. End the match with `_ => None`."
        );
    }
}

#[test]
fn sqrtf_has_exactly_the_c_type() {
    assert!(
        TypeId::of::<Sqrtf>() == TypeId::of::<unsafe extern "C" fn(f32) -> f32>(),
        "\nSqrtf is `{}`, but C declares `float sqrtf(float x);`.\n\
         C's float is Rust's f32 (C's double would be f64), so the type must be\n\
         `unsafe extern \"C\" fn(f32) -> f32`. With any other type the call still \
         compiles and runs, but C reads the wrong bits and returns nonsense.\n\
         Look at `pub type Sqrtf` in src/lib.rs.",
        type_name::<Sqrtf>()
    );
}

#[test]
fn sqrtf_computes_square_roots() {
    for (x, expected) in [
        (4.0, 2.0),
        (2.0, std::f32::consts::SQRT_2),
        (0.25, 0.5),
        (0.0, 0.0),
        (1e6, 1000.0),
    ] {
        let root = sqrtf(x).unwrap_or_else(|err| panic!("\nsqrtf({x}) failed: {err}\n"));
        assert!(
            root == expected,
            "\nsqrtf({x}) gave {root}, but the square root of {x} is {expected}.\n\
             If the number is far off, check the type Sqrtf: with the wrong argument or \
             result type, C's sqrtf reads and writes the wrong bits."
        );
    }
}

#[test]
fn the_program_prints_the_library_and_square_roots() {
    let output = Command::new(env!("CARGO_BIN_EXE_import_libm"))
        .output()
        .expect("the lesson's program runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "`cargo run -p import_libm` did not finish cleanly ({}).\n\
         It printed:\n{stdout}\nand on stderr:\n{}\n\
         A `todo!()` left in src/lib.rs panics like this: fill in the functions it names.",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut settings = workbook_support::snapshot_settings();
    // The first line names this computer's system and file; the tests above
    // check the names, so the snapshot is the same on every system.
    settings.add_filter(
        r"library on \S+ is \S+",
        "library on [this system] is [its libm]",
    );
    settings.bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}
