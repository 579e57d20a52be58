//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use workbook_support::probe::Probe;

fn main() {
    let mut probe = Probe::from_env();
    for os in ["linux", "macos", "windows", "freebsd"] {
        probe.observe(
            format!("libm_file_name({os})"),
            format!("{:?}", import_libm::libm_file_name(os)),
        );
    }
    for _ in 0..5 {
        let x = probe.float(0.0, 10_000.0) as f32;
        let value = match import_libm::sqrtf(x) {
            Ok(root) => format!("{root:?}"),
            Err(err) => format!("error: {err}"),
        };
        probe.observe(format!("sqrtf({x:?})"), value);
    }
    probe.end();
}
