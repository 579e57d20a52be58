//! valgrind's memcheck, read for learners: re-runs one ignored test of the
//! current test program under valgrind (leak checks on), reads valgrind's
//! report and turns each error into one sentence a learner understands
//! ("C's memory was freed twice", "28 bytes allocated by cs_greet were never
//! freed"), naming only the workbook's own code (the lesson's Rust and the C
//! in csrc/), never the standard library's or the test harness's frames.
//!
//! The memory mistakes of the FFI lessons (a dangling `as_ptr()`, C's string
//! freed by Rust, a handle destroyed twice, a handle never destroyed) often
//! give the right values and no crash in an ordinary run: valgrind is what
//! sees them. Where valgrind is not installed the check is skipped with a note.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The kinds of memory mistake, for advice attached to each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Memory read or written after it was freed.
    UseAfterFree,
    /// A read or write outside every allocation.
    OutOfBounds,
    /// The same block freed a second time.
    FreedTwice,
    /// `free` given a pointer that is not the start of a malloc'ed block
    /// (memory released with the wrong function).
    WrongFree,
    /// Allocated with one family of functions, freed with another.
    MismatchedFree,
    /// Memory nothing points to any more, never freed.
    Leak,
    /// Anything else valgrind reports (uninitialised values, bad syscall
    /// arguments...).
    Other,
}

/// One frame of a valgrind stack: a function and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    /// `src/lib.rs:12` or `csrc/c_strings.c:31`, relative to the workbook.
    pub location: String,
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.function, self.location)
    }
}

/// One error from valgrind's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    /// valgrind's own first line, e.g. `Invalid read of size 1`.
    pub title: String,
    /// valgrind's `Address ... is N bytes inside a block ...` line, if any.
    pub address: String,
    /// The workbook's frames where it happened, innermost first.
    pub at: Vec<Frame>,
    /// The workbook's frames where the block was freed (use after free,
    /// freed twice) or allocated (wrong free, leak).
    pub block: Vec<Frame>,
    /// For a leak: how many bytes.
    pub bytes: usize,
}

/// `a (x.rs:1), called from b (y.rs:2)` (the two innermost frames), or
/// `code outside the workbook`.
fn chain(frames: &[Frame]) -> String {
    if frames.is_empty() {
        return "code outside the workbook".into();
    }
    frames
        .iter()
        .take(2)
        .map(Frame::to_string)
        .collect::<Vec<_>>()
        .join(", called from ")
}

impl fmt::Display for Finding {
    /// One sentence in a learner's words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = chain(&self.at);
        let block = chain(&self.block);
        let access = if self.title.contains("write") {
            "wrote"
        } else {
            "read"
        };
        let size = self
            .title
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        match self.kind {
            Kind::UseAfterFree => write!(
                f,
                "Use after free: {at} {access} {size} byte(s) of memory that had already been \
                 freed, by {block}. A pointer is valid only while the value that owns the \
                 memory is alive."
            ),
            Kind::OutOfBounds => write!(
                f,
                "Out of bounds: {at} {access} {size} byte(s) outside any allocation (the \
                 address {}).",
                where_in_block(&self.address)
            ),
            Kind::FreedTwice => write!(
                f,
                "Freed twice: {at} freed memory that had already been freed, by {block}. \
                 Each allocation must be freed exactly once."
            ),
            Kind::WrongFree => write!(
                f,
                "Freed with the wrong function: {at} passed free() a pointer that malloc never \
                 returned (the address {}); the block was allocated by {block}. Memory a \
                 library allocates goes back to that library's own free function.",
                where_in_block(&self.address)
            ),
            Kind::MismatchedFree => write!(
                f,
                "Freed with the wrong function: {at} released memory allocated by {block} with \
                 a deallocator that does not match the allocator."
            ),
            Kind::Leak => write!(
                f,
                "Leak: {} bytes allocated by {block} were never freed.",
                self.bytes
            ),
            Kind::Other => write!(f, "{}: in {at}.", self.title),
        }
    }
}

/// `is 16 bytes inside a block of size 28 alloc'd` from valgrind's
/// `Address 0x... is ...` line, without the address itself.
fn where_in_block(address: &str) -> &str {
    address
        .split_once(" is ")
        .map_or(address, |(_, rest)| rest)
        .trim()
}

/// What a run under valgrind came to.
#[derive(Debug)]
pub enum Outcome {
    /// valgrind is not installed (or does not run here).
    Unavailable,
    /// The test passed and valgrind found nothing.
    Clean,
    /// valgrind found mistakes. `crashed` says the program was killed by a
    /// signal on top of that (a C library's `abort()`, say).
    Found {
        findings: Vec<Finding>,
        crashed: Option<String>,
    },
    /// The test failed or crashed and valgrind found nothing to explain it.
    TestFailed { output: String },
}

