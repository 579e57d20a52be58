//! Declarations for `csrc/ABI_add.h`, written by hand from the header: the
//! "out-of-line" half of ABI out-of-line. They live here, apart from the code
//! that calls them, so there is one place to compare with the header.
//! (`bindgen` writes modules like this one for you from a header.)
//!
//! Nothing here says which library defines `add`: `build.rs` tells the linker
//! (`cargo:rustc-link-lib=dylib=ABI_add`). A `#[link(name = "ABI_add")]`
//! attribute on the block would do the same.

unsafe extern "C" {
    // TODO: declare the C function of csrc/ABI_add.h,
    //     void add(double *a, const double *b, int n);
    // in Rust: the same name, one Rust type per C parameter (a pointer C
    // writes through, a pointer it only reads, C's `int` from `std::ffi`),
    // and no result for `void`. No body: the body is in the library. It must
    // be visible to src/lib.rs (`bindings::add`). Nothing compares this with
    // the header, so compare it yourself, parameter by parameter; the table
    // in lesson 2's "Step 2: say what the function looks like" has the types.
}
