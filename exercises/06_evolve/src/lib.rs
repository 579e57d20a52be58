//! Lesson 6: evolve. One time step of the 2-D heat equation, written in C
//! (`csrc/evolve.c`), driven from Rust three ways, and checked against a step
//! written in Rust.
//!
//! Yours to write (the lesson's gaps):
//! - [`abi`]: the ABI way, loading `build/libevolve.so` at run time with libloading;
//! - [`api`]: the API way, C compiled by `build.rs` and declared in an `unsafe extern "C"` block;
//! - [`pure`]: the same step in plain Rust.
//!
//! Given (read them, but they are the instructor's: your copy never counts
//! when grading): this file, [`field`] (the field and its text file),
//! [`picture`] (PNG pictures with a colour bar), [`report`] (statistics and
//! timings), `src/main.rs` and `build.rs`.

use std::os::raw::c_int;

pub mod abi;
pub mod api;
pub mod field;
pub mod picture;
pub mod pure;
pub mod report;

pub use field::Field;

/// How many steps the lesson runs, as the source course did.
pub const STEPS: usize = 200;

/// The largest difference allowed between the three ways' fields.
pub const TOLERANCE: f64 = 1e-12;

/// The numbers one step needs besides the field: the diffusion constant `a`,
/// the time step `dt`, and the squared grid spacings `dx2 = dx²`, `dy2 = dy²`
/// (`dx` along i, the rows; `dy` along j, the columns).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub a: f64,
    pub dt: f64,
    pub dx2: f64,
    pub dy2: f64,
}

impl Params {
    /// The given constants and the largest time step for which the explicit
    /// scheme is stable: `dt = dx²·dy² / (2a(dx² + dy²))`.
    pub fn new(a: f64, dx: f64, dy: f64) -> Params {
        let dx2 = dx * dx;
        let dy2 = dy * dy;
        let dt = dx2 * dy2 / (2.0 * a * (dx2 + dy2));
        Params { a, dt, dx2, dy2 }
    }

    /// The source course's constants: a = 0.5, dx = dy = 0.01.
    pub fn source() -> Params {
        Params::new(0.5, 0.01, 0.01)
    }
}

/// What every safe wrapper around C's `evolve` must check before it hands C
/// two raw pointers: C receives only addresses and `nx`, `ny`, so it cannot
/// know how long the slices are, and would read and write past their ends.
///
/// Panics, with a message that says what is wrong, when either slice does not
/// hold exactly `nx * ny` values or when `nx` or `ny` does not fit in a C
/// `int`. Returns `(nx, ny)` as `c_int`, ready to pass to C.
#[track_caller]
pub fn check_grid(u: &[f64], u_previous: &[f64], nx: usize, ny: usize) -> (c_int, c_int) {
    let cells = nx
        .checked_mul(ny)
        .unwrap_or_else(|| panic!("evolve: nx × ny = {nx} × {ny} overflows usize"));
    for (name, slice) in [("u", u), ("u_previous", u_previous)] {
        assert!(
            slice.len() == cells,
            "evolve: `{name}` holds {} values, but nx × ny = {nx} × {ny} = {cells}. \
             C cannot see a slice's length, so this call would read or write out of bounds.",
            slice.len()
        );
    }
    let to_int = |name: &str, n: usize| {
        c_int::try_from(n)
            .unwrap_or_else(|_| panic!("evolve: {name} = {n} does not fit in a C int"))
    };
    (to_int("nx", nx), to_int("ny", ny))
}

/// Runs `steps` steps of `step` from `start` and returns the final field.
///
/// `step(u, u_previous, nx, ny)` is one of the three ways; like C's `evolve`
/// it leaves the new field in both `u` and `u_previous`.
pub fn run_steps(
    start: &Field,
    steps: usize,
    mut step: impl FnMut(&mut [f64], &mut [f64], usize, usize),
) -> Field {
    let mut u = start.values.clone();
    let mut u_previous = start.values.clone();
    for _ in 0..steps {
        step(&mut u, &mut u_previous, start.nx, start.ny);
    }
    Field::new(start.nx, start.ny, u)
}
