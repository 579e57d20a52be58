//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use workbook_support::probe::{Probe, list};

fn shown(result: Result<Vec<std::ffi::c_int>, fibonacci::TooLarge>) -> String {
    match result {
        Ok(numbers) => list(&numbers),
        Err(err) => format!("{err:?}"),
    }
}

fn main() {
    let mut probe = Probe::from_env();
    let abi = fibonacci::AbiFibo::open();
    if let Err(err) = &abi {
        probe.observe("AbiFibo::open", format!("failed: {err}"));
    }
    for _ in 0..4 {
        let n = probe.range(0, 50) as u32;
        if let Ok(abi) = &abi {
            probe.observe(format!("AbiFibo::sequence({n})"), shown(abi.sequence(n)));
        }
        probe.observe(
            format!("fibonacci_api({n})"),
            shown(fibonacci::fibonacci_api(n)),
        );
        // How often `sequence` calls its step, on a step that counts.
        let mut calls = 0;
        let counted = fibonacci::sequence(n, |a, b| {
            calls += 1;
            let next = a.wrapping_add(*b);
            *a = *b;
            *b = next;
        });
        probe.observe(
            format!("sequence({n}).steps"),
            format!("{calls} {}", shown(counted)),
        );
    }
    probe.end();
}
