//! Lesson 4's build script: the C side of this crate is compiled here, as
//! part of `cargo build`. That is what makes both parts "API" style: a C
//! compiler reads the C source, so the C is built for this crate, by this
//! crate. (CFFI's `ffibuilder.set_source(...)` + `compile()`.)
//!
//! You write this file (and the `unsafe extern "C"` block in src/lib.rs).

/// Part 2, API in-line: the C source held in the build script itself, like
/// the string the source lesson hands to `ffibuilder.set_source`.
/// It is named `API_inline_add` so that it cannot clash with part 1's `API_add`.
#[allow(dead_code)] // TODO: remove this line once step 2 below uses the constant.
const API_INLINE_SOURCE: &str = r#"
void API_inline_add(double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) {
        a[i] += b[i];
    }
}
"#;

fn main() {
    // TODO step 1, API out-of-line: the Python lesson's
    // `ffibuilder.set_source(...)` + `ffibuilder.compile()`, done by cargo.
    // Compile csrc/API_add.c with the `cc` crate (a build-dependency of this
    // crate: `cc::Build`) into a static library named after what it holds,
    // "API_add", which `cc` then tells cargo to link into this crate.
    // - Paths are relative to this crate's folder, exercises/04_api_add/.
    // - API_add.c includes "API_add.h": tell the compiler which folder that
    //   header is in.
    // - Optimise it as the Makefile optimises lesson 3's library (-O3):
    //   without that, a debug build compiles the C unoptimised, and the
    //   timings would compare optimised C with unoptimised C.
    // Read "Part 1, API out-of-line: `csrc/API_add.c` and `cc`".
    //
    // TODO step 2, API in-line: the C source held in this file,
    // API_INLINE_SOURCE, compiled the same way as "API_inline_add". A C
    // compiler reads files, so first write the string to a file in the folder
    // cargo gives build scripts for their output (the `OUT_DIR` environment
    // variable: `std::env::var_os`); never write into the source tree. Read
    // "Part 2, API in-line: the C inside `build.rs`".
    //
    // TODO step 3: tell cargo when to run this script again. Once a build
    // script prints one `cargo:rerun-if-changed=PATH` line, cargo reruns it
    // only when a listed file changes, so list every file the C build reads:
    // the C source, its header, and this file (which holds step 2's C).
    //
    // Until step 1 is done, declaring `API_add` in src/lib.rs fails at link
    // time with "undefined reference to `API_add'" (GNU ld) or "undefined
    // symbol: API_add" (rust-lld): the declaration is there, the definition
    // is not.
}
