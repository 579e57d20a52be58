//! Lesson 9: C calls Rust.
//!
//! csrc/callbacks.c (compiled by build.rs) takes function pointers and calls
//! them back:
//!
//! * Part 1 ([`sort`], src/sort.rs): `cb_sort` sorts with the C library's
//!   `qsort` and your `extern "C"` comparator, [`compare_ints`].
//! * Part 2 ([`for_each`], src/visit.rs): `cb_each` calls a visitor with a
//!   `void *user` it hands back untouched, which carries a Rust closure to a
//!   generic trampoline. A panic in the closure is caught at the boundary
//!   and resumed once C has returned.
//! * Part 3 ([`visit_until`], src/visit.rs): `cb_each_until`'s visitor
//!   returns a status that stops C early, the natural place to report a
//!   panic to C as "stop".

pub mod sort;
pub mod visit;

pub use sort::{compare_ints, sort};
pub use visit::{TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS, for_each, visit_until};
