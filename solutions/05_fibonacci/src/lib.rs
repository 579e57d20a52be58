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
/// computes on the way, up to F(n), fits in a C `int`.
///
/// F(46) = 1836311903 fits (a 32-bit `int` holds at most 2147483647);
/// F(47) = 2971215073 does not, and signed overflow is undefined behaviour
/// in C. [`sequence`] calls `fibo` only until it has computed F(n), so n = 46
/// is safe and n = 47 is not.
pub const MAX_N: u32 = 46;

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
    if n > MAX_N {
        return Err(TooLarge { n });
    }
    // The two numbers C works on: `ffi.new("int *")`, twice, in Rust.
    let mut a: c_int = 0; // F(0)
    let mut b: c_int = 1; // F(1)
    let mut numbers = Vec::with_capacity(n as usize + 1);
    numbers.push(a);
    if n >= 1 {
        numbers.push(b);
    }
    for _ in 2..=n {
        step(&mut a, &mut b); // now b == F(k) for k = 2, 3, ..., n
        numbers.push(b);
    }
    Ok(numbers)
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
        let path = workbook_support::shared_library_path("fibonacci")?;
        // SAFETY: loading runs the library's initialisers; libfibonacci.so is
        // our own C with none beyond the C runtime's.
        let library = unsafe { libloading::Library::new(&path) }?;
        // SAFETY: `FiboFn` matches `fibo` in csrc/fibonacci.h. The pointer is
        // kept beside the `Library` it points into, so it outlives neither.
        let fibo = unsafe { *library.get::<FiboFn>(b"fibo")? };
        Ok(AbiFibo {
            fibo,
            _library: library,
        })
    }

    /// F(0), ..., F(n) through the library's `fibo`.
    pub fn sequence(&self, n: u32) -> Result<Vec<c_int>, TooLarge> {
        sequence(n, |a, b| {
            // SAFETY: `self.fibo` has C's type (see `open`); `a` and `b` are
            // valid, distinct `int`s for the whole call, and C keeps neither
            // pointer. `sequence` never asks for a sum past F(MAX_N), so the
            // C addition cannot overflow.
            unsafe { (self.fibo)(a, b) }
        })
    }
}

// ---------------------------------------------------------------------------
// API: the same C file, compiled by build.rs and linked in
// ---------------------------------------------------------------------------

unsafe extern "C" {
    /// `void fibo(int *a, int *b);` from csrc/fibonacci.h, compiled by build.rs.
    fn fibo(a: *mut c_int, b: *mut c_int);
}

/// F(0), ..., F(n) through the `fibo` that build.rs compiled into this crate.
pub fn fibonacci_api(n: u32) -> Result<Vec<c_int>, TooLarge> {
    sequence(n, |a, b| {
        // SAFETY: the declaration above matches csrc/fibonacci.h; `a` and
        // `b` are valid, distinct `int`s for the whole call, and C keeps
        // neither pointer. `sequence` never asks for a sum past F(MAX_N).
        unsafe { fibo(a, b) }
    })
}
