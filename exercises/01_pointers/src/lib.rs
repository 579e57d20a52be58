//! Lesson 1: pointers, the Rust way.
//!
//! `csrc/pointers.c` shows C pointers in two steps, "Method 1" and
//! "Method 2". Here you write the same two steps with Rust's raw pointers:
//! first for `i32` (C's `int`), then for `f64` (C's `double`).
//!
//! Each function writes its text to `out` instead of straight to the screen,
//! so that `main` can print it and the tests can read it. `writeln!(out, ...)`
//! works just like `println!(...)`.
//!
//! The variables come in as references (`&i32`, `&mut i32`): a reference is a
//! pointer that Rust has checked. Turn it into a raw pointer, the kind C
//! uses, and work through that.

use std::io::{self, Write};

/// Method 1: read `A` directly and through a `*const i32` pointing to it.
///
/// Writes:
///
/// ```text
/// Method 1:
/// The value A is 1
/// The value of A is also 1
/// ```
pub fn method_1(out: &mut impl Write, a: &i32) -> io::Result<()> {
    // TODO: make a `*const i32` called `pointer_to_a` from `a` (C: `int *pointer_to_A = &A;`),
    // then write the three lines above with `writeln!(out, ...)?;`: the value
    // of A straight from `a`, then read again through the pointer with
    // `*pointer_to_a` (that read needs an `unsafe { }` block: say in a
    // `// SAFETY:` comment why the pointer is valid). End with `Ok(())`.
    let _ = (out, a);
    todo!("lesson 1: write method_1 in exercises/01_pointers/src/lib.rs")
}

/// Method 2: print the address of `B` and the address stored in a
/// `*mut i32` pointing to it (the same address), read `B` through the
/// pointer, then add 1 to `B` through the pointer.
///
/// Writes (the addresses differ from run to run):
///
/// ```text
///
/// Method 2:
/// The address of B variable is 0x7ffee11d36bc
/// However the address stored in the pB variable is 0x7ffee11d36bc
/// And the value of the *pB variable is 2
/// After *pB += 1, the value of B is 3
/// ```
pub fn method_2(out: &mut impl Write, b: &mut i32) -> io::Result<()> {
    // TODO: make a `*mut i32` called `p_b` from `b` (C: `pB = &B;`), then write
    // the five lines above (the first is empty: `writeln!` with no text).
    // - The address of B: `{:p}` prints the address a reference points to,
    //   so `{b:p}`. (Careful: `&b` would be the address of the reference
    //   itself, somewhere else entirely. The tests check which one you print.)
    // - The address stored in pB: `{p_b:p}`. It must be the same address.
    // - The value of *pB: read `*p_b` inside `unsafe { }`.
    // - Add 1 to B *through the pointer* (`*p_b += 1` in `unsafe { }`), then
    //   print B itself: it has changed, because p_b points to B, not to a copy.
    let _ = (out, b);
    todo!("lesson 1: write method_2 in exercises/01_pointers/src/lib.rs")
}

/// Method 1 again, for an `f64` (C's `double`). The same steps work: a
/// pointer does not care what type it points to, only that its type is
/// written down (`*const f64`).
pub fn method_1_f64(out: &mut impl Write, a: &f64) -> io::Result<()> {
    // TODO: the same as `method_1`, with a `*const f64`. Will it work for a
    // double? Write it and see.
    let _ = (out, a);
    todo!("lesson 1: write method_1_f64 in exercises/01_pointers/src/lib.rs")
}

/// Method 2 again, for an `f64`: the same lines as [`method_2`], and B grows
/// by 1.0 through the pointer.
pub fn method_2_f64(out: &mut impl Write, b: &mut f64) -> io::Result<()> {
    // TODO: the same as `method_2`, with a `*mut f64`. Add `1.0` (an f64),
    // not `1`: Rust never mixes integer and float types silently.
    let _ = (out, b);
    todo!("lesson 1: write method_2_f64 in exercises/01_pointers/src/lib.rs")
}
