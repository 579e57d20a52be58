//! Reading libtest, the standard test harness: the list of tests a test
//! program holds (`--list --format terse`) and the report it prints when it
//! runs. A lesson passes only on a positive report: every listed test said
//! `ok` exactly once, no test that does not exist was reported, the summary
//! agrees, and the program exited 0. An early `std::process::exit(0)` in
//! learner code therefore fails, with its own verdict.
//!
//! Learner code runs inside the test program, so a report can always be
//! forged by code written for that purpose (printing libtest's lines itself).
//! What such forgery leaves behind (a test reported twice, a test that does
//! not exist, a test said `ignored` that is not `#[ignore]`, a summary that
//! disagrees) is caught and named here; a complete forgery is not, which is
//! why grading also judges each lesson by its probe (probe.rs).

use std::collections::{BTreeMap, BTreeSet};

/// The tests a test program lists, from `--list --format terse`
/// (`name: test` lines; benchmarks are not tests).
pub fn parse_list(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_string)
        .collect()
}

/// What a test program lists: every test (`--list`), and those marked
/// `#[ignore]` (`--list --ignored`), the only ones that may report `ignored`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub tests: BTreeSet<String>,
    pub ignored: BTreeSet<String>,
}

/// How one test ended, as libtest reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
    Ignored,
}

/// What a test program's report says, line by line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Each test's outcome, in the order reported.
    pub results: Vec<(String, Outcome)>,
    /// `test result: ...` summaries: (ok?, passed, failed, ignored).
    pub summaries: Vec<(bool, usize, usize, usize)>,
    /// Each failing test's own output (what libtest captured, with the
    /// panic message), from the `failures:` section.
    pub failure_output: BTreeMap<String, String>,
}

/// Reads libtest's pretty report (`test NAME ... ok` lines, the `failures:`
/// section, the `test result:` line), by its structure: a test's captured
/// output, printed in the failures section, may quote a whole report of its
/// own (a check that ran a test program under valgrind and failed), so lines
/// there are never read as this report's results or summary.
pub fn parse_report(stdout: &str) -> Report {
    let mut report = Report::default();
    // Results come before the failures section; once it starts, a line
    // shaped like a result is some test's output.
    let results_end = line_starts(stdout)
        .find(|&at| {
            let line = stdout[at..].lines().next().unwrap_or("");
            line == "failures:" || is_block_heading(line).is_some()
        })
        .unwrap_or(stdout.len());
    let (head, rest) = stdout.split_at(results_end);
    for line in head.lines() {
        if let Some(rest) = line.strip_prefix("test ") {
            if let Some(summary) = rest.strip_prefix("result: ") {
                if let Some(parsed) = parse_summary(summary) {
                    report.summaries.push(parsed);
                }
                continue;
            }
            let Some((name, outcome)) = rest.rsplit_once(" ... ") else {
                continue;
            };
            let outcome = match outcome.trim_end() {
                "ok" => Outcome::Ok,
                "FAILED" => Outcome::Failed,
                o if o == "ignored" || o.starts_with("ignored,") => Outcome::Ignored,
                _ => continue,
            };
            report.results.push((name.to_string(), outcome));
        }
    }
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|(_, outcome)| *outcome == Outcome::Failed)
        .map(|(name, _)| name.as_str())
        .collect();
    // libtest ends the section by listing the failed tests again, in the
    // order they were reported; the last such list is the real one.
    let list: String = std::iter::once("failures:\n".to_string())
        .chain(failed.iter().map(|name| format!("    {name}\n")))
        .collect();
    let (section, trailer) = match rest.rfind(&format!("\n{list}")) {
        Some(at) if !failed.is_empty() => (&rest[..at + 1], &rest[at + 1 + list.len()..]),
        // No list to anchor on (no failures, or a report cut short): what
        // follows the results is read as libtest's own.
        _ => ("", rest),
    };
    for line in trailer.lines() {
        if let Some(summary) = line.strip_prefix("test result: ")
            && let Some(parsed) = parse_summary(summary)
        {
            report.summaries.push(parsed);
        }
    }
    report.failure_output = if section.is_empty() {
        failure_blocks(rest, &failed, true)
    } else {
        failure_blocks(section, &failed, false)
    };
    report
}

/// The byte offsets at which each line of `text` starts.
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1))
}

