//! Declarations for `csrc/ABI_add.h`, written by hand from the header: the
//! "out-of-line" half of ABI out-of-line. They live here, apart from the code
//! that calls them, so there is one place to compare with the header.
//! (`bindgen` writes modules like this one for you from a header.)
//!
//! Nothing here says which library defines `add`: `build.rs` tells the linker
//! (`cargo:rustc-link-lib=dylib=ABI_add`). A `#[link(name = "ABI_add")]`
//! attribute on the block would do the same.

unsafe extern "C" {
    // TODO: declare the C function, translated from csrc/ABI_add.h:
    //     void add(double *a, const double *b, int n);
    // `double *` is `*mut f64`, `const double *` is `*const f64`, `int` is
    // `std::ffi::c_int`, and a `void` function has no `-> ...`. Make it `pub`
    // so src/lib.rs can call `bindings::add`. Write it as `pub fn add(...);`,
    // with no body: the body is in the library.
}
