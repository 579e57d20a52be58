//! `grade --out class.html`: the class report, one self-contained page (no
//! script, no file or address it loads) an instructor opens in a browser.
//!
//! It shows students × lessons as a heat map of verdicts, the scores'
//! histogram, the lessons ranked by how often they fail among those who
//! tried them, the checks that failed most and the commonest errors, and
//! submissions whose code is the same (or all but one lesson the same).
//! The charts are SVG drawn by `plotters`, which only the `class-report`
//! feature compiles: a learner's first build never pays for it.
//!
//! Everything a submission wrote (its name, its source, the feedback on its
//! code) is escaped as HTML text before it reaches the page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::report::{BatchReport, GradeVerdict, SubmissionReport, name_order};

/// Text as HTML: `&`, `<`, `>` and both quotes escaped (so it is safe in
/// text and in quoted attributes alike), control characters dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The colour of a verdict's cell, and its legend.
fn colour(verdict: GradeVerdict) -> &'static str {
    match verdict {
        GradeVerdict::Passed => "#2e9d4a",
        GradeVerdict::Failed => "#e0a030",
        GradeVerdict::CompileError => "#c9552b",
        GradeVerdict::Crashed => "#a8262d",
        GradeVerdict::TimedOut => "#7d4aa8",
        GradeVerdict::NotAttempted => "#d8dce0",
        GradeVerdict::Missing => "#ffffff",
        GradeVerdict::Error => "#222222",
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\
table{border-collapse:collapse;font-size:13px}td,th{padding:2px 6px;border:1px solid #ddd;text-align:left}\
table.heat td.v{width:22px;height:16px;padding:0;border:1px solid #fff}\
.legend span{display:inline-block;width:14px;height:14px;vertical-align:middle;margin:0 4px 0 12px;border:1px solid #aaa}\
.charts{display:flex;flex-wrap:wrap;gap:24px}.meta{color:#555;font-size:13px}\
pre{white-space:pre-wrap;margin:0;font-size:12px}";

/// The whole page.
pub fn page(report: &BatchReport) -> String {
    let mut out = String::with_capacity(4096 + report.submissions.len() * 600);
    let summary = &report.summary;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Class report: {} submissions</title><style>{STYLE}</style></head><body>\n\
         <h1>Class report: {} submission{}, average score {:.1} / {}</h1>\n\
         <p class=\"meta\">Graded by {} against {} (checks {}), sandbox: {}{}.</p>\n",
        summary.submissions,
        summary.submissions,
        if summary.submissions == 1 { "" } else { "s" },
        summary.average_score,
        summary.max_score,
        escape(&report.grader),
        escape(&report.workbook),
        escape(&report.checks),
        escape(&report.sandbox),
        match &report.before {
            Some(before) => format!(", git submissions as of {}", escape(before)),
            None => String::new(),
        }
    );
    out.push_str("<div class=\"charts\">");
    out.push_str(&charts::score_histogram(report));
    out.push_str(&charts::failure_rates(report));
    out.push_str("</div>\n");
    lesson_table(report, &mut out);
    checks_and_errors(report, &mut out);
    similar(report, &mut out);
    heat_map(report, &mut out);
    out.push_str("</body></html>\n");
    out
}

fn lesson_table(report: &BatchReport, out: &mut String) {
    out.push_str(
        "<h2>Lessons, the most failed first (among those who tried)</h2>\n<table><tr>\
         <th>lesson</th><th>tried</th><th>passed</th><th>failure rate</th>\
         <th>not attempted</th><th>verdicts</th></tr>\n",
    );
    for lesson in ranked(report) {
        let verdicts: Vec<String> = (lesson.verdicts.iter())
            .map(|v| format!("{} {}", v.verdict.as_str(), v.count))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{:02} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            lesson.number,
            escape(&lesson.lesson),
            lesson.attempted,
            lesson.passed,
            lesson
                .failure_rate
                .map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0)),
            lesson.not_attempted,
            escape(&verdicts.join(", "))
        );
    }
    out.push_str("</table>\n");
}

/// The lessons by failure rate among those who tried, highest first (ties
/// and untried lessons in lesson order).
fn ranked(report: &BatchReport) -> Vec<&super::summary::LessonSummary> {
    let mut lessons: Vec<_> = report.summary.lessons.iter().collect();
    lessons.sort_by(|a, b| {
        let rate = |l: &super::summary::LessonSummary| l.failure_rate.unwrap_or(-1.0);
        rate(b).total_cmp(&rate(a))
    });
    lessons
}

fn checks_and_errors(report: &BatchReport, out: &mut String) {
    out.push_str(
        "<h2>The checks that failed most</h2>\n<table><tr><th>lesson</th><th>check</th>\
         <th>submissions</th></tr>\n",
    );
    let mut checks: Vec<(u32, &str, usize)> = (report.summary.lessons.iter())
        .flat_map(|l| {
            (l.most_failed_checks.iter()).map(move |c| (l.number, c.check.as_str(), c.count))
        })
        .collect();
    checks.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(b.1)));
    for (number, check, count) in checks.iter().take(20) {
        let _ = writeln!(
            out,
            "<tr><td>{number:02}</td><td><code>{}</code></td><td>{count}</td></tr>",
            escape(check)
        );
    }
    out.push_str("</table>\n");
    // The first thing the checker found (past its verdict and advice),
    // grouped: the commonest mistakes across the class.
    let mut errors: BTreeMap<(u32, String), usize> = BTreeMap::new();
    for sub in &report.submissions {
        for lesson in &sub.lessons {
            if lesson.verdict.attempted() && lesson.verdict != GradeVerdict::Passed {
                *errors.entry((lesson.number, lesson.finding())).or_default() += 1;
            }
        }
    }
    let mut errors: Vec<((u32, String), usize)> = errors.into_iter().collect();
    errors.sort_by_key(|e| std::cmp::Reverse(e.1));
    out.push_str(
        "<h2>The commonest errors</h2>\n<table><tr><th>lesson</th><th>what the checker \
         found first</th><th>submissions</th></tr>\n",
    );
    for ((number, reason), count) in errors.iter().take(20) {
        let _ = writeln!(
            out,
            "<tr><td>{number:02}</td><td><pre>{}</pre></td><td>{count}</td></tr>",
            escape(reason)
        );
    }
    out.push_str("</table>\n");
}

