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
        // No fused multiply-add: C and Rust must agree to 1e-12 (see the Makefile).
        .flag_if_supported("-ffp-contract=off")
        .warnings(true)
        .compile("evolve_api");
    // For the benchmark only (benches/steps.rs): the source's int-indexed
    // step, built with -O3 alone and with -O3 -fwrapv (what CFFI's API mode
    // compiles with: Python's own flags), under two names so both link.
    for (name, wrapv) in [("evolve_int_o3", false), ("evolve_int_wrapv", true)] {
        let mut build = cc::Build::new();
        build
            .file(csrc.join("evolve_int.c"))
            .define("EVOLVE_INT_NAME", name)
            .opt_level(3)
            .flag_if_supported("-ffp-contract=off");
        if wrapv {
            build.flag_if_supported("-fwrapv");
        }
        build.compile(name);
    }
    // One line per C file used: with any rerun-if-changed line, cargo reruns
    // this script only when a listed file changes.
    println!("cargo:rerun-if-changed=../../csrc/evolve.c");
    println!("cargo:rerun-if-changed=../../csrc/evolve.h");
    println!("cargo:rerun-if-changed=../../csrc/evolve_int.c");
    println!("cargo:rerun-if-changed=build.rs");
}
