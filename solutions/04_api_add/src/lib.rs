//! Lesson 4: add two arrays with C compiled as part of this crate's build.
//!
//! * Part 1, **API out-of-line** ([`add`]): `csrc/API_add.c` (with its header
//!   `csrc/API_add.h`) is compiled by `build.rs` with the `cc` crate and
//!   linked into this crate; it is declared in the `unsafe extern "C"` block
//!   below.
//! * Part 2, **API in-line** ([`add_inline`]): the C source is a string in
//!   `build.rs` itself, written to `OUT_DIR` and compiled the same way.
//!
//! Either way, by the time Rust calls the function it is an ordinary native
//! call into code linked into the same program: no library is opened at run
//! time, and nothing is looked up by name.

use std::error::Error;
use std::ffi::c_int;
use std::fmt;

/// Why a safe wrapper refused to call C (as in lesson 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddError {
    /// `a` and `b` have different lengths: with either length as `n`, C would
    /// read or write past the end of the shorter slice.
    LengthMismatch { a: usize, b: usize },
    /// The slices hold more elements than a C `int` can count.
    TooLong { len: usize },
}

impl fmt::Display for AddError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddError::LengthMismatch { a, b } => write!(
                f,
                "a has {a} elements but b has {b}: add needs two slices of the same length"
            ),
            AddError::TooLong { len } => write!(
                f,
                "{len} elements are more than a C int can count (at most {})",
                c_int::MAX
            ),
        }
    }
}

impl Error for AddError {}

/// The `n` to pass to C, or why not (you wrote this in lesson 3).
pub fn checked_len(a: &[f64], b: &[f64]) -> Result<c_int, AddError> {
    if a.len() != b.len() {
        return Err(AddError::LengthMismatch {
            a: a.len(),
            b: b.len(),
        });
    }
    c_int::try_from(a.len()).map_err(|_| AddError::TooLong { len: a.len() })
}

// The C functions that build.rs compiles and links into this crate. The
// compiler checked the C against its header; nothing checks these Rust
// declarations against either, so they are copied carefully from the C.
unsafe extern "C" {
    /// `void API_add(double *a, const double *b, int n);` from csrc/API_add.h.
    fn API_add(a: *mut f64, b: *const f64, n: c_int);
    /// `void API_inline_add(double *a, const double *b, int n);`, the C
    /// source held in build.rs.
    fn API_inline_add(a: *mut f64, b: *const f64, n: c_int);
}

/// Part 1, API out-of-line: `a[i] += b[i]` for every `i`, in C's `API_add`.
/// Refuses slices of different lengths.
pub fn add(a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
    let n = checked_len(a, b)?;
    // SAFETY: the declaration above matches csrc/API_add.h; `a` and `b` are
    // valid for exactly `n` elements each (checked above), `a` is borrowed
    // mutably so nothing else sees it while C writes, and C keeps neither
    // pointer after it returns.
    unsafe { API_add(a.as_mut_ptr(), b.as_ptr(), n) };
    Ok(())
}

/// Part 2, API in-line: `a[i] += b[i]` for every `i`, in C's
/// `API_inline_add`. Refuses slices of different lengths.
pub fn add_inline(a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
    let n = checked_len(a, b)?;
    // SAFETY: the declaration above matches the source in build.rs; `a` and
    // `b` are valid for exactly `n` elements each (checked above), `a` is
    // borrowed mutably, and C keeps neither pointer after it returns.
    unsafe { API_inline_add(a.as_mut_ptr(), b.as_ptr(), n) };
    Ok(())
}
