//! A batch's results, the one shape every report is made from (and read
//! back from, by `checker merge`), and the four ways of writing them: a
//! table for a person, CSV for a gradebook, JUnit XML for CI systems, JSON
//! for programs.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::shard::Shard;
use super::summary::ClassSummary;
use crate::verdict::Verdict;

/// The verdict on one lesson of one submission, in grading's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeVerdict {
    Passed,
    Failed,
    CompileError,
    Crashed,
    TimedOut,
    /// The lesson's editable files are as the learner got them (byte for
    /// byte, line endings aside): not started, so not checked. Told apart
    /// from `crashed`, which an untouched `todo!()` would otherwise give.
    NotAttempted,
    /// The submission has none of the lesson's editable files.
    Missing,
    /// The lesson could not be graded for a reason that is not the learner's
    /// (the machine, the instructor's copy); the batch exits with 2.
    Error,
}

impl GradeVerdict {
    /// The checker's verdict in grading's words.
    pub fn from_check(verdict: &Verdict) -> GradeVerdict {
        match verdict {
            Verdict::Passed => GradeVerdict::Passed,
            Verdict::Failed
            | Verdict::Flooded { .. }
            | Verdict::OutOfMemory { .. }
            | Verdict::TooManyProcesses { .. }
            | Verdict::ExitedWithError { .. }
            | Verdict::EndedEarly
            | Verdict::ReportMismatch
            | Verdict::Tampered
            | Verdict::ReachesOutside => GradeVerdict::Failed,
            Verdict::CompileError => GradeVerdict::CompileError,
            Verdict::Crashed { .. } | Verdict::Panicked { .. } => GradeVerdict::Crashed,
            Verdict::TimedOut { .. } => GradeVerdict::TimedOut,
            Verdict::CBuildFailed | Verdict::Environment => GradeVerdict::Error,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GradeVerdict::Passed => "passed",
            GradeVerdict::Failed => "failed",
            GradeVerdict::CompileError => "compile_error",
            GradeVerdict::Crashed => "crashed",
            GradeVerdict::TimedOut => "timed_out",
            GradeVerdict::NotAttempted => "not_attempted",
            GradeVerdict::Missing => "missing",
            GradeVerdict::Error => "error",
        }
    }

    /// Every verdict, in the order summaries list them.
    pub const ALL: [GradeVerdict; 8] = [
        GradeVerdict::Passed,
        GradeVerdict::Failed,
        GradeVerdict::CompileError,
        GradeVerdict::Crashed,
        GradeVerdict::TimedOut,
        GradeVerdict::NotAttempted,
        GradeVerdict::Missing,
        GradeVerdict::Error,
    ];

    /// Whether the learner tried the lesson (its failure rate counts it).
    pub fn attempted(self) -> bool {
        !matches!(
            self,
            GradeVerdict::NotAttempted | GradeVerdict::Missing | GradeVerdict::Error
        )
    }

    /// The table's short mark.
    pub fn mark(self) -> &'static str {
        match self {
            GradeVerdict::Passed => "pass",
            GradeVerdict::Failed => "FAIL",
            GradeVerdict::CompileError => "COMPILE",
            GradeVerdict::Crashed => "CRASH",
            GradeVerdict::TimedOut => "TIMEOUT",
            GradeVerdict::NotAttempted => "todo",
            GradeVerdict::Missing => "-",
            GradeVerdict::Error => "ERROR",
        }
    }
}

/// Something about a submission the instructor should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A test, snapshot, manifest, C source... differs from the instructor's.
    ProtectedFileChanged,
    /// One of those is missing from the submission.
    ProtectedFileDeleted,
    /// A file in the submission that was not used: added next to the
    /// lesson's files, a link, or too large.
    FileNotTaken,
    /// Running the submission's code changed the instructor's files in the
    /// grading workspace: they were restored, and that lesson failed.
    ChangedDuringGrading,
    /// The submission's code reads files from outside its lesson's crate
    /// (`#[path]`, `include!`, a link): that lesson failed.
    ReachesOutside,
    /// Something a grader should look at: processes left running, a test
    /// report that did not add up, compiled checks or build files changed.
    Suspicious,
}

impl FlagKind {
    /// The kind as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::ProtectedFileChanged => "protected_file_changed",
            FlagKind::ProtectedFileDeleted => "protected_file_deleted",
            FlagKind::FileNotTaken => "file_not_taken",
            FlagKind::ChangedDuringGrading => "changed_during_grading",
            FlagKind::ReachesOutside => "reaches_outside",
            FlagKind::Suspicious => "suspicious",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// The file concerned, relative to the workbook root.
    pub path: Option<String>,
    pub message: String,
}

