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
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code
)]
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
// TODO (page: "Part 1: the hand-written declarations, checked"): write the
// Rust type of C's `add` from csrc/ABI_add.h, as you did in lesson 3: each C
// parameter type becomes its Rust one (a pointer to `double` that C writes
// through, one it only reads, an `int`). The tests compare it with the
// declaration bindgen generated from the same header.
pub type AddFn = unsafe extern "C" fn();

/// `void evolve(double *u, double *u_previous, int nx, int ny, double a,
/// double dt, double dx2, double dy2);` from csrc/evolve.h, as lesson 6
/// declared it by hand.
// TODO: the same for C's `evolve` from csrc/evolve.h (lesson 6). It takes
// eight parameters; the first four are here.
pub type EvolveFn = unsafe extern "C" fn(u: *mut f64, u_previous: *mut f64, nx: c_int, ny: c_int);

// ---------------------------------------------------------------------------
// Part 2: what bindgen cannot bring over
// ---------------------------------------------------------------------------

/// C's `SQUARE(x)` macro, for `double`s. The macro is text the preprocessor
/// pastes in (`((x) * (x))`), so it is in no library and bindgen skips it. A
/// function also evaluates its argument once, where `SQUARE(i++)` would
/// increment `i` twice.
pub fn square(x: f64) -> f64 {
    // TODO (page: "What bindgen cannot bring over"): what `SQUARE(x)` in
    // csrc/generated.h computes, as a Rust function. bindgen wrote nothing for
    // the macro, so there is nothing in `ffi` to call.
    let _ = x;
    todo!("square in src/lib.rs: C's SQUARE macro, in Rust")
}

/// The question of Part 2, to reason out on paper: `SQUARE`'s parentheses
/// are there for a reason. Were it written without them, as
/// `#define BARE_SQUARE(x) x * x`, what `int` would `BARE_SQUARE(2 + 1)` be?
/// (A test asks C's preprocessor and compiler the same question.)
// TODO (page: "What bindgen cannot bring over"): paste the argument into the
// macro's text as the preprocessor does, then apply C's precedence.
pub const BARE_SQUARE_OF_2_PLUS_1: i32 = 0;

/// C's `static inline generated_distance_squared`, in Rust: the squared
/// distance between two points, computed in the same order as the C so the
/// results are equal to the last bit. A `static` function has no symbol in
/// any library, so there is nothing for an `extern` declaration to link to.
pub fn distance_squared(a: Point, b: Point) -> f64 {
    // TODO: the body of `generated_distance_squared` in csrc/generated.h, in
    // Rust, with your `square`. Keep C's order of operations: the tests want
    // C's result to the last bit. Declaring the C function in an `extern`
    // block instead would fail to link: a `static` function has no symbol.
    let _ = (a, b);
    todo!("distance_squared in src/lib.rs: C's static inline function, in Rust")
}

// ---------------------------------------------------------------------------
// Part 3: a safe wrapper over the generated declarations
// ---------------------------------------------------------------------------

/// The most points `path_length` accepts: C's `#define GENERATED_MAX_POINTS`,
/// which bindgen brought over as a `u32` constant.
// TODO (page: "Part 3: a safe wrapper"): C's `#define GENERATED_MAX_POINTS`,
// which bindgen brought over into `ffi` (look at its type there), as a usize.
// Use the generated constant rather than copying its value: then it cannot
// drift from the header.
pub const MAX_POINTS: usize = 0;

/// The unit a length is reported in (C's `enum generated_unit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Metres,
    Feet,
}

impl Unit {
    /// The C value of this unit, as bindgen generated the enum.
    pub fn to_c(self) -> ffi::generated_unit {
        // TODO: the generated value for each unit. Their names depend on the
        // enum style chosen in binding_options.rs (TODO 2 there): read
        // `generated_unit` in the generated file.
        todo!("Unit::to_c in src/lib.rs: the generated enum's values")
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
    // TODO: refuse more than MAX_POINTS points with
    // `PathError::TooManyPoints` (C would return -1, which is no length), then
    // call the generated `ffi::generated_path_length` with a pointer to the
    // points, their number and `unit.to_c()`, in an `unsafe` block with a
    // `// SAFETY:` comment. `generated_point` and `Point` are one type: the
    // slice needs no conversion.
    let _ = (points, unit);
    todo!("path_length in src/lib.rs: the safe wrapper over generated_path_length")
}
