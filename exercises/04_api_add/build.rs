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
    // TODO step 1, API out-of-line: compile csrc/API_add.c with the `cc`
    // crate (a build-dependency of this crate):
    //     cc::Build::new()
    //         .file("../../csrc/API_add.c")   // paths are relative to this crate
    //         .include("../../csrc")          // where `#include "API_add.h"` is found
    //         .opt_level(3)                   // like the Makefile's -O3
    //         .compile("API_add");            // makes libAPI_add.a and links it
    //
    // TODO step 2, API in-line: write API_INLINE_SOURCE to a file in OUT_DIR
    // (`std::env::var_os("OUT_DIR")`, the folder cargo gives build scripts for
    // their output; never write into the source tree) with `std::fs::write`,
    // and compile that file the same way, as "API_inline_add".
    //
    // TODO step 3: print a `cargo:rerun-if-changed=PATH` line for
    // ../../csrc/API_add.c, ../../csrc/API_add.h and build.rs. Once a build
    // script prints one such line, cargo reruns it only when a listed file
    // changes, so every C file used must be listed.
    //
    // Until step 1 is done, declaring `API_add` in src/lib.rs fails at link
    // time with "undefined reference to `API_add'" (GNU ld) or "undefined
    // symbol: API_add" (rust-lld): the declaration is there, the definition
    // is not.
}
