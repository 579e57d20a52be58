//! Way 2, API: build.rs compiled csrc/evolve.c into this crate, so `evolve`
//! is linked in like any other function. We declare it here, copied from
//! csrc/evolve.h, and wrap it in a safe function.

use std::os::raw::c_int;

use crate::{Params, check_grid};

unsafe extern "C" {
    /// `void evolve(double *u, double *u_previous, int nx, int ny, double a, double dt, double dx2, double dy2);`
    fn evolve(
        u: *mut f64,
        u_previous: *mut f64,
        nx: c_int,
        ny: c_int,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    );
}

/// One step with the C linked in at build time: the new field into `u`, then
/// copied into `u_previous`. Panics unless both slices hold `nx * ny` values.
pub fn step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    let (nx, ny) = check_grid(u, u_previous, nx, ny);
    // SAFETY: both slices hold nx * ny doubles (checked above) and do not
    // overlap (two `&mut`), as evolve.h requires.
    unsafe {
        evolve(
            u.as_mut_ptr(),
            u_previous.as_mut_ptr(),
            nx,
            ny,
            params.a,
            params.dt,
            params.dx2,
            params.dy2,
        )
    }
}
