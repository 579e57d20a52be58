//! Lesson 8: `particles_step` changes an array of `struct particle` in
//! place. Every particle of the slice moves and gets its flags, nothing else
//! changes, and the particles after the slice are not touched.

use repr_c::{Kind, MOVED, OUTSIDE, Particle, Point, layout};

/// A particle no step may touch: it sits after the slice given to C.
const CANARY: Particle = Particle {
    kind: 99,
    x: -7777.0,
    y: -7777.0,
    vx: 1.0,
    vy: 1.0,
    flags: 0xbeef,
};

fn particles() -> Vec<Particle> {
    vec![
        Particle::new(Kind::Dust, Point { x: 0.5, y: 0.5 }, 0.25, -0.5),
        Particle::new(Kind::Ice, Point { x: 0.25, y: 0.75 }, 0.0, 0.0),
        Particle::new(Kind::Rock, Point { x: 0.875, y: 0.125 }, 1.0, 0.0),
        Particle::new(Kind::Dust, Point { x: 0.5, y: 0.0625 }, 0.0, -0.5),
    ]
}

#[test]
fn every_particle_moves_in_place() {
    layout::assert_same_as_c();
    let start = particles();
    let n = start.len();
    let mut buffer = start.clone();
    buffer.extend([CANARY; 4]);
    repr_c::step(&mut buffer[..n], 0.25);
    let want = [
        (0.5625, 0.375, MOVED),
        (0.25, 0.75, 0),
        (1.125, 0.125, MOVED | OUTSIDE),
        (0.5, -0.0625, MOVED | OUTSIDE),
    ];
    for (i, (got, (x, y, flags))) in buffer.iter().zip(want).enumerate() {
        assert_eq!(
            (got.x, got.y),
            (x, y),
            "after step (src/lib.rs) with dt = 0.25, particle {i} should be at ({x}, {y}) \
             but is at ({}, {}): pass C the slice's pointer and its length",
            got.x,
            got.y
        );
        assert_eq!(
            got.flags, flags,
            "after step, particle {i}'s flags should be {flags:#x} (set by C)"
        );
        assert_eq!(
            (got.kind, got.vx, got.vy),
            (start[i].kind, start[i].vx, start[i].vy),
            "step must not change particle {i}'s kind or velocity"
        );
    }
    for (i, after) in buffer.iter().enumerate().skip(n) {
        assert_eq!(
            *after, CANARY,
            "step (src/lib.rs) was given the first {n} particles of a longer array, but \
             particle {i}, past the end of the slice, changed: pass C the slice's own \
             length, particles.len()"
        );
    }
}

#[test]
fn steps_add_up() {
    layout::assert_same_as_c();
    let mut moving = [Particle::new(
        Kind::Ice,
        Point { x: 0.0, y: 0.0 },
        0.5,
        0.25,
    )];
    for _ in 0..4 {
        repr_c::step(&mut moving, 0.5);
    }
    assert_eq!(
        (moving[0].x, moving[0].y),
        (1.0, 0.5),
        "four steps of dt = 0.5 at velocity (0.5, 0.25) should move a particle from (0, 0) \
         to (1, 0.5): does step pass dt on to C?"
    );
}

#[test]
fn an_empty_slice_is_fine() {
    layout::assert_same_as_c();
    let mut buffer = [CANARY; 2];
    repr_c::step(&mut buffer[..0], 1.0);
    assert_eq!(
        buffer, [CANARY; 2],
        "step of an empty slice should change nothing: n is 0"
    );
}
