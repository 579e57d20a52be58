//! Lesson 7's build script (given): compiles csrc/c_strings.c with `cc` and
//! links it into this crate, API style, as in lessons 4 and 5. The checker
//! and `make` also build it as a shared library (build/libc_strings.so), for
//! anyone who wants to call it from C or Python; this crate does not use that
//! copy.

fn main() {
    cc::Build::new()
        .file("../../csrc/c_strings.c")
        .include("../../csrc")
        .warnings(true)
        // Named c_strings_api so it is never mistaken for build/libc_strings.so.
        .compile("c_strings_api");

    println!("cargo:rerun-if-changed=../../csrc/c_strings.c");
    println!("cargo:rerun-if-changed=../../csrc/c_strings.h");
    println!("cargo:rerun-if-changed=build.rs");
}
