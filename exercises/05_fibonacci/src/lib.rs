//! Lesson 5: the Fibonacci numbers, one C step at a time.
//!
//! `csrc/fibonacci.c` has `void fibo(int *a, int *b)`: from `*a == F(k)` and
//! `*b == F(k+1)` it makes `*a == F(k+1)` and `*b == F(k+2)`. C changes our
//! numbers through pointers, so Rust lends it the addresses of two Rust
//! integers: the analogue of CFFI's `ffi.new("int *")`.
//!
//! The definition used here: F(0) = 0, F(1) = 1, F(k) = F(k-1) + F(k-2), and
//! `sequence(n)` is the n + 1 numbers F(0), F(1), ..., F(n). For n = 10:
//! `0 1 1 2 3 5 8 13 21 34 55`, eleven numbers.
//!
//! The same loop runs in both styles:
//! * ABI ([`AbiFibo`]): `build/libfibonacci.so`, opened at run time with
//!   libloading, the function's type declared beside the lookup.
//! * API ([`fibonacci_api`]): the same C file compiled by `build.rs` and
//!   linked in, declared in an `unsafe extern "C"` block.

use std::error::Error;
use std::ffi::c_int;
use std::fmt;

/// The largest `n` for which `sequence(n)` is allowed: every number C
/// computes on the way fits in a C `int`.
///
/// TODO: work it out and write it here instead of `u32::MAX`. A 32-bit C
/// `int` holds at most 2147483647 (`c_int::MAX`); signed overflow is
/// undefined behaviour in C. Which is the last Fibonacci number that fits?
/// And which is the last number your loop in `sequence` makes C compute?
pub const MAX_N: u32 = u32::MAX;

/// `n` is too large: F(n) does not fit in a C `int`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    pub n: u32,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "F({}) does not fit in a C int (at most {}): n may be at most {MAX_N}",
            self.n,
            c_int::MAX
        )
    }
}

impl Error for TooLarge {}

/// F(0), F(1), ..., F(n), made by calling `step` (one `fibo` step, in either
/// style) on two Rust integers. `Err(TooLarge { n })` when `n > MAX_N`.
///
/// Calls `step` `n - 1` times (never for n = 0 or 1); the last call computes
/// F(n), so no call computes a number past F(n).
pub fn sequence(
    n: u32,
    mut step: impl FnMut(&mut c_int, &mut c_int),
) -> Result<Vec<c_int>, TooLarge> {
    // TODO:
    // 1. Refuse `n > MAX_N` with `Err(TooLarge { n })`, before C runs.
    // 2. The two numbers C works on, `ffi.new("int *")` in Rust:
    //    `let mut a: c_int = 0;` (F(0)) and `let mut b: c_int = 1;` (F(1)).
    // 3. Collect F(0), ..., F(n) (n + 1 numbers) into a Vec: push `a`; if
    //    n >= 1 push `b`; then for each further term call `step(&mut a, &mut b)`
    //    (C sees two `int *`) and push the new `b`.
    //    Count the calls: the last one should compute F(n) itself, and none
    //    should compute anything after it.
    let _ = (n, &mut step);
    todo!("write the loop in sequence (src/lib.rs)")
}

// ---------------------------------------------------------------------------
// ABI: the prebuilt library, opened at run time
// ---------------------------------------------------------------------------

/// The type of C's `void fibo(int *a, int *b)`, in Rust.
pub type FiboFn = unsafe extern "C" fn(a: *mut c_int, b: *mut c_int);

/// `libfibonacci.so`, opened at run time, and its `fibo` function.
pub struct AbiFibo {
    fibo: FiboFn,
    /// Keeps the library loaded while `fibo` may be called.
    _library: libloading::Library,
}

impl AbiFibo {
    /// Opens `libfibonacci.so` (found with `workbook_support::shared_library_path`)
    /// and looks up `fibo`.
    pub fn open() -> Result<Self, Box<dyn Error>> {
        // TODO: as in lesson 3: `workbook_support::shared_library_path("fibonacci")?`,
        // then `unsafe { libloading::Library::new(&path) }?`, then
        // `unsafe { *library.get::<FiboFn>(b"fibo")? }`, and keep both in an
        // `AbiFibo`. A `// SAFETY:` comment above each `unsafe` block.
        todo!("open the library and look up `fibo` in AbiFibo::open (src/lib.rs)")
    }

    /// F(0), ..., F(n) through the library's `fibo`.
    pub fn sequence(&self, n: u32) -> Result<Vec<c_int>, TooLarge> {
        // TODO: call the free function `sequence` with a closure that calls C:
        //     sequence(n, |a, b| unsafe { (self.fibo)(a, b) })
        // `a` and `b` are `&mut c_int`; Rust turns them into the `int *` C
        // wants. Say in a `// SAFETY:` comment why the call is sound.
        let _ = (n, self.fibo);
        todo!("call the library's fibo in AbiFibo::sequence (src/lib.rs)")
    }
}

// ---------------------------------------------------------------------------
// API: the same C file, compiled by build.rs and linked in
// ---------------------------------------------------------------------------

unsafe extern "C" {
    // TODO: declare `void fibo(int *a, int *b);` from csrc/fibonacci.h:
    // `fn fibo(a: *mut c_int, b: *mut c_int);` (no body: build.rs compiles
    // the C and links it in).
}

/// F(0), ..., F(n) through the `fibo` that build.rs compiled into this crate.
pub fn fibonacci_api(n: u32) -> Result<Vec<c_int>, TooLarge> {
    // TODO: the same as `AbiFibo::sequence`, with a closure calling
    // `fibo(a, b)` in an `unsafe` block (and a `// SAFETY:` comment).
    let _ = n;
    todo!("call fibo in fibonacci_api (src/lib.rs)")
}
