//! Way 2, API: build.rs compiled csrc/evolve.c into this crate, so `evolve`
//! is linked in like any other function. Declare it here, copied from
//! csrc/evolve.h, and wrap it in a safe function.
//!
//! Your file. Fill in the two TODOs. The checks of this way are the tests
//! named `api_way::...` in tests/steps.rs.

use crate::Params;

unsafe extern "C" {
    // TODO: declare C's `evolve`, exactly as csrc/evolve.h has it: the same
    // name (the linker matches names, nothing else), one Rust type per C
    // parameter in order, no result, no body (`int` is `c_int` from
    // `std::os::raw`). The linker finds `evolve` in the static library
    // build.rs made; if a name or type is wrong, nothing warns you: the
    // declaration is your promise. Read "Way 2, API: compile the C with the
    // crate".
}

/// One step with the C linked in at build time: the new field into `u`, then
/// copied into `u_previous`. Panics unless both slices hold `nx * ny` values.
pub fn step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    // TODO: the same safe wrapper as the ABI way's `step`: `crate::check_grid`
    // first, then the `evolve` declared above with the slices as pointers C
    // may write through and the parameters in the header's order, in an
    // `unsafe` block whose `// SAFETY:` comment says why the pointers are good.
    let _ = (u, u_previous, nx, ny, params);
    todo!("declare evolve in an unsafe extern \"C\" block and call it (src/api.rs)")
}
