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

/// The tool that watches memory in a re-run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// valgrind's memcheck: runs the unchanged program on a simulated CPU.
    Valgrind,
    /// AddressSanitizer (with LeakSanitizer): the C compiled with
    /// `-fsanitize=address` and its runtime linked into the test program.
    /// Used where valgrind does not exist (macOS, Windows) or is not
    /// installed. It does not see reads of uninitialised memory.
    AddressSanitizer,
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tool::Valgrind => "valgrind",
            Tool::AddressSanitizer => "AddressSanitizer",
        })
    }
}

/// The environment variable that chooses the memory checks' tool: `asan`
/// (the build is an AddressSanitizer build: see [`asan_build_env`]) or
/// `valgrind`. Unset, the checker picks valgrind where it is installed.
pub const MEMCHECK_ENV: &str = "FFI_WORKBOOK_MEMCHECK";

/// Whether this test program was built with AddressSanitizer's runtime
/// (support's build script saw `FFI_WORKBOOK_MEMCHECK=asan`).
pub const BUILT_WITH_ASAN: bool = cfg!(workbook_asan);

/// The options every run of an ASan-built program starts with, before
/// `ASAN_OPTIONS`: the ordinary runs of the checks neither stop at C's first
/// memory error nor count leaks at exit (the re-run of the memory check
/// does both), so that they fail as they do without ASan; an error ASan
/// cannot go on from (a double free) aborts, as glibc does. One difference
/// remains: glibc aborts on a pointer malloc never returned, ASan reports it
/// and goes on.
#[cfg(workbook_asan)]
#[unsafe(no_mangle)]
pub extern "C" fn __asan_default_options() -> *const std::ffi::c_char {
    c"detect_leaks=0:halt_on_error=0:abort_on_error=1".as_ptr()
}

/// The options of the memory check's re-run under ASan: every error (the C
/// is compiled with `-fsanitize-recover=address`), leaks at exit, a
/// recognisable exit code, and the slow unwinder, which follows Rust's
/// frames (built without frame pointers) back to the lesson's code.
const ASAN_RERUN_OPTIONS: &str = "detect_leaks=1:halt_on_error=0:exitcode=99:abort_on_error=0:\
     fast_unwind_on_malloc=0:malloc_context_size=30:symbolize=1:print_summary=1:color=never";

/// What the C compiler needs to build the lessons' C for ASan (cc reads
/// `CFLAGS`; the checker's own C build adds the same).
pub const ASAN_CFLAGS: &str =
    "-fsanitize=address -fsanitize-recover=address -fno-omit-frame-pointer -g";

/// The environment a cargo build needs to make ASan-built test programs:
/// the C compiled with [`ASAN_CFLAGS`], the ASan runtime linked first into
/// every program of the target (never into build scripts, hence the explicit
/// target, whose output goes to `target/TRIPLE/`), and [`MEMCHECK_ENV`] so
/// that support's build script marks the build. `cflags` and `rustflags` are
/// the ones already set, kept. On macOS the runtime is clang's
/// (`-fsanitize=address` at link time); written for, not yet run.
pub fn asan_build_env(cflags: Option<&str>, rustflags: Option<&str>) -> Vec<(String, String)> {
    let join = |old: Option<&str>, new: &str| match old.map(str::trim) {
        Some(old) if !old.is_empty() => format!("{old} {new}"),
        _ => new.to_string(),
    };
    // `-l dylib=asan` puts the runtime before libc in the program's list of
    // libraries, which ASan checks at start; gcc's `-fsanitize=address` at
    // link time does not (rustc links with -nodefaultlibs).
    let link = if cfg!(target_vendor = "apple") {
        "-C link-arg=-fsanitize=address"
    } else {
        "-l dylib=asan"
    };
    vec![
        (MEMCHECK_ENV.into(), "asan".into()),
        ("CFLAGS".into(), join(cflags, ASAN_CFLAGS)),
        ("RUSTFLAGS".into(), join(rustflags, link)),
        ("CARGO_BUILD_TARGET".into(), env!("WORKBOOK_TARGET").into()),
    ]
}

