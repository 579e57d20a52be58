//! What bindgen generates from the three headers: the part of the build
//! script you write. build.rs has already given the builder the headers;
//! `configure` says which of their names become Rust, and how.

/// Chooses what bindgen generates.
pub fn configure(builder: bindgen::Builder) -> bindgen::Builder {
    builder
        // Only the workbook's own names. Each pattern must match a whole
        // name; the types an allowed item uses (int32_t in
        // generated_path_length, say) are pulled in with it. Without an
        // allowlist, <stdint.h> adds dozens of names no one asked for.
        .allowlist_function("add|evolve|generated_.*")
        .allowlist_type("generated_.*")
        .allowlist_var("GENERATED_.*")
        // A C enum may hold any int, including values its header does not
        // name (a newer library's, or a mistake). A Rust enum holding one of
        // those is undefined behaviour, so not `rustified_enum`: a struct
        // around the integer, with one constant per enumerator.
        .newtype_enum("generated_unit")
}
