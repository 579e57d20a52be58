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

/// `struct particle` from csrc/repr_c.h, laid out exactly as C lays it out:
/// `#[repr(C)]`, and the fields in C's order with C's types.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    /// `uint8_t kind`: an `enum kind` value, as C stores it. A `u8` and not
    /// a [`Kind`]: C may hold any byte here, and a `Kind` field holding 7
    /// would be undefined behaviour in Rust.
    pub kind: u8,
    pub x: f64,
    pub y: f64,
    pub vx: f64,
    pub vy: f64,
    /// `uint16_t flags`: [`MOVED`] and [`OUTSIDE`], set by C's step.
    pub flags: u16,
}

/// How many bytes of `struct particle` are padding: gaps the compiler leaves
/// so that each field starts at a multiple of its alignment, and at the end
/// so that the next particle of an array is aligned too.
///
/// kind (1 byte) is followed by 7 bytes of padding, so that x starts at 8;
/// x, y, vx, vy take 32 bytes (8 to 40); flags takes 2 (40 to 42); the size
/// is rounded up to a multiple of the alignment, 8: 48. The fields hold
/// 1 + 4 * 8 + 2 = 35 bytes, so 48 - 35 = 13 are padding.
pub const PADDING_BYTES: usize = 13;

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
        match value {
            1 => Ok(Kind::Dust),
            2 => Ok(Kind::Ice),
            3 => Ok(Kind::Rock),
            _ => Err(UnknownKind(value)),
        }
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