/// Whether valgrind can run on this machine.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The workbook's folder, as the paths in valgrind's report spell it.
fn workbook_root() -> PathBuf {
    let here = crate::workbook_root().unwrap_or_default();
    std::fs::canonicalize(&here).unwrap_or(here)
}

/// Runs `ignored_test` of the current test program under valgrind, with
/// leak checking, and reads what valgrind found.
pub fn run(ignored_test: &str) -> Outcome {
    if !available() {
        return Outcome::Unavailable;
    }
    let program = std::env::current_exe().expect("the test executable's path");
    let log = std::env::temp_dir().join(format!(
        "ffi-workbook-memcheck-{}-{ignored_test}.log",
        std::process::id()
    ));
    let out = Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
            "--num-callers=30",
            // Full paths, so the workbook's own frames can be told apart.
            "--fullpath-after=",
        ])
        .arg(format!("--log-file={}", log.display()))
        .arg(&program)
        .args([ignored_test, "--exact", "--ignored", "--test-threads=1"])
        .output()
        .expect("valgrind runs");
    let report = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let findings = parse(&report, &workbook_root());
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let crashed = match out.status.code() {
        Some(_) => None,
        None => Some(out.status.to_string()),
    };
    match (out.status.code(), findings.is_empty()) {
        (Some(0), true) => Outcome::Clean,
        (_, false) => Outcome::Found { findings, crashed },
        (_, true) => Outcome::TestFailed { output },
    }
}

/// Runs `ignored_test` under valgrind and fails with one sentence per memory
/// mistake, each followed by the advice `advice` gives for its kind (the
/// lesson's words: what to do instead). Skipped, with a note, without valgrind.
pub fn assert_no_memory_mistakes(ignored_test: &str, advice: impl Fn(Kind) -> &'static str) {
    match run(ignored_test) {
        Outcome::Unavailable => crate::testing::skip_without(
            "valgrind",
            "valgrind is not installed (it runs on Linux), so the memory check was not made",
        ),
        Outcome::Clean => {}
        Outcome::TestFailed { output } => panic!(
            "Under valgrind, the memory test failed before valgrind could judge it (fix the \
             other checks first; this one only adds valgrind's view). It printed:\n{}",
            tail(&output, 30)
        ),
        Outcome::Found { findings, crashed } => {
            panic!("{}", explain(&findings, crashed.as_deref(), advice))
        }
    }
}