impl Flag {
    pub fn new(kind: FlagKind, path: Option<&Path>, what: String) -> Flag {
        // A path a submission chose: quoted when it holds odd characters.
        let path = path.map(|p| crate::text::quoted_path(&p.to_string_lossy().replace('\\', "/")));
        let message = match &path {
            Some(path) => format!("{path} {what}"),
            None => what,
        };
        Flag {
            kind,
            path,
            message,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonResult {
    /// The lesson's short name, `abi_add`.
    pub lesson: String,
    pub number: u32,
    pub verdict: GradeVerdict,
    pub points: u32,
    pub max_points: u32,
    /// What went wrong, as the checker explains it to a learner (empty when
    /// passed), cut to a screenful.
    pub detail: String,
    /// The checks that failed, `file::test`, sorted.
    #[serde(default)]
    pub failed_checks: Vec<String>,
    /// The whole of what the checker said, uncut (empty when passed).
    #[serde(default)]
    pub feedback: String,
    /// A hash of the lesson's editable files as submitted, normalised (no
    /// whitespace, no `//` comments): equal hashes are the same code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_hash: Option<String>,
    pub seconds: f64,
}

impl LessonResult {
    /// One line saying why: the detail's first line, at most 200 characters.
    pub fn reason(&self) -> String {
        let first = self.detail.lines().find(|l| !l.trim().is_empty());
        let first = plain(first.unwrap_or(self.verdict.as_str()));
        let first = first.trim();
        let mut line: String = first.chars().take(200).collect();
        if first.chars().count() > 200 {
            line.push('…');
        }
        line
    }
}

impl LessonResult {
    /// The first thing the checker found, past its verdict and advice (the
    /// first line of the compiler's or the checks' own words, headings
    /// skipped): what the class report groups the commonest errors by.
    pub fn finding(&self) -> String {
        let text = if self.feedback.is_empty() {
            &self.detail
        } else {
            &self.feedback
        };
        let found = text
            .split_once("\n\n")
            .map(|(_, rest)| rest)
            .and_then(|rest| {
                rest.lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("--- ") && !l.starts_with("thread '"))
            });
        match found {
            Some(line) => plain(line).chars().take(200).collect(),
            None => self.reason(),
        }
    }
}

/// Text without terminal escapes (`ESC [ ... letter`) or control characters.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else if !c.is_control() || c == '\t' {
            out.push(c);
        }
    }
    out
}

/// Where a submission's graded files came from, when it is a git repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The commit graded (the last one before `--before`, else HEAD).
    pub commit: String,
    /// Its committer date (ISO 8601, as git records it: the learner's clock).
    pub date: String,
    /// The repository's first commit: the template it began from, which its
    /// protected files are compared with.
    pub start: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionReport {
    pub name: String,
    /// The path it was read from.
    pub source: String,
    pub score: u32,
    pub max_score: u32,
    /// Why the submission could not be read at all (then every lesson is missing).
    pub error: Option<String>,
    pub flags: Vec<Flag>,
    pub lessons: Vec<LessonResult>,
    pub seconds: f64,
    /// The commit graded, when the submission is a git repository.
    #[serde(default)]
    pub git: Option<Provenance>,
    /// The checker that graded it (`checker 0.1.0`).
    #[serde(default)]
    pub grader: String,
    /// The fingerprint of the checks it was graded against (see
    /// `BatchReport::checks`).
    #[serde(default)]
    pub checks: String,
    /// A hash of all its lessons' normalised editable files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_hash: Option<String>,
}

impl SubmissionReport {
    /// The lesson numbered `number`, if graded.
    pub fn lesson(&self, number: u32) -> Option<&LessonResult> {
        self.lessons.iter().find(|l| l.number == number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonInfo {
    pub lesson: String,
    pub number: u32,
    pub title: String,
    pub max_points: u32,
}

/// Everything a batch found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchReport {
    /// The instructor's workbook the submissions were graded against.
    pub workbook: String,
    /// How learner code was confined: the sandbox's name and version, or
    /// `none (--unconfined)`.
    pub sandbox: String,
    /// The checker that graded it: `checker VERSION`.
    #[serde(default)]
    pub grader: String,
    /// A hash of every file the grade rests on besides the learners' (the
    /// lessons' tests, snapshots, manifests, the C, the support crate):
    /// reports with different ones were graded against different checks,
    /// and `merge` refuses to join them.
    #[serde(default)]
    pub checks: String,
    /// `--before`: the deadline git submissions were graded at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    pub lessons: Vec<LessonInfo>,
    pub max_score: u32,
    /// Which part of a sharded batch this is (`grade --shard K/N`); absent
    /// for a whole batch, and for shards merged back into one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The seed every lesson's probe ran on (the reference's and each
    /// submission's): `FFI_WORKBOOK_GRADE_SEED=SEED checker grade ...`
    /// grades on it again. Absent without reference solutions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_seed: Option<u64>,
    /// The lessons judged by their tests only (they have no probe, or the
    /// batch had no reference solutions to compare with).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests_only: Vec<String>,
    /// Sorted by name (see `BatchReport::new`).
    pub submissions: Vec<SubmissionReport>,
    /// Where the class stands, computed from `submissions`.
    pub summary: ClassSummary,
}

impl BatchReport {
    /// The one way a report is made, by a grading run and by `merge` alike:
    /// submissions in name order (so a merged report lists them as one run
    /// would, whatever the shards), and the summary computed from them.
    pub fn new(
        head: Header,
        lessons: Vec<LessonInfo>,
        max_score: u32,
        shard: Option<Shard>,
        mut submissions: Vec<SubmissionReport>,
    ) -> BatchReport {
        submissions.sort_by(|a, b| name_order(&a.name, &b.name));
        let summary = ClassSummary::of(&lessons, max_score, &submissions);
        let Header {
            workbook,
            sandbox,
            grader,
            checks,
            before,
        } = head;
        BatchReport {
            workbook,
            sandbox,
            grader,
            checks,
            before,
            lessons,
            max_score,
            shard,
            probe_seed: None,
            tests_only: Vec::new(),
            submissions,
            summary,
        }
    }

    /// Lessons that could not be graded, for the batch's error message.
    pub fn grading_errors(&self) -> Vec<(&SubmissionReport, &LessonResult)> {
        self.submissions
            .iter()
            .flat_map(|s| s.lessons.iter().map(move |l| (s, l)))
            .filter(|(_, l)| l.verdict == GradeVerdict::Error)
            .collect()
    }
}

/// What a batch was graded against and how.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub workbook: String,
    pub sandbox: String,
    pub grader: String,
    pub checks: String,
    pub before: Option<String>,
}

/// The grader's name and version, as reports record it.
pub fn grader_version() -> String {
    format!("checker {}", env!("CARGO_PKG_VERSION"))
}

/// Submissions are listed by name, ignoring case first (`alice`, `Bob`,
/// `carol`), then exactly, so the order is total and the same everywhere.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Junit,
    /// Gradescope's `results.json`, for a batch of one submission.
    Gradescope,
    /// The class report: one self-contained HTML page (`--out FILE.html`).
    Html,
    /// A compact Markdown table (GitHub Actions' run summary): a line per
    /// submission, the per-lesson summary; no feedback.
    Markdown,
}

