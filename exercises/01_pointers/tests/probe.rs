//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use workbook_support::probe::{Probe, without_addresses};

fn text(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    match write(&mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(err) => format!("error: {err}"),
    }
}

/// The two addresses method 2 prints, and whether both are `b`'s own.
fn addresses(text: &str, b: usize) -> String {
    let found: Vec<&str> = text
        .split_whitespace()
        .filter(|word| word.starts_with("0x"))
        .collect();
    let own = format!("{b:#x}");
    format!(
        "{} printed, all of B: {}",
        found.len(),
        !found.is_empty() && found.iter().all(|a| *a == own)
    )
}

fn main() {
    let mut probe = Probe::from_env();
    for _ in 0..3 {
        let a = probe.range(-100_000, 100_000) as i32;
        let text1 = text(|out| pointers::method_1(out, &a));
        probe.observe(format!("method_1({a})"), text1);
        let mut b = probe.range(-100_000, 100_000) as i32;
        let start = b;
        let address = &b as *const i32 as usize;
        let text2 = text(|out| pointers::method_2(out, &mut b));
        probe.observe(format!("method_2({start})"), without_addresses(&text2));
        probe.observe(
            format!("method_2({start}).addresses"),
            addresses(&text2, address),
        );
        probe.observe(format!("method_2({start}).b_after"), b);
    }
    for _ in 0..2 {
        let a = probe.float(-1000.0, 1000.0);
        let text1 = text(|out| pointers::method_1_f64(out, &a));
        probe.observe(format!("method_1_f64({a})"), text1);
        let mut b = probe.float(-1000.0, 1000.0);
        let start = b;
        let address = &b as *const f64 as usize;
        let text2 = text(|out| pointers::method_2_f64(out, &mut b));
        probe.observe(format!("method_2_f64({start})"), without_addresses(&text2));
        probe.observe(
            format!("method_2_f64({start}).addresses"),
            addresses(&text2, address),
        );
        probe.observe(format!("method_2_f64({start}).b_after"), b);
    }
    probe.end();
}
