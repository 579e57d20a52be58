//! What bindgen generates from the three headers: the part of the build
//! script you write. build.rs has already given the builder the headers;
//! `configure` says which of their names become Rust, and how.
//!
//! Read the result after each build; this prints where it is:
//! find "${CARGO_TARGET_DIR:-target}" -path '*/generated_bindings-*/out/bindings.rs'.

/// Chooses what bindgen generates.
pub fn configure(builder: bindgen::Builder) -> bindgen::Builder {
    // TODO 1 (page: "Choosing what bindgen generates"): with no allowlist,
    // bindgen turns every name the headers declare into Rust, including the
    // dozens <stdint.h> brings with it (INT8_MIN, int_least8_t, __uint64_t,
    // ...). Allow only the workbook's own names: the functions `add`,
    // `evolve` and those starting `generated_`, the types starting
    // `generated_`, the constants starting `GENERATED_`. The builder's
    // `allowlist_*` methods take regular expressions that must match a whole
    // name, and bring along the types an allowed item uses.
    //
    // TODO 2 (page: "Enums: four ways to say one thing"): bindgen makes a C
    // enum a set of loose constants unless told otherwise. Choose the style
    // that gives `generated_unit` its own type and names its values
    // `generated_unit::GENERATED_METRES`, without making it a Rust `enum`
    // (C may hand back a value the header does not name).
    builder
}