impl Format {
    /// The format a file's extension names: `.json`, `.csv`, `.xml` (JUnit),
    /// `.txt` (the table).
    pub fn for_file(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xml" => Some(Format::Junit),
            "txt" => Some(Format::Table),
            "html" | "htm" => Some(Format::Html),
            "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

pub fn render(report: &BatchReport, format: Format) -> String {
    match format {
        Format::Table => table(report),
        Format::Json => json(report),
        Format::Csv => csv(report),
        Format::Junit => junit(report),
        Format::Gradescope => gradescope(report),
        Format::Html => super::html::page(report),
        Format::Markdown => markdown(report),
    }
}

/// Text for a Markdown table cell: no line breaks, pipes and markup escaped.
fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.chars().take(60).collect()
}

/// The run summary GitHub Actions shows (at most 1 MiB): the class summary
/// and one short line per submission; the details are in the artifact.
pub fn markdown(report: &BatchReport) -> String {
    let mut out = String::new();
    let summary = &report.summary;
    let _ = writeln!(
        out,
        "### Grades: {} submission{}, average {:.1} / {}\n",
        summary.submissions,
        if summary.submissions == 1 { "" } else { "s" },
        summary.average_score,
        summary.max_score
    );
    out.push_str(
        "| lesson | passed | failed | not attempted | other |\n| --- | --- | --- | --- | --- |\n",
    );
    for lesson in &summary.lessons {
        let count = |v: GradeVerdict| {
            (lesson.verdicts.iter())
                .filter(|c| c.verdict == v)
                .map(|c| c.count)
                .sum::<usize>()
        };
        let (passed, not) = (
            count(GradeVerdict::Passed),
            count(GradeVerdict::NotAttempted),
        );
        let total: usize = lesson.verdicts.iter().map(|c| c.count).sum();
        let failed = count(GradeVerdict::Failed)
            + count(GradeVerdict::CompileError)
            + count(GradeVerdict::Crashed)
            + count(GradeVerdict::TimedOut);
        let _ = writeln!(
            out,
            "| {:02} {} | {passed} | {failed} | {not} | {} |",
            lesson.number,
            md_cell(&lesson.lesson),
            total - passed - not - failed
        );
    }
    out.push_str("\n| submission | score | lessons | flags |\n| --- | --- | --- | --- |\n");
    for sub in &report.submissions {
        let marks: Vec<&str> = sub.lessons.iter().map(|l| l.verdict.mark()).collect();
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} |",
            md_cell(&sub.name),
            sub.score,
            sub.max_score,
            marks.join(" "),
            if sub.error.is_some() {
                "unreadable".to_string()
            } else {
                sub.flags.len().to_string()
            }
        );
    }
    out.push_str(
        "\nMarks: pass, FAIL, COMPILE, CRASH, TIMEOUT, todo (not attempted), - (missing), \
         ERROR. Feedback, flags and the class report are in the `grades` artifact.\n",
    );
    out
}

