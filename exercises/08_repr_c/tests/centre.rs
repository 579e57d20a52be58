//! Lesson 8: `particle_centre` writes a `struct point` through a pointer,
//! but only when it returns PARTICLE_OK. `centre` must read the point on that
//! path alone: on the others the memory holds whatever was there before.

use std::hint::black_box;

use repr_c::{CentreError, Kind, Particle, Point, layout};
use workbook_support::testing::{ValgrindRun, run_under_valgrind};

fn particle(x: f64, y: f64) -> Particle {
    Particle::new(Kind::Dust, Point { x, y }, 0.0, 0.0)
}

#[test]
fn the_centre_of_three_particles() {
    layout::assert_same_as_c();
    let particles = [particle(0.0, 0.0), particle(3.0, 0.0), particle(0.0, 6.0)];
    let got = repr_c::centre(&particles);
    assert_eq!(
        got,
        Ok(Point { x: 1.0, y: 2.0 }),
        "centre (src/lib.rs) of (0, 0), (3, 0) and (0, 6) should be Ok(Point {{ x: 1.0, y: 2.0 }}): \
         pass C the particles, their count and out.as_mut_ptr(), then read `out` when C \
         returns PARTICLE_OK (0)"
    );
    let one = [particle(-2.5, 0.125)];
    assert_eq!(
        repr_c::centre(&one),
        Ok(Point { x: -2.5, y: 0.125 }),
        "the centre of one particle is where it is"
    );
}

#[test]
fn no_particles_have_no_centre() {
    layout::assert_same_as_c();
    assert_eq!(
        repr_c::centre(&[]),
        Err(CentreError::Empty),
        "centre (src/lib.rs) of no particles should be Err(CentreError::Empty): C returns \
         PARTICLE_EMPTY (-1) and writes nothing, so `out` was never written and must not be \
         read (no assume_init() on this path)"
    );
}

#[test]
fn a_nan_position_has_no_centre() {
    layout::assert_same_as_c();
    let particles = [particle(0.0, 0.0), particle(f64::NAN, 1.0)];
    assert_eq!(
        repr_c::centre(&particles),
        Err(CentreError::NotFinite),
        "centre (src/lib.rs) with a NaN position should be Err(CentreError::NotFinite): C \
         returns PARTICLE_NOT_FINITE (-2) and writes nothing"
    );
    let particles = [particle(f64::INFINITY, 0.0)];
    assert_eq!(
        repr_c::centre(&particles),
        Err(CentreError::NotFinite),
        "centre (src/lib.rs) with an infinite position should be Err(CentreError::NotFinite)"
    );
}

/// Run by `centre_never_reads_what_c_did_not_write` inside valgrind, which
/// reports any decision taken on memory nobody wrote.
#[test]
#[ignore = "run under valgrind by centre_never_reads_what_c_did_not_write"]
fn error_paths_for_valgrind() {
    for particles in [vec![], vec![particle(f64::NAN, 0.0)]] {
        // Printing a result looks at every bit of it.
        black_box(format!("{:?}", repr_c::centre(&particles)));
    }
}

#[test]
fn centre_never_reads_what_c_did_not_write() {
    layout::assert_same_as_c();
    match run_under_valgrind("error_paths_for_valgrind", &[]) {
        ValgrindRun::Unavailable | ValgrindRun::Clean => {}
        ValgrindRun::Errors(report) => panic!(
            "Run under valgrind, centre (src/lib.rs) used a Point before C wrote it \
             (valgrind: \"uninitialised value\"). C writes *out only when it returns \
             PARTICLE_OK; on every other status `out` holds whatever that memory held \
             before. Check the status first, and call assume_init() only for PARTICLE_OK. \
             valgrind said:\n{report}"
        ),
        ValgrindRun::Crashed(report) => {
            panic!("Run under valgrind, centre crashed the program. valgrind said:\n{report}")
        }
        ValgrindRun::Failed(output) => panic!(
            "centre failed before valgrind could judge it (fix the other checks first; this \
             one only adds valgrind's view):\n{output}"
        ),
    }
}