/// Which tool this test program's memory checks use: ASan in an ASan build
/// (valgrind cannot run one), valgrind where it is installed, or none (the
/// reason why). `FFI_WORKBOOK_MEMCHECK=asan` with a program built without
/// ASan is a mistake in the build, said as such.
pub fn tool() -> Result<Tool, String> {
    if BUILT_WITH_ASAN {
        return Ok(Tool::AddressSanitizer);
    }
    if std::env::var(MEMCHECK_ENV).as_deref() == Ok("asan") {
        panic!(
            "{MEMCHECK_ENV}=asan, but this test program was built without AddressSanitizer: \
             build it with {MEMCHECK_ENV}=asan set too (the checker does), or unset it"
        );
    }
    if available() {
        Ok(Tool::Valgrind)
    } else {
        Err(
            "neither valgrind (it runs on Linux) nor an AddressSanitizer build is here, so \
             the memory check was not made (the checker builds with AddressSanitizer where \
             valgrind is missing)"
                .into(),
        )
    }
}

/// What a re-run under a memory tool came to.
#[derive(Debug)]
pub enum Outcome {
    /// No tool is available here: why.
    Unavailable(String),
    /// The test passed and the tool found nothing.
    Clean,
    /// The tool found mistakes. `crashed` says the program was killed by a
    /// signal on top of that (a C library's `abort()`, say).
    Found {
        findings: Vec<Finding>,
        crashed: Option<String>,
    },
    /// The test failed or crashed and the tool found nothing to explain it.
    TestFailed { output: String },
}

/// Whether valgrind can run on this machine.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The workbook's folder, as the paths in the tools' reports spell it.
fn workbook_root() -> PathBuf {
    let here = crate::workbook_root().unwrap_or_default();
    std::fs::canonicalize(&here).unwrap_or(here)
}

/// One re-run of `ignored_test` under a tool: how it ended, what it
/// printed, and the tool's report.
pub struct Rerun {
    pub status: std::process::ExitStatus,
    /// The test harness's output (stdout, then stderr without the report).
    pub output: String,
    /// The tool's report.
    pub report: String,
}

