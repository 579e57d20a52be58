//! Judging a lesson outside learner code: its probe (`tests/probe.rs`, a
//! program without libtest, see `workbook_support::probe`) prints what it
//! observes of the lesson's API on inputs drawn from a seed, and the checker
//! compares that, line by line, with what the reference solution's probe
//! printed on the same seed. The seed is drawn afresh for each batch;
//! learner code printing a libtest report gains nothing here.
//!
//! Learner code runs in the probe's process too, so it could print
//! observations itself: it would have to print the right values for the
//! batch's inputs, which is solving the lesson. The nonce on every line
//! keeps an honest learner's own prints from counting.

use std::hash::{BuildHasher, Hasher};

pub use workbook_support::probe::{END, NONCE_ENV, SEED_ENV, TARGET};

/// Set on the grader to reuse a batch's seed (the report records it), so
/// that a grade can be reproduced.
pub const GRADE_SEED_ENV: &str = "FFI_WORKBOOK_GRADE_SEED";

/// Does `lesson` have a probe (`tests/probe.rs`) in the workbook at `root`?
pub fn has_probe(root: &std::path::Path, lesson: &crate::workbook::Lesson) -> bool {
    lesson
        .exercise_dir(root)
        .join("tests")
        .join(format!("{TARGET}.rs"))
        .is_file()
}

/// One line a probe printed: what was observed (and on which input), and
/// its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub key: String,
    pub value: String,
}

/// What one probe run printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub observations: Vec<Observation>,
    /// It printed its `end` line (and nothing of its own after it).
    pub finished: bool,
}

/// A number no one can guess: std's hasher keys are random per process and
/// per call, mixed with the clock.
fn random_u64() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// The seed of a batch: `FFI_WORKBOOK_GRADE_SEED` when set (to reproduce a
/// grade), else a fresh one. Err with what is wrong when the variable is set
/// to something that is not a number.
pub fn batch_seed() -> Result<u64, String> {
    match std::env::var(GRADE_SEED_ENV) {
        Ok(text) => text.trim().parse().map_err(|_| {
            format!("{GRADE_SEED_ENV} must be a number (a batch's probe_seed), not {text:?}")
        }),
        Err(_) => Ok(random_u64()),
    }
}

/// A fresh nonce for one run.
pub fn nonce() -> String {
    format!("{:016x}{:08x}", random_u64(), random_u64() as u32)
}

/// Reads the observation lines of `stdout` (those that start with `nonce`);
/// every other line is the learner's and is skipped.
pub fn parse(stdout: &str, nonce: &str) -> Observed {
    let mut observed = Observed {
        observations: Vec::new(),
        finished: false,
    };
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix(nonce).and_then(|r| r.strip_prefix(' ')) else {
            continue;
        };
        if observed.finished {
            // Anything carrying the nonce after `end` is not the probe's.
            observed.finished = false;
            observed.observations.push(Observation {
                key: "(after end)".into(),
                value: rest.into(),
            });
            return observed;
        }
        if rest == END {
            observed.finished = true;
            continue;
        }
        let (key, value) = rest.split_once(' ').unwrap_or((rest, ""));
        observed.observations.push(Observation {
            key: key.into(),
            value: value.into(),
        });
    }
    observed
}

/// How a submission's observations differ from the reference's: the first
/// line that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// On the same input, another value (the learner's value).
    Value { key: String, learner: String },
    /// The reference observed `expected` here; the learner's probe printed
    /// `learner` instead (another observation, in another order).
    Other { expected: String, learner: String },
    /// The learner's probe stopped before observing `key`.
    Missing { key: String },
    /// The learner's probe printed more than the reference's.
    Extra { key: String },
}

