//! Way 1, ABI: load the prebuilt `build/libevolve.so` at run time with
//! libloading, find `evolve` in it by name, and call it through a function
//! pointer. Nothing about C is known when this crate is compiled: the
//! signature below is a promise you make, and nobody checks it.

use std::error::Error;
use std::os::raw::c_int;

use libloading::Library;

use crate::{Params, check_grid};

/// The type of C's
/// `void evolve(double *u, double *u_previous, int nx, int ny, double a, double dt, double dx2, double dy2)`
/// as a Rust function pointer.
pub type EvolveFn = unsafe extern "C" fn(*mut f64, *mut f64, c_int, c_int, f64, f64, f64, f64);

/// The loaded library and the `evolve` function found in it.
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
        let path = workbook_support::shared_library_path("evolve")?;
        // SAFETY: loading a library runs its initialisers; libevolve is our
        // own C with none.
        let library = unsafe { Library::new(&path) }?;
        // SAFETY: `EvolveFn` is exactly the signature in csrc/evolve.h.
        let evolve: EvolveFn = unsafe { *library.get::<EvolveFn>(b"evolve")? };
        Ok(AbiEvolve { _library: library, evolve })
    }

    /// One step: the new field into `u`, then copied into `u_previous`.
    /// Panics unless both slices hold `nx * ny` values.
    pub fn step(&self, u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
        let (nx, ny) = check_grid(u, u_previous, nx, ny);
        // SAFETY: both slices hold nx * ny doubles (checked above) and are
        // distinct (two `&mut`), as evolve.h requires; the library stays
        // loaded while `self` lives.
        unsafe {
            (self.evolve)(
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
}
