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
/// TODO: work it out and write it here instead of `u32::MAX`: this is the
/// lesson's puzzle. C's `fibo` adds two `int`s (`int next = *a + *b;`), and
/// an `int` sum that does not fit is undefined behaviour in C, so the safe
/// Rust function must never let C compute one. Two questions decide the
/// number: which is the last Fibonacci number a C `int` (`c_int::MAX`)
/// holds, and which is the last number your loop in `sequence` makes C
/// compute? Find the first with a few lines of Rust (`checked_add` says when
/// a sum no longer fits), not by hand. Read "The loop, and where it must
/// stop" on the lesson's page; the checks test both sides of your limit.
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
    // TODO: the Python lesson's loop, made safe. It mirrors
    //     aptr = ffi.new("int *"); bptr = ffi.new("int *")
    //     aptr[0] = 0; bptr[0] = 1
    //     for i in range(n+1): lib.fibo(aptr, bptr); print(bptr[0])
    // but with one stated definition: the result is F(0), F(1), ..., F(n),
    // n + 1 numbers (the lesson's page, "The definition").
    // - Refuse an `n` past `MAX_N` with the `TooLarge` error, before C runs.
    // - The two numbers C works on are two Rust `c_int` variables (CFFI's
    //   `ffi.new("int *")`), starting at F(0) and F(1); `step` gets them as
    //   `&mut`, which is what becomes C's `int *`.
    // - Each call of `step` computes one new number into the second one.
    //   Count the calls: the last should compute F(n) itself, and none should
    //   compute anything after it (n = 0 and n = 1 need no call at all).
    // Read "Pointers to Rust integers: `ffi.new` in Rust" and "The loop, and
    // where it must stop".
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
        // TODO: ABI in-line, as `AbiInline::open` in lesson 3: find the
        // library "fibonacci" (`workbook_support::shared_library_path`; its
        // error names the command that builds it, so pass it on), open it,
        // look up `fibo` as a `FiboFn`, and keep the plain function pointer
        // beside the `Library` it points into. A `// SAFETY:` comment above
        // each `unsafe` block. Read "Both styles".
        todo!("open the library and look up `fibo` in AbiFibo::open (src/lib.rs)")
    }

    /// F(0), ..., F(n) through the library's `fibo`.
    pub fn sequence(&self, n: u32) -> Result<Vec<c_int>, TooLarge> {
        // TODO: one loop serves both styles: hand the free function
        // `sequence` a closure that makes one step by calling C's `fibo`
        // through the stored function pointer. The closure gets two
        // `&mut c_int`, and a `&mut c_int` coerces to the `*mut c_int` C
        // wants. Say in a `// SAFETY:` comment why the call is sound (what
        // keeps the addition from overflowing?).
        let _ = (n, self.fibo);
        todo!("call the library's fibo in AbiFibo::sequence (src/lib.rs)")
    }
}

// ---------------------------------------------------------------------------
// API: the same C file, compiled by build.rs and linked in
// ---------------------------------------------------------------------------

unsafe extern "C" {
    // TODO: declare `void fibo(int *a, int *b);` from csrc/fibonacci.h in
    // Rust, as in lesson 4: two pointers C writes through, to C `int`s, and
    // no result; no body (build.rs compiles the C and links it in).
}

/// F(0), ..., F(n) through the `fibo` that build.rs compiled into this crate.
pub fn fibonacci_api(n: u32) -> Result<Vec<c_int>, TooLarge> {
    // TODO: the same as `AbiFibo::sequence`, with a closure calling the
    // `fibo` declared above (in an `unsafe` block, with a `// SAFETY:`
    // comment).
    let _ = n;
    todo!("call fibo in fibonacci_api (src/lib.rs)")
}
