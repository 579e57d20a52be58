//! Checks that several lessons make the same way: canary buffers that show a
//! write past the end of a slice, a re-run of a test under valgrind or
//! AddressSanitizer (through `memcheck`'s one runner), and
//! running the lesson's program. For the lessons' tests only.

use std::io::Write;
use std::process::Command;

/// The environment variable listing tools whose checks must not be skipped,
/// separated by commas: `valgrind,bwrap,libclang`. CI sets it where it
/// installs them, so that a check skipped for a missing tool fails there.
pub const REQUIRE_TOOLS_ENV: &str = "FFI_WORKBOOK_REQUIRE_TOOLS";

/// Whether [`REQUIRE_TOOLS_ENV`] lists `tool`.
pub fn tool_required(tool: &str) -> bool {
    std::env::var(REQUIRE_TOOLS_ENV).is_ok_and(|list| lists(&list, tool))
}

fn lists(list: &str, tool: &str) -> bool {
    list.split(',')
        .any(|item| item.trim().eq_ignore_ascii_case(tool))
}

/// Skips the current check, which needs `tool`, saying so plainly with `why`;
/// or fails it when [`REQUIRE_TOOLS_ENV`] lists the tool. The note goes
/// straight to stderr, past the test harness's capture, so that `cargo test`
/// shows it even though the test passes.
pub fn skip_without(tool: &str, why: &str) {
    let current = std::thread::current();
    let check = current.name().unwrap_or("this check");
    skip_or_fail(
        check,
        tool,
        why,
        tool_required(tool),
        &mut std::io::stderr(),
    );
}

fn skip_or_fail(check: &str, tool: &str, why: &str, required: bool, out: &mut dyn Write) {
    if required {
        panic!(
            "{check} needs {tool}, which {REQUIRE_TOOLS_ENV} says must be here, but {why}. \
             Install {tool}, or leave it out of {REQUIRE_TOOLS_ENV}."
        );
    }
    let _ = writeln!(
        out,
        "SKIPPED {check}: {why}. (Set {REQUIRE_TOOLS_ENV}={tool} to make this a failure.)"
    );
}

/// Extra elements after each buffer handed to C. A test gives a wrapper the
/// first part of a longer buffer (`&mut buffer[..n]`), so that a wrong `n`
/// changes these elements, which the test can see, instead of memory the test
/// does not own (which could crash every test at once).
pub const SLACK: usize = 16;
/// The value of the slack elements after a buffer.
pub const CANARY: f64 = -7777.0;

/// `values`, then [`SLACK`] copies of `fill`.
pub fn padded(mut values: Vec<f64>, fill: f64) -> Vec<f64> {
    values.extend(std::iter::repeat_n(fill, SLACK));
    values
}

/// Checks that the slack after the first `n` elements of `a` still holds
/// [`CANARY`]; `name` is the wrapper under test, for the message.
pub fn assert_nothing_written_past(name: &str, a: &[f64], n: usize) {
    for (i, x) in a.iter().enumerate().skip(n) {
        assert_eq!(
            *x, CANARY,
            "{name} was given a slice of {n} elements, the first part of a longer buffer, \
             but element {i}, past the end of that slice, changed from {CANARY} to {x}. \
             C writes exactly n elements, wherever the slice ends: pass the slice's own \
             length (from checked_len), never a larger number."
        );
    }
}

/// Re-runs the ignored test `ignored_test` of the current test program under
/// the memory tool (valgrind, or AddressSanitizer where valgrind is missing)
/// and fails with the tool's report if C touched memory outside an
/// allocation. The tools see only accesses past an allocation, so that test
/// must use exactly-sized buffers. Skipped (with a note) where neither tool
/// is available: the canary checks still run there. `advice` says what the
/// learner's code must do, for the messages.
pub fn assert_valgrind_finds_no_invalid_access(ignored_test: &str, advice: &str) {
    let tool = crate::memcheck::tool().unwrap_or(crate::memcheck::Tool::Valgrind);
    match run_memory_check(ignored_test) {
        ValgrindRun::Unavailable | ValgrindRun::Clean => {}
        ValgrindRun::Errors(report) => panic!(
            "Run under {tool}, your wrappers made C read or write memory outside the \
             slices they were given. {advice} {tool} said:\n{report}"
        ),
        ValgrindRun::Crashed(report) => panic!(
            "Run under {tool}, your wrappers crashed the program. {advice} \
             {tool} said:\n{report}"
        ),
        ValgrindRun::Failed(output) => panic!(
            "The wrappers failed before {tool} could judge them (fix the other tests \
             first; this one only adds {tool}'s view). Output:\n{output}"
        ),
    }
}

/// Whether a process stopped at a trap: what C compiled with
/// `-fsanitize-undefined-trap-on-error` does on undefined behaviour. That is
/// SIGILL (x86's `ud2`) or SIGTRAP (ARM's `brk`) on Unix, and the matching
/// exception codes on Windows, where a crash is an exit code.
pub fn stopped_by_trap(status: &std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        matches!(status.signal(), Some(4 | 5))
    }
    #[cfg(not(unix))]
    {
        // STATUS_ILLEGAL_INSTRUCTION, STATUS_BREAKPOINT
        matches!(
            status.code().map(|code| code as u32),
            Some(0xC000_001D | 0x8000_0003)
        )
    }
}

/// Runs the lesson's program (`env!("CARGO_BIN_EXE_NAME")`) and returns what
/// it printed, failing with its output when it does not succeed.
pub fn program_stdout(program: &str, package: &str) -> String {
    let out = Command::new(program)
        .output()
        .expect("the lesson's program runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "`cargo run -p {package}` failed ({}). It printed:\n{stdout}\n{stderr}",
        out.status
    );
    stdout
}

