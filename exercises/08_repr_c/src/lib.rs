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

// The functions of csrc/repr_c.h that this crate wraps.
unsafe extern "C" {
    // TODO: declare the three C functions this file wraps, translated from
    // csrc/repr_c.h:
    //     void particles_step(struct particle *p, size_t n, double dt);
    //     int particle_centre(const struct particle *p, size_t n, struct point *out);
    //     int particles_nearest_kind(const struct particle *p, size_t n, struct point at);
    // A pointer to a struct is a raw pointer to its #[repr(C)] Rust twin
    // (`const` makes it `*const`, otherwise `*mut`); a struct passed by
    // value is the Rust struct itself; `size_t` is `usize`, `int` is `c_int`.
    // Lesson section: "Structs through pointers and by value".
}

/// `PARTICLE_OK`, `PARTICLE_EMPTY` and `PARTICLE_NOT_FINITE` from csrc/repr_c.h.
// TODO: remove the three #[allow(dead_code)] once centre uses these constants.
#[allow(dead_code)]
const PARTICLE_OK: c_int = 0;
#[allow(dead_code)]
const PARTICLE_EMPTY: c_int = -1;
#[allow(dead_code)]
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
    // TODO: let C's particles_step move every particle of the slice, in
    // place: hand it a pointer to the first particle, the number of
    // particles, and dt, in an `unsafe` block with a `// SAFETY:` comment
    // (why may C write `len` particles there, and why does it find their
    // fields?). Lesson section: "Arrays of structs, changed in place".
    let _ = (particles, dt);
    todo!("call particles_step in step (src/lib.rs)")
}

/// The mean position of the particles, computed by C's `particle_centre`.
pub fn centre(particles: &[Particle]) -> Result<Point, CentreError> {
    // TODO: C's particle_centre writes the centre into a `struct point` the
    // caller provides, but only when it returns PARTICLE_OK; on the other
    // statuses it leaves that memory as it was. So give it room that nobody
    // has written (std::mem::MaybeUninit<Point>, no made-up starting value),
    // and read that room only after C said it wrote it: PARTICLE_OK is the
    // point, PARTICLE_EMPTY and PARTICLE_NOT_FINITE are CentreError::Empty
    // and CentreError::NotFinite, any other status CentreError::Status.
    // Lesson section: "Out-parameters: MaybeUninit".
    let _ = (particles, MaybeUninit::<Point>::uninit());
    todo!("call particle_centre in centre (src/lib.rs)")
}

/// The kind of the particle nearest to `at`, by C's `particles_nearest_kind`;
/// `Ok(None)` when there are no particles; an error when that particle's kind
/// byte holds no `enum kind` value.
pub fn nearest_kind(particles: &[Particle], at: Point) -> Result<Option<Kind>, UnknownKind> {
    // TODO: Ok(None) for no particles, without calling C. Otherwise ask C's
    // particles_nearest_kind (the point goes by value), and turn the int it
    // returns into a Kind with your Kind::try_from: an int that is no kind
    // is the error, never a guess. Lesson section: "C enums are ints".
    let _ = (particles, at);
    todo!("call particles_nearest_kind in nearest_kind (src/lib.rs)")
}