/// Pairs of submissions whose code is the same: every lesson both wrote
/// (a lesson left as shipped is no evidence), or all of those but one, and
/// at least two in common.
pub fn similar_pairs(
    report: &BatchReport,
) -> Vec<(&SubmissionReport, &SubmissionReport, usize, usize)> {
    fn written(s: &SubmissionReport) -> BTreeMap<u32, &str> {
        (s.lessons.iter())
            .filter(|l| l.verdict.attempted())
            .filter_map(|l| Some((l.number, l.files_hash.as_deref()?)))
            .collect()
    }
    let subs: Vec<(&SubmissionReport, BTreeMap<u32, &str>)> = (report.submissions.iter())
        .map(|s| (s, written(s)))
        .filter(|(_, w)| w.len() >= 2)
        .collect();
    let mut pairs = Vec::new();
    for (i, (a, wa)) in subs.iter().enumerate() {
        for (b, wb) in &subs[i + 1..] {
            let (mut both, mut same) = (0, 0);
            for (number, hash) in wa {
                if let Some(theirs) = wb.get(number) {
                    both += 1;
                    same += usize::from(hash == theirs);
                }
            }
            if both >= 2 && same >= 2 && same + 1 >= both {
                pairs.push((*a, *b, same, both));
            }
        }
    }
    // The most alike first (the larger share, then more lessons), then by name.
    pairs.sort_by(|x, y| {
        (y.2 * x.3)
            .cmp(&(x.2 * y.3))
            .then(y.2.cmp(&x.2))
            .then_with(|| name_order(&x.0.name, &y.0.name))
            .then_with(|| name_order(&x.1.name, &y.1.name))
    });
    pairs
}