/// `NAME` of a `---- NAME stdout ----` line.
fn is_block_heading(line: &str) -> Option<&str> {
    line.strip_prefix("---- ")?.strip_suffix(" stdout ----")
}

/// `ok. 3 passed; 0 failed; 1 ignored; ...` -> (true, 3, 0, 1)
fn parse_summary(text: &str) -> Option<(bool, usize, usize, usize)> {
    let (status, counts) = text.split_once(". ")?;
    let ok = match status {
        "ok" => true,
        "FAILED" => false,
        _ => return None,
    };
    let mut passed = None;
    let mut failed = None;
    let mut ignored = 0;
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        match what {
            "passed" => passed = n.parse().ok(),
            "failed" => failed = n.parse().ok(),
            "ignored" => ignored = n.parse().unwrap_or(0),
            _ => {}
        }
    }
    Some((ok, passed?, failed?, ignored))
}

/// Each failed test's block (`---- NAME stdout ----` and what follows) in
/// `section`. libtest prints the blocks in the order the tests failed, so
/// each block runs to the heading of the next failed test, whatever its own
/// text holds (another report's headings included). `unanchored`: the
/// section's end was not found, so the last block stops at the last
/// `failures:` line.
fn failure_blocks(section: &str, failed: &[&str], unanchored: bool) -> BTreeMap<String, String> {
    let mut blocks = BTreeMap::new();
    let mut from = 0;
    let starts: Vec<(usize, &str)> = failed
        .iter()
        .filter_map(|name| {
            let heading = format!("---- {name} stdout ----\n");
            let found = line_starts(section)
                .filter(|&at| at >= from)
                .find(|&at| section[at..].starts_with(&heading))?;
            from = found + heading.len();
            Some((found, *name))
        })
        .collect();
    for (i, (at, name)) in starts.iter().enumerate() {
        let body_start = at + format!("---- {name} stdout ----\n").len();
        let body_end = starts.get(i + 1).map_or(section.len(), |(next, _)| *next);
        let mut text = section[body_start..body_end].to_string();
        // The last block runs to where libtest lists the names again.
        if unanchored
            && i + 1 == starts.len()
            && let Some(end) = text.rfind("\nfailures:\n")
        {
            text.truncate(end);
        }
        blocks.insert(name.to_string(), text.trim().to_string());
    }
    blocks
}

/// What a test program's run proves, given the tests it should have run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Every expected test reported once: `ok`, or `ignored` where it is
    /// `#[ignore]` (the lesson's own test files mark helpers run in a child
    /// process so), and the summary agrees.
    AllPassed,
    /// These tests reported `FAILED` (in report order).
    Failed(Vec<String>),
    /// The report stopped before these tests reported (an early exit).
    Unreported(Vec<String>),
    /// The report does not add up: what is wrong with it.
    Inconsistent(String),
}

