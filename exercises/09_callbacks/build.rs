//! Given (not a file you edit): compiles csrc/callbacks.c with the `cc`
//! crate and links it into this crate (API style, as in lesson 4), so the
//! `unsafe extern "C"` blocks in src/sort.rs and src/visit.rs find its
//! functions at link time.

fn main() {
    cc::Build::new()
        .file("../../csrc/callbacks.c")
        .include("../../csrc")
        .std("c11")
        .warnings(true)
        .compile("callbacks");
    // One line per C file used: with any rerun-if-changed line, cargo reruns
    // this script only when a listed file changes.
    println!("cargo:rerun-if-changed=../../csrc/callbacks.c");
    println!("cargo:rerun-if-changed=../../csrc/callbacks.h");
    println!("cargo:rerun-if-changed=build.rs");
}
