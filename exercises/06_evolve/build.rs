//! Given (not a file you edit): the API way. Compiles csrc/evolve.c with the
//! `cc` crate as part of this crate's build and links it in statically, so
//! the `unsafe extern "C"` block in src/api.rs finds `evolve` at link time.

fn main() {
    let csrc = std::path::Path::new("../../csrc");
    cc::Build::new()
        .file(csrc.join("evolve.c"))
        .include(csrc)
        // The same optimisation as the Makefile's build/libevolve.so, even in a
        // debug build, so the ABI and API ways run the same machine code and
        // the timings compare the calls, not the compilers' settings.
        .opt_level(3)
        // No fused multiply-add: C and Rust must agree to 1e-12 (see evolve.c).
        .flag_if_supported("-ffp-contract=off")
        .warnings(true)
        .compile("evolve_api");
    // One line per C file used: with any rerun-if-changed line, cargo reruns
    // this script only when a listed file changes.
    println!("cargo:rerun-if-changed=../../csrc/evolve.c");
    println!("cargo:rerun-if-changed=../../csrc/evolve.h");
    println!("cargo:rerun-if-changed=build.rs");
}