fn similar(report: &BatchReport, out: &mut String) {
    let pairs = similar_pairs(report);
    let _ = writeln!(
        out,
        "<h2>Identical or near-identical submissions ({})</h2>\n<p class=\"meta\">The same \
         code (a hash of each lesson's editable files without whitespace or <code>//</code> \
         comments) in every lesson both wrote, or in all but one.</p>",
        pairs.len()
    );
    if pairs.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    out.push_str(
        "<table><tr><th>submission</th><th>submission</th><th>lessons the same</th>\
         <th>scores</th></tr>\n",
    );
    for (a, b, same, both) in pairs.iter().take(200) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{same} of {both}{}</td><td>{} / {}</td></tr>",
            escape(&a.name),
            escape(&b.name),
            if same == both { " (identical)" } else { "" },
            a.score,
            b.score
        );
    }
    out.push_str("</table>\n");
}

fn heat_map(report: &BatchReport, out: &mut String) {
    out.push_str("<h2>Students × lessons</h2>\n<p class=\"legend\">");
    for verdict in GradeVerdict::ALL {
        let _ = write!(
            out,
            "<span style=\"background:{}\"></span>{}",
            colour(verdict),
            verdict.as_str().replace('_', " ")
        );
    }
    out.push_str("</p>\n<table class=\"heat\"><tr><th>submission</th><th>score</th>");
    for info in &report.lessons {
        let _ = write!(
            out,
            "<th title=\"{}\">{}</th>",
            escape(&info.title),
            info.number
        );
    }
    out.push_str("<th>flags</th><th>commit</th></tr>\n");
    for sub in &report.submissions {
        let _ = write!(
            out,
            "<tr><td title=\"{}\">{}</td><td>{}/{}</td>",
            escape(&sub.source),
            escape(&sub.name),
            sub.score,
            sub.max_score
        );
        for info in &report.lessons {
            match sub.lesson(info.number) {
                Some(lesson) => {
                    let _ = write!(
                        out,
                        "<td class=\"v\" style=\"background:{}\" title=\"{}: {}\"></td>",
                        colour(lesson.verdict),
                        lesson.verdict.as_str(),
                        escape(&lesson.reason())
                    );
                }
                None => out.push_str("<td class=\"v\"></td>"),
            }
        }
        let flags = if let Some(error) = &sub.error {
            format!("unreadable: {}", escape(error))
        } else {
            (sub.flags.iter())
                .map(|f| escape(&f.message))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let commit = sub.git.as_ref().map_or(String::new(), |g| {
            format!(
                "{} {}",
                escape(&g.commit.chars().take(10).collect::<String>()),
                escape(&g.date)
            )
        });
        let _ = writeln!(out, "<td>{flags}</td><td>{commit}</td></tr>");
    }
    out.push_str("</table>\n");
}

#[cfg(feature = "class-report")]
mod charts {
    use plotters::prelude::*;

    use super::{BatchReport, escape, ranked};

    /// What a chart that could not be drawn leaves in its place.
    fn failed(what: &str, err: impl std::fmt::Display) -> String {
        format!(
            "<p>The {what} could not be drawn: {}</p>",
            escape(&err.to_string())
        )
    }

    /// How many submissions got each score.
    pub fn score_histogram(report: &BatchReport) -> String {
        let max = report.max_score;
        let mut counts = vec![0u32; max as usize + 1];
        for sub in &report.submissions {
            counts[sub.score.min(max) as usize] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(0).max(1);
        let mut svg = String::new();
        let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            let root = SVGBackend::with_string(&mut svg, (560, 320)).into_drawing_area();
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption("Scores", ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(44)
                .build_cartesian_2d((0u32..max).into_segmented(), 0u32..top + top / 10 + 1)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("score")
                .y_desc("submissions")
                .draw()?;
            chart.draw_series(
                Histogram::vertical(&chart)
                    .style(RGBColor(0x2e, 0x6d, 0xb4).filled())
                    .margin(3)
                    .data(
                        counts
                            .iter()
                            .enumerate()
                            .map(|(score, &n)| (score as u32, n)),
                    ),
            )?;
            root.present()?;
            Ok(())
        })();
        match drawn {
            Ok(()) => svg,
            Err(err) => failed("score histogram", err),
        }
    }

    /// Each lesson's failure rate among those who tried it, the highest on top.
    pub fn failure_rates(report: &BatchReport) -> String {
        let lessons: Vec<_> = ranked(report)
            .into_iter()
            .filter(|l| l.failure_rate.is_some())
            .collect();
        if lessons.is_empty() {
            return "<p>No lesson was tried.</p>".into();
        }
        let n = lessons.len() as u32;
        let labels: Vec<String> = (lessons.iter())
            .map(|l| format!("{:02} {}", l.number, l.lesson))
            .collect();
        let mut svg = String::new();
        let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            let height = 80 + 26 * n;
            let root = SVGBackend::with_string(&mut svg, (620, height)).into_drawing_area();
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption("Failure rate among those who tried", ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(190)
                .build_cartesian_2d(0f64..100f64, (0u32..n).into_segmented())?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc("% of those who tried that did not pass")
                .y_labels(n as usize)
                .y_label_formatter(&|value| match value {
                    SegmentValue::CenterOf(i) => (n - 1)
                        .checked_sub(*i)
                        .and_then(|row| labels.get(row as usize))
                        .cloned()
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .draw()?;
            chart.draw_series(
                Histogram::horizontal(&chart)
                    .style(RGBColor(0xc9, 0x55, 0x2b).filled())
                    .margin(4)
                    .data(lessons.iter().enumerate().map(|(i, lesson)| {
                        (n - 1 - i as u32, lesson.failure_rate.unwrap_or(0.0) * 100.0)
                    })),
            )?;
            root.present()?;
            Ok(())
        })();
        match drawn {
            Ok(()) => svg,
            Err(err) => failed("failure-rate chart", err),
        }
    }
}

#[cfg(not(feature = "class-report"))]
mod charts {
    //! Never reached: `grade` refuses an HTML report up front without the
    //! feature (see `available`).
    use super::BatchReport;

    pub fn score_histogram(_: &BatchReport) -> String {
        String::new()
    }

    pub fn failure_rates(_: &BatchReport) -> String {
        String::new()
    }
}

/// Whether this checker can write the class report: it was built with the
/// `class-report` feature.
pub fn available() -> Result<(), String> {
    if cfg!(feature = "class-report") {
        Ok(())
    } else {
        Err(
            "this checker was built without the class report (its charts are not part of \
             the learner's build): run `cargo run -p checker --features class-report -- \
             grade ...` to write an .html report"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::report::tests::{sample, synthetic};

    #[test]
    fn submission_text_is_escaped() {
        let mut report = sample();
        report.submissions[0].name = "<script>alert(1)</script>".into();
        report.submissions[2].lessons[1].detail = "\"><img src=x onerror=alert(2)>".into();
        let page = page(&report);
        assert!(!page.contains("<script>alert"), "a name ran");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<img src=x"), "feedback ran");
        assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
        assert!(!page.contains("<script"), "no script at all");
    }

    #[test]
    fn identical_code_is_paired_and_untouched_code_is_not() {
        let report = synthetic(6);
        let pairs = similar_pairs(&report);
        let mut names: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(a, b, _, _)| (a.name.as_str(), b.name.as_str()))
            .collect();
        names.sort();
        // synthetic() gives students 2k and 2k+1 the same code.
        assert_eq!(
            names,
            [
                ("student-0000", "student-0001"),
                ("student-0002", "student-0003"),
                ("student-0004", "student-0005")
            ]
        );
        // Lessons left as shipped are no evidence of copying.
        let mut untouched = synthetic(2);
        for sub in &mut untouched.submissions {
            for lesson in &mut sub.lessons {
                lesson.verdict = GradeVerdict::NotAttempted;
            }
        }
        assert!(similar_pairs(&untouched).is_empty());
    }

    #[cfg(feature = "class-report")]
    #[test]
    fn the_class_report_has_its_charts_and_a_cell_per_lesson() {
        let report = synthetic(300);
        let start = std::time::Instant::now();
        let page = page(&report);
        eprintln!(
            "class report of 300: {} bytes in {:?} (a loaded machine)",
            page.len(),
            start.elapsed()
        );
        assert_eq!(page.matches("<svg").count(), 2, "two charts");
        assert_eq!(page.matches("<td class=\"v\"").count(), 300 * 11);
        assert!(page.contains("Failure rate among those who tried"));
        let big = synthetic(1000);
        let start = std::time::Instant::now();
        let page = super::page(&big);
        eprintln!(
            "class report of 1000: {} bytes in {:?} (a loaded machine)",
            page.len(),
            start.elapsed()
        );
        assert!(page.len() < 20 << 20);
    }
}
