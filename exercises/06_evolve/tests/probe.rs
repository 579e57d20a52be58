//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use evolve::{Params, abi::AbiEvolve};
use workbook_support::probe::{Probe, rounded};

/// C's results are the same bits for the same inputs, in the reference's
/// run and the learner's.
fn cells(u: &[f64]) -> String {
    let shown: Vec<String> = u.iter().map(|x| rounded(*x, 10)).collect();
    shown.join(",")
}

fn main() {
    let mut probe = Probe::from_env();
    let abi = AbiEvolve::load();
    if let Err(err) = &abi {
        probe.observe("AbiEvolve::load", format!("failed: {err}"));
    }
    for _ in 0..2 {
        // A grid that is rarely square: rows and columns must not mix.
        let (nx, ny) = (probe.range(3, 7) as usize, probe.range(3, 7) as usize);
        let start: Vec<f64> = (0..nx * ny).map(|_| probe.range(0, 100) as f64).collect();
        let params = Params::new(probe.float(0.1, 1.0), 0.01, 0.01);
        let key = format!("{nx}x{ny}(seeded)");
        let run = |step: &dyn Fn(&mut [f64], &mut [f64])| {
            let (mut u, mut previous) = (start.clone(), start.clone());
            for _ in 0..3 {
                step(&mut u, &mut previous);
            }
            u
        };
        let api = run(&|u, p| evolve::api::step(u, p, nx, ny, &params));
        probe.observe(format!("api::step({key})"), cells(&api));
        if let Ok(abi) = &abi {
            let through_abi = run(&|u, p| abi.step(u, p, nx, ny, &params));
            probe.observe(format!("AbiEvolve::step({key})"), cells(&through_abi));
        }
        // Pure Rust may add in another order than C: its last bits may
        // differ, so it is compared with C's step within the lesson's
        // tolerance, here.
        let pure = run(&|u, p| evolve::pure::step(u, p, nx, ny, &params));
        let mut c = start.clone();
        let mut c_previous = start.clone();
        for _ in 0..3 {
            evolve::api::step(&mut c, &mut c_previous, nx, ny, &params);
        }
        let worst = pure
            .iter()
            .zip(&c)
            .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
            .fold(0.0, f64::max);
        probe.observe(
            format!("pure::step({key}).agrees_with_api_step"),
            pure.len() == c.len() && worst <= evolve::TOLERANCE,
        );
    }
    probe.end();
}