/// Judges a report against the expected tests. `exited_ok`: the program
/// exited with 0. Failures win over gaps: a failing test says more than a
/// missing one.
pub fn judge(report: &Report, listed: &Listed, exited_ok: bool) -> Judgement {
    let expected = &listed.tests;
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, _) in &report.results {
        *seen.entry(name).or_default() += 1;
    }
    let unknown: Vec<&str> = seen
        .keys()
        .copied()
        .filter(|name| !expected.contains(*name))
        .collect();
    if !unknown.is_empty() {
        return Judgement::Inconsistent(format!(
            "it reported checks that do not exist: {}",
            unknown.join(", ")
        ));
    }
    let twice: Vec<&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(name, _)| *name)
        .collect();
    if !twice.is_empty() {
        return Judgement::Inconsistent(format!(
            "it reported the same check more than once: {}",
            twice.join(", ")
        ));
    }
    let failed: Vec<String> = report
        .results
        .iter()
        .filter(|(_, outcome)| *outcome == Outcome::Failed)
        .map(|(name, _)| name.clone())
        .collect();
    if !failed.is_empty() {
        return Judgement::Failed(failed);
    }
    let not_ignorable: Vec<&str> = report
        .results
        .iter()
        .filter(|(name, outcome)| *outcome == Outcome::Ignored && !listed.ignored.contains(name))
        .map(|(name, _)| name.as_str())
        .collect();
    if !not_ignorable.is_empty() {
        return Judgement::Inconsistent(format!(
            "it reported checks as ignored that are not marked #[ignore]: {}",
            not_ignorable.join(", ")
        ));
    }
    let unreported: Vec<String> = expected
        .iter()
        .filter(|name| !seen.contains_key(name.as_str()))
        .cloned()
        .collect();
    if !unreported.is_empty() {
        return Judgement::Unreported(unreported);
    }
    let ignored = report
        .results
        .iter()
        .filter(|(_, outcome)| *outcome == Outcome::Ignored)
        .count();
    let adds_up = |passed: usize, ignored_said: usize| {
        passed + ignored == expected.len() && ignored_said == ignored
    };
    match report.summaries.as_slice() {
        [(true, passed, 0, i)] if adds_up(*passed, *i) && exited_ok => Judgement::AllPassed,
        [] => Judgement::Unreported(Vec::new()),
        [(true, passed, 0, i)] if adds_up(*passed, *i) => Judgement::Inconsistent(
            "every check reported ok, yet the test program did not exit cleanly".into(),
        ),
        [summary] => Judgement::Inconsistent(format!(
            "its summary ({} passed, {} failed) does not match the {} checks that ran",
            summary.1,
            summary.2,
            expected.len()
        )),
        _ => Judgement::Inconsistent("it printed more than one summary".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSING: &str = "\nrunning 2 tests\ntest a ... ok\ntest m::b ... ok\n\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\n";

    const FAILING: &str = "\nrunning 2 tests\ntest a ... ok\ntest m::b ... FAILED\n\nfailures:\n\n---- m::b stdout ----\n\nthread 'm::b' panicked at src/lib.rs:7:5:\nnot yet implemented\nnote: run with `RUST_BACKTRACE=1`\n\n\nfailures:\n    m::b\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\n";

    fn names() -> BTreeSet<String> {
        ["a", "m::b"].iter().map(|s| s.to_string()).collect()
    }

    fn expected() -> Listed {
        Listed {
            tests: names(),
            ignored: BTreeSet::new(),
        }
    }

    #[test]
    fn lists_are_read_from_terse_output() {
        let list = parse_list("a: test\nm::b: test\nbench_x: benchmark\n");
        assert_eq!(list, names());
    }

    #[test]
    fn a_full_positive_report_passes() {
        assert_eq!(
            judge(&parse_report(PASSING), &expected(), true),
            Judgement::AllPassed
        );
    }

    #[test]
    fn failures_are_named_with_their_output() {
        let report = parse_report(FAILING);
        assert_eq!(
            judge(&report, &expected(), false),
            Judgement::Failed(vec!["m::b".into()])
        );
        let output = &report.failure_output["m::b"];
        assert!(output.starts_with("thread 'm::b' panicked at src/lib.rs:7:5:"));
        assert!(output.contains("not yet implemented"));
        assert!(!output.contains("test result"));
    }

    #[test]
    fn an_early_exit_with_code_zero_does_not_pass() {
        // `std::process::exit(0)` in the first test: nothing after "running".
        let report = parse_report("\nrunning 2 tests\n");
        assert_eq!(
            judge(&report, &expected(), true),
            Judgement::Unreported(vec!["a".into(), "m::b".into()])
        );
        // One test reported before the exit.
        let report = parse_report("\nrunning 2 tests\ntest a ... ok\n");
        assert_eq!(
            judge(&report, &expected(), true),
            Judgement::Unreported(vec!["m::b".into()])
        );
    }

    #[test]
    fn forged_reports_do_not_add_up() {
        let forged = format!("test a ... ok\ntest m::b ... ok\n{PASSING}");
        assert!(matches!(
            judge(&parse_report(&forged), &expected(), true),
            Judgement::Inconsistent(why) if why.contains("more than once")
        ));
        let invented = "test a ... ok\ntest m::b ... ok\ntest extra ... ok\n\ntest result: ok. 3 passed; 0 failed; 0 ignored\n";
        assert!(matches!(
            judge(&parse_report(invented), &expected(), true),
            Judgement::Inconsistent(why) if why.contains("do not exist")
        ));
        let wrong_count =
            "test a ... ok\ntest m::b ... ok\n\ntest result: ok. 5 passed; 0 failed; 0 ignored\n";
        assert!(matches!(
            judge(&parse_report(wrong_count), &expected(), true),
            Judgement::Inconsistent(why) if why.contains("does not match")
        ));
    }

    #[test]
    fn a_clean_report_with_a_bad_exit_is_not_a_pass() {
        assert!(matches!(
            judge(&parse_report(PASSING), &expected(), false),
            Judgement::Inconsistent(_)
        ));
    }

    #[test]
    fn ignored_helpers_count_as_reported() {
        // Lessons mark helpers that a check runs in a child process #[ignore].
        let report = parse_report(
            "test a ... ok\ntest m::b ... ignored, run in a child\n\ntest result: ok. 1 passed; 0 failed; 1 ignored; 0 measured\n",
        );
        let helper = Listed {
            tests: names(),
            ignored: ["m::b".to_string()].into(),
        };
        assert_eq!(judge(&report, &helper, true), Judgement::AllPassed);
        // The same report, where m::b is not #[ignore]: not a pass.
        assert!(matches!(
            judge(&report, &expected(), true),
            Judgement::Inconsistent(why) if why.contains("not marked #[ignore]: m::b")
        ));
        let lying = parse_report(
            "test a ... ok\ntest m::b ... ignored\n\ntest result: ok. 2 passed; 0 failed; 0 ignored\n",
        );
        assert!(matches!(
            judge(&lying, &helper, true),
            Judgement::Inconsistent(_)
        ));
    }

    #[test]
    fn a_report_quoted_in_a_failure_is_not_read_as_this_one() {
        // A check ran a test program under valgrind, and its panic message
        // quotes that program's whole report (lesson 9 did).
        let nested = "running 1 test\ntest t::check ... ok\n\nfailures:\n\n---- t::check stdout ----\nboom\n\nfailures:\n    t::check\n\ntest result: FAILED. 0 passed; 1 failed; 0 ignored\n";
        let stdout = format!(
            "\nrunning 2 tests\ntest a ... ok\ntest m::b ... FAILED\n\nfailures:\n\n---- m::b stdout ----\nthread 'm::b' panicked at tests/c.rs:3:5:\nvalgrind said:\n{nested}\n\nfailures:\n    m::b\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\n"
        );
        let report = parse_report(&stdout);
        assert_eq!(
            report.results,
            vec![("a".into(), Outcome::Ok), ("m::b".into(), Outcome::Failed)]
        );
        assert_eq!(report.summaries, vec![(false, 1, 1, 0)]);
        let output = &report.failure_output["m::b"];
        assert!(output.contains("test t::check ... ok"), "{output}");
        assert!(output.contains("test result: FAILED. 0 passed"), "{output}");
        assert_eq!(
            judge(&report, &expected(), false),
            Judgement::Failed(vec!["m::b".into()])
        );
    }

    #[test]
    fn results_printed_after_the_failures_section_starts_do_not_count() {
        let stdout = "test a ... FAILED\n\nfailures:\n\n---- a stdout ----\ntest m::b ... ok\n\nfailures:\n    a\n\ntest result: FAILED. 0 passed; 1 failed; 0 ignored\n";
        let report = parse_report(stdout);
        assert_eq!(report.results, vec![("a".into(), Outcome::Failed)]);
    }

    #[test]
    fn a_report_of_every_test_ignored_is_not_a_pass() {
        let all_ignored = parse_report(
            "\nrunning 2 tests\ntest a ... ignored\ntest m::b ... ignored\n\ntest result: ok. 0 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out\n",
        );
        assert!(matches!(
            judge(&all_ignored, &expected(), true),
            Judgement::Inconsistent(why) if why.contains("not marked #[ignore]: a, m::b")
        ));
    }

    #[test]
    fn every_listed_test_is_reported_exactly_once() {
        // One test missing from an otherwise complete-looking report.
        let short =
            parse_report("test a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored\n");
        assert_eq!(
            judge(&short, &expected(), true),
            Judgement::Unreported(vec!["m::b".into()])
        );
        let twice = parse_report(
            "test a ... ok\ntest a ... ok\ntest m::b ... ok\n\ntest result: ok. 2 passed; 0 failed; 0 ignored\n",
        );
        assert!(matches!(
            judge(&twice, &expected(), true),
            Judgement::Inconsistent(why) if why.contains("more than once: a")
        ));
    }
}
