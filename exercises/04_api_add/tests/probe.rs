//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use api_add::AddError;
use workbook_support::probe::{Probe, list};
use workbook_support::testing::{CANARY, SLACK, padded};

type Add<'a> = &'a dyn Fn(&mut [f64], &[f64]) -> Result<(), AddError>;

/// `add` on lengths and values drawn from the seed: the sums, what it
/// wrote past the end of `a` (nothing), and its refusals.
fn observe(probe: &mut Probe, name: &str, add: Add) {
    for _ in 0..3 {
        let n = probe.range(0, 6) as usize;
        let a: Vec<f64> = (0..n).map(|_| probe.range(-50, 50) as f64 / 4.0).collect();
        let b: Vec<f64> = (0..n).map(|_| probe.range(-50, 50) as f64 / 4.0).collect();
        let mut padded_a = padded(a.clone(), CANARY);
        let result = add(&mut padded_a[..n], &b);
        let key = format!("{name}(a={},b={})", list(&a), list(&b));
        probe.observe(&key, format!("{result:?} a={}", list(&padded_a[..n])));
        let past = padded_a[n..n + SLACK]
            .iter()
            .filter(|x| **x != CANARY)
            .count();
        probe.observe(format!("{key}.written_past_a"), past);
    }
    let (la, lb) = (probe.range(0, 5) as usize, probe.range(6, 9) as usize);
    let (mut a, b) = (vec![1.0; la], vec![2.0; lb]);
    let refused = add(&mut a, &b);
    probe.observe(
        format!("{name}(len={la},len={lb})"),
        format!("{refused:?} a={}", list(&a)),
    );
}

fn main() {
    let mut probe = Probe::from_env();
    observe(&mut probe, "add", &|a, b| api_add::add(a, b));
    observe(&mut probe, "add_inline", &|a, b| api_add::add_inline(a, b));
    probe.end();
}
