//! Given (not a file you edit): compiles csrc/repr_c.c with the `cc` crate
//! and links it into this crate (API style, as in lesson 4), so the
//! `unsafe extern "C"` block in src/lib.rs finds its functions at link time.
//! The C compiler lays out `struct particle` here; your Rust must agree.

fn main() {
    cc::Build::new()
        .file("../../csrc/repr_c.c")
        .include("../../csrc")
        .std("c11")
        .warnings(true)
        .compile("repr_c");
    // One line per C file used: with any rerun-if-changed line, cargo reruns
    // this script only when a listed file changes.
    println!("cargo:rerun-if-changed=../../csrc/repr_c.c");
    println!("cargo:rerun-if-changed=../../csrc/repr_c.h");
    println!("cargo:rerun-if-changed=build.rs");
}