/// Runs the lesson's program with an empty C folder, as if the C had never
/// been built; returns whether it succeeded and what it printed on stderr.
pub fn run_without_c_libraries(program: &str) -> (bool, String) {
    let empty = std::env::temp_dir().join(format!("ffi-workbook-no-c-here-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("a scratch folder");
    let out = Command::new(program)
        .env(crate::C_DIR_ENV, &empty)
        .output()
        .expect("the lesson's program runs");
    let _ = std::fs::remove_dir(&empty);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What a memory tool made of one ignored test of the current test program
/// (see [`run_under_valgrind`] and [`run_memory_check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValgrindRun {
    /// The tool is not available here; a note saying so has been printed.
    Unavailable,
    /// The test passed and the tool found nothing.
    Clean,
    /// The tool found errors: the start of its report.
    Errors(String),
    /// The program was killed by a signal under the tool: how, and the
    /// start of its report.
    Crashed(String),
    /// The test failed under the tool before it could judge: what the test
    /// printed, and the start of the report.
    Failed(String),
}

/// Runs the ignored test `ignored_test` of the current test program under
/// valgrind, with `options` added to valgrind's own (for example
/// `--leak-check=full`), and says what valgrind found. For the checks only
/// valgrind makes (reads of uninitialised memory): in an AddressSanitizer
/// build, or without valgrind, the check is skipped with a note saying so.
/// Lessons turn its report into words for the learner; the report itself is
/// for the curious.
pub fn run_under_valgrind(ignored_test: &str, options: &[&str]) -> ValgrindRun {
    match crate::memcheck::tool() {
        Ok(crate::memcheck::Tool::Valgrind) => {
            summarise(crate::memcheck::Tool::Valgrind, ignored_test, options)
        }
        Ok(crate::memcheck::Tool::AddressSanitizer) => {
            skip_without(
                "valgrind",
                "this is an AddressSanitizer build, and AddressSanitizer does not see reads \
                 of uninitialised memory (valgrind does), so this extra check of memory was \
                 not made",
            );
            ValgrindRun::Unavailable
        }
        Err(why) => {
            skip_without("valgrind", &why);
            ValgrindRun::Unavailable
        }
    }
}

/// Runs the ignored test `ignored_test` of the current test program under
/// the memory tool of this build ([`crate::memcheck::tool`]: valgrind, or
/// AddressSanitizer where valgrind is missing) and says what it found:
/// accesses outside an allocation, use after free, double free. Skipped with
/// a note where neither is available.
pub fn run_memory_check(ignored_test: &str) -> ValgrindRun {
    match crate::memcheck::tool() {
        Ok(tool) => summarise(tool, ignored_test, &[]),
        Err(why) => {
            skip_without("valgrind", &why);
            ValgrindRun::Unavailable
        }
    }
}

fn summarise(tool: crate::memcheck::Tool, ignored_test: &str, options: &[&str]) -> ValgrindRun {
    let rerun = crate::memcheck::rerun(tool, ignored_test, options);
    // The start of the report is the useful part.
    let report: String = rerun.report.lines().take(40).collect::<Vec<_>>().join("\n");
    // ASan compiled to recover reports every error and exits 0: its report
    // says whether it found one.
    let asan_found = tool == crate::memcheck::Tool::AddressSanitizer
        && (rerun.report.contains("ERROR: AddressSanitizer")
            || rerun.report.contains("ERROR: LeakSanitizer"));
    match rerun.status.code() {
        Some(_) if asan_found => ValgrindRun::Errors(report),
        Some(0) => ValgrindRun::Clean,
        Some(99) => ValgrindRun::Errors(report),
        None => ValgrindRun::Crashed(format!("({})\n{report}", rerun.status)),
        Some(_) => ValgrindRun::Failed(format!("{}\n{report}", rerun.output)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_tools_are_a_comma_separated_list() {
        assert!(lists("valgrind,bwrap,libclang", "bwrap"));
        assert!(lists(" valgrind , bwrap", "valgrind"));
        assert!(lists("Valgrind", "valgrind"));
        assert!(!lists("valgrind-extra,bwrap", "valgrind"));
        assert!(!lists("", "valgrind"));
    }

    #[cfg(unix)]
    #[test]
    fn a_trap_is_told_from_other_endings() {
        let status = |script: &str| {
            Command::new("sh")
                .args(["-c", script])
                .status()
                .expect("sh runs")
        };
        assert!(stopped_by_trap(&status("kill -ILL $$")));
        assert!(stopped_by_trap(&status("kill -TRAP $$")));
        assert!(!stopped_by_trap(&status("kill -SEGV $$")));
        assert!(!stopped_by_trap(&status("exit 4")));
    }

    #[test]
    fn a_skip_says_what_was_skipped_and_why() {
        let mut note = Vec::new();
        skip_or_fail(
            "t::check",
            "valgrind",
            "valgrind is not installed",
            false,
            &mut note,
        );
        assert_eq!(
            String::from_utf8(note).unwrap(),
            "SKIPPED t::check: valgrind is not installed. \
             (Set FFI_WORKBOOK_REQUIRE_TOOLS=valgrind to make this a failure.)\n"
        );
    }

    #[test]
    #[should_panic(
        expected = "t::check needs valgrind, which FFI_WORKBOOK_REQUIRE_TOOLS says must be here"
    )]
    fn a_required_tool_turns_the_skip_into_a_failure() {
        skip_or_fail(
            "t::check",
            "valgrind",
            "valgrind is not installed",
            true,
            &mut Vec::new(),
        );
    }
}
