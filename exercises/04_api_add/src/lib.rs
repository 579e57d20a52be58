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

// The C functions that build.rs compiles and links into this crate.
unsafe extern "C" {
    // TODO: declare the two C functions that build.rs compiles, translated
    // from their C declarations:
    //     void API_add(double *a, const double *b, int n);         (csrc/API_add.h)
    //     void API_inline_add(double *a, const double *b, int n);  (build.rs)
    // as you declared `add` in lesson 3's src/bindings.rs: the same names,
    // letter for letter (the linker matches names, nothing else), one Rust
    // type per C parameter, no body. The C compiler checked the C against its
    // header; nothing checks your Rust against either. Read "Who checks what".
}

/// Part 1, API out-of-line: `a[i] += b[i]` for every `i`, in C's `API_add`.
/// Refuses slices of different lengths.
pub fn add(a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
    // TODO: the safe wrapper of lesson 3 once more: let `checked_len` refuse
    // what C cannot check, then call the `API_add` declared above with the
    // two slices as C pointers and the checked `n`, in an `unsafe` block whose
    // `// SAFETY:` comment says why the call is sound. Nothing is opened or
    // looked up at run time: the function is linked in.
    let _ = (a, b);
    todo!("call API_add in add (src/lib.rs)")
}

/// Part 2, API in-line: `a[i] += b[i]` for every `i`, in C's
/// `API_inline_add`. Refuses slices of different lengths.
pub fn add_inline(a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
    // TODO: the same safe wrapper as `add`, for the C held in build.rs
    // (`API_inline_add`).
    let _ = (a, b);
    todo!("call API_inline_add in add_inline (src/lib.rs)")
}
