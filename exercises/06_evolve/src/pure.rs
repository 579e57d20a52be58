//! Way 3: the same step in plain Rust, no C and no `unsafe`. It is the
//! reference the two C ways are compared with.
//!
//! Your file. Fill in the TODO. The checks of this way are the tests named
//! `rust_way::...` in tests/steps.rs.

use crate::Params;

/// One explicit step of the heat equation on the interior (edges fixed), the
/// same formula in the same order as csrc/evolve.c, then `u_previous` takes
/// the new field. Row-major: (i, j) is at `i * ny + j`.
pub fn step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    // TODO: csrc/evolve.c's `evolve`, in Rust, with no `unsafe`:
    // - Refuse slices of the wrong length as the two C ways do
    //   (`crate::check_grid`), so all three fail alike.
    // - Give every interior cell (the edges stay fixed) its new value from
    //   `u_previous`, by evolve.c's formula (its `stencil`). Where are cell
    //   (i, j) and its four neighbours in the flat slice, on a grid that is
    //   not square? Work it out from the row-major layout ("A 2-D field in
    //   one flat buffer"): the checks run a 37 × 53 grid. Write the formula
    //   in evolve.c's order of operations: floating-point addition is not
    //   associative, and the checks compare with C to 1e-12.
    // - End as C's `evolve` ends: the new field becomes the previous one.
    // - And the question to reason out: what must happen on a grid too small
    //   to have an interior (nx or ny below 3), or with no cells at all
    //   (nx or ny 0)? Read evolve.c: do what it does, and never panic.
    let _ = (u, u_previous, nx, ny, params);
    todo!("the heat equation step in Rust (src/pure.rs)")
}
