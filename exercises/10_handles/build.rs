//! Lesson 10's build script (given): compiles csrc/handles.c with `cc` and
//! links it into this crate, API style, as in lessons 4, 5 and 7. The checker
//! and `make` also build it as a shared library (build/libhandles.so), for
//! anyone who wants to call it from C or Python; this crate does not use that
//! copy.

fn main() {
    cc::Build::new()
        .file("../../csrc/handles.c")
        .include("../../csrc")
        .warnings(true)
        // Named handles_api so it is never mistaken for build/libhandles.so.
        .compile("handles_api");

    println!("cargo:rerun-if-changed=../../csrc/handles.c");
    println!("cargo:rerun-if-changed=../../csrc/handles.h");
    println!("cargo:rerun-if-changed=build.rs");
}
