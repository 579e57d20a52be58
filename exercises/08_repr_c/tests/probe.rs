//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use std::mem::{align_of, offset_of, size_of};

use repr_c::{Kind, Particle, Point};
use workbook_support::probe::{Probe, rounded};

fn particle(probe: &mut Probe) -> Particle {
    let kind = *probe.pick(&[Kind::Dust, Kind::Ice, Kind::Rock]);
    let at = Point {
        x: probe.range(-40, 40) as f64 / 4.0,
        y: probe.range(-40, 40) as f64 / 4.0,
    };
    Particle::new(
        kind,
        at,
        probe.range(-8, 8) as f64 / 2.0,
        probe.range(-8, 8) as f64 / 2.0,
    )
}

fn state(p: &Particle) -> String {
    format!(
        "kind={} x={} y={} vx={} vy={} flags={}",
        p.kind, p.x, p.y, p.vx, p.vy, p.flags
    )
}

fn main() {
    let mut probe = Probe::from_env();
    // Layout, as C will read it.
    probe.observe("size_of::<Particle>()", size_of::<Particle>());
    probe.observe("align_of::<Particle>()", align_of::<Particle>());
    probe.observe(
        "offsets(kind,x,y,vx,vy,flags)",
        format!(
            "{},{},{},{},{},{}",
            offset_of!(Particle, kind),
            offset_of!(Particle, x),
            offset_of!(Particle, y),
            offset_of!(Particle, vx),
            offset_of!(Particle, vy),
            offset_of!(Particle, flags)
        ),
    );
    probe.observe("PADDING_BYTES", repr_c::PADDING_BYTES);
    probe.observe("layout::mismatches()", repr_c::layout::mismatches().len());
    // Ints from C that are kinds, and many that are not.
    for _ in 0..5 {
        let n = probe.range(-3, 9) as std::ffi::c_int;
        probe.observe(
            format!("Kind::try_from({n})"),
            format!("{:?}", Kind::try_from(n)),
        );
    }
    // An array changed in place, and the particles after the slice untouched.
    let mut particles: Vec<Particle> = (0..probe.range(2, 6))
        .map(|_| particle(&mut probe))
        .collect();
    let moved = probe.range(1, particles.len() as i64) as usize;
    let dt = probe.range(1, 8) as f64 / 4.0;
    repr_c::step(&mut particles[..moved], dt);
    for (i, p) in particles.iter().enumerate() {
        probe.observe(format!("step(first={moved},dt={dt})[{i}]"), state(p));
    }
    // The out-parameter, on every path.
    let centre = |ps: &[Particle]| match repr_c::centre(ps) {
        Ok(point) => format!("Ok({},{})", rounded(point.x, 12), rounded(point.y, 12)),
        Err(err) => format!("Err({err:?})"),
    };
    probe.observe(
        format!("centre({}particles)", particles.len()),
        centre(&particles),
    );
    probe.observe("centre(none)", centre(&[]));
    let mut odd = particles.clone();
    odd[moved - 1].y = f64::NAN;
    probe.observe("centre(with_nan)", centre(&odd));
    // A C enum byte that holds no kind, read back through Rust.
    let at = Point {
        x: probe.range(-10, 10) as f64,
        y: probe.range(-10, 10) as f64,
    };
    probe.observe(
        format!("nearest_kind(at={},{})", at.x, at.y),
        format!("{:?}", repr_c::nearest_kind(&particles, at)),
    );
    let mut unknown = particles.clone();
    for p in &mut unknown {
        p.kind = 7;
    }
    probe.observe(
        "nearest_kind(kind=7)",
        format!("{:?}", repr_c::nearest_kind(&unknown, at)),
    );
    probe.observe(
        "nearest_kind(none)",
        format!("{:?}", repr_c::nearest_kind(&[], at)),
    );
    probe.end();
}
