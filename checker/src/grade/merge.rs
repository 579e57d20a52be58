//! `checker merge REPORT.json...`: joins the JSON reports of a sharded
//! batch (`grade --shard K/N`, one per machine) into one report, in every
//! format, equal to grading the whole batch in one run (timings aside).
//!
//! The reports are read back into report.rs's types, so the merged report
//! is made exactly as a single run makes one (`BatchReport::new`: name
//! order, the summary computed again). Reports that do not belong together
//! are refused: other checks (their fingerprint), another grader, other
//! lessons or scores, a shard missing or given twice, a submission in two
//! reports. `--replace REPORT.json` regrades: its submissions replace those
//! of the same name (and new names join).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use super::output;
use super::report::{BatchReport, Format, Header};
use super::shard::Shard;

pub struct Options {
    pub reports: Vec<PathBuf>,
    pub format: Format,
    pub out: Vec<PathBuf>,
    /// Reports whose submissions replace the same-named ones.
    pub replace: Vec<PathBuf>,
}

pub fn run(options: Options) -> Result<ExitCode> {
    output::check_writable(&options.out)?;
    let mut reports = Vec::new();
    for path in &options.reports {
        reports.push((path.clone(), read(path)?));
    }
    let mut replacements = Vec::new();
    for path in &options.replace {
        replacements.push((path.clone(), read(path)?));
    }
    let submissions = reports
        .iter()
        .map(|(_, r)| r.submissions.len())
        .sum::<usize>();
    super::output::check_formats(options.format, &options.out, submissions)?;
    let mut batch = merge(reports)?;
    if !replacements.is_empty() {
        batch = replace(batch, replacements)?;
    }
    output::emit(&batch, options.format, &options.out)?;
    if !options.out.is_empty() {
        eprintln!(
            "Merged {} report{} of {} submission{}; the report is in {}.",
            options.reports.len(),
            if options.reports.len() == 1 { "" } else { "s" },
            batch.submissions.len(),
            if batch.submissions.len() == 1 {
                ""
            } else {
                "s"
            },
            output::file_list(&options.out)
        );
    }
    Ok(output::exit_code(&batch))
}

fn read(path: &Path) -> Result<BatchReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("the report {} cannot be read", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a JSON grading report (merge reads the files `grade --out FILE.json` \
             writes, from this version of the checker)",
            path.display()
        )
    })
}

/// Whether two reports were graded against the same checks, and by the
/// same grader; says why not.
fn same_grading(a: (&Path, &BatchReport), b: (&Path, &BatchReport)) -> Result<()> {
    let ((pa, first), (pb, report)) = (a, b);
    let (a, b) = (pa.display(), pb.display());
    if report.checks != first.checks {
        bail!(
            "{a} and {b} were graded against different checks (fingerprints {} and {}): the \
             lessons' tests, snapshots, C or support crate differ between the two, so their \
             grades do not compare. Grade both against one copy of the workbook",
            or_none(&first.checks),
            or_none(&report.checks)
        );
    }
    if report.grader != first.grader {
        bail!(
            "{a} and {b} were graded by different checkers ({} and {}); grade both with one",
            or_none(&first.grader),
            or_none(&report.grader)
        );
    }
    // Reports without a fingerprint (older ones) are told apart by the
    // workbook's folder, as before.
    if report.checks.is_empty() && report.workbook != first.workbook {
        bail!(
            "{a} and {b} were graded against different workbooks ({} and {}); only \
             reports of one workbook can be merged",
            first.workbook,
            report.workbook
        );
    }
    Ok(())
}

fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "none recorded"
    } else {
        text
    }
}

/// `merge --replace`: each replacement's submissions take the place of the
/// same-named ones in `batch` (a regraded student), or join it.
pub fn replace(
    batch: BatchReport,
    replacements: Vec<(PathBuf, BatchReport)>,
) -> Result<BatchReport> {
    let here = PathBuf::from("the merged report");
    let mut by_name: BTreeMap<String, super::report::SubmissionReport> = batch
        .submissions
        .iter()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    for (path, report) in replacements {
        same_grading((&here, &batch), (&path, &report))?;
        if report.lessons != batch.lessons || report.max_score != batch.max_score {
            bail!(
                "{} was graded on other lessons than the merged report; a replacement must \
                 grade the same lessons",
                path.display()
            );
        }
        for sub in report.submissions {
            let name = sub.name.clone();
            if by_name.insert(name.clone(), sub).is_some() {
                eprintln!("Replaced {name} with {}'s.", path.display());
            } else {
                eprintln!("Added {name} from {}.", path.display());
            }
        }
    }
    let head = Header {
        workbook: batch.workbook,
        sandbox: batch.sandbox,
        grader: batch.grader,
        checks: batch.checks,
        before: batch.before,
    };
    Ok(BatchReport::new(
        head,
        batch.lessons,
        batch.max_score,
        None,
        by_name.into_values().collect(),
    ))
}

