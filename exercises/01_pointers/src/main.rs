//! Lesson 1's program: the Rust twin of `csrc/pointers.c`.
//!
//! You do not need to change this file: it declares the variables and calls
//! the functions you write in `src/lib.rs`. Run it with
//! `cargo run -p pointers`, and the C version with `build/pointers`
//! (after `make build/pointers`), and compare.

use std::io::{self, Write};

fn main() -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();

    // C: `int A = 1;` and `int B = 2;`. B is `mut` because it will be
    // changed through a pointer.
    let a: i32 = 1;
    let mut b: i32 = 2;
    pointers::method_1(&mut out, &a)?;
    pointers::method_2(&mut out, &mut b)?;

    // "Will the double type work with the pointers?" C's double is Rust's f64.
    writeln!(out, "\nThe same again with f64 (C's double):\n")?;
    let a: f64 = 1.5;
    let mut b: f64 = 2.5;
    pointers::method_1_f64(&mut out, &a)?;
    pointers::method_2_f64(&mut out, &mut b)?;

    out.flush()
}
