//! Declarations for `csrc/ABI_add.h`, written by hand from the header: the
//! "out-of-line" half of ABI out-of-line. They live here, apart from the code
//! that calls them, so there is one place to compare with the header.
//! (`bindgen` writes modules like this one for you from a header.)
//!
//! Nothing here says which library defines `add`: `build.rs` tells the linker
//! (`cargo:rustc-link-lib=dylib=ABI_add`). A `#[link(name = "ABI_add")]`
//! attribute on the block would do the same.

use std::ffi::c_int;

unsafe extern "C" {
    /// `void add(double *a, const double *b, int n);` from csrc/ABI_add.h:
    /// `a[i] += b[i]` for `0 <= i < n`.
    ///
    /// Calling it is `unsafe`: C trusts `n`, so both pointers must be valid
    /// for `n` elements, and `a` for writing.
    pub fn add(a: *mut f64, b: *const f64, n: c_int);
}
