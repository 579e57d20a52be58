//! A batch's results and the four ways of writing them: a table for a
//! person, CSV for a gradebook, JUnit XML for CI systems, JSON for programs.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::verdict::Verdict;

/// The verdict on one lesson of one submission, in grading's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeVerdict {
    Passed,
    Failed,
    CompileError,
    Crashed,
    TimedOut,
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
            GradeVerdict::Missing => "missing",
            GradeVerdict::Error => "error",
        }
    }

    /// The table's short mark.
    fn mark(self) -> &'static str {
        match self {
            GradeVerdict::Passed => "pass",
            GradeVerdict::Failed => "FAIL",
            GradeVerdict::CompileError => "COMPILE",
            GradeVerdict::Crashed => "CRASH",
            GradeVerdict::TimedOut => "TIMEOUT",
            GradeVerdict::Missing => "-",
            GradeVerdict::Error => "ERROR",
        }
    }
}

/// Something about a submission the instructor should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// The file concerned, relative to the workbook root.
    pub path: Option<String>,
    pub message: String,
}

impl Flag {
    pub fn new(kind: FlagKind, path: Option<&Path>, what: String) -> Flag {
        let path = path.map(|p| p.to_string_lossy().replace('\\', "/"));
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

#[derive(Debug, Clone, Serialize)]
pub struct LessonResult {
    /// The lesson's short name, `abi_add`.
    pub lesson: String,
    pub number: u32,
    pub verdict: GradeVerdict,
    pub points: u32,
    pub max_points: u32,
    /// What went wrong, as the checker explains it to a learner (empty when passed).
    pub detail: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonInfo {
    pub lesson: String,
    pub number: u32,
    pub title: String,
    pub max_points: u32,
}

/// Everything a batch found.
#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    /// The instructor's workbook the submissions were graded against.
    pub workbook: String,
    /// How learner code was confined: the sandbox's name and version, or
    /// `none (--unconfined)`.
    pub sandbox: String,
    pub lessons: Vec<LessonInfo>,
    pub max_score: u32,
    pub submissions: Vec<SubmissionReport>,
}

impl BatchReport {
    /// Lessons that could not be graded, for the batch's error message.
    pub fn grading_errors(&self) -> Vec<(&SubmissionReport, &LessonResult)> {
        self.submissions
            .iter()
            .flat_map(|s| s.lessons.iter().map(move |l| (s, l)))
            .filter(|(_, l)| l.verdict == GradeVerdict::Error)
            .collect()
    }
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Junit,
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
            _ => None,
        }
    }
}

pub fn render(report: &BatchReport, format: Format) -> String {
    match format {
        Format::Table => table(report),
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(report).expect("a report always serializes");
            text.push('\n');
            text
        }
        Format::Csv => csv(report),
        Format::Junit => junit(report),
    }
}

fn lesson_column(info: &LessonInfo) -> String {
    format!("{:02}_{}", info.number, info.lesson)
}

/// The most lines of a lesson's detail the table shows (a snapshot's diff
/// comes after about a dozen lines of insta's summary).
const TABLE_DETAIL_LINES: usize = 30;

