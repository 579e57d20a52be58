//! Lesson 8: C's `enum kind` arrives as a C `int`, and only three ints are
//! kinds. `Kind::try_from` must turn each of them into its `Kind` and every
//! other int into an error (C can hand over any int: a newer library with a
//! fourth kind, or a byte never set); `nearest_kind` must do the same with
//! what C returns.

use std::ffi::c_int;

use repr_c::{Kind, Particle, Point, UnknownKind, layout};

#[test]
fn each_value_of_enum_kind_is_its_kind() {
    for (value, kind) in [(1, Kind::Dust), (2, Kind::Ice), (3, Kind::Rock)] {
        assert_eq!(
            Kind::try_from(value as c_int),
            Ok(kind),
            "Kind::try_from({value}) (src/particle.rs) should be Ok(Kind::{kind:?}): \
             csrc/repr_c.h says {value} is KIND_{}",
            format!("{kind:?}").to_uppercase()
        );
    }
}

#[test]
fn every_other_int_is_an_unknown_kind() {
    // 257 is 1 once cut to a byte, and -255 is 1 too: a cast before the
    // check accepts them.
    for value in [0, 4, 7, -1, 257, -255, c_int::MAX, c_int::MIN] {
        assert_eq!(
            Kind::try_from(value),
            Err(UnknownKind(value)),
            "Kind::try_from({value}) (src/particle.rs) should be Err(UnknownKind({value})): \
             enum kind has only 1, 2 and 3, and C can hand you any int. Match the three \
             values and refuse all others, without casting the int to a smaller type first."
        );
    }
}

fn at(x: f64, y: f64) -> Point {
    Point { x, y }
}

#[test]
fn nearest_kind_is_the_kind_c_names() {
    layout::assert_same_as_c();
    let particles = [
        Particle::new(Kind::Dust, at(0.0, 0.0), 0.0, 0.0),
        Particle::new(Kind::Rock, at(1.0, 0.0), 0.0, 0.0),
        Particle::new(Kind::Ice, at(0.0, 1.0), 0.0, 0.0),
    ];
    for (point, want) in [
        (at(0.1, 0.1), Kind::Dust),
        (at(0.9, 0.2), Kind::Rock),
        (at(-0.5, 3.0), Kind::Ice),
    ] {
        assert_eq!(
            repr_c::nearest_kind(&particles, point),
            Ok(Some(want)),
            "nearest_kind (src/lib.rs) at ({}, {}) should be Ok(Some(Kind::{want:?})): \
             pass C the particles, their count and the point, and turn C's int into a \
             Kind with Kind::try_from",
            point.x,
            point.y
        );
    }
    assert_eq!(
        repr_c::nearest_kind(&[], at(0.0, 0.0)),
        Ok(None),
        "nearest_kind of no particles should be Ok(None)"
    );
}

#[test]
fn an_unknown_kind_from_c_is_an_error() {
    layout::assert_same_as_c();
    let mut particles = [
        Particle::new(Kind::Dust, at(0.0, 0.0), 0.0, 0.0),
        Particle::new(Kind::Ice, at(1.0, 1.0), 0.0, 0.0),
    ];
    // What a newer C library, with a fourth kind, might have written.
    particles[1].kind = 7;
    assert_eq!(
        repr_c::nearest_kind(&particles, at(0.9, 0.9)),
        Err(UnknownKind(7)),
        "The particle nearest to (0.9, 0.9) has the kind byte 7, so C returns 7, which is \
         no kind: nearest_kind (src/lib.rs) should return Err(UnknownKind(7)), never a \
         Kind it made up."
    );
    assert_eq!(
        particles[1].kind(),
        Err(UnknownKind(7)),
        "Particle::kind uses Kind::try_from: a kind byte of 7 should be Err(UnknownKind(7))"
    );
}
