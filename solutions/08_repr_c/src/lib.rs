//! Lesson 8: structs and enums shared with C.
//!
//! csrc/repr_c.c (compiled by build.rs) works on arrays of `struct particle`
//! in place, fills in a `struct point` that the caller provides, and reports
//! an `enum kind` as an `int`. Rust shares all three with it:
//!
//! * [`Particle`] and [`Point`] (src/particle.rs) are `#[repr(C)]`, so C
//!   finds every field where its own header says it is;
//! * [`step`] hands C a slice of particles to change in place;
//! * [`centre`] lets C write a `Point` into memory Rust has not initialised,
//!   and reads it only when C says that it wrote it;
//! * [`nearest_kind`] turns C's int into a [`Kind`], refusing unknown values.
//!
//! src/layout.rs (given) compares C's layout with Rust's.

use std::ffi::c_int;
use std::fmt;
use std::mem::MaybeUninit;

pub mod layout;
pub mod particle;

pub use particle::{Kind, MOVED, OUTSIDE, PADDING_BYTES, Particle, Point, UnknownKind};

// The functions of csrc/repr_c.h that this crate wraps. `size_t` is `usize`,
// `int` is `c_int`, a `struct particle *` is a `*mut Particle` (and `const`
// makes it `*const`), and a `struct point` passed by value is a `Point`.
unsafe extern "C" {
    /// `void particles_step(struct particle *p, size_t n, double dt);`
    fn particles_step(p: *mut Particle, n: usize, dt: f64);
    /// `int particle_centre(const struct particle *p, size_t n, struct point *out);`
    fn particle_centre(p: *const Particle, n: usize, out: *mut Point) -> c_int;
    /// `int particles_nearest_kind(const struct particle *p, size_t n, struct point at);`
    fn particles_nearest_kind(p: *const Particle, n: usize, at: Point) -> c_int;
}

/// `PARTICLE_OK`, `PARTICLE_EMPTY` and `PARTICLE_NOT_FINITE` from csrc/repr_c.h.
const PARTICLE_OK: c_int = 0;
const PARTICLE_EMPTY: c_int = -1;
const PARTICLE_NOT_FINITE: c_int = -2;

/// Why C found no centre (C's status codes, as a Rust error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CentreError {
    /// `PARTICLE_EMPTY`: there were no particles.
    Empty,
    /// `PARTICLE_NOT_FINITE`: a position is NaN or infinite.
    NotFinite,
    /// A status csrc/repr_c.h does not list.
    Status(c_int),
}

impl fmt::Display for CentreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CentreError::Empty => write!(f, "no particles, so no centre"),
            CentreError::NotFinite => write!(f, "a position is NaN or infinite"),
            CentreError::Status(status) => write!(f, "C returned the unknown status {status}"),
        }
    }
}

impl std::error::Error for CentreError {}

/// One time step of C's `particles_step`, in place: every particle moves by
/// its velocity times `dt`, and C sets its flags.
pub fn step(particles: &mut [Particle], dt: f64) {
    // SAFETY: Particle is #[repr(C)] with struct particle's fields, so C's
    // offsets are Rust's; the pointer is valid for writing `len` particles,
    // borrowed mutably so nothing else sees them while C writes, and C keeps
    // no pointer after it returns.
    unsafe { particles_step(particles.as_mut_ptr(), particles.len(), dt) }
}

/// The mean position of the particles, computed by C's `particle_centre`.
pub fn centre(particles: &[Particle]) -> Result<Point, CentreError> {
    let mut out = MaybeUninit::<Point>::uninit();
    // SAFETY: the particles are valid for reading `len` elements and laid out
    // as C's (#[repr(C)]); `out` is valid for writing one Point (also
    // #[repr(C)]). C may leave it unwritten, so it is not read here.
    let status = unsafe { particle_centre(particles.as_ptr(), particles.len(), out.as_mut_ptr()) };
    match status {
        // SAFETY: PARTICLE_OK is C's word that it wrote *out.
        PARTICLE_OK => Ok(unsafe { out.assume_init() }),
        PARTICLE_EMPTY => Err(CentreError::Empty),
        PARTICLE_NOT_FINITE => Err(CentreError::NotFinite),
        other => Err(CentreError::Status(other)),
    }
}

/// The kind of the particle nearest to `at`, by C's `particles_nearest_kind`;
/// `Ok(None)` when there are no particles; an error when that particle's kind
/// byte holds no `enum kind` value.
pub fn nearest_kind(particles: &[Particle], at: Point) -> Result<Option<Kind>, UnknownKind> {
    if particles.is_empty() {
        return Ok(None);
    }
    // SAFETY: the particles are valid for reading `len` elements and laid out
    // as C's; `Point` is #[repr(C)], so C receives it by value as a
    // `struct point`.
    let kind = unsafe { particles_nearest_kind(particles.as_ptr(), particles.len(), at) };
    Kind::try_from(kind).map(Some)
}