/// The learner's message for `findings`.
pub fn explain(
    findings: &[Finding],
    crashed: Option<&str>,
    advice: impl Fn(Kind) -> &'static str,
) -> String {
    let mut message = format!(
        "valgrind watched the memory your wrappers used and found {} mistake(s):\n",
        findings.len()
    );
    // One entry per kind of mistake, in the order valgrind met them: the
    // same mistake made on several paths is one thing to fix.
    let mut kinds: Vec<Kind> = Vec::new();
    for finding in findings {
        if !kinds.contains(&finding.kind) {
            kinds.push(finding.kind);
        }
    }
    let mut shown_advice: Vec<&str> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let same: Vec<&Finding> = findings.iter().filter(|f| f.kind == *kind).collect();
        message.push_str(&format!("\n{}. {}\n", i + 1, same[0]));
        if same.len() > 1 {
            message.push_str(&format!(
                "   (and {} more like it, from other calls)\n",
                same.len() - 1
            ));
        }
        let what_to_do = advice(*kind);
        if shown_advice.contains(&what_to_do) {
            message.push_str("   What to do: as above.\n");
        } else if !what_to_do.is_empty() {
            message.push_str(&format!("   What to do: {what_to_do}\n"));
            shown_advice.push(what_to_do);
        }
    }
    if let Some(signal) = crashed {
        message.push_str(&format!(
            "\nThen the program was stopped ({signal}): a C library that finds its memory \
             misused often aborts.\n"
        ));
    }
    message
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// valgrind's text report, read into findings. `root` is the workbook's
/// folder: only frames in files under it are kept.
pub fn parse(report: &str, root: &Path) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut current: Option<Finding> = None;
    // Which frames the lines being read are: where the error happened, where
    // its block was freed or allocated, or the allocation of a block that
    // was freed (not needed: where it was freed says more).
    #[derive(PartialEq)]
    enum Reading {
        Access,
        Block,
        Skip,
    }
    let mut reading = Reading::Access;
    for line in report.lines() {
        // Every line is `==PID== text`.
        let Some(text) = line.split_once("== ").map(|(_, text)| text) else {
            continue;
        };
        if text.trim().is_empty() {
            findings.extend(current.take());
            continue;
        }
        let trimmed = text.trim_start();
        if let Some(frame) = trimmed
            .strip_prefix("at 0x")
            .or_else(|| trimmed.strip_prefix("by 0x"))
        {
            if let (Some(finding), Some(frame)) = (current.as_mut(), workbook_frame(frame, root)) {
                let frames = match reading {
                    Reading::Access => &mut finding.at,
                    Reading::Block => &mut finding.block,
                    Reading::Skip => continue,
                };
                // Inlined frames repeat the same place.
                if frames.last() != Some(&frame) {
                    frames.push(frame);
                }
            }
            continue;
        }
        if text.starts_with(' ') {
            // ` Address 0x... is 0 bytes inside a block of size 6 free'd` or
            // ` Block was alloc'd at`.
            if let Some(finding) = current.as_mut() {
                if trimmed.starts_with("Address") {
                    finding.address = trimmed.to_string();
                    finding.kind = classify(&finding.title, trimmed);
                    reading = Reading::Block;
                } else {
                    reading = Reading::Skip;
                }
            }
            continue;
        }
        if text.starts_with("Thread ") || text.starts_with("HEAP SUMMARY") {
            continue;
        }
        // valgrind's notes, not errors: warnings about the program's own
        // behaviour (huge allocations), and the end of a killed program,
        // which `run` reports from the exit status instead.
        if NOT_ERRORS.iter().any(|prefix| text.starts_with(prefix)) {
            findings.extend(current.take());
            reading = Reading::Skip;
            continue;
        }
        // A new error.
        findings.extend(current.take());
        let leak = text.contains(" are definitely lost");
        current = Some(Finding {
            kind: if leak { Kind::Leak } else { classify(text, "") },
            title: text.trim().to_string(),
            address: String::new(),
            at: Vec::new(),
            block: Vec::new(),
            bytes: if leak {
                text.split([' ', '('])
                    .find_map(|word| word.replace(',', "").parse().ok())
                    .unwrap_or(0)
            } else {
                0
            },
        });
        // A leak's stack is where the block was allocated.
        reading = if leak {
            Reading::Block
        } else {
            Reading::Access
        };
    }
    findings.extend(current);
    findings
}

/// Lines of valgrind's report that start a note, not an error.
const NOT_ERRORS: &[&str] = &[
    "Warning:",
    "Process terminating",
    "More than ",
    "If you believe",
    "For lists of",
    "ERROR SUMMARY",
];

/// The kind of an error from its title and its `Address` line.
fn classify(title: &str, address: &str) -> Kind {
    if title.starts_with("Invalid read") || title.starts_with("Invalid write") {
        if address.contains("free'd") {
            Kind::UseAfterFree
        } else {
            Kind::OutOfBounds
        }
    } else if title.starts_with("Invalid free") {
        if address.contains("free'd") {
            Kind::FreedTwice
        } else {
            Kind::WrongFree
        }
    } else if title.starts_with("Mismatched free") {
        Kind::MismatchedFree
    } else {
        Kind::Other
    }
}

/// `0x1234: name (/path/to/file.rs:12)` as a frame, if the file is the
/// workbook's.
fn workbook_frame(frame: &str, root: &Path) -> Option<Frame> {
    let (_, rest) = frame.split_once(": ")?;
    let open = rest.rfind(" (")?;
    let function = &rest[..open];
    let location = rest[open + 2..].trim_end_matches(')');
    if location.starts_with("in ") {
        return None; // a library without debug information
    }
    let (path, line) = location.rsplit_once(':')?;
    let path = normalise(Path::new(path));
    let relative = path.strip_prefix(root).ok()?;
    // Only the workbook's crates and C, never vendored or generated files.
    if relative.starts_with("target") {
        return None;
    }
    // Generic parameters make names long; the path says enough.
    let function = match function.find('<') {
        Some(at) if at > 0 => &function[..at],
        _ => function,
    };
    // `exercises/07_c_strings/src/lib.rs` -> `src/lib.rs`: the learner's view.
    let mut parts = relative.components();
    let shown = match (parts.next(), parts.next()) {
        (Some(Component::Normal(top)), Some(_)) if top == "exercises" || top == "solutions" => {
            parts.as_path().to_path_buf()
        }
        _ => relative.to_path_buf(),
    };
    Some(Frame {
        function: function.to_string(),
        location: format!("{}:{line}", shown.display()),
    })
}

