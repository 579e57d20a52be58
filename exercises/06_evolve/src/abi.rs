//! Way 1, ABI: load the prebuilt `build/libevolve.so` at run time with
//! libloading, find `evolve` in it by name, and call it through a function
//! pointer. Nothing about C is known when this crate is compiled: the
//! signature you write below is a promise, and nobody checks it for you.
//!
//! Your file. Fill in the three TODOs.

use std::error::Error;

use libloading::Library;

use crate::Params;

/// The type of C's
/// `void evolve(double *u, double *u_previous, int nx, int ny, double a, double dt, double dx2, double dy2)`
/// as a Rust function pointer.
//
// TODO: this placeholder says "a C function with no arguments". Write the
// real type: `unsafe extern "C" fn(...)` with one Rust type per C parameter
// (`double *` is `*mut f64`, `int` is `std::os::raw::c_int`, `double` is
// `f64`; a `void` result is no `->` at all).
pub type EvolveFn = unsafe extern "C" fn();

/// The loaded library and the `evolve` function found in it.
// (The `allow` only quiets "field is never read" until `step` uses `evolve`.)
#[allow(dead_code)]
pub struct AbiEvolve {
    /// Keeps the library loaded for as long as `evolve` may be called: the
    /// function pointer points into it.
    _library: Library,
    evolve: EvolveFn,
}

impl AbiEvolve {
    /// Loads `build/libevolve.so` (`.dylib` on macOS, `evolve.dll` on
    /// Windows) and looks up `evolve`.
    pub fn load() -> Result<AbiEvolve, Box<dyn Error>> {
        // TODO: find the library's path with
        // `workbook_support::shared_library_path("evolve")?` (its error says
        // how to build the library), open it with `Library::new` and get
        // the function with `library.get::<EvolveFn>(b"evolve")?`. A `Symbol`
        // borrows the library; copy the function pointer out of it (`*symbol`)
        // and keep the library in the struct
        // (`AbiEvolve { _library: library, evolve }`), so the pointer stays valid.
        // Both calls are `unsafe`: say in a `// SAFETY:` comment why they are
        // fine here.
        todo!("load build/libevolve.so and find `evolve` in it (src/abi.rs)")
    }

    /// One step: the new field into `u`, then copied into `u_previous`.
    /// Panics unless both slices hold `nx * ny` values.
    pub fn step(
        &self,
        u: &mut [f64],
        u_previous: &mut [f64],
        nx: usize,
        ny: usize,
        params: &Params,
    ) {
        // TODO: first `let (nx, ny) = crate::check_grid(u, u_previous, nx, ny);`
        // (C cannot see how long the slices are, so Rust must check), then call
        // `(self.evolve)(u.as_mut_ptr(), u_previous.as_mut_ptr(), nx, ny,
        // params.a, params.dt, params.dx2, params.dy2)` in an `unsafe` block.
        let _ = (u, u_previous, nx, ny, params);
        todo!("call C's evolve through the function pointer (src/abi.rs)")
    }
}