/// Joins reports that belong together; says which do not, and why.
pub fn merge(reports: Vec<(PathBuf, BatchReport)>) -> Result<BatchReport> {
    let Some((first_path, first)) = reports.first() else {
        bail!("no reports to merge");
    };
    for (path, report) in &reports[1..] {
        let (a, b) = (first_path.display(), path.display());
        same_grading((first_path, first), (path, report))?;
        if report.before != first.before {
            bail!(
                "{a} and {b} were graded at different deadlines ({} and {})",
                first.before.as_deref().unwrap_or("none"),
                report.before.as_deref().unwrap_or("none")
            );
        }
        if report.lessons != first.lessons {
            let names = |r: &BatchReport| {
                r.lessons
                    .iter()
                    .map(|l| format!("{:02}_{}", l.number, l.lesson))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            bail!(
                "{a} and {b} were graded on different lessons ({} and {}); only reports of \
                 one course can be merged",
                names(first),
                names(report)
            );
        }
        if report.max_score != first.max_score {
            bail!(
                "{a} and {b} have different maximum scores ({} and {}); only reports of one \
                 course can be merged",
                first.max_score,
                report.max_score
            );
        }
    }
    check_shards(&reports)?;

    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for (path, report) in &reports {
        for sub in &report.submissions {
            if let Some(other) = seen.insert(&sub.name, path) {
                bail!(
                    "the submission {} is in both {} and {}: each submission must be in one \
                     report only",
                    sub.name,
                    other.display(),
                    path.display()
                );
            }
        }
    }

    let (lessons, max_score) = (first.lessons.clone(), first.max_score);
    // Graded on different machines, the folders may differ: all are said.
    let mut workbooks: Vec<&str> = reports.iter().map(|(_, r)| r.workbook.as_str()).collect();
    workbooks.sort();
    workbooks.dedup();
    let workbook = workbooks.join("; ");
    let (grader, checks, before) = (
        first.grader.clone(),
        first.checks.clone(),
        first.before.clone(),
    );
    // Shards graded with different confinement say so, rather than one
    // hiding the other.
    let mut sandboxes: Vec<&str> = reports.iter().map(|(_, r)| r.sandbox.as_str()).collect();
    sandboxes.sort();
    sandboxes.dedup();
    let sandbox = sandboxes.join("; ");
    // One probe seed survives a merge only if every report had it (shards
    // graded apart drew their own; each shard's report keeps its seed).
    let probe_seed = match reports.first().map(|(_, r)| r.probe_seed) {
        Some(seed) if reports.iter().all(|(_, r)| r.probe_seed == seed) => seed,
        _ => None,
    };
    let mut tests_only: Vec<String> = reports
        .iter()
        .flat_map(|(_, r)| r.tests_only.iter().cloned())
        .collect();
    tests_only.sort();
    tests_only.dedup();
    let submissions = reports
        .into_iter()
        .flat_map(|(_, report)| report.submissions)
        .collect();
    let mut merged = BatchReport::new(
        Header {
            workbook,
            sandbox,
            grader,
            checks,
            before,
        },
        lessons,
        max_score,
        None,
        submissions,
    );
    merged.probe_seed = probe_seed;
    merged.tests_only = tests_only;
    Ok(merged)
}

/// Either every report is a shard of one batch, each shard there once, or
/// none is a shard (separate batches joined, such as late submissions).
fn check_shards(reports: &[(PathBuf, BatchReport)]) -> Result<()> {
    let shards: Vec<(&PathBuf, Shard)> = reports
        .iter()
        .filter_map(|(path, r)| r.shard.map(|s| (path, s)))
        .collect();
    if shards.is_empty() {
        return Ok(());
    }
    if shards.len() != reports.len() {
        let whole = reports.iter().find(|(_, r)| r.shard.is_none()).unwrap();
        bail!(
            "{} is a shard ({}) but {} is a whole batch: merge the shards of one batch \
             together, then that with other batches",
            shards[0].0.display(),
            shards[0].1,
            whole.0.display()
        );
    }
    let count = shards[0].1.count;
    let mut by_index: BTreeMap<u32, &PathBuf> = BTreeMap::new();
    for (path, shard) in &shards {
        if shard.count != count {
            bail!(
                "{} is shard {} but {} is shard {}: the shards of one batch all have the same N",
                shards[0].0.display(),
                shards[0].1,
                path.display(),
                shard
            );
        }
        if let Some(other) = by_index.insert(shard.index, path) {
            bail!(
                "shard {shard} is given twice ({} and {})",
                other.display(),
                path.display()
            );
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|index| !by_index.contains_key(index))
        .map(|index| format!("{index}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "shard{} {} {} missing: a merged report must hold the whole batch",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        );
    }
    // Dealt out again over all the names, each must be in its own shard.
    let mut names: Vec<&str> = (reports.iter())
        .flat_map(|(_, r)| r.submissions.iter().map(|s| s.name.as_str()))
        .collect();
    names.sort();
    names.dedup();
    for (path, report) in reports {
        let shard = report.shard.expect("checked above");
        let picks = shard.picks(&names);
        let ours = |name: &str| names.binary_search(&name).is_ok_and(|i| picks[i]);
        if let Some(sub) = report.submissions.iter().find(|s| !ours(&s.name)) {
            bail!(
                "{} (shard {shard}) holds {}, which belongs to another shard: were the shards \
                 given different lists of submissions? Every shard must be given the same list",
                path.display(),
                sub.name
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::report::{
        GradeVerdict, LessonInfo, LessonResult, SubmissionReport, grader_version,
    };

    fn sub(name: &str, passed: bool) -> SubmissionReport {
        let verdict = if passed {
            GradeVerdict::Passed
        } else {
            GradeVerdict::Failed
        };
        SubmissionReport {
            name: name.into(),
            source: format!("/subs/{name}"),
            score: u32::from(passed),
            max_score: 1,
            error: None,
            flags: vec![],
            lessons: vec![LessonResult {
                lesson: "l1".into(),
                number: 1,
                verdict,
                points: u32::from(passed),
                max_points: 1,
                detail: String::new(),
                failed_checks: vec![],
                feedback: String::new(),
                files_hash: None,
                seconds: 0.5,
            }],
            seconds: 0.5,
            git: None,
            grader: grader_version(),
            checks: "fnv1a64:0123456789abcdef".into(),
            files_hash: None,
        }
    }

    fn batch(shard: Option<Shard>, subs: Vec<SubmissionReport>) -> BatchReport {
        let lessons = vec![LessonInfo {
            lesson: "l1".into(),
            number: 1,
            title: "One".into(),
            max_points: 1,
        }];
        BatchReport::new(
            Header {
                workbook: "/wb".into(),
                sandbox: "bubblewrap 0.8.0".into(),
                grader: grader_version(),
                checks: "fnv1a64:0123456789abcdef".into(),
                before: None,
            },
            lessons,
            1,
            shard,
            subs,
        )
    }

    /// The names, split as `grade --shard K/2` would split them.
    fn shards_of(names: &[&str]) -> Vec<(PathBuf, BatchReport)> {
        (1..=2)
            .map(|index| {
                let shard = Shard { index, count: 2 };
                let picks = shard.picks(names);
                let subs = (names.iter().zip(picks))
                    .filter(|(_, picked)| *picked)
                    .map(|(n, _)| sub(n, n.len() % 2 == 0))
                    .collect();
                (
                    PathBuf::from(format!("shard-{index}.json")),
                    batch(Some(shard), subs),
                )
            })
            .collect()
    }

    const NAMES: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];

    #[test]
    fn shards_merge_into_the_whole_batch() {
        let shards = shards_of(&NAMES);
        assert!(shards.iter().all(|(_, r)| !r.submissions.is_empty()));
        let whole = batch(
            None,
            NAMES.iter().map(|n| sub(n, n.len() % 2 == 0)).collect(),
        );
        let merged = merge(shards.clone()).unwrap();
        assert_eq!(merged, whole);
        // In any order of the reports.
        let reversed: Vec<_> = shards.into_iter().rev().collect();
        assert_eq!(merge(reversed).unwrap(), whole);
    }

    fn refused(reports: Vec<(PathBuf, BatchReport)>, why: &str) {
        let err = format!("{:#}", merge(reports).unwrap_err());
        assert!(err.contains(why), "{err}");
    }

    #[test]
    fn reports_that_do_not_belong_together_are_refused() {
        let shards = shards_of(&NAMES);
        refused(vec![shards[0].clone()], "shard 2/2 is missing");
        refused(
            vec![shards[0].clone(), shards[0].clone(), shards[1].clone()],
            "shard 1/2 is given twice",
        );
        // Other checks are refused whatever the folders; the same checks
        // graded in another folder (another machine) join.
        let mut other_checks = shards[1].clone();
        other_checks.1.checks = "fnv1a64:ffffffffffffffff".into();
        refused(
            vec![shards[0].clone(), other_checks.clone()],
            "were graded against different checks (fingerprints fnv1a64:0123456789abcdef and \
             fnv1a64:ffffffffffffffff)",
        );
        let mut elsewhere = shards[1].clone();
        elsewhere.1.workbook = "/elsewhere".into();
        let joined = merge(vec![shards[0].clone(), elsewhere]).unwrap();
        assert_eq!(joined.workbook, "/elsewhere; /wb");
        let mut other_grader = shards[1].clone();
        other_grader.1.grader = "checker 0.0.1".into();
        refused(vec![shards[0].clone(), other_grader], "different checkers");
        // Reports without a fingerprint fall back to the folder.
        let (mut old_a, mut old_b) = (shards[0].clone(), shards[1].clone());
        old_a.1.checks.clear();
        old_b.1.checks.clear();
        old_b.1.workbook = "/elsewhere".into();
        refused(vec![old_a, old_b], "different workbooks");
        let mut other_lessons = shards[1].clone();
        other_lessons.1.lessons[0].lesson = "l9".into();
        refused(vec![shards[0].clone(), other_lessons], "different lessons");
        let mut other_max = shards[1].clone();
        other_max.1.max_score = 6;
        refused(
            vec![shards[0].clone(), other_max],
            "different maximum scores",
        );
        let whole = (
            PathBuf::from("whole.json"),
            batch(None, vec![sub("zed", true)]),
        );
        refused(vec![shards[0].clone(), whole.clone()], "is a whole batch");
        refused(
            vec![whole.clone(), whole.clone()],
            "the submission zed is in both",
        );
        let mut wrong_place = shards[1].clone();
        let stray = shards[0].1.submissions[0].clone();
        wrong_place.1.submissions.push(stray);
        refused(
            vec![shards[0].clone(), wrong_place],
            "belongs to another shard",
        );
        // Separate whole batches join.
        let other = (
            PathBuf::from("late.json"),
            batch(None, vec![sub("amy", false)]),
        );
        let joined = merge(vec![whole, other]).unwrap();
        let names: Vec<&str> = joined.submissions.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["amy", "zed"]);
    }

    #[test]
    fn a_regraded_student_replaces_their_row() {
        let merged = merge(shards_of(&NAMES)).unwrap();
        let bob = merged.submissions.iter().find(|s| s.name == "bob").unwrap();
        assert_eq!(bob.score, 0);
        let regraded = (
            PathBuf::from("bob.json"),
            batch(None, vec![sub("bob", true), sub("gina", false)]),
        );
        let replaced = replace(merged.clone(), vec![regraded.clone()]).unwrap();
        let names: Vec<&str> = replaced
            .submissions
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
        );
        let bob = replaced
            .submissions
            .iter()
            .find(|s| s.name == "bob")
            .unwrap();
        assert_eq!(bob.score, 1);
        // The summary is computed again from the rows.
        assert_eq!(
            replaced.summary.lessons[0].passed,
            merged.summary.lessons[0].passed + 1
        );
        // Not against other checks.
        let mut other = regraded;
        other.1.checks = "fnv1a64:ffffffffffffffff".into();
        let err = format!("{:#}", replace(merged, vec![other]).unwrap_err());
        assert!(err.contains("different checks"), "{err}");
    }
}
