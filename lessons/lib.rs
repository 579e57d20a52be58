//! The FFI Workbook's lesson texts. Read them as a book (`mdbook build lessons`)
//! or in the terminal (`cargo run -p checker -- lesson NAME`); this crate only
//! exists so that the book's Rust code blocks are compiled by `cargo test`.
#![allow(rustdoc::broken_intra_doc_links)]
// The pages show whole `build.rs` files, so their examples keep `fn main`.
#![allow(clippy::needless_doctest_main)]

include!(concat!(env!("OUT_DIR"), "/pages.rs"));
