//! Way 3: the same step in plain Rust, no C and no `unsafe`. It is the
//! reference the two C ways are compared with.
//!
//! Your file. Fill in the TODO.

use crate::Params;

/// One explicit step of the heat equation on the interior (edges fixed), the
/// same formula in the same order as csrc/evolve.c, then `u_previous` takes
/// the new field. Row-major: (i, j) is at `i * ny + j`.
pub fn step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    // TODO:
    // 1. `crate::check_grid(u, u_previous, nx, ny);` so that slices of the
    //    wrong length are refused here too, as in the two C ways.
    // 2. For every interior cell, i in 1..nx-1 and j in 1..ny-1, with
    //    `ij = i * ny + j` (not `j + i * nx`: that is right only when nx == ny):
    //        u[ij] = c + a * dt * ((u_previous[ij + ny] - 2.0 * c + u_previous[ij - ny]) / dx2
    //                            + (u_previous[ij + 1] - 2.0 * c + u_previous[ij - 1]) / dy2)
    //    where `c = u_previous[ij]`. Neighbours along i are `ny` apart, along
    //    j next door. Keep this order of operations: it is evolve.c's, so the
    //    results agree with C's to the last bits.
    // 3. `u_previous.copy_from_slice(u);`, as C's evolve ends.
    let _ = (u, u_previous, nx, ny, params);
    todo!("the heat equation step in Rust (src/pure.rs)")
}