/// The first difference between the reference's observations and a
/// submission's, or None when they agree line for line.
pub fn compare(reference: &[Observation], learner: &[Observation]) -> Option<Difference> {
    for (i, expected) in reference.iter().enumerate() {
        let Some(got) = learner.get(i) else {
            return Some(Difference::Missing {
                key: expected.key.clone(),
            });
        };
        if got.key != expected.key {
            return Some(Difference::Other {
                expected: expected.key.clone(),
                learner: got.key.clone(),
            });
        }
        if got.value != expected.value {
            return Some(Difference::Value {
                key: got.key.clone(),
                learner: got.value.clone(),
            });
        }
    }
    learner.get(reference.len()).map(|extra| Difference::Extra {
        key: extra.key.clone(),
    })
}

/// What a learner reads about a difference. The reference's value is never
/// shown: it is often the lesson's question.
pub fn explain(difference: &Difference) -> String {
    let what = match difference {
        Difference::Value { key, learner } => {
            format!(
                "On `{key}`, your code gave `{learner}`, which is not what the lesson asks for."
            )
        }
        Difference::Other { expected, learner } => format!(
            "The lesson's probe expected to observe `{expected}` next, and observed `{learner}` \
             instead."
        ),
        Difference::Missing { key } => {
            format!("The lesson's probe never observed `{key}`: your code stopped it before.")
        }
        Difference::Extra { key } => {
            format!("The lesson's probe observed `{key}`, which the reference solution never does.")
        }
    };
    format!(
        "{what}\nThe grader checks your code on inputs of its own, compared with the reference \
         solution."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(pairs: &[(&str, &str)]) -> Vec<Observation> {
        pairs
            .iter()
            .map(|(key, value)| Observation {
                key: key.to_string(),
                value: value.to_string(),
            })
            .collect()
    }

    #[test]
    fn only_lines_with_the_nonce_count() {
        let out = "hello from the learner\nN0NCE doubled(3) 6\nN0NCEX fake 1\nN0NCE size 16 bytes\nN0NCE end\n";
        let observed = parse(out, "N0NCE");
        assert!(observed.finished);
        assert_eq!(
            observed.observations,
            obs(&[("doubled(3)", "6"), ("size", "16 bytes")])
        );
    }

    #[test]
    fn a_probe_without_its_end_did_not_finish() {
        let observed = parse("N0NCE a 1\n", "N0NCE");
        assert!(!observed.finished);
        assert_eq!(observed.observations, obs(&[("a", "1")]));
        // Lines after the end are not the probe's, and unfinish it.
        let observed = parse("N0NCE a 1\nN0NCE end\nN0NCE b 2\n", "N0NCE");
        assert!(!observed.finished);
    }

    #[test]
    fn the_first_difference_is_named_without_the_reference_value() {
        let reference = obs(&[("f(1)", "2"), ("f(5)", "10"), ("g", "x")]);
        assert_eq!(compare(&reference, &reference), None);
        let wrong = obs(&[("f(1)", "2"), ("f(5)", "11"), ("g", "y")]);
        let difference = compare(&reference, &wrong).unwrap();
        assert_eq!(
            difference,
            Difference::Value {
                key: "f(5)".into(),
                learner: "11".into()
            }
        );
        let text = explain(&difference);
        assert!(text.contains("`f(5)`") && text.contains("`11`"), "{text}");
        assert!(!text.contains("10"), "{text}");
        assert!(text.contains("inputs of its own"), "{text}");
        assert_eq!(
            compare(&reference, &reference[..1]),
            Some(Difference::Missing { key: "f(5)".into() })
        );
        let more = obs(&[("f(1)", "2"), ("f(5)", "10"), ("g", "x"), ("h", "1")]);
        assert_eq!(
            compare(&reference, &more),
            Some(Difference::Extra { key: "h".into() })
        );
        let reordered = obs(&[("f(5)", "10"), ("f(1)", "2"), ("g", "x")]);
        assert!(matches!(
            compare(&reference, &reordered),
            Some(Difference::Other { .. })
        ));
    }

    #[test]
    fn nonces_and_seeds_differ_each_time() {
        assert_ne!(nonce(), nonce());
        assert!(nonce().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(random_u64(), random_u64());
    }
}