/// `a/b/../../c` -> `c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
==1== Thread 2 leak:
==1== Invalid read of size 1
==1==    at 0x17A07D: cs_count_vowels (/wb/exercises/07_c_strings/../../csrc/c_strings.c:31)
==1==    by 0x13A9D3: c_strings::count_vowels (/wb/exercises/07_c_strings/src/lib.rs:10)
==1==    by 0x13AC05: core::ops::function::FnOnce::call_once (/rustc/abc/library/core/src/ops/function.rs:250)
==1==    by 0x49041F4: start_thread (nptl/./nptl/pthread_create.c:442)
==1==  Address 0x4a7a470 is 0 bytes inside a block of size 6 free'd
==1==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x179E1B: dealloc (/rustc/abc/library/alloc/src/alloc.rs:115)
==1==    by 0x13A996: c_strings::count_vowels (/wb/exercises/07_c_strings/src/lib.rs:9)
==1==  Block was alloc'd at
==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x13A852: c_strings::count_vowels (/wb/exercises/07_c_strings/src/lib.rs:8)
==1== 
==1== Invalid free() / delete / delete[] / realloc()
==1==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x13A9DE: c_strings::greet (/wb/exercises/07_c_strings/src/lib.rs:11)
==1==  Address 0x4a7a4d0 is 16 bytes inside a block of size 28 alloc'd
==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x17A0E1: cs_greet (/wb/exercises/07_c_strings/../../csrc/c_strings.c:56)
==1== 
==1== Thread 1:
==1== 1,028 bytes in 1 blocks are definitely lost in loss record 1 of 2
==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x17A0E1: cs_greet (/wb/exercises/07_c_strings/../../csrc/c_strings.c:56)
==1==    by 0x13A9BB: c_strings::greet<&str> (/wb/exercises/07_c_strings/src/lib.rs:9)
==1== 
";

    #[test]
    fn reads_each_error_with_the_workbooks_frames_only() {
        let findings = parse(REPORT, Path::new("/wb"));
        let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [Kind::UseAfterFree, Kind::WrongFree, Kind::Leak]);

        let use_after_free = &findings[0];
        assert_eq!(
            use_after_free.at[0].to_string(),
            "cs_count_vowels (csrc/c_strings.c:31)"
        );
        assert_eq!(use_after_free.at.len(), 2, "{:?}", use_after_free.at);
        assert_eq!(use_after_free.block[0].location, "src/lib.rs:9");
        assert_eq!(use_after_free.block.len(), 1, "the allocation is not kept");

        let wrong_free = &findings[1];
        assert!(wrong_free.address.contains("16 bytes inside"));
        assert_eq!(wrong_free.block[0].function, "cs_greet");

        let leak = &findings[2];
        assert_eq!(leak.bytes, 1028);
        assert_eq!(leak.block[1].function, "c_strings::greet");
    }

    #[test]
    fn says_it_in_a_learners_words() {
        let findings = parse(REPORT, Path::new("/wb"));
        let message = explain(&findings, None, |kind| match kind {
            Kind::Leak => "call cs_free",
            _ => "",
        });
        assert!(message.contains("found 3 mistake(s)"), "{message}");
        assert!(message.contains("\n3. Leak"), "{message}");
        assert!(message.contains(
            "Use after free: cs_count_vowels (csrc/c_strings.c:31), called from \
             c_strings::count_vowels (src/lib.rs:10) read 1 byte(s)"
        ));
        assert!(message.contains("Leak: 1028 bytes allocated by cs_greet"));
        assert!(message.contains("What to do: call cs_free"));
        assert!(!message.contains("rustc"), "{message}");
    }

    #[test]
    fn notes_are_not_mistakes() {
        let report = "\
==3== Warning: set address range perms: large range [0x59c7e040, 0x99c7e070) (undefined)
==3== 
==3== Process terminating with default action of signal 6 (SIGABRT)
==3==    at 0x1: raise (raise.c:50)
==3==    by 0x2: cs_free (/wb/csrc/c_strings.c:80)
==3== 
";
        assert_eq!(parse(report, Path::new("/wb")), []);
    }

    #[test]
    fn a_second_free_is_freed_twice() {
        let report = "\
==2== Invalid free() / delete / delete[] / realloc()
==2==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==2==    by 0x1: ledger_destroy (/wb/csrc/handles.c:40)
==2==  Address 0x4a7a4d0 is 0 bytes inside a block of size 32 free'd
==2==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==2==    by 0x1: ledger_destroy (/wb/csrc/handles.c:40)
==2==  Block was alloc'd at
==2==    by 0x2: ledger_create (/wb/csrc/handles.c:20)
";
        let findings = parse(report, Path::new("/wb"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, Kind::FreedTwice);
        assert!(
            findings[0]
                .to_string()
                .starts_with("Freed twice: ledger_destroy")
        );
    }
}
