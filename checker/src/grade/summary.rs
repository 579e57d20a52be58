//! Where a class stands: for each lesson, how many passed, the verdicts
//! given most often and the median time of its check; which submissions
//! were flagged or could not be read. An instructor's first question is
//! where the class struggles; this answers it above the per-student rows.
//!
//! It is computed from the submissions alone, so a merged report (computed
//! again after joining the shards) has the same summary as a single run.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::report::{FlagKind, GradeVerdict, LessonInfo, SubmissionReport};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    pub submissions: usize,
    /// The mean score (0 for an empty batch).
    pub average_score: f64,
    pub max_score: u32,
    pub lessons: Vec<LessonSummary>,
    /// Submissions with at least one flag, in report order.
    pub flagged: Vec<FlaggedSubmission>,
    /// Submissions that could not be read at all, in report order.
    pub unreadable: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonSummary {
    pub lesson: String,
    pub number: u32,
    pub passed: usize,
    /// Lessons left as shipped (`not_attempted`): counted apart from the
    /// failures, so a class that has not started is not a class that fails.
    #[serde(default)]
    pub not_attempted: usize,
    /// Submissions that tried it (neither not attempted, missing nor error).
    #[serde(default)]
    pub attempted: usize,
    /// Of those that tried it, the share that did not pass (none if none tried).
    #[serde(default)]
    pub failure_rate: Option<f64>,
    /// The checks that failed most often, the most first (ties by name),
    /// at most ten.
    #[serde(default)]
    pub most_failed_checks: Vec<CheckCount>,
    /// Every verdict given for this lesson, the most common first (ties in
    /// the order of the verdicts' list: passed, failed, compile_error, ...).
    pub verdicts: Vec<VerdictCount>,
    /// The median time of the lesson's check, over the submissions whose
    /// lesson was checked (not `missing`, not `error`); none if none was.
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckCount {
    pub check: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCount {
    pub verdict: GradeVerdict,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedSubmission {
    pub name: String,
    pub flags: usize,
    /// Each kind of flag it has, once, in the kinds' order.
    pub kinds: Vec<FlagKind>,
}

impl ClassSummary {
    pub fn of(
        lessons: &[LessonInfo],
        max_score: u32,
        submissions: &[SubmissionReport],
    ) -> ClassSummary {
        let total: u64 = submissions.iter().map(|s| u64::from(s.score)).sum();
        let average_score = if submissions.is_empty() {
            0.0
        } else {
            total as f64 / submissions.len() as f64
        };
        let lessons = lessons
            .iter()
            .map(|info| {
                let results: Vec<_> = submissions
                    .iter()
                    .filter_map(|s| s.lessons.iter().find(|l| l.number == info.number))
                    .collect();
                let mut verdicts: Vec<VerdictCount> = Vec::new();
                for result in &results {
                    match verdicts.iter_mut().find(|v| v.verdict == result.verdict) {
                        Some(count) => count.count += 1,
                        None => verdicts.push(VerdictCount {
                            verdict: result.verdict,
                            count: 1,
                        }),
                    }
                }
                verdicts.sort_by(|a, b| b.count.cmp(&a.count).then(a.verdict.cmp(&b.verdict)));
                let mut times: Vec<f64> = results
                    .iter()
                    .filter(|l| l.verdict.attempted())
                    .map(|l| l.seconds)
                    .collect();
                let passed = (results.iter())
                    .filter(|l| l.verdict == GradeVerdict::Passed)
                    .count();
                let attempted = results.iter().filter(|l| l.verdict.attempted()).count();
                let mut checks: std::collections::BTreeMap<&str, usize> = Default::default();
                for name in results.iter().flat_map(|l| &l.failed_checks) {
                    *checks.entry(name).or_default() += 1;
                }
                let mut most_failed_checks: Vec<CheckCount> = (checks.into_iter())
                    .map(|(check, count)| CheckCount {
                        check: check.to_string(),
                        count,
                    })
                    .collect();
                // Stable: ties stay in name order.
                most_failed_checks.sort_by_key(|c| std::cmp::Reverse(c.count));
                most_failed_checks.truncate(10);
                LessonSummary {
                    lesson: info.lesson.clone(),
                    number: info.number,
                    passed,
                    not_attempted: (results.iter())
                        .filter(|l| l.verdict == GradeVerdict::NotAttempted)
                        .count(),
                    attempted,
                    failure_rate: (attempted > 0)
                        .then(|| (attempted - passed) as f64 / attempted as f64),
                    most_failed_checks,
                    verdicts,
                    median_seconds: median(&mut times),
                }
            })
            .collect();
        let flagged = submissions
            .iter()
            .filter(|s| !s.flags.is_empty())
            .map(|s| {
                let mut kinds: Vec<FlagKind> = s.flags.iter().map(|f| f.kind).collect();
                kinds.sort();
                kinds.dedup();
                FlaggedSubmission {
                    name: s.name.clone(),
                    flags: s.flags.len(),
                    kinds,
                }
            })
            .collect();
        let unreadable = submissions
            .iter()
            .filter(|s| s.error.is_some())
            .map(|s| s.name.clone())
            .collect();
        ClassSummary {
            submissions: submissions.len(),
            average_score,
            max_score,
            lessons,
            flagged,
            unreadable,
        }
    }

    /// The summary as the table shows it.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Class summary: {} submission{}. Average score: {:.1} / {}",
            self.submissions,
            if self.submissions == 1 { "" } else { "s" },
            self.average_score,
            self.max_score
        );
        let width = self
            .lessons
            .iter()
            .map(|l| format!("{} {}", l.number, l.lesson).chars().count())
            .max()
            .unwrap_or(0)
            .max("lesson".len());
        let passed_width = format!("{0}/{0}", self.submissions)
            .len()
            .max("passed".len());
        let _ = writeln!(
            out,
            "  {:<width$}  {:<passed_width$}  {:<7}  {:<8}  most common verdicts",
            "lesson", "passed", "untried", "median"
        );
        for lesson in &self.lessons {
            let name = format!("{} {}", lesson.number, lesson.lesson);
            let passed = format!("{}/{}", lesson.passed, self.submissions);
            let median = match lesson.median_seconds {
                Some(seconds) => format!("{seconds:.1} s"),
                None => "-".to_string(),
            };
            let verdicts: Vec<String> = lesson
                .verdicts
                .iter()
                .take(3)
                .map(|v| format!("{} {}", v.verdict.as_str(), v.count))
                .collect();
            let line = format!(
                "  {name:<width$}  {passed:<passed_width$}  {:<7}  {median:<8}  {}",
                lesson.not_attempted,
                verdicts.join(", ")
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        if !self.flagged.is_empty() {
            let flagged: Vec<String> = self
                .flagged
                .iter()
                .map(|f| {
                    let kinds: Vec<&str> = f.kinds.iter().map(|k| k.as_str()).collect();
                    format!(
                        "{} ({} flag{}: {})",
                        f.name,
                        f.flags,
                        if f.flags == 1 { "" } else { "s" },
                        kinds.join(", ")
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "Flagged ({}): {}",
                self.flagged.len(),
                flagged.join("; ")
            );
        }
        if !self.unreadable.is_empty() {
            let _ = writeln!(
                out,
                "Unreadable ({}): {}",
                self.unreadable.len(),
                self.unreadable.join(", ")
            );
        }
        out
    }
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::report::{Flag, LessonResult};

    fn sub(name: &str, verdicts: &[(GradeVerdict, f64)], flags: Vec<Flag>) -> SubmissionReport {
        let lessons: Vec<LessonResult> = verdicts
            .iter()
            .enumerate()
            .map(|(i, &(verdict, seconds))| LessonResult {
                lesson: format!("l{}", i + 1),
                number: i as u32 + 1,
                verdict,
                points: u32::from(verdict == GradeVerdict::Passed),
                max_points: 1,
                detail: String::new(),
                failed_checks: if verdict == GradeVerdict::Failed {
                    vec![format!("t::check_{}", i + 1)]
                } else {
                    vec![]
                },
                feedback: String::new(),
                files_hash: None,
                seconds,
            })
            .collect();
        SubmissionReport {
            name: name.into(),
            source: format!("/subs/{name}"),
            score: lessons.iter().map(|l| l.points).sum(),
            max_score: 2,
            error: None,
            flags,
            lessons,
            seconds: 1.0,
            git: None,
            grader: String::new(),
            checks: String::new(),
            files_hash: None,
        }
    }

    #[test]
    fn counts_passes_verdicts_medians_and_flags() {
        use GradeVerdict::*;
        let infos: Vec<LessonInfo> = (1..=2)
            .map(|number| LessonInfo {
                lesson: format!("l{number}"),
                number,
                title: String::new(),
                max_points: 1,
            })
            .collect();
        let flag = |kind| Flag::new(kind, None, "x".into());
        let subs = [
            sub("a", &[(Passed, 1.0), (Crashed, 4.0)], vec![]),
            sub(
                "b",
                &[(Failed, 3.0), (Crashed, 2.0)],
                vec![
                    flag(FlagKind::FileNotTaken),
                    flag(FlagKind::ProtectedFileChanged),
                    flag(FlagKind::FileNotTaken),
                ],
            ),
            sub("c", &[(Passed, 2.0), (Missing, 0.0)], vec![]),
            sub("e", &[(NotAttempted, 0.0), (NotAttempted, 0.0)], vec![]),
            sub("d", &[(Failed, 9.0), (Passed, 1.0)], vec![]),
        ];
        let summary = ClassSummary::of(&infos, 2, &subs);
        assert_eq!(summary.submissions, 5);
        assert_eq!(summary.average_score, 0.6);
        let first = &summary.lessons[0];
        assert_eq!(first.passed, 2);
        // The untried lesson is counted apart, and not as a failure.
        assert_eq!(first.not_attempted, 1);
        assert_eq!(first.attempted, 4);
        assert_eq!(first.failure_rate, Some(0.5));
        assert_eq!(
            first.most_failed_checks,
            [CheckCount {
                check: "t::check_1".into(),
                count: 2
            }]
        );
        // A tie is broken by the verdicts' order: passed before failed.
        assert_eq!(
            first.verdicts,
            [
                VerdictCount {
                    verdict: Passed,
                    count: 2
                },
                VerdictCount {
                    verdict: Failed,
                    count: 2
                },
                VerdictCount {
                    verdict: NotAttempted,
                    count: 1
                }
            ]
        );
        assert_eq!(first.median_seconds, Some(2.5));
        let second = &summary.lessons[1];
        assert_eq!(second.verdicts[0].verdict, Crashed);
        assert_eq!(second.verdicts[0].count, 2);
        // The missing lesson's zero is not a time.
        assert_eq!(second.median_seconds, Some(2.0));
        assert_eq!(
            summary.flagged,
            [FlaggedSubmission {
                name: "b".into(),
                flags: 3,
                kinds: vec![FlagKind::ProtectedFileChanged, FlagKind::FileNotTaken],
            }]
        );
        let text = summary.text();
        assert!(
            text.contains("5 submissions. Average score: 0.6 / 2"),
            "{text}"
        );
        assert!(
            text.contains("1 l1    2/5     1        2.5 s     passed 2, failed 2, not_attempted 1"),
            "{text}"
        );
        assert!(
            text.contains("Flagged (1): b (3 flags: protected_file_changed, file_not_taken)"),
            "{text}"
        );
        let empty = ClassSummary::of(&infos, 2, &[]);
        assert_eq!(empty.average_score, 0.0);
        assert_eq!(empty.lessons[0].median_seconds, None);
    }
}