/// Gradescope's `results.json` for the batch's one submission (a batch of
/// several is refused before grading): a test per lesson, its score, and
/// what the checker said.
pub fn gradescope(report: &BatchReport) -> String {
    let Some(sub) = report.submissions.first() else {
        return "{\"score\": 0, \"output\": \"No submission was graded.\", \"tests\": []}\n".into();
    };
    let tests: Vec<serde_json::Value> = sub
        .lessons
        .iter()
        .map(|lesson| {
            let title = report
                .lessons
                .iter()
                .find(|info| info.number == lesson.number)
                .map_or(lesson.lesson.as_str(), |info| info.title.as_str());
            let mut output = lesson.verdict.as_str().replace('_', " ");
            if !lesson.feedback.is_empty() {
                output = format!("{output}\n\n{}", lesson.feedback);
            } else if !lesson.detail.is_empty() {
                output = format!("{output}\n\n{}", lesson.detail);
            }
            serde_json::json!({
                "name": format!("{:02} {title}", lesson.number),
                "number": lesson.number.to_string(),
                "score": lesson.points,
                "max_score": lesson.max_points,
                "status": if lesson.verdict == GradeVerdict::Passed { "passed" } else { "failed" },
                "output": output,
                "output_format": "text",
                "visibility": "visible",
            })
        })
        .collect();
    let mut output = format!("{}: {}/{}", sub.name, sub.score, sub.max_score);
    if let Some(error) = &sub.error {
        output.push_str(&format!("\nThe submission could not be read: {error}"));
    }
    for flag in &sub.flags {
        output.push_str(&format!("\nflag: {}", flag.message));
    }
    let value = serde_json::json!({
        "score": sub.score,
        "execution_time": sub.seconds.round() as u64,
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

pub fn json(report: &BatchReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("a report always serializes");
    text.push('\n');
    text
}

fn lesson_column(number: u32, lesson: &str) -> String {
    format!("{number:02}_{lesson}")
}

/// The most lines of a lesson's detail the table shows (a snapshot's diff
/// comes after about a dozen lines of insta's summary).
const TABLE_DETAIL_LINES: usize = 30;

/// The table: one line per submission, the class summary, then what went
/// wrong, for a person.
pub fn table(report: &BatchReport) -> String {
    let mut out = String::new();
    let n = report.submissions.len();
    let _ = writeln!(
        out,
        "Graded {n} submission{} against {} ({} lessons, 1 point each){}; sandbox: {}.\n",
        if n == 1 { "" } else { "s" },
        report.workbook,
        report.lessons.len(),
        match report.shard {
            Some(shard) => format!(", shard {shard}"),
            None => String::new(),
        },
        report.sandbox
    );
    if let Some(seed) = report.probe_seed {
        let _ = writeln!(
            out,
            "Each lesson was also judged by its probe on seed {seed}, against the reference \
             solution{}.\n",
            if report.tests_only.is_empty() {
                String::new()
            } else {
                format!(
                    "; judged by their tests only (no probe): {}",
                    report.tests_only.join(", ")
                )
            }
        );
    }
    let name_width = report
        .submissions
        .iter()
        .map(|s| s.name.chars().count())
        .chain(["submission".len()])
        .max()
        .unwrap_or(10)
        .min(40);
    let score_width = format!("{0}/{0}", report.max_score).len().max(5);
    let mut line = format!("{:<name_width$}  {:<score_width$}", "submission", "score");
    for info in &report.lessons {
        let _ = write!(line, "  {:<7}", info.number);
    }
    let _ = writeln!(out, "{line}  flags");
    for sub in &report.submissions {
        let name: String = sub.name.chars().take(name_width).collect();
        let score = format!("{}/{}", sub.score, sub.max_score);
        let mut line = format!("{name:<name_width$}  {score:<score_width$}");
        for lesson in &sub.lessons {
            let _ = write!(line, "  {:<7}", lesson.verdict.mark());
        }
        if sub.error.is_some() {
            line.push_str("  unreadable");
        } else if !sub.flags.is_empty() {
            let _ = write!(line, "  {}", sub.flags.len());
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
    out.push_str(&report.summary.text());
    out.push_str(
        "Marks: pass, FAIL (a check failed), COMPILE (compile error), CRASH (crashed or \
         panicked), TIMEOUT, todo (not attempted: as shipped), - (missing), ERROR (could not be graded: not the learner's fault)\n",
    );

    for sub in &report.submissions {
        let problems: Vec<&LessonResult> = sub
            .lessons
            .iter()
            .filter(|l| {
                !matches!(
                    l.verdict,
                    GradeVerdict::Passed | GradeVerdict::Missing | GradeVerdict::NotAttempted
                )
            })
            .collect();
        if sub.error.is_none() && problems.is_empty() && sub.flags.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n== {} ({}/{}) {}",
            sub.name, sub.score, sub.max_score, sub.source
        );
        if let Some(error) = &sub.error {
            let _ = writeln!(out, "  Could not be read: {error}");
        }
        for flag in &sub.flags {
            let _ = writeln!(out, "  flag: {}", flag.message);
        }
        for lesson in problems {
            let _ = writeln!(
                out,
                "  lesson {} ({}): {}",
                lesson.number,
                lesson.lesson,
                lesson.verdict.as_str()
            );
            let detail = crate::check::cut(lesson.detail.trim_end(), TABLE_DETAIL_LINES);
            for line in detail.lines() {
                let _ = writeln!(out, "{}", format!("      {line}").trim_end());
            }
        }
    }
    out
}

/// A CSV field as a spreadsheet should see it: text that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a `'` in front, which spreadsheets show as text.
/// Text that already starts with `'` gets one more, so the rule undoes
/// exactly: drop one leading `'` to get the JSON report's text.
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// For a gradebook: one row per submission, one column per lesson (its
/// points), the total, and the flags.
pub fn csv(report: &BatchReport) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header = vec!["submission".to_string()];
    header.extend(
        report
            .lessons
            .iter()
            .map(|info| lesson_column(info.number, &info.lesson)),
    );
    header.extend(
        report
            .lessons
            .iter()
            .map(|info| format!("{}_verdict", lesson_column(info.number, &info.lesson))),
    );
    header.extend(
        [
            "total",
            "max_score",
            "flags",
            "error",
            "commit",
            "commit_date",
        ]
        .map(String::from),
    );
    let write = |writer: &mut csv::Writer<Vec<u8>>, row: Vec<String>| {
        writer
            .write_record(row.iter().map(|field| defuse(field)))
            .expect("writing CSV to memory cannot fail");
    };
    write(&mut writer, header);
    for sub in &report.submissions {
        let mut row = vec![sub.name.clone()];
        // By the report's lessons, so a column is always its lesson's.
        let cell = |info: &LessonInfo, f: &dyn Fn(&LessonResult) -> String| {
            sub.lesson(info.number).map(f).unwrap_or_default()
        };
        row.extend(
            report
                .lessons
                .iter()
                .map(|i| cell(i, &|l| l.points.to_string())),
        );
        row.extend((report.lessons.iter()).map(|i| cell(i, &|l| l.verdict.as_str().to_string())));
        row.push(sub.score.to_string());
        row.push(sub.max_score.to_string());
        let flags: Vec<&str> = sub.flags.iter().map(|f| f.message.as_str()).collect();
        row.push(flags.join("; "));
        row.push(sub.error.clone().unwrap_or_default());
        row.push(
            sub.git
                .as_ref()
                .map(|g| g.commit.clone())
                .unwrap_or_default(),
        );
        row.push(sub.git.as_ref().map(|g| g.date.clone()).unwrap_or_default());
        write(&mut writer, row);
    }
    let bytes = writer
        .into_inner()
        .expect("writing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV made of strings is UTF-8")
}

/// Text for XML: quick-junit drops control characters and terminal escapes;
/// these two are not characters XML 1.0 allows either.
fn xml_text(text: &str) -> String {
    text.replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}")
}

/// For CI systems: a test suite per submission, a test case per lesson.
/// Every verdict that is the learner's (a wrong answer, a compile error, a
/// crash such as an untouched `todo!()`, a time-out, a missing lesson) is a
/// `<failure>`: CI shows it as a failed exercise. Only `error`, a lesson
/// that could not be graded for a reason that is not the learner's, is an
/// `<error>`, which CI shows as a broken build.
pub fn junit(report: &BatchReport) -> String {
    use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
    let seconds = |s: f64| std::time::Duration::from_secs_f64(s.max(0.0));
    let mut junit = Report::new("FFI Workbook");
    junit.set_time(seconds(
        report.submissions.iter().map(|s| s.seconds).sum::<f64>(),
    ));
    for sub in &report.submissions {
        let mut suite = TestSuite::new(xml_text(&sub.name));
        suite.set_time(seconds(sub.seconds));
        suite.add_property(Property::new("score", sub.score.to_string()));
        suite.add_property(Property::new("max_score", sub.max_score.to_string()));
        suite.add_property(Property::new("source", xml_text(&sub.source)));
        if let Some(error) = &sub.error {
            suite.add_property(Property::new("error", xml_text(error)));
        }
        if let Some(git) = &sub.git {
            suite.add_property(Property::new("commit", xml_text(&git.commit)));
            suite.add_property(Property::new("commit_date", xml_text(&git.date)));
        }
        for flag in &sub.flags {
            suite.add_property(Property::new("flag", xml_text(&flag.message)));
        }
        for lesson in &sub.lessons {
            let status = match lesson.verdict {
                GradeVerdict::Passed => TestCaseStatus::success(),
                verdict => {
                    let kind = if verdict == GradeVerdict::Error {
                        NonSuccessKind::Error
                    } else {
                        NonSuccessKind::Failure
                    };
                    let mut status = TestCaseStatus::non_success(kind);
                    let text = if lesson.feedback.is_empty() {
                        &lesson.detail
                    } else {
                        &lesson.feedback
                    };
                    status
                        .set_type(verdict.as_str())
                        .set_message(xml_text(&lesson.reason()))
                        .set_description(xml_text(text));
                    status
                }
            };
            let mut case = TestCase::new(lesson_column(lesson.number, &lesson.lesson), status);
            case.set_classname(xml_text(&sub.name))
                .set_time(seconds(lesson.seconds));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let text = junit
        .to_string()
        .expect("a JUnit report made of strings always serializes");
    without_root_skipped(text)
}

/// quick-junit always writes `skipped` on `<testsuites>`, which Jenkins'
/// `junit-10.xsd` does not allow there (it does on `<testsuite>`): the root
/// tag, and only it, loses that attribute. Nothing here is ever skipped.
fn without_root_skipped(text: String) -> String {
    let Some(start) = text.find("<testsuites") else {
        return text;
    };
    let end = start + text[start..].find('>').unwrap_or(0);
    let tag = &text[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return text;
    };
    let value_end = tag[at + 10..]
        .find('"')
        .map_or(tag.len(), |i| at + 10 + i + 1);
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start + at]);
    out.push_str(&text[start + value_end..]);
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub fn sample() -> BatchReport {
        let lesson = |number, verdict: GradeVerdict, detail: &str| LessonResult {
            lesson: format!("l{number}"),
            number,
            verdict,
            points: u32::from(verdict == GradeVerdict::Passed),
            max_points: 1,
            detail: detail.into(),
            failed_checks: if verdict == GradeVerdict::Failed {
                vec!["check::it_works".into()]
            } else {
                vec![]
            },
            feedback: detail.into(),
            files_hash: None,
            seconds: 0.5,
        };
        let lessons = (1..=2)
            .map(|number| LessonInfo {
                lesson: format!("l{number}"),
                number,
                title: format!("Lesson {number}"),
                max_points: 1,
            })
            .collect();
        BatchReport::new(
            Header {
                workbook: "/wb".into(),
                sandbox: "bubblewrap 0.8.0".into(),
                grader: grader_version(),
                checks: "fnv1a64:0123456789abcdef".into(),
                before: None,
            },
            lessons,
            2,
            None,
            vec![
                SubmissionReport {
                    name: "bob".into(),
                    source: "/subs/bob.zip".into(),
                    score: 0,
                    max_score: 2,
                    error: Some("the archive has an entry with `..`".into()),
                    flags: vec![],
                    lessons: vec![
                        lesson(1, GradeVerdict::Missing, "unreadable"),
                        lesson(2, GradeVerdict::Missing, "unreadable"),
                    ],
                    seconds: 0.0,
                    git: None,
                    grader: grader_version(),
                    checks: "fnv1a64:0123456789abcdef".into(),
                    files_hash: None,
                },
                SubmissionReport {
                    name: "=HYPERLINK(\"x\"),\"evil\"".into(),
                    source: "/subs/evil".into(),
                    score: 1,
                    max_score: 2,
                    error: None,
                    flags: vec![Flag::new(
                        FlagKind::ProtectedFileChanged,
                        Some(Path::new("exercises/01_l1/tests/check.rs")),
                        "was changed".into(),
                    )],
                    lessons: vec![
                        lesson(1, GradeVerdict::Passed, ""),
                        lesson(2, GradeVerdict::Crashed, "bad <output> & \u{1b}[31m\0\n"),
                    ],
                    seconds: 1.0,
                    git: None,
                    grader: grader_version(),
                    checks: "fnv1a64:0123456789abcdef".into(),
                    files_hash: None,
                },
                SubmissionReport {
                    name: "carol".into(),
                    source: "/subs/carol".into(),
                    score: 0,
                    max_score: 2,
                    error: None,
                    flags: vec![],
                    lessons: vec![
                        lesson(1, GradeVerdict::Error, "Not the learner's fault"),
                        lesson(2, GradeVerdict::TimedOut, "too slow"),
                    ],
                    seconds: 2.0,
                    git: None,
                    grader: grader_version(),
                    checks: "fnv1a64:0123456789abcdef".into(),
                    files_hash: None,
                },
            ],
        )
    }

    #[test]
    fn verdicts_map_to_grading_words() {
        use crate::verdict::Stage;
        let cases = [
            (Verdict::Passed, "passed"),
            (Verdict::Failed, "failed"),
            (Verdict::CompileError, "compile_error"),
            (
                Verdict::Panicked {
                    stage: Stage::Checks,
                },
                "crashed",
            ),
            (
                Verdict::Crashed {
                    stage: Stage::Program,
                    signal: 11,
                },
                "crashed",
            ),
            (
                Verdict::TimedOut {
                    stage: Stage::Checks,
                    seconds: 3,
                },
                "timed_out",
            ),
            (
                Verdict::Flooded {
                    stage: Stage::Program,
                    kib: 256,
                },
                "failed",
            ),
            (
                Verdict::ExitedWithError {
                    stage: Stage::Program,
                    code: 3,
                },
                "failed",
            ),
            (Verdict::CBuildFailed, "error"),
            (Verdict::Environment, "error"),
        ];
        for (verdict, word) in cases {
            assert_eq!(GradeVerdict::from_check(&verdict).as_str(), word);
            let json = serde_json::to_string(&GradeVerdict::from_check(&verdict)).unwrap();
            assert_eq!(json, format!("\"{word}\""));
        }
    }

    #[test]
    fn submissions_are_listed_by_name() {
        let names: Vec<String> = sample().submissions.into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["=HYPERLINK(\"x\"),\"evil\"", "bob", "carol"]);
        let mut names = vec!["carol", "Bob", "alice", "bob"];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(names, ["alice", "Bob", "bob", "carol"]);
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(defuse("alice"), "alice");
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-2"), "'-2");
        assert_eq!(defuse("'quoted"), "''quoted");
        let text = csv(&sample());
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "submission,01_l1,02_l2,01_l1_verdict,02_l2_verdict,total,max_score,flags,error,\
             commit,commit_date"
        );
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"x\"\"),\"\"evil\"\"\",1,0,passed,crashed,1,2,\
             exercises/01_l1/tests/check.rs was changed,,,"
        );
        assert_eq!(
            lines[2],
            "bob,0,0,missing,missing,0,2,,the archive has an entry with `..`,,"
        );
    }

    /// A name's CSV form, read back by a CSV reader and with the one `'`
    /// dropped, is its JSON form, whatever characters it holds.
    #[test]
    fn csv_names_read_back_as_their_json_names() {
        let names = [
            "alice",
            "=cmd|' /C calc'!A0",
            "+1",
            "-1",
            "@x",
            "\tx",
            "'already quoted",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "ünïcödé",
        ];
        let mut report = sample();
        report.submissions = names
            .iter()
            .map(|name| SubmissionReport {
                name: name.to_string(),
                ..report.submissions[1].clone()
            })
            .collect();
        let text = csv(&report);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let read: Vec<String> = reader
            .records()
            .map(|record| record.unwrap()[0].to_string())
            .collect();
        assert_eq!(read.len(), names.len());
        for (name, field) in names.iter().zip(&read) {
            let undone = match field.strip_prefix('\'') {
                Some(rest) if defuse(rest) == *field => rest,
                _ => field.as_str(),
            };
            assert_eq!(undone, *name, "{field:?}");
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{field:?}"
            );
        }
    }

    /// Checks a JUnit document against the rules of the JUnit XML schema
    /// that CI systems read (Jenkins' and Ant's `junit.xsd`): which element
    /// may hold which, the attributes each may carry and which it must, and
    /// that the counts agree with the cases.
    fn check_junit_schema(xml: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
        let allowed = |element: &str| -> (&[&str], &[&str], &[&str]) {
            // (required attributes, optional attributes, child elements)
            match element {
                // Jenkins' junit-10.xsd: no `skipped` (nor `disabled`) here.
                "testsuites" => (
                    &[],
                    &["name", "time", "tests", "failures", "errors"],
                    &["testsuite"],
                ),
                "testsuite" => (
                    &["name", "tests", "failures", "errors"],
                    &[
                        "skipped",
                        "group",
                        "time",
                        "timestamp",
                        "hostname",
                        "id",
                        "package",
                        "file",
                        "log",
                        "url",
                    ],
                    &["properties", "testcase", "system-out", "system-err"],
                ),
                "properties" => (&[], &[], &["property"]),
                "property" => (&["name", "value"], &[], &[]),
                "testcase" => (
                    &["name"],
                    &["classname", "time", "group"],
                    &["skipped", "error", "failure", "system-out", "system-err"],
                ),
                "failure" | "error" | "skipped" => (&[], &["message", "type"], &[]),
                "system-out" | "system-err" => (&[], &[], &[]),
                other => panic!("<{other}> is not a JUnit element"),
            }
        };
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        for node in root.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            let (required, optional, children) = allowed(name);
            for attr in required {
                assert!(node.attribute(*attr).is_some(), "<{name}> needs {attr}");
            }
            for attr in node.attributes() {
                assert!(
                    required.contains(&attr.name()) || optional.contains(&attr.name()),
                    "<{name}> may not carry {}",
                    attr.name()
                );
            }
            for child in node.children().filter(|n| n.is_element()) {
                assert!(
                    children.contains(&child.tag_name().name()),
                    "<{name}> may not hold <{}>",
                    child.tag_name().name()
                );
            }
            for attr in ["time"] {
                if let Some(value) = node.attribute(attr) {
                    assert!(value.parse::<f64>().is_ok(), "{name} {attr}={value}");
                }
            }
            if matches!(name, "testsuites" | "testsuite") {
                let cases = node
                    .descendants()
                    .filter(|n| n.has_tag_name("testcase"))
                    .count();
                let count = |tag: &str| node.descendants().filter(|n| n.has_tag_name(tag)).count();
                let attr = |a: &str| node.attribute(a).map(|v| v.parse::<usize>().unwrap());
                assert_eq!(attr("tests"), Some(cases), "<{name}> tests");
                assert_eq!(attr("failures").unwrap_or(0), count("failure"));
                assert_eq!(attr("errors").unwrap_or(0), count("error"));
            }
            if name == "testcase" {
                let kinds = node
                    .children()
                    .filter(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
                    .count();
                assert!(kinds <= 1, "a case is a failure or an error, once");
            }
        }
        doc
    }

    #[test]
    fn junit_follows_the_schema_and_blames_only_grading_for_errors() {
        let xml = junit(&sample());
        assert!(xml.starts_with("<?xml"));
        let doc = check_junit_schema(&xml);
        let case = |suite: &str, lesson: &str| {
            doc.descendants()
                .find(|n| {
                    n.has_tag_name("testcase")
                        && n.attribute("classname") == Some(suite)
                        && n.attribute("name") == Some(lesson)
                })
                .unwrap_or_else(|| panic!("no case {suite} {lesson}"))
        };
        let outcome = |suite: &str, lesson: &str| {
            case(suite, lesson)
                .children()
                .find(|n| n.is_element())
                .map(|n| {
                    (
                        n.tag_name().name().to_string(),
                        n.attribute("type").unwrap_or("").to_string(),
                    )
                })
        };
        let evil = "=HYPERLINK(\"x\"),\"evil\"";
        assert_eq!(outcome(evil, "01_l1"), None);
        // A crash (an untouched `todo!()` panics) is the learner's: a failure.
        assert_eq!(
            outcome(evil, "02_l2"),
            Some(("failure".into(), "crashed".into()))
        );
        assert_eq!(
            outcome("carol", "02_l2"),
            Some(("failure".into(), "timed_out".into()))
        );
        assert_eq!(
            outcome("bob", "01_l1"),
            Some(("failure".into(), "missing".into()))
        );
        // Only the grading's own trouble is an error.
        assert_eq!(
            outcome("carol", "01_l1"),
            Some(("error".into(), "error".into()))
        );
        let crash = case(evil, "02_l2").first_element_child().unwrap();
        let text = crash.text().unwrap();
        assert!(text.contains("bad <output> &"), "{text:?}");
        assert!(!text.contains('\0') && !text.contains('\u{1b}'));
        let root = doc.root_element();
        assert_eq!(root.attribute("tests"), Some("6"));
        assert_eq!(root.attribute("failures"), Some("4"));
        assert_eq!(root.attribute("errors"), Some("1"));
        let property = |suite: &str, name: &str| -> Vec<String> {
            doc.descendants()
                .filter(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(suite))
                .flat_map(|s| s.descendants())
                .filter(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
                .map(|n| n.attribute("value").unwrap().to_string())
                .collect()
        };
        assert_eq!(
            property("bob", "error"),
            ["the archive has an entry with `..`"]
        );
        assert_eq!(property(evil, "score"), ["1"]);
        assert_eq!(
            property(evil, "flag"),
            ["exercises/01_l1/tests/check.rs was changed"]
        );
    }

    #[test]
    fn json_has_the_documented_shape_and_reads_back() {
        let report = sample();
        let text = render(&report, Format::Json);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let sub = &value["submissions"][0];
        for key in ["name", "score", "max_score", "flags", "lessons"] {
            assert!(!sub[key].is_null(), "{key}");
        }
        let lesson = &sub["lessons"][1];
        assert_eq!(lesson["lesson"], "l2");
        assert_eq!(lesson["verdict"], "crashed");
        assert_eq!(lesson["points"], 0);
        assert_eq!(lesson["max_points"], 1);
        assert!(lesson["detail"].as_str().unwrap().contains("<output>"));
        assert_eq!(sub["flags"][0]["kind"], "protected_file_changed");
        assert_eq!(
            value["submissions"][1]["error"],
            "the archive has an entry with `..`"
        );
        assert!(value.get("shard").is_none());
        assert_eq!(value["summary"]["lessons"][0]["passed"], 1);
        let back: BatchReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
    }

    /// A class of `n` made-up students over eleven lessons, every verdict
    /// and some long feedback among them, some sharing their code.
    pub fn synthetic(n: usize) -> BatchReport {
        let verdicts = GradeVerdict::ALL;
        let lessons: Vec<LessonInfo> = (1..=11)
            .map(|number| LessonInfo {
                lesson: format!("lesson_{number}"),
                number,
                title: format!("Lesson {number}"),
                max_points: 1,
            })
            .collect();
        let subs = (0..n)
            .map(|i| {
                let results: Vec<LessonResult> = (1..=11u32)
                    .map(|number| {
                        let verdict =
                            verdicts[(i * 7 + number as usize * 3 + i % (number as usize + 1)) % 6];
                        let detail = if verdict == GradeVerdict::Passed {
                            String::new()
                        } else {
                            format!(
                                "{}: check {number} found a difference\n{}",
                                verdict.as_str(),
                                "x".repeat(300)
                            )
                        };
                        LessonResult {
                            lesson: format!("lesson_{number}"),
                            number,
                            verdict,
                            points: u32::from(verdict == GradeVerdict::Passed),
                            max_points: 1,
                            failed_checks: if verdict == GradeVerdict::Failed {
                                vec![format!("check::case_{}", i % 3)]
                            } else {
                                vec![]
                            },
                            feedback: detail.clone(),
                            detail,
                            files_hash: Some(format!("{:016x}", (i / 2) * 100 + number as usize)),
                            seconds: 1.0,
                        }
                    })
                    .collect();
                SubmissionReport {
                    name: format!("student-{i:04}"),
                    source: format!("/subs/student-{i:04}"),
                    score: results.iter().map(|l| l.points).sum(),
                    max_score: 11,
                    error: None,
                    flags: vec![],
                    lessons: results,
                    seconds: 9.0,
                    git: None,
                    grader: grader_version(),
                    checks: "fnv1a64:0123456789abcdef".into(),
                    files_hash: None,
                }
            })
            .collect();
        BatchReport::new(
            Header {
                workbook: "/wb".into(),
                sandbox: "bubblewrap 0.8.0".into(),
                grader: grader_version(),
                checks: "fnv1a64:0123456789abcdef".into(),
                before: None,
            },
            lessons,
            11,
            None,
            subs,
        )
    }

    /// GitHub refuses a run summary over 1 MiB: a class of 1,000 fits.
    #[test]
    fn the_markdown_summary_of_a_thousand_students_fits_in_a_run_summary() {
        let text = markdown(&synthetic(1000));
        assert!(text.len() < 1 << 20, "{} bytes", text.len());
        assert!(text.contains("| student-0999 |"), "{}", &text[..500]);
        // One short line a student, no feedback.
        assert!(!text.contains("xxxxxxxx"));
        let mut report = sample();
        report.submissions[0].name = "a|b <script>*x*".into();
        let text = markdown(&report);
        assert!(text.contains("a\\|b \\<script\\>\\*x\\*"), "{text}");
    }

    #[test]
    fn a_lessons_finding_is_past_the_verdict_and_headings() {
        let mut lesson = sample().submissions[0].lessons[1].clone();
        lesson.feedback = "checks failed. Your code runs, but...\n\n\
            --- check `rust_agrees_with_c` (tests/check.rs) failed ---\n\
            thread 'rust_agrees_with_c' panicked at tests/check.rs:8:5:\n\
            assertion `left == right` failed: Rust and C should agree\n  left: 41\n"
            .into();
        assert_eq!(
            lesson.finding(),
            "assertion `left == right` failed: Rust and C should agree"
        );
        assert_eq!(lesson.reason(), "bad <output> &");
        lesson.feedback = "compile error. The Rust compiler found errors.".into();
        lesson.detail = lesson.feedback.clone();
        assert_eq!(
            lesson.finding(),
            "compile error. The Rust compiler found errors."
        );
    }

    #[test]
    fn gradescope_results_have_a_test_per_lesson() {
        let mut report = sample();
        report.submissions.retain(|s| s.name == "carol");
        let value: serde_json::Value = serde_json::from_str(&gradescope(&report)).unwrap();
        assert_eq!(value["score"], 0);
        let tests = value["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[1]["name"], "02 Lesson 2");
        assert_eq!(tests[1]["status"], "failed");
        assert_eq!(tests[1]["max_score"], 1);
        assert!(
            tests[1]["output"]
                .as_str()
                .unwrap()
                .starts_with("timed out")
        );
    }

    #[test]
    fn the_table_shows_scores_marks_the_summary_and_problems() {
        let text = table(&sample());
        assert!(text.contains(
            "Graded 3 submissions against /wb (2 lessons, 1 point each); sandbox: bubblewrap 0.8.0."
        ));
        assert!(text.contains("pass     CRASH"), "{text}");
        assert!(text.contains("Average score: 0.3 / 2"), "{text}");
        assert!(text.contains("flag: exercises/01_l1/tests/check.rs was changed"));
        assert!(text.contains("lesson 2 (l2): crashed"));
        assert!(text.contains("Could not be read: the archive has an entry with `..`"));
    }
}
