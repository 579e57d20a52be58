//! The C library's types, in Rust: `struct point`, `struct particle` and
//! `enum kind` from csrc/repr_c.h. Each one is a promise about bytes: C
//! reads and writes these structs through pointers, by offset, and never
//! sees a Rust field name.

use std::ffi::c_int;
use std::fmt;

/// `struct point { double x, y; }`: two `f64`, in this order, as C has them.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// `struct particle` from csrc/repr_c.h. C reads and writes arrays of them
/// through a pointer, finding each field by its byte offset.
// TODO: make this struct C's `struct particle`, byte for byte, so that C
// finds every field where csrc/repr_c.h puts it. As written, Rust is free to
// lay it out as it likes (and does: run `cargo run -p repr_c` to see its
// offsets beside C's). Give it the attribute that makes Rust follow C's
// layout rules, and the fields of struct particle in the header's order,
// with the header's types (uint8_t, double, uint16_t in Rust). Keep `kind`
// a plain byte: C may store any value there. Point, above, shows the form.
// Lesson section: "Layout: what #[repr(C)] promises".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    pub x: f64,
    pub y: f64,
    pub vx: f64,
    pub vy: f64,
    pub flags: u16,
    pub kind: u8,
}

/// How many bytes of `struct particle` are padding: gaps the compiler leaves
/// so that each field starts at a multiple of its alignment, and at the end
/// so that the next particle of an array is aligned too.
// TODO: a question to reason out, not to guess: how many of struct
// particle's bytes hold no field? Work it out from the offsets and the size
// the program prints once Particle matches C (where each field ends and the
// next begins, and where the last ends and the struct ends), or from the
// rules in the lesson's section "Padding". A test compares your number with
// C's sizeof.
pub const PADDING_BYTES: usize = 0;

/// `PARTICLE_MOVED` from csrc/repr_c.h: a `#define` is not in the compiled
/// library, so Rust restates it.
pub const MOVED: u16 = 0x1;
/// `PARTICLE_OUTSIDE` from csrc/repr_c.h.
pub const OUTSIDE: u16 = 0x2;

/// `enum kind` from csrc/repr_c.h. C passes it around as an `int`; turn such
/// an int into a `Kind` with `Kind::try_from`, never with a cast or a
/// transmute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dust = 1,
    Ice = 2,
    Rock = 3,
}

/// An int from C that is none of `enum kind`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownKind(pub c_int);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "C gave the kind {}, which is not one of enum kind's values (1 dust, 2 ice, 3 rock)",
            self.0
        )
    }
}

impl std::error::Error for UnknownKind {}

impl TryFrom<c_int> for Kind {
    type Error = UnknownKind;

    /// C's `enum kind` value as a `Kind`; any other int is an error, since C
    /// can hand over any int at all.
    fn try_from(value: c_int) -> Result<Kind, UnknownKind> {
        // TODO: the Kind whose value (csrc/repr_c.h's enum kind) is `value`,
        // and Err(UnknownKind(value)) for every other int: C's int can be
        // anything (a newer library's fourth kind, a byte nobody set), and a
        // Kind that holds no Kind's value is undefined behaviour in Rust. So
        // no `as` cast and no transmute: decide on the int itself.
        // Lesson section: "C enums are ints".
        let _ = value;
        todo!("turn C's int into a Kind in Kind::try_from (src/particle.rs)")
    }
}

impl Particle {
    /// A particle of `kind` at `at`, moving with velocity `(vx, vy)`, flags clear.
    pub fn new(kind: Kind, at: Point, vx: f64, vy: f64) -> Particle {
        Particle {
            kind: kind as u8,
            x: at.x,
            y: at.y,
            vx,
            vy,
            flags: 0,
        }
    }

    /// What the particle is made of, or the unknown value its kind byte holds.
    pub fn kind(&self) -> Result<Kind, UnknownKind> {
        Kind::try_from(c_int::from(self.kind))
    }

    /// Where it is.
    pub fn position(&self) -> Point {
        Point {
            x: self.x,
            y: self.y,
        }
    }
}
