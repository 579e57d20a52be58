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
    if a.len() != b.len() {
        return Err(AddError::LengthMismatch {
            a: a.len(),
            b: b.len(),
        });
    }
    c_int::try_from(a.len()).map_err(|_| AddError::TooLong { len: a.len() })
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
        // An error here says which command builds the library.
        let path = workbook_support::shared_library_path("ABI_add")?;
        // SAFETY: loading a library runs its initialisers; libABI_add.so is our
        // own C with none beyond the C runtime's.
        let library = unsafe { libloading::Library::new(&path) }?;
        // SAFETY: `AddFn` matches the declaration of `add` in csrc/ABI_add.h.
        // The function pointer copied out of the `Symbol` is used only through
        // `self`, which also owns `library`, so the code it points to stays
        // loaded for as long as the pointer can be called.
        let add = unsafe { *library.get::<AddFn>(b"add")? };
        Ok(AbiInline {
            add,
            _library: library,
        })
    }

    /// `a[i] += b[i]` for every `i`, in C. Refuses slices of different lengths.
    pub fn add(&self, a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
        let n = checked_len(a, b)?;
        // SAFETY: `self.add` has the C function's type (see `open`); `a` and
        // `b` are valid for exactly `n` elements each (checked above), `a` is
        // borrowed mutably so nothing else sees it while C writes, and C keeps
        // neither pointer after it returns.
        unsafe { (self.add)(a.as_mut_ptr(), b.as_ptr(), n) };
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Part 2: ABI out-of-line
// ---------------------------------------------------------------------------

/// `a[i] += b[i]` for every `i`, through the declaration in `src/bindings.rs`
/// (the library is linked by `build.rs`). Refuses slices of different lengths.
pub fn add(a: &mut [f64], b: &[f64]) -> Result<(), AddError> {
    let n = checked_len(a, b)?;
    // SAFETY: the declaration in bindings.rs matches csrc/ABI_add.h; `a` and
    // `b` are valid for exactly `n` elements each (checked above), `a` is
    // borrowed mutably, and C keeps neither pointer after it returns.
    unsafe { bindings::add(a.as_mut_ptr(), b.as_ptr(), n) };
    Ok(())
}
