//! The API half of lesson 5: csrc/fibonacci.c, compiled by `cc` and linked
//! into this crate (you wrote a build script like this in lesson 4; this one
//! is given). The ABI half uses build/libfibonacci.so, built from the same C
//! file beforehand by `cargo run -p checker -- build-c` or `make`.
//!
//! One addition: signed `int` overflow is undefined behaviour in C, and
//! usually goes unnoticed (the value silently wraps). So this copy is
//! compiled with the compiler's overflow check turned into a trap: if `fibo`
//! ever adds two ints whose sum does not fit, the program stops at once
//! (SIGILL) instead of going on with a wrong number. The tests rely on it.

fn main() {
    let mut build = cc::Build::new();
    build.file("../../csrc/fibonacci.c").include("../../csrc");
    let trap = [
        "-fsanitize=signed-integer-overflow",
        "-fsanitize-undefined-trap-on-error",
    ];
    if trap
        .iter()
        .all(|flag| build.is_flag_supported(flag).unwrap_or(false))
    {
        for flag in trap {
            build.flag(flag);
        }
    } else {
        println!(
            "cargo:warning=this C compiler cannot trap on int overflow; \
             the overflow test will not see an extra step of fibo"
        );
    }
    // Named fibonacci_api so that it is never mistaken for build/libfibonacci.so.
    build.compile("fibonacci_api");

    println!("cargo:rerun-if-changed=../../csrc/fibonacci.c");
    println!("cargo:rerun-if-changed=../../csrc/fibonacci.h");
    println!("cargo:rerun-if-changed=build.rs");
}