/// The one runner of the memory checks: re-runs the ignored test
/// `ignored_test` of the current test program alone, under `tool`.
/// `valgrind_options` are added to valgrind's (for ASan there are none).
pub fn rerun(tool: Tool, ignored_test: &str, valgrind_options: &[&str]) -> Rerun {
    let program = std::env::current_exe().expect("the test executable's path");
    let test_args = [ignored_test, "--exact", "--ignored", "--test-threads=1"];
    match tool {
        Tool::Valgrind => {
            let log = std::env::temp_dir().join(format!(
                "ffi-workbook-memcheck-{}-{ignored_test}.log",
                std::process::id()
            ));
            let out = Command::new("valgrind")
                .args(["--quiet", "--error-exitcode=99"])
                .args(valgrind_options)
                .arg(format!("--log-file={}", log.display()))
                .arg(&program)
                .args(test_args)
                .output()
                .expect("valgrind runs");
            let report = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_file(&log);
            Rerun {
                status: out.status,
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
                report,
            }
        }
        Tool::AddressSanitizer => {
            let out = Command::new(&program)
                .args(test_args)
                .env("ASAN_OPTIONS", ASAN_RERUN_OPTIONS)
                .output()
                .expect("the test program runs");
            // The harness captures the test's own printing: stderr is ASan's.
            Rerun {
                status: out.status,
                output: String::from_utf8_lossy(&out.stdout).into_owned(),
                report: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        }
    }
}

/// Runs `ignored_test` of the current test program under the memory tool
/// ([`tool`]), with leak checking, and reads what the tool found.
pub fn run(ignored_test: &str) -> Outcome {
    let tool = match tool() {
        Ok(tool) => tool,
        Err(why) => return Outcome::Unavailable(why),
    };
    let rerun = rerun(
        tool,
        ignored_test,
        &[
            "--leak-check=full",
            "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
            "--num-callers=30",
            // Full paths, so the workbook's own frames can be told apart.
            "--fullpath-after=",
        ],
    );
    let findings = match tool {
        Tool::Valgrind => parse(&rerun.report, &workbook_root()),
        Tool::AddressSanitizer => parse_asan(&rerun.report, &workbook_root()),
    };
    let crashed = match rerun.status.code() {
        Some(_) => None,
        None => Some(rerun.status.to_string()),
    };
    match (rerun.status.code(), findings.is_empty()) {
        (Some(0), true) => Outcome::Clean,
        (_, false) => Outcome::Found { findings, crashed },
        (_, true) => Outcome::TestFailed {
            output: format!("{}{}", rerun.output, rerun.report),
        },
    }
}

/// Runs `ignored_test` under the memory tool and fails with one sentence per
/// memory mistake, each followed by the advice `advice` gives for its kind
/// (the lesson's words: what to do instead). Skipped, with a note, where no
/// tool is available.
pub fn assert_no_memory_mistakes(ignored_test: &str, advice: impl Fn(Kind) -> &'static str) {
    let tool = tool().unwrap_or(Tool::Valgrind);
    match run(ignored_test) {
        Outcome::Unavailable(why) => crate::testing::skip_without("valgrind", &why),
        Outcome::Clean => {}
        Outcome::TestFailed { output } => panic!(
            "Under {tool}, the memory test failed before {tool} could judge it (fix the \
             other checks first; this one only adds {tool}'s view). It printed:\n{}",
            tail(&output, 30)
        ),
        Outcome::Found { findings, crashed } => {
            panic!(
                "{}",
                explain_for(tool, &findings, crashed.as_deref(), advice)
            )
        }
    }
}

/// The learner's message for valgrind's `findings`.
pub fn explain(
    findings: &[Finding],
    crashed: Option<&str>,
    advice: impl Fn(Kind) -> &'static str,
) -> String {
    explain_for(Tool::Valgrind, findings, crashed, advice)
}

/// The learner's message for `findings`, found by `tool`.
pub fn explain_for(
    tool: Tool,
    findings: &[Finding],
    crashed: Option<&str>,
    advice: impl Fn(Kind) -> &'static str,
) -> String {
    let mut message = format!(
        "{tool} watched the memory your wrappers used and found {} mistake(s):\n",
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
    workbook_location(function, Path::new(path), line, root)
}

/// A frame at `path:line`, if `path` is in the workbook (not under target/),
/// shown as the learner sees it.
fn workbook_location(function: &str, path: &Path, line: &str, root: &Path) -> Option<Frame> {
    let path = normalise(path);
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
        // `/` on every system, as the lessons' texts write paths.
        location: format!(
            "{}:{line}",
            shown
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        ),
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

/// AddressSanitizer's (and LeakSanitizer's) text report, read into the same
/// findings as valgrind's. `root` is the workbook's folder: only frames in
/// files under it are kept. Paths ASan prints relative are relative to where
/// they were compiled: the workspace for rustc, the lesson's folder for cc.
pub fn parse_asan(report: &str, root: &Path) -> Vec<Finding> {
    #[derive(PartialEq)]
    enum Reading {
        Access,
        Block,
        Skip,
    }
    let mut findings = Vec::new();
    let mut current: Option<Finding> = None;
    let mut reading = Reading::Skip;
    for line in report.lines() {
        let text = line.trim();
        if let Some(frame) = text.strip_prefix('#') {
            if let (Some(finding), Some(frame)) = (current.as_mut(), asan_frame(frame, root)) {
                let frames = match reading {
                    Reading::Access => &mut finding.at,
                    Reading::Block => &mut finding.block,
                    Reading::Skip => continue,
                };
                if frames.last() != Some(&frame) {
                    frames.push(frame);
                }
            }
            continue;
        }
        if let Some(error) = text
            .split_once("ERROR: AddressSanitizer: ")
            .map(|(_, error)| error)
        {
            findings.extend(current.take());
            let kind = asan_kind(error);
            // `heap-use-after-free on address 0x... at pc ...` -> its bug name;
            // a free's error has its frames right below it.
            let title = error.split(" on address").next().unwrap_or(error).trim();
            current = Some(Finding {
                kind,
                title: title.to_string(),
                address: String::new(),
                at: Vec::new(),
                block: Vec::new(),
                bytes: 0,
            });
            reading = Reading::Access;
            continue;
        }
        if text.contains("ERROR: LeakSanitizer: detected memory leaks") {
            findings.extend(current.take());
            reading = Reading::Skip;
            continue;
        }
        if let Some(rest) = text.strip_prefix("Direct leak of ") {
            findings.extend(current.take());
            current = Some(Finding {
                kind: Kind::Leak,
                title: text.to_string(),
                address: String::new(),
                at: Vec::new(),
                block: Vec::new(),
                bytes: rest
                    .split(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
            });
            reading = Reading::Block;
            continue;
        }
        if text.starts_with("Indirect leak of ") || text.starts_with("SUMMARY:") {
            // Memory reachable only from a leaked block: the direct leak is
            // the mistake (valgrind's "definitely lost" only, likewise).
            findings.extend(current.take());
            reading = Reading::Skip;
            continue;
        }
        let Some(finding) = current.as_mut() else {
            continue;
        };
        if let Some((access, size)) = ["READ of size ", "WRITE of size "]
            .iter()
            .find_map(|prefix| text.strip_prefix(prefix).map(|rest| (*prefix, rest)))
        {
            let size = size.split(' ').next().unwrap_or("0");
            let verb = if access.starts_with("READ") {
                "read"
            } else {
                "write"
            };
            // valgrind's words, which the sentences are made from.
            finding.title = format!("Invalid {verb} of size {size}");
            reading = Reading::Access;
        } else if let Some((address, rest)) = text.split_once(" is located ") {
            // `0x... is located 0 bytes to the right of 40-byte region [a,b)`
            let rest = rest.split(" [").next().unwrap_or(rest);
            finding.address = format!("Address {address} is {rest}");
            reading = Reading::Skip;
        } else if text.starts_with("freed by thread") {
            reading = Reading::Block;
        } else if text.starts_with("previously allocated by thread")
            || text.starts_with("allocated by thread")
        {
            // Where a freed block was allocated says less than where it was
            // freed; a block never freed is known by its allocation.
            reading = if finding.block.is_empty()
                && !matches!(finding.kind, Kind::UseAfterFree | Kind::FreedTwice)
            {
                Reading::Block
            } else {
                Reading::Skip
            };
        } else if text.starts_with("Shadow bytes") || text.starts_with("Address 0x") {
            reading = Reading::Skip;
        }
    }
    findings.extend(current);
    findings
}

/// The kind of an ASan error from its first line.
fn asan_kind(error: &str) -> Kind {
    let bug = error.split(' ').next().unwrap_or("");
    match bug {
        "heap-use-after-free" => Kind::UseAfterFree,
        "heap-buffer-overflow"
        | "stack-buffer-overflow"
        | "stack-buffer-underflow"
        | "global-buffer-overflow"
        | "dynamic-stack-buffer-overflow"
        | "container-overflow" => Kind::OutOfBounds,
        "attempting" if error.starts_with("attempting double-free") => Kind::FreedTwice,
        "attempting" if error.contains("not malloc()-ed") => Kind::WrongFree,
        "alloc-dealloc-mismatch" => Kind::MismatchedFree,
        _ => Kind::Other,
    }
}

/// `1 0x55d1 in c_strings::greet::h0123456789abcdef src/lib.rs:9` (an ASan
/// frame after its `#`) as a frame, if the file is the workbook's.
fn asan_frame(frame: &str, root: &Path) -> Option<Frame> {
    let (_, rest) = frame.split_once(" in ")?;
    // The location is the last word; a function's name may have spaces.
    let (function, location) = rest.trim().rsplit_once(' ')?;
    if location.starts_with('(') {
        return None; // `(libc.so.6+0x271ca)`: no debug information
    }
    // `file:line` or `file:line:column`.
    let mut parts = location.rsplitn(3, ':');
    let (last, middle) = (parts.next()?, parts.next()?);
    let (path, line) = match parts.next() {
        Some(path) if middle.parse::<u32>().is_ok() => (path, middle),
        _ => (middle, last),
    };
    line.parse::<u32>().ok()?;
    let path = Path::new(path);
    // `has_root`: a Unix path is absolute on Windows too when read there.
    let absolute = if path.is_absolute() || path.has_root() {
        path.to_path_buf()
    } else if path.starts_with("..") {
        // cc compiles in the lesson's folder, two below the workbook.
        root.join("exercises").join("lesson").join(path)
    } else if WORKBOOK_FOLDERS.iter().any(|top| path.starts_with(top)) {
        // rustc compiles in the workspace.
        root.join(path)
    } else {
        return None; // the standard library's `library/std/...`, glibc's
    };
    // Legacy-mangled Rust names end with a hash: `::h0123456789abcdef`.
    let function = match function.rsplit_once("::h") {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => function,
    };
    workbook_location(&demangle_escapes(function), &absolute, line, root)
}

/// The workspace's folders that hold the workbook's own code.
const WORKBOOK_FOLDERS: &[&str] = &["exercises", "solutions", "csrc", "support", "checker"];

/// The escapes of a legacy-mangled Rust name, as gcc's ASan prints it
/// (`_$LT$a..B$u20$as$u20$c..D$GT$::drop`), read back:
/// `<a::B as c::D>::drop`.
fn demangle_escapes(name: &str) -> String {
    if !name.contains('$') {
        return name.to_string();
    }
    let name = name
        .strip_prefix('_')
        .filter(|rest| rest.starts_with('$'))
        .unwrap_or(name);
    let mut out = name.replace("..", "::");
    for (escape, text) in [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$u20$", " "),
        ("$C$", ","),
        ("$RF$", "&"),
        ("$BP$", "*"),
        ("$u27$", "'"),
        ("$u5b$", "["),
        ("$u5d$", "]"),
        ("$u7b$", "{"),
        ("$u7d$", "}"),
        ("$u7e$", "~"),
        ("$SP$", "@"),
    ] {
        out = out.replace(escape, text);
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

    /// Parts of a real report (gcc 12's ASan, lesson 7 with a dangling
    /// `as_ptr()` and C's string freed by Rust; a leak; lesson 10's double
    /// destroy), paths as ASan prints them: relative to where they were
    /// compiled.
    const ASAN_REPORT: &str = "\
=================================================================
==3102==ERROR: AddressSanitizer: heap-use-after-free on address 0x6030000018d0 at pc 0x55ceb741948c bp 0x7fbb4b7fe2f0 sp 0x7fbb4b7fe2e8
READ of size 1 at 0x6030000018d0 thread T1
    #0 0x55ceb741948b in cs_count_vowels ../../csrc/c_strings.c:31
    #1 0x55ceb741770d in c_strings::count_vowels::hba7c0a513a1df322 exercises/07_c_strings/src/lib.rs:135
    #2 0x55ceb7414f56 in memory::every_wrapper_on_every_path::h626d99e01e353f24 exercises/07_c_strings/tests/memory.rs:19
    #4 0x55ceb7417145 in core::ops::function::FnOnce::call_once::h233d5eec44e2b959 /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs:250
    #25 0x7fbb4d6a71f4 in start_thread nptl/pthread_create.c:442

0x6030000018d0 is located 0 bytes inside of 27-byte region [0x6030000018d0,0x6030000018eb)
freed by thread T1 here:
    #0 0x7fbb4d8b76a8 in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #7 0x55ceb741903f in core::ptr::drop_in_place$LT$alloc..ffi..c_str..CString$GT$::h398d041e02284d3a /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ptr/mod.rs:805
    #8 0x55ceb7417702 in c_strings::count_vowels::hba7c0a513a1df322 exercises/07_c_strings/src/lib.rs:132

previously allocated by thread T1 here:
    #0 0x7fbb4d8b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #13 0x55ceb74175ab in c_strings::count_vowels::hba7c0a513a1df322 exercises/07_c_strings/src/lib.rs:132

Thread T1 created by T0 here:
    #0 0x7fbb4d849726 in __interceptor_pthread_create ../../../../src/libsanitizer/asan/asan_interceptors.cpp:207
    #11 0x55ceb7415072 in memory::main::hc11c7afbfc4620d3 exercises/07_c_strings/tests/memory.rs:1

SUMMARY: AddressSanitizer: heap-use-after-free ../../csrc/c_strings.c:31 in cs_count_vowels
Shadow bytes around the buggy address:
=>0x0c067fff8310: 00 00 fa fa 00 00 00 00 fa fa[fd]fd fd fd fa fa
=================================================================
==3102==ERROR: AddressSanitizer: attempting free on address which was not malloc()-ed: 0x603000001910 in thread T1
    #0 0x7fbb4d8b76a8 in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #5 0x55ceb7419206 in _$LT$alloc..boxed..Box$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$::drop::ha9ea0a1773d07e9b /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/alloc/src/boxed.rs:1921
    #9 0x55ceb7418711 in c_strings::with_greeting::hfce1505a945828af exercises/07_c_strings/src/lib.rs:146
    #30 0x55ceb7428c91 in _RNCINvNtNtCsjrHSEGnQ3l9_3std6thread9lifecycle15spawn_uncheckedNCNvCs3mSbOeLENLV_4test8run_tests_0uEs_0B12_ library/std/src/thread/lifecycle.rs:89
    #34 0x7fbb4d6a71f4 in start_thread nptl/pthread_create.c:442

0x603000001910 is located 16 bytes inside of 28-byte region [0x603000001900,0x60300000191c)
allocated by thread T1 here:
    #0 0x7fbb4d8b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x55ceb74194fb in cs_greet ../../csrc/c_strings.c:56
    #2 0x55ceb7418697 in c_strings::with_greeting::hfce1505a945828af exercises/07_c_strings/src/lib.rs:144

SUMMARY: AddressSanitizer: bad-free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52 in __interceptor_free
=================================================================
==3102==ERROR: AddressSanitizer: attempting double-free on 0x606000000020 in thread T1:
    #0 0x7f in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x55 in ledger_destroy ../../csrc/handles.c:40
    #2 0x55 in _$LT$handles..Ledger$u20$as$u20$core..ops..drop..Drop$GT$::drop::h0123456789abcdef exercises/10_handles/src/lib.rs:90:9

0x606000000020 is located 0 bytes inside of 32-byte region [0x606000000020,0x606000000040)
freed by thread T1 here:
    #0 0x7f in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x55 in ledger_destroy ../../csrc/handles.c:40
    #2 0x55 in handles::Ledger::close::h0123456789abcdef exercises/10_handles/src/lib.rs:70

previously allocated by thread T1 here:
    #1 0x55 in ledger_create ../../csrc/handles.c:20

SUMMARY: AddressSanitizer: double-free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52 in __interceptor_free

=================================================================
==13758==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 207 byte(s) in 6 object(s) allocated from:
    #0 0x7f09716b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x563bc5df1edb in cs_greet ../../csrc/c_strings.c:56
    #2 0x563bc5df0e51 in c_strings::with_greeting::h2a42629ee6fe51ff exercises/07_c_strings/src/lib.rs:144
    #3 0x563bc5dfea6a in _RNCNvCs3mSbOeLENLV_4test19run_test_in_process0B3_ library/test/src/lib.rs:686

Indirect leak of 8 byte(s) in 1 object(s) allocated from:
    #0 0x7f09716b89cf in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x563bc5df1edb in cs_greet ../../csrc/c_strings.c:56

SUMMARY: AddressSanitizer: 215 byte(s) leaked in 7 allocation(s).
";

    #[test]
    fn reads_asans_report_into_the_same_findings() {
        let findings = parse_asan(ASAN_REPORT, Path::new("/wb"));
        let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::UseAfterFree,
                Kind::WrongFree,
                Kind::FreedTwice,
                Kind::Leak
            ]
        );

        let use_after_free = &findings[0];
        let at: Vec<String> = use_after_free.at.iter().map(Frame::to_string).collect();
        assert_eq!(
            at,
            [
                "cs_count_vowels (csrc/c_strings.c:31)",
                "c_strings::count_vowels (src/lib.rs:135)",
                "memory::every_wrapper_on_every_path (tests/memory.rs:19)",
            ],
            "the workbook's frames, hashes gone, std's and the thread's left out"
        );
        assert_eq!(use_after_free.block.len(), 1, "{:?}", use_after_free.block);
        assert_eq!(use_after_free.block[0].location, "src/lib.rs:132");
        assert!(
            use_after_free
                .to_string()
                .starts_with("Use after free: cs_count_vowels (csrc/c_strings.c:31), called from c_strings::count_vowels (src/lib.rs:135) read 1 byte(s)"),
            "{use_after_free}"
        );

        let wrong_free = &findings[1];
        assert_eq!(wrong_free.at[0].function, "c_strings::with_greeting");
        assert_eq!(
            wrong_free.block[0].to_string(),
            "cs_greet (csrc/c_strings.c:56)"
        );
        assert!(
            wrong_free
                .to_string()
                .contains("(the address 16 bytes inside of 28-byte region)"),
            "{wrong_free}"
        );

        let freed_twice = &findings[2];
        assert_eq!(
            freed_twice.at[1].to_string(),
            "<handles::Ledger as core::ops::drop::Drop>::drop (src/lib.rs:90)",
            "a column after the line is dropped, the mangled `<... as ...>` read"
        );
        assert_eq!(freed_twice.block[1].function, "handles::Ledger::close");
        assert!(
            freed_twice
                .to_string()
                .starts_with("Freed twice: ledger_destroy (csrc/handles.c:40)")
        );

        let leak = &findings[3];
        assert_eq!(leak.bytes, 207, "the direct leak only");
        assert_eq!(
            leak.to_string(),
            "Leak: 207 bytes allocated by cs_greet (csrc/c_strings.c:56), called from \
             c_strings::with_greeting (src/lib.rs:144) were never freed."
        );
    }

    #[test]
    fn an_out_of_bounds_write_and_a_crash_are_read_too() {
        let report = "\
==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6040000000f8 at pc 0x1 bp 0x2 sp 0x3
WRITE of size 8 at 0x6040000000f8 thread T0
    #0 0x1 in add_vectors /wb/build/../csrc/ABI_add.c:12:19
    #1 0x2 in abi_add::add::h0123456789abcdef exercises/03_abi_add/src/lib.rs:40

0x6040000000f8 is located 0 bytes to the right of 40-byte region [0x6040000000d0,0x6040000000f8)
allocated by thread T0 here:
    #1 0x3 in abi_add::exactly_sized::h0123456789abcdef exercises/03_abi_add/tests/abi_add.rs:128
==8==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0)
    #0 0x1 in evolve_step ../../csrc/evolve.c:30
";
        let findings = parse_asan(report, Path::new("/wb"));
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].kind, Kind::OutOfBounds);
        assert_eq!(
            findings[0].to_string(),
            "Out of bounds: add_vectors (csrc/ABI_add.c:12), called from abi_add::add \
             (src/lib.rs:40) wrote 8 byte(s) outside any allocation (the address 0 bytes \
             to the right of 40-byte region)."
        );
        assert_eq!(findings[1].kind, Kind::Other);
        assert_eq!(
            findings[1].to_string(),
            "SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0): in \
             evolve_step (csrc/evolve.c:30)."
        );
    }

    #[test]
    fn a_clean_asan_run_has_no_findings() {
        assert_eq!(parse_asan("", Path::new("/wb")), []);
        let lines = "running 1 test\ntest t ... ok\n#notaframe\n";
        assert_eq!(parse_asan(lines, Path::new("/wb")), []);
    }
}