/// The table: one line per submission, then what went wrong, for a person.
pub fn table(report: &BatchReport) -> String {
    let mut out = String::new();
    let n = report.submissions.len();
    let _ = writeln!(
        out,
        "Graded {n} submission{} against {} ({} lessons, 1 point each); sandbox: {}.\n",
        if n == 1 { "" } else { "s" },
        report.workbook,
        report.lessons.len(),
        report.sandbox
    );
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

    out.push_str("\nLessons: ");
    let legend: Vec<String> = report
        .lessons
        .iter()
        .map(|info| {
            let passed = report
                .submissions
                .iter()
                .filter(|s| {
                    s.lessons
                        .iter()
                        .any(|l| l.number == info.number && l.verdict == GradeVerdict::Passed)
                })
                .count();
            format!("{} {} ({passed}/{n} passed)", info.number, info.lesson)
        })
        .collect();
    out.push_str(&legend.join(", "));
    out.push('\n');
    if n > 0 {
        let total: u32 = report.submissions.iter().map(|s| s.score).sum();
        let _ = writeln!(
            out,
            "Average score: {:.1} / {}",
            f64::from(total) / n as f64,
            report.max_score
        );
    }
    out.push_str(
        "Marks: pass, FAIL (a check failed), COMPILE (compile error), CRASH (crashed or \
         panicked), TIMEOUT, - (missing), ERROR (could not be graded: not the learner's fault)\n",
    );

    for sub in &report.submissions {
        let problems: Vec<&LessonResult> = sub
            .lessons
            .iter()
            .filter(|l| !matches!(l.verdict, GradeVerdict::Passed | GradeVerdict::Missing))
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

/// One CSV field, quoted when it must be, and defused when a spreadsheet
/// would run it as a formula (a name or message starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return).
pub fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// For a gradebook: one row per submission, one column per lesson (its
/// points), the total, and the flags.
pub fn csv(report: &BatchReport) -> String {
    let mut header = vec!["submission".to_string()];
    header.extend(report.lessons.iter().map(lesson_column));
    header.extend(["total", "max_score", "flags", "error"].map(String::from));
    let mut out = header
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for sub in &report.submissions {
        let mut row = vec![csv_field(&sub.name)];
        row.extend(sub.lessons.iter().map(|l| l.points.to_string()));
        row.push(sub.score.to_string());
        row.push(sub.max_score.to_string());
        let flags: Vec<&str> = sub.flags.iter().map(|f| f.message.as_str()).collect();
        row.push(csv_field(&flags.join("; ")));
        row.push(csv_field(sub.error.as_deref().unwrap_or("")));
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Text for XML: the five special characters escaped, and characters XML
/// 1.0 cannot hold at all (most control characters, which a crashing
/// program may well print) replaced.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// For CI systems: a test suite per submission, a test case per lesson.
/// Wrong answers (failed, compile_error, missing) are failures; crashes,
/// time-outs and grading errors are errors.
pub fn junit(report: &BatchReport) -> String {
    let count = |sub: &SubmissionReport, kinds: &[GradeVerdict]| {
        sub.lessons
            .iter()
            .filter(|l| kinds.contains(&l.verdict))
            .count()
    };
    let failures_of = |sub: &SubmissionReport| {
        count(
            sub,
            &[
                GradeVerdict::Failed,
                GradeVerdict::CompileError,
                GradeVerdict::Missing,
            ],
        )
    };
    let errors_of = |sub: &SubmissionReport| {
        count(
            sub,
            &[
                GradeVerdict::Crashed,
                GradeVerdict::TimedOut,
                GradeVerdict::Error,
            ],
        )
    };
    let tests: usize = report.submissions.iter().map(|s| s.lessons.len()).sum();
    let failures: usize = report.submissions.iter().map(failures_of).sum();
    let errors: usize = report.submissions.iter().map(errors_of).sum();
    let time: f64 = report.submissions.iter().map(|s| s.seconds).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"FFI Workbook\" tests=\"{tests}\" failures=\"{failures}\" \
         errors=\"{errors}\" time=\"{time:.3}\">"
    );
    for sub in &report.submissions {
        let name = xml_escape(&sub.name);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" \
             skipped=\"0\" time=\"{:.3}\">",
            sub.lessons.len(),
            failures_of(sub),
            errors_of(sub),
            sub.seconds
        );
        out.push_str("    <properties>\n");
        let mut property = |name: &str, value: &str| {
            let _ = writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                xml_escape(name),
                xml_escape(value)
            );
        };
        property("score", &sub.score.to_string());
        property("max_score", &sub.max_score.to_string());
        property("source", &sub.source);
        if let Some(error) = &sub.error {
            property("error", error);
        }
        for flag in &sub.flags {
            property("flag", &flag.message);
        }
        out.push_str("    </properties>\n");
        for lesson in &sub.lessons {
            let case = format!("{:02}_{}", lesson.number, lesson.lesson);
            let _ = write!(
                out,
                "    <testcase classname=\"{name}\" name=\"{}\" time=\"{:.3}\"",
                xml_escape(&case),
                lesson.seconds
            );
            let element = match lesson.verdict {
                GradeVerdict::Passed => {
                    out.push_str("/>\n");
                    continue;
                }
                GradeVerdict::Failed | GradeVerdict::CompileError | GradeVerdict::Missing => {
                    "failure"
                }
                GradeVerdict::Crashed | GradeVerdict::TimedOut | GradeVerdict::Error => "error",
            };
            let _ = writeln!(
                out,
                ">\n      <{element} type=\"{0}\" message=\"{0}\">{1}</{element}>\n    </testcase>",
                lesson.verdict.as_str(),
                xml_escape(&lesson.detail)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BatchReport {
        let lesson = |number, verdict: GradeVerdict, detail: &str| LessonResult {
            lesson: format!("l{number}"),
            number,
            verdict,
            points: u32::from(verdict == GradeVerdict::Passed),
            max_points: 1,
            detail: detail.into(),
            seconds: 0.5,
        };
        BatchReport {
            workbook: "/wb".into(),
            sandbox: "bubblewrap 0.8.0".into(),
            lessons: (1..=2)
                .map(|number| LessonInfo {
                    lesson: format!("l{number}"),
                    number,
                    title: format!("Lesson {number}"),
                    max_points: 1,
                })
                .collect(),
            max_score: 2,
            submissions: vec![
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
                },
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
                },
            ],
        }
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
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("alice"), "alice");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        let text = csv(&sample());
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "submission,01_l1,02_l2,total,max_score,flags,error"
        );
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"x\"\"),\"\"evil\"\"\",1,0,1,2,\
             exercises/01_l1/tests/check.rs was changed,"
        );
        assert_eq!(lines[2], "bob,0,0,0,2,,the archive has an entry with `..`");
    }

    #[test]
    fn xml_is_escaped_and_stays_well_formed() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml_escape("a\u{1b}[0m\0b\n"), "a\u{FFFD}[0m\u{FFFD}b\n");
        let xml = junit(&sample());
        assert!(
            xml.contains(
                "<testsuites name=\"FFI Workbook\" tests=\"4\" failures=\"2\" errors=\"1\""
            )
        );
        assert!(xml.contains("<testsuite name=\"=HYPERLINK(&quot;x&quot;),&quot;evil&quot;\""));
        assert!(xml.contains(
            "<error type=\"crashed\" message=\"crashed\">bad &lt;output&gt; &amp; \u{FFFD}[31m\u{FFFD}\n</error>"
        ));
        assert!(xml.contains("<failure type=\"missing\""));
        assert!(
            xml.contains("<property name=\"error\" value=\"the archive has an entry with `..`\"/>")
        );
        // Every element that opens closes.
        for tag in ["testsuites", "testsuite", "properties"] {
            assert_eq!(
                xml.matches(&format!("<{tag}>")).count() + xml.matches(&format!("<{tag} ")).count(),
                xml.matches(&format!("</{tag}>")).count(),
                "{tag}"
            );
        }
        assert!(!xml.contains('\0') && !xml.contains('\u{1b}'));
    }

    #[test]
    fn json_has_the_documented_shape() {
        let value: serde_json::Value =
            serde_json::from_str(&render(&sample(), Format::Json)).unwrap();
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
    }

    #[test]
    fn the_table_shows_scores_marks_and_problems() {
        let text = table(&sample());
        assert!(text.contains(
            "Graded 2 submissions against /wb (2 lessons, 1 point each); sandbox: bubblewrap 0.8.0."
        ));
        assert!(text.contains("pass     CRASH"), "{text}");
        assert!(text.contains("1 l1 (1/2 passed), 2 l2 (0/2 passed)"));
        assert!(text.contains("Average score: 0.5 / 2"));
        assert!(text.contains("flag: exercises/01_l1/tests/check.rs was changed"));
        assert!(text.contains("lesson 2 (l2): crashed"));
        assert!(text.contains("Could not be read: the archive has an entry with `..`"));
    }
}
