//! Way 1, ABI: load the prebuilt `build/libevolve.so` at run time with
//! libloading, find `evolve` in it by name, and call it through a function
//! pointer. Nothing about C is known when this crate is compiled: the
//! signature you write below is a promise, and nobody checks it for you.
//!
//! Your file. Fill in the three TODOs. The checks of this way are the tests
//! named `abi_way::...` in tests/steps.rs.

use std::error::Error;

use libloading::Library;

use crate::Params;

/// The type of C's
/// `void evolve(double *u, double *u_previous, int nx, int ny, double a, double dt, double dx2, double dy2)`
/// as a Rust function pointer.
//
// TODO: this placeholder says "a C function with no arguments". Write the
// real type of csrc/evolve.h's `evolve` (the CFFI `ffi.cdef` line): a
// function-pointer type with C's calling convention, unsafe to call, and one
// Rust type per C parameter, in order (lesson 2's table has them: `double *`,
// `int` from `std::os::raw`, `double`; a `void` result is no result at all).
// Nobody checks it against the library. Read "Way 1, ABI: load the library
// at run time".
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
        // TODO: the source's ABI mode, `lib = ffi.dlopen(...)` and the look-up
        // of `evolve`, done once, as in lessons 3 and 5: find the library
        // "evolve" (`workbook_support::shared_library_path`, whose error says
        // how to build it: pass it on), open it (`Library::new`), look up
        // `evolve` as an `EvolveFn` (`Library::get`), and keep the plain
        // function pointer in the struct beside the `Library` it points into.
        // Both library calls are `unsafe`: say in a `// SAFETY:` comment why
        // each is fine here.
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
        // TODO: the source's `lib.evolve(u_ptr, u_previous_ptr, nx, ny, a,
        // dt, dx2, dy2)`, made safe. C gets two addresses and two `int`s and
        // cannot see how long the slices are, so first let `crate::check_grid`
        // check them (it also gives the sizes as C `int`s). Then call C
        // through the stored function pointer, the slices as pointers C may
        // write through, the parameters in the header's order, in an `unsafe`
        // block whose `// SAFETY:` comment says what makes the call sound
        // (evolve.h lists what C needs). Read "The C side".
        let _ = (u, u_previous, nx, ny, params);
        todo!("call C's evolve through the function pointer (src/abi.rs)")
    }
}
