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
    // TODO: decide whether C may be called, and with which `n`. C's loop
    // `for (i = 0; i < n; i++) a[i] += b[i];` trusts `n` for both arrays, so:
    // - slices of different lengths are refused (which `AddError` says so,
    //   with both lengths?), before any pointer reaches C;
    // - a length that a C `int` cannot hold is refused too: converting a
    //   `usize` to a `c_int` can fail, so use the conversion that says so
    //   (`TryFrom`), never `as`, which would silently cut the number.
    // This is the safe wrapper's whole job: C only ever sees two addresses
    // and `n`. Read "Slices as pointers: `ffi.from_buffer` in Rust".
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
        // TODO: ABI in-line, the Python lesson's
        //     lib = ffi.dlopen('./ABI_add.so')
        //     ffi.cdef("void add(double *, double *, int);")
        // 1. Find the library file with `workbook_support::shared_library_path`.
        //    When it has not been built, the error names the command that
        //    builds it: hand that error to the caller, never `unwrap` it (a
        //    check runs the program without the library and reads the message).
        // 2. Open it (`libloading::Library::new`: C's `dlopen`).
        // 3. Look up `add` as an `AddFn` (`Library::get`: C's `dlsym`). It
        //    comes back as a `Symbol`, which borrows the library; copy the
        //    plain function pointer out of it, and keep the `Library` in the
        //    struct beside it, so the code it points to stays loaded.
        // Every error goes to the caller with `?`. Steps 2 and 3 are `unsafe`:
        // say above each, in a `// SAFETY:` comment, why it is fine here.
        // Read "Part 1, ABI in-line: `libloading`, the type beside the call".
        todo!("open the library and look up `add` in AbiInline::open (src/lib.rs)")
    }

    /// `a[i] += b[i]` for every `i`, in C. Refuses slices of different lengths.
    pub fn add(&self, a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
        // TODO: the Python lesson's `lib.add(aptr, bptr, len(a))`, made safe.
        // Let `checked_len` decide first (a refusal goes back to the caller,
        // before C runs). Then call C through the stored function pointer with
        // the two slices as C pointers (CFFI's `ffi.from_buffer` + `ffi.cast`:
        // `as_mut_ptr` for the array C writes, `as_ptr` for the one it only
        // reads) and exactly the `n` checked: C writes `n` elements wherever
        // `a` really ends. The call is `unsafe`: its `// SAFETY:` comment says
        // why each pointer is valid for `n` elements.
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
    // TODO: ABI out-of-line. First declare `add` in src/bindings.rs. Then
    // this is the same safe wrapper as `AbiInline::add`, with the same checks
    // and the same `// SAFETY:` reasoning, but it calls the declaration in
    // `bindings` instead of a function pointer: the linker, told by build.rs,
    // has already found the library. Read "Part 2, ABI out-of-line: a
    // bindings module and the linker".
    let _ = (a, b);
    todo!("call bindings::add in the free function add (src/lib.rs)")
}
