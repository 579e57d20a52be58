//! Lesson 11's build script: bindgen reads three C headers and writes their
//! Rust declarations to `OUT_DIR/bindings.rs`, which src/lib.rs `include!`s;
//! then `cc` compiles the C they declare (API style, as in lesson 4).
//!
//! This file is given: read it, do not edit it. What bindgen generates is
//! chosen in `binding_options.rs`, the part you write, which is compiled into
//! this script (the `#[path]` module below).

use std::env;
use std::path::{Path, PathBuf};

#[path = "binding_options.rs"]
mod binding_options;

/// What a machine without libclang is told. bindgen itself would panic with
/// "Unable to find libclang", which does not say what to install. The
/// `environment:` prefix makes the checker report a problem of the machine,
/// not of your code.
const MISSING_LIBCLANG: &str = "environment: libclang is not installed, and bindgen needs it to \
     read C headers. Install it: Debian/Ubuntu `sudo apt install libclang-dev`, Fedora \
     `sudo dnf install clang-devel`, macOS `xcode-select --install`, Windows \
     `winget install LLVM.LLVM` (then set LIBCLANG_PATH)";

/// The C this crate reads and links, relative to the crate.
const CSRC: &str = "../../csrc";
const HEADERS: [&str; 3] = ["ABI_add.h", "evolve.h", "generated.h"];
const SOURCES: [&str; 3] = ["ABI_add.c", "evolve.c", "generated.c"];

/// C that uses what only a C compiler can see (the SQUARE macro and the
/// `static inline` function), compiled into a function with a symbol: the
/// lesson's tests compare your Rust versions with these. It is what bindgen's
/// `wrap_static_fns` writes for a static function (see the lesson's page).
const REFERENCE_SOURCE: &str = r#"
#include "generated.h"

double generated_reference_square(double x) { return SQUARE(x); }

/* Lesson 11's question: SQUARE without its parentheses. */
#define BARE_SQUARE(x) x * x
int generated_reference_bare_square_of_2_plus_1(void) { return BARE_SQUARE(2 + 1); }

double generated_reference_distance_squared(generated_point a, generated_point b)
{
    return generated_distance_squared(a, b);
}
"#;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=binding_options.rs");
    // clang-sys looks for libclang where LIBCLANG_PATH says, when it is set.
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    // The lesson's tests run this program again without libclang, to check
    // the message above; this tells them where it is.
    let this_program = env::current_exe().expect("a build script knows its own path");
    println!(
        "cargo:rustc-env=GENERATED_BINDINGS_BUILD_SCRIPT={}",
        this_program.display()
    );

    // bindgen loads libclang when it runs (its `runtime` feature). Ask the
    // same loader first, so that a missing libclang gets a message that says
    // what to install instead of a panic.
    if let Err(why) = clang_sys::load() {
        println!("cargo::warning=clang-sys: {why}");
        println!("cargo::error={MISSING_LIBCLANG}");
        return;
    }

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let csrc = Path::new(CSRC);
    let mut builder = bindgen::Builder::default()
        // Prints a rerun-if-changed line for every header clang reads, so a
        // changed header regenerates the bindings.
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        .clang_arg(format!("-I{CSRC}"));
    for header in HEADERS {
        builder = builder.header(csrc.join(header).display().to_string());
    }
    let bindings = match binding_options::configure(builder).generate() {
        Ok(bindings) => bindings,
        Err(error) => {
            println!("cargo::error=bindgen could not generate the bindings: {error}");
            return;
        }
    };
    let generated = out_dir.join("bindings.rs");
    bindings
        .write_to_file(&generated)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", generated.display()));

    // The C behind the declarations, compiled and linked into this crate.
    let reference = out_dir.join("reference.c");
    std::fs::write(&reference, REFERENCE_SOURCE).expect("write reference.c to OUT_DIR");
    let mut c = cc::Build::new();
    for source in SOURCES {
        c.file(csrc.join(source));
        println!("cargo:rerun-if-changed={CSRC}/{source}");
    }
    c.file(&reference)
        .include(csrc)
        .opt_level(3)
        // evolve's results must match Rust's to the last digit (lesson 6).
        .flag_if_supported("-ffp-contract=off")
        .warnings(true)
        .compile("generated_bindings_c");
}
