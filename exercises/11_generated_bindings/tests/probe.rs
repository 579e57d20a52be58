//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use generated_bindings::{Point, Unit};
use workbook_support::probe::{Probe, rounded};

fn point(probe: &mut Probe) -> Point {
    Point {
        x: probe.range(-40, 40) as f64 / 4.0,
        y: probe.range(-40, 40) as f64 / 4.0,
    }
}

fn main() {
    let mut probe = Probe::from_env();
    probe.observe("MAX_POINTS", generated_bindings::MAX_POINTS);
    for _ in 0..3 {
        let x = probe.range(-1000, 1000) as f64 / 8.0;
        probe.observe(format!("square({x})"), generated_bindings::square(x));
        let (a, b) = (point(&mut probe), point(&mut probe));
        probe.observe(
            format!("distance_squared(({},{}),({},{}))", a.x, a.y, b.x, b.y),
            generated_bindings::distance_squared(a, b),
        );
    }
    for unit in [Unit::Metres, Unit::Feet] {
        probe.observe(format!("{unit:?}.to_c()"), format!("{:?}", unit.to_c()));
        let points: Vec<Point> = (0..probe.range(0, 6)).map(|_| point(&mut probe)).collect();
        let length = generated_bindings::path_length(&points, unit).map(|l| rounded(l, 10));
        probe.observe(
            format!("path_length({}points,{unit:?})", points.len()),
            format!("{length:?}"),
        );
    }
    // More points than C takes (the limit is the header's).
    let many = generated_bindings::MAX_POINTS.clamp(1, 10_000) + probe.range(1, 3) as usize;
    let points = vec![Point { x: 1.0, y: 1.0 }; many];
    probe.observe(
        format!("path_length({many}points,Metres)"),
        format!(
            "{:?}",
            generated_bindings::path_length(&points, Unit::Metres)
        ),
    );
    probe.end();
}
