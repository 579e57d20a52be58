//! Way 3: the same step in plain Rust, no C and no `unsafe`. It is the
//! reference the two C ways are compared with.

use crate::{Params, check_grid};

/// One explicit step of the heat equation on the interior (edges fixed), the
/// same formula in the same order as csrc/evolve.c, then `u_previous` takes
/// the new field. Row-major: (i, j) is at `i * ny + j`.
pub fn step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    check_grid(u, u_previous, nx, ny);
    let Params { a, dt, dx2, dy2 } = *params;
    for i in 1..nx.saturating_sub(1) {
        for j in 1..ny.saturating_sub(1) {
            let ij = i * ny + j;
            let centre = u_previous[ij];
            u[ij] = centre
                + a * dt
                    * ((u_previous[ij + ny] - 2.0 * centre + u_previous[ij - ny]) / dx2
                        + (u_previous[ij + 1] - 2.0 * centre + u_previous[ij - 1]) / dy2);
        }
    }
    u_previous.copy_from_slice(u);
}
