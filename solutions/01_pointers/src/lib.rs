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
    // C: `int *pointer_to_A = &A;`. A reference turns into a raw pointer
    // to the same place with `as` (or just by writing the type, as here).
    let pointer_to_a: *const i32 = a;

    writeln!(out, "Method 1:")?;
    writeln!(out, "The value A is {a}")?;
    // SAFETY: `pointer_to_a` was made from the reference `a` just above, so it
    // points to a live, aligned, initialised i32 that nothing is writing to.
    let through_pointer = unsafe { *pointer_to_a };
    writeln!(out, "The value of A is also {through_pointer}")?;
    Ok(())
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
    // C: `int *pB = &B;`. A `&mut` turns into a `*mut`, a pointer that
    // may write.
    let p_b: *mut i32 = b;

    writeln!(out)?;
    writeln!(out, "Method 2:")?;
    // `{:p}` prints an address. For a reference it is the address of the
    // value the reference points to: B's address, like C's `&B`.
    writeln!(out, "The address of B variable is {b:p}")?;
    writeln!(out, "However the address stored in the pB variable is {p_b:p}")?;
    // SAFETY: `p_b` comes from the `&mut i32` above, so it is valid, aligned
    // and initialised, and only this function can reach B while it runs.
    let value = unsafe { *p_b };
    writeln!(out, "And the value of the *pB variable is {value}")?;
    // SAFETY: as above; writing is allowed because `p_b` came from a `&mut`.
    unsafe { *p_b += 1 };
    // `b` was not used since `p_b` last was, so reading it now is fine.
    writeln!(out, "After *pB += 1, the value of B is {b}")?;
    Ok(())
}

/// Method 1 again, for an `f64` (C's `double`). The same steps work: a
/// pointer does not care what type it points to, only that its type is
/// written down (`*const f64`).
pub fn method_1_f64(out: &mut impl Write, a: &f64) -> io::Result<()> {
    let pointer_to_a: *const f64 = a;

    writeln!(out, "Method 1:")?;
    writeln!(out, "The value A is {a}")?;
    // SAFETY: `pointer_to_a` was made from the reference `a`, so it points to
    // a live, aligned, initialised f64 that nothing is writing to.
    let through_pointer = unsafe { *pointer_to_a };
    writeln!(out, "The value of A is also {through_pointer}")?;
    Ok(())
}

/// Method 2 again, for an `f64`: the same lines as [`method_2`], and B grows
/// by 1.0 through the pointer.
pub fn method_2_f64(out: &mut impl Write, b: &mut f64) -> io::Result<()> {
    let p_b: *mut f64 = b;

    writeln!(out)?;
    writeln!(out, "Method 2:")?;
    writeln!(out, "The address of B variable is {b:p}")?;
    writeln!(out, "However the address stored in the pB variable is {p_b:p}")?;
    // SAFETY: `p_b` comes from the `&mut f64` above, so it is valid, aligned
    // and initialised, and only this function can reach B while it runs.
    let value = unsafe { *p_b };
    writeln!(out, "And the value of the *pB variable is {value}")?;
    // SAFETY: as above; writing is allowed because `p_b` came from a `&mut`.
    unsafe { *p_b += 1.0 };
    writeln!(out, "After *pB += 1, the value of B is {b}")?;
    Ok(())
}
