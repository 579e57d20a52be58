//! Lesson 11: bindings generated from the C headers by bindgen.
//!
//! build.rs runs bindgen on csrc/ABI_add.h, csrc/evolve.h and
//! csrc/generated.h (what it keeps is chosen in binding_options.rs) and
//! writes `OUT_DIR/bindings.rs`; the module [`ffi`] below includes that file.
//! Then this crate does three things with it:
//!
//! * Part 1: the declarations you wrote by hand in lessons 3 and 6 ([`AddFn`],
//!   [`EvolveFn`]), checked against what bindgen read in the headers.
//! * Part 2: what bindgen cannot bring over, written in Rust: the `SQUARE`
//!   macro ([`square`]) and the `static inline` function
//!   ([`distance_squared`]).
//! * Part 3: a safe wrapper over the generated declarations ([`path_length`]).

use std::error::Error;
use std::ffi::c_int;
use std::fmt;

/// Everything bindgen generated: open the file to read it
/// (`find "${CARGO_TARGET_DIR:-target}" -path '*/generated_bindings-*/out/bindings.rs'`
/// prints where it is).
///
/// The names are C's, so Rust's naming lints are off here.
#[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code)]
pub mod ffi {
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

/// C's `generated_point`, as bindgen wrote it: a `#[repr(C)]` struct with
/// the same two `f64` fields, in the same order.
pub use ffi::generated_point as Point;

// ---------------------------------------------------------------------------
// Part 1: the hand-written declarations, checked
// ---------------------------------------------------------------------------

/// `void add(double *a, const double *b, int n);` from csrc/ABI_add.h, as
/// lesson 3 declared it by hand.
pub type AddFn = unsafe extern "C" fn(a: *mut f64, b: *const f64, n: c_int);

/// `void evolve(double *u, double *u_previous, int nx, int ny, double a,
/// double dt, double dx2, double dy2);` from csrc/evolve.h, as lesson 6
/// declared it by hand.
pub type EvolveFn = unsafe extern "C" fn(
    u: *mut f64,
    u_previous: *mut f64,
    nx: c_int,
    ny: c_int,
    a: f64,
    dt: f64,
    dx2: f64,
    dy2: f64,
);

// ---------------------------------------------------------------------------
// Part 2: what bindgen cannot bring over
// ---------------------------------------------------------------------------

/// C's `SQUARE(x)` macro, for `double`s. The macro is text the preprocessor
/// pastes in (`((x) * (x))`), so it is in no library and bindgen skips it. A
/// function also evaluates its argument once, where `SQUARE(i++)` would
/// increment `i` twice.
pub fn square(x: f64) -> f64 {
    x * x
}

/// The question of Part 2, to reason out on paper: `SQUARE`'s parentheses
/// are there for a reason. Were it written without them, as
/// `#define BARE_SQUARE(x) x * x`, what `int` would `BARE_SQUARE(2 + 1)` be?
/// (A test asks C's preprocessor and compiler the same question.)
// The text becomes `2 + 1 * 2 + 1`, and `*` binds first: 2 + 2 + 1.
pub const BARE_SQUARE_OF_2_PLUS_1: i32 = 5;

/// C's `static inline generated_distance_squared`, in Rust: the squared
/// distance between two points, computed in the same order as the C so the
/// results are equal to the last bit. A `static` function has no symbol in
/// any library, so there is nothing for an `extern` declaration to link to.
pub fn distance_squared(a: Point, b: Point) -> f64 {
    square(a.x - b.x) + square(a.y - b.y)
}

// ---------------------------------------------------------------------------
// Part 3: a safe wrapper over the generated declarations
// ---------------------------------------------------------------------------

/// The most points `path_length` accepts: C's `#define GENERATED_MAX_POINTS`,
/// which bindgen brought over as a `u32` constant.
pub const MAX_POINTS: usize = ffi::GENERATED_MAX_POINTS as usize;

/// The unit a length is reported in (C's `enum generated_unit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Metres,
    Feet,
}

impl Unit {
    /// The C value of this unit, as bindgen generated the enum.
    pub fn to_c(self) -> ffi::generated_unit {
        match self {
            Unit::Metres => ffi::generated_unit::GENERATED_METRES,
            Unit::Feet => ffi::generated_unit::GENERATED_FEET,
        }
    }
}

/// Why `path_length` refused to call C.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// More points than C's `GENERATED_MAX_POINTS`: C would return -1.
    TooManyPoints { len: usize, max: usize },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::TooManyPoints { len, max } => write!(
                f,
                "{len} points are more than generated_path_length takes (at most {max})"
            ),
        }
    }
}

impl Error for PathError {}

/// The length of the path through `points`, in `unit`, computed by C's
/// `generated_path_length`. Refuses more than [`MAX_POINTS`] points.
pub fn path_length(points: &[Point], unit: Unit) -> Result<f64, PathError> {
    if points.len() > MAX_POINTS {
        return Err(PathError::TooManyPoints {
            len: points.len(),
            max: MAX_POINTS,
        });
    }
    // At most MAX_POINTS (64), so it fits in C's int32_t.
    let n = points.len() as i32;
    // SAFETY: the declaration was generated from csrc/generated.h; `points`
    // is valid for `n` reads of `generated_point` (the same type), C only
    // reads them and keeps no pointer, and `unit` is one the header names.
    Ok(unsafe { ffi::generated_path_length(points.as_ptr(), n, unit.to_c()) })
}
