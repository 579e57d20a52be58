//! Way 2, API: build.rs compiled csrc/evolve.c into this crate, so `evolve`
//! is linked in like any other function. Declare it here, copied from
//! csrc/evolve.h, and wrap it in a safe function.
//!
//! Your file. Fill in the two TODOs.

use crate::Params;

// TODO: declare C's function, exactly as csrc/evolve.h has it:
//
//     unsafe extern "C" {
//         fn evolve(u: *mut f64, u_previous: *mut f64, nx: c_int, ny: c_int,
//                   a: f64, dt: f64, dx2: f64, dy2: f64);
//     }
//
// (`c_int` is `std::os::raw::c_int`.) The linker finds `evolve` in the static
// library build.rs made; if a name or type is wrong, nothing warns you: the
// declaration is your promise.

/// One step with the C linked in at build time: the new field into `u`, then
/// copied into `u_previous`. Panics unless both slices hold `nx * ny` values.
pub fn step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    // TODO: `let (nx, ny) = crate::check_grid(u, u_previous, nx, ny);`, then
    // call `evolve(u.as_mut_ptr(), u_previous.as_mut_ptr(), nx, ny, params.a,
    // params.dt, params.dx2, params.dy2)` in an `unsafe` block with a
    // `// SAFETY:` comment saying why the pointers are good.
    let _ = (u, u_previous, nx, ny, params);
    todo!("declare evolve in an unsafe extern \"C\" block and call it (src/api.rs)")
}
