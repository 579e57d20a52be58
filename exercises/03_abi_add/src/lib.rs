//! Lesson 3: add two arrays with a C function from a prebuilt shared library.
//!
//! `add` lives in `build/libABI_add.so`, compiled from `csrc/ABI_add.c` before
//! any Rust ran. No C compiler takes part in this crate's build, which is what
//! makes both parts of this lesson "ABI" style: we rely only on the binary
//! interface (the symbol's name and its calling convention), never on the C
//! source. The two parts differ in where the declaration lives and when the
//! library is found:
//!
//! * Part 1, **ABI in-line** ([`AbiInline`]): open the library at run time with
//!   `libloading` and declare the function's type right beside the lookup.
//! * Part 2, **ABI out-of-line** ([`add`]): the declaration lives apart, in
//!   `src/bindings.rs`, written once from `csrc/ABI_add.h`; `build.rs` links
//!   the library at link time.
//!
//! Both parts share one safe check, [`checked_len`]: C trusts `n` blindly, so
//! Rust must make sure it is right before every call.

use std::error::Error;
use std::ffi::c_int;
use std::fmt;

pub mod bindings;

/// Why a safe wrapper refused to call C.
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

/// Checks what C cannot check for itself, and returns the `n` to pass to C.
///
/// `Err(AddError::LengthMismatch { .. })` when the lengths differ,
/// `Err(AddError::TooLong { .. })` when the length does not fit in a C `int`.
pub fn checked_len(a: &[f64], b: &[f64]) -> Result<c_int, AddError> {
    // TODO: when `a.len() != b.len()`, return
    //   Err(AddError::LengthMismatch { a: a.len(), b: b.len() })
    // otherwise convert the length to a C int: `c_int::try_from(a.len())`,
    // mapping its error to `AddError::TooLong { len: a.len() }`.
    // C cannot check either thing: it only ever sees two addresses and `n`.
    let _ = (a, b);
    todo!("check the lengths in checked_len (src/lib.rs)")
}

// ---------------------------------------------------------------------------
// Part 1: ABI in-line
// ---------------------------------------------------------------------------

/// The type of C's `void add(double *a, const double *b, int n)`, in Rust.
///
/// `double *` is `*mut f64`, `const double *` is `*const f64`, `int` is
/// `c_int`, and `void` is no return type. Nothing checks this against the
/// library: a wrong type here is undefined behaviour, not a compile error.
pub type AddFn = unsafe extern "C" fn(a: *mut f64, b: *const f64, n: c_int);

/// The library, opened at run time, and its `add` function.
pub struct AbiInline {
    add: AddFn,
    /// Keeps the library loaded for as long as `add` may be called: the
    /// function pointer above points into it.
    _library: libloading::Library,
}

impl AbiInline {
    /// Opens `libABI_add.so` (found with `workbook_support::shared_library_path`)
    /// and looks up `add`. Pays the `dlopen` and `dlsym` cost once.
    pub fn open() -> Result<Self, Box<dyn Error>> {
        // TODO, in three steps (each ends in `?`, so errors reach the caller):
        // 1. Find the file: `workbook_support::shared_library_path("ABI_add")?`.
        //    When the library has not been built, its error names the command
        //    that builds it, so pass it on rather than `unwrap` it.
        // 2. Open it: `unsafe { libloading::Library::new(&path) }?`
        //    (the CFFI `ffi.dlopen`). It is `unsafe` because loading a library
        //    runs its initialisers.
        // 3. Look up `add` with its type declared right here, the CFFI
        //    `ffi.cdef`: `unsafe { *library.get::<AddFn>(b"add")? }`.
        //    The `*` copies the function pointer out of the `Symbol`; storing
        //    the `Library` next to it in `AbiInline` keeps it valid.
        // Write a `// SAFETY:` comment above each `unsafe` block.
        todo!("open the library and look up `add` in AbiInline::open (src/lib.rs)")
    }

    /// `a[i] += b[i]` for every `i`, in C. Refuses slices of different lengths.
    pub fn add(&self, a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
        // TODO: get `n` from `checked_len(a, b)?`, then call C through the
        // function pointer: `unsafe { (self.add)(a.as_mut_ptr(), b.as_ptr(), n) }`
        // (the CFFI `ffi.cast("double *", ffi.from_buffer(a))`). Pass exactly
        // that `n`: C writes `n` elements, wherever `a` ends.
        let _ = (a, b, self.add);
        todo!("call C's add in AbiInline::add (src/lib.rs)")
    }
}

// ---------------------------------------------------------------------------
// Part 2: ABI out-of-line
// ---------------------------------------------------------------------------

/// `a[i] += b[i]` for every `i`, through the declaration in `src/bindings.rs`
/// (the library is linked by `build.rs`). Refuses slices of different lengths.
pub fn add(a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
    // TODO: first declare `add` in src/bindings.rs. Then this is the same
    // wrapper as `AbiInline::add`, calling `bindings::add(...)` instead of a
    // function pointer, inside an `unsafe` block with a `// SAFETY:` comment.
    let _ = (a, b);
    todo!("call bindings::add in the free function add (src/lib.rs)")
}
