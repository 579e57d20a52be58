//! What a learner reads of the compiler's and the tests' output: the same
//! text, less what buries the line that matters.
//!
//! - A failed link prints the linker's whole command line (1,500 characters
//!   or more) before the one line that says what is wrong. That line is kept
//!   (`undefined symbol: API_add`), with one line on what to do about it.
//! - insta tells maintainers to run `cargo insta review` / `cargo insta test`.
//!   Learners must never update the lessons' snapshots, so that advice goes.
//!
//! Pure functions on text (ANSI colours allowed), so they are tested here.

/// A line longer than this is a command line or a dump, not a message.
const LONG_LINE: usize = 300;

/// `text` as the learner should see it. `c_sources` are the stems of the
/// workbook's C files (`API_add` for csrc/API_add.c), to name the file that
/// defines a missing symbol.
pub fn for_learner(text: &str, c_sources: &[String]) -> String {
    without_repeated_blocks(&collapsed_backtraces(&for_learner_in_full(text, c_sources)))
}

/// The same, with every backtrace and every repeated block in full (the
/// watch loop's `v`, `run --verbose`).
pub fn for_learner_in_full(text: &str, c_sources: &[String]) -> String {
    let mut out = String::new();
    // The lines of a linker error, held until its end to be summarised.
    let mut link_block: Option<Vec<&str>> = None;
    for line in text.lines() {
        let plain = anstream::adapter::strip_str(line).to_string();
        let trimmed = plain.trim();
        if is_maintainer_advice(trimmed) {
            continue;
        }
        if let Some(block) = link_block.as_mut() {
            let ends =
                (!plain.starts_with(' ') && !trimmed.is_empty()) || trimmed.starts_with("error: ");
            if !ends {
                block.push(line);
                continue;
            }
            out.push_str(&link_summary(block, c_sources));
            link_block = None;
        }
        if trimmed.starts_with("error: linking with") {
            out.push_str(line);
            out.push('\n');
            link_block = Some(Vec::new());
            continue;
        }
        out.push_str(&shorten(line));
    }
    if let Some(block) = link_block {
        out.push_str(&link_summary(&block, c_sources));
    }
    let mut out = without_repeated_errors(&out);
    if !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Where the full text is, said wherever something was left out.
pub const FULL_TEXT: &str = "the full text: `v` in the watch loop, `run LESSON --verbose`";

/// Each `stack backtrace:` cut to the frames in the lesson's own files (its
/// crate, and the C in csrc/), one line each, and a backtrace seen before
/// said so in one line. A panic out of an `extern "C"` function prints the
/// std's backtrace whatever RUST_BACKTRACE says, some 70 lines of which
/// two or three are the learner's.
fn collapsed_backtraces(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut seen: Vec<Vec<String>> = Vec::new();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        if plain(lines[i]).trim() != "stack backtrace:" {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let mut frames: Vec<String> = Vec::new();
        let mut function: Option<String> = None;
        i += 1;
        while i < lines.len() {
            let line = plain(lines[i]);
            let line = line.trim();
            if let Some(name) = frame_function(line) {
                function = Some(name);
            } else if let Some(place) = line.strip_prefix("at ") {
                if let (Some(name), Some(place)) = (&function, own_place(place)) {
                    let frame = format!("  at {name} ({place})");
                    if frames.last() != Some(&frame) {
                        frames.push(frame);
                    }
                }
            } else {
                if line.starts_with("note: Some details are omitted") {
                    i += 1;
                }
                break;
            }
            i += 1;
        }
        if seen.contains(&frames) {
            out.push_str("stack backtrace: the same backtrace as above.\n");
        } else if frames.is_empty() {
            out.push_str(&format!(
                "stack backtrace: none of its frames is in the lesson's files ({FULL_TEXT}).\n"
            ));
        } else {
            out.push_str(&format!(
                "stack backtrace, cut to the lesson's own files ({FULL_TEXT}):\n"
            ));
            for frame in &frames {
                out.push_str(frame);
                out.push('\n');
            }
        }
        seen.push(frames);
    }
    out
}

fn plain(line: &str) -> String {
    anstream::adapter::strip_str(line).to_string()
}

/// The function of a backtrace frame line (`22: 0x5639... - a::b::h8cc6...`
/// or `4: a::b`), without the compiler's hashes.
fn frame_function(line: &str) -> Option<String> {
    let (number, rest) = line.split_once(':')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim();
    let name = match rest.strip_prefix("0x") {
        Some(address) => address.split_once(" - ")?.1,
        None => rest,
    };
    // `std[e28293b1aa0f68bd]::x` and `x::h8cc6340bcda4a61f`.
    let mut clean = String::new();
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let inside = &rest[open + 1..];
        match inside.find(']') {
            Some(16) if inside[..16].bytes().all(|b| b.is_ascii_hexdigit()) => {
                clean.push_str(&rest[..open]);
                rest = &inside[17..];
            }
            _ => {
                clean.push_str(&rest[..=open]);
                rest = inside;
            }
        }
    }
    clean.push_str(rest);
    if let Some((head, hash)) = clean.rsplit_once("::h")
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
    {
        clean.truncate(head.len());
    }
    Some(clean)
}

/// A frame's place (`/work/wb/exercises/09_callbacks/src/visit.rs:66:1`)
/// as the lesson names it, if it is in the lesson's crate or its C.
fn own_place(place: &str) -> Option<String> {
    let place = place.replace('\\', "/");
    if let Some(at) = place.rfind("csrc/") {
        return Some(place[at..].to_string());
    }
    let at = place.rfind("exercises/")?;
    Some(place[at..].to_string())
}

/// The fewest alike lines in a row that count as a block shown before.
const REPEATED_BLOCK: usize = 3;

/// A block of lines (a layout table, a program's output) that a later
/// failing check repeats is shown once: later copies become one line.
/// Sections are the failing checks (`--- check ...`); only lines seen in an
/// earlier section count, so a check's own repeated lines stay.
fn without_repeated_blocks(text: &str) -> String {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = String::new();
    let mut section: Vec<&str> = Vec::new();
    let mut flush = |section: &mut Vec<&str>, out: &mut String| {
        let keys: Vec<String> = section
            .iter()
            .map(|l| plain(l).trim().to_string())
            .collect();
        let repeated: Vec<bool> = (keys.iter())
            .map(|key| key.chars().count() >= 12 && seen.contains(key))
            .collect();
        let mut i = 0;
        while i < section.len() {
            let run = repeated[i..].iter().take_while(|r| **r).count();
            if run >= REPEATED_BLOCK {
                out.push_str(&format!("  (the same {run} lines as above)\n"));
                i += run;
            } else {
                out.push_str(section[i]);
                i += 1;
            }
        }
        seen.extend(keys);
        section.clear();
    };
    // A section starts at a check's heading, or at what the lesson's
    // program printed (appended after the checks when it failed too).
    let starts_section = |line: &str| {
        let line = plain(line);
        line.starts_with("--- ")
            || [
                "Your program printed:",
                "On stderr:",
                "What the checks found:",
            ]
            .contains(&line.trim_end())
    };
    for line in text.split_inclusive('\n') {
        if starts_section(line) {
            flush(&mut section, &mut out);
        }
        section.push(line);
    }
    flush(&mut section, &mut out);
    out
}

/// The same error twice (cargo links the library's test harness and the
/// test programs separately: once summarised, their link errors are one) is
/// shown once.
fn without_repeated_errors(text: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::new();
    for block in text.split_inclusive("\n\n") {
        let plain = anstream::adapter::strip_str(block).to_string();
        if plain.starts_with("error") {
            if seen.contains(&block) {
                continue;
            }
            seen.push(block);
        }
        out.push_str(block);
    }
    out
}

/// A line with its newline; a very long command line (`= note: "cc" ...`)
/// is replaced by its length. Long messages are kept whole: a test's own
/// explanation can be long, and it is the point.
fn shorten(line: &str) -> String {
    let plain = anstream::adapter::strip_str(line).to_string();
    let chars = plain.chars().count();
    let command_line = plain.trim_start().starts_with("= note: \"");
    if chars <= LONG_LINE || !command_line {
        return format!("{line}\n");
    }
    let indent = &plain[..plain.len() - plain.trim_start().len()];
    format!("{indent}({chars} characters left out: a command line or a dump)\n")
}

/// insta's advice to the people who maintain snapshots (learners must
/// never update snapshots). The check engine drops these lines from test
/// output too.
pub fn is_maintainer_advice(line: &str) -> bool {
    line.contains("cargo insta review")
        || line.contains("cargo insta test")
        || line.contains("cargo insta accept")
}

/// `undefined symbol: NAME` (rust-lld, lld) or ``undefined reference to `NAME'`` (GNU ld).
fn undefined_symbol(line: &str) -> Option<String> {
    if let Some((_, rest)) = line.split_once("undefined symbol: ") {
        return Some(rest.trim().trim_matches('`').trim_matches('\'').to_string());
    }
    let (_, rest) = line.split_once("undefined reference to `")?;
    Some(rest.split('\'').next().unwrap_or(rest).to_string())
}

/// The other linker lines worth keeping: a library it could not find.
fn key_link_line(line: &str) -> Option<&str> {
    let line = line.trim_start_matches("= note:").trim();
    (line.contains("cannot find -l") || line.contains("unable to find library")).then_some(line)
}

/// A linker error's lines, reduced to what it could not find and what to
/// check. Lines it does not recognise are kept (shortened), so nothing new
/// is ever hidden.
fn link_summary(block: &[&str], c_sources: &[String]) -> String {
    let mut symbols: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for line in block {
        let plain = anstream::adapter::strip_str(line).to_string();
        let trimmed = plain.trim();
        if let Some(symbol) = undefined_symbol(trimmed) {
            if !symbols.contains(&symbol) {
                symbols.push(symbol);
            }
        } else if let Some(key) = key_link_line(trimmed) {
            keys.push(key.to_string());
        }
    }
    if symbols.is_empty() && keys.is_empty() {
        return block.iter().map(|line| shorten(line)).collect();
    }
    let mut out = String::new();
    for key in keys {
        out.push_str(&format!("  = note: {key}\n"));
    }
    for symbol in &symbols {
        out.push_str(&format!("  = note: undefined symbol: {symbol}\n"));
        let source = c_sources
            .iter()
            .find(|stem| *stem == symbol)
            .map(|stem| format!("csrc/{stem}.c"));
        out.push_str(&match source {
            Some(file) => format!(
                "  Declared in Rust, but no C defining it was linked: did build.rs compile {file}? \
                 (And is the name spelled the same in both?)\n"
            ),
            None => format!(
                "  Declared in Rust, but no C defining `{symbol}` was linked: did build.rs compile \
                 the C that defines it, under exactly that name?\n"
            ),
        });
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command_line() -> String {
        let mut line = String::from("  = note: \"cc\" \"-m64\"");
        while line.len() < 1500 {
            line.push_str(" \"/tmp/rustcXyZ/symbols.o\" \"-Wl,--as-needed\"");
        }
        line
    }

    fn rust_lld_error() -> String {
        format!(
            "error: linking with `cc` failed: exit status: 1\n  |\n{}\n  = note: some arguments \
             are omitted. use `--verbose` to show all linker arguments\n  = note: rust-lld: error: \
             undefined symbol: API_add\n          >>> referenced by lib.rs:20 (src/lib.rs:20)\n    \
                   >>>               api_add.o:(api_add::add)\n          >>> referenced by lib.rs:20 \
             (src/lib.rs:20)\n          collect2: error: ld returned 1 exit status\n\n  = note: \
             some `extern` functions couldn't be found; some native libraries may need to be \
             installed or have their path specified\n  = note: use the `-l` flag to specify native \
             libraries to link\n\nerror: could not compile `api_add` (lib test) due to 1 previous \
             error\n",
            command_line()
        )
    }

    #[test]
    fn a_link_error_keeps_its_key_line_and_says_what_to_check() {
        let shown = for_learner(&rust_lld_error(), &["API_add".into(), "evolve".into()]);
        assert!(
            shown.starts_with("error: linking with `cc` failed"),
            "{shown}"
        );
        assert!(shown.contains("undefined symbol: API_add\n"), "{shown}");
        assert!(
            shown.contains("did build.rs compile csrc/API_add.c?"),
            "{shown}"
        );
        assert!(!shown.contains("\"-m64\""), "{shown}");
        assert!(!shown.contains(">>>"), "{shown}");
        assert!(
            shown.contains("error: could not compile `api_add`"),
            "{shown}"
        );
        assert!(shown.lines().count() <= 6, "{shown}");
    }

    #[test]
    fn the_same_link_error_twice_is_shown_once() {
        let twice = format!("{}\n{}", rust_lld_error(), rust_lld_error());
        let shown = for_learner(&twice, &["API_add".into()]);
        assert_eq!(shown.matches("error: linking with").count(), 1, "{shown}");
        assert!(shown.contains("undefined symbol: API_add"), "{shown}");
    }

    #[test]
    fn gnu_ld_wording_and_a_symbol_with_no_c_file() {
        let text = format!(
            "error: linking with `cc` failed: exit status: 1\n{}\n  = note: /usr/bin/ld: \
             libapi_add.rlib(api_add.o): in function `api_add::add_inline':\n          lib.rs:(.text+0x2a): \
             undefined reference to `API_inline_add'\n          collect2: error: ld returned 1 exit status\n",
            command_line()
        );
        let shown = for_learner(&text, &["API_add".into()]);
        assert!(
            shown.contains("undefined symbol: API_inline_add\n"),
            "{shown}"
        );
        assert!(shown.contains("no C defining `API_inline_add`"), "{shown}");
        assert!(!shown.contains("collect2"), "{shown}");
    }

    #[test]
    fn a_missing_library_keeps_the_line_that_names_it() {
        let text = format!(
            "error: linking with `cc` failed: exit status: 1\n{}\n  = note: rust-lld: error: \
             unable to find library -lABI_add\n",
            command_line()
        );
        let shown = for_learner(&text, &[]);
        assert!(
            shown.contains("= note: rust-lld: error: unable to find library -lABI_add"),
            "{shown}"
        );
        assert!(!shown.contains("-m64"));
    }

    #[test]
    fn coloured_output_is_recognised_too() {
        let text = "\x1b[1m\x1b[31merror\x1b[0m\x1b[1m: linking with `cc` failed\x1b[0m\n  \x1b[1m= \
                    note\x1b[0m: rust-lld: error: undefined symbol: API_add\n";
        let shown = for_learner(text, &["API_add".into()]);
        assert!(shown.contains("undefined symbol: API_add"), "{shown}");
        assert!(shown.contains("csrc/API_add.c"), "{shown}");
    }

    #[test]
    fn insta_maintainer_advice_is_never_shown() {
        let text = "Snapshot: pointers\n-old +new\n\x1b[2mTo update snapshots run `cargo insta \
                    review` or set `INSTA_UPDATE=always`\x1b[0m\nStopped on the first failure. Run \
                    `cargo insta test` to run all snapshots.\nthread 'x' panicked at tests/a.rs:3:5\n";
        let shown = for_learner(text, &[]);
        assert_eq!(
            shown,
            "Snapshot: pointers\n-old +new\nthread 'x' panicked at tests/a.rs:3:5\n"
        );
    }

    /// What a panic out of an `extern "C"` function prints (abridged): the
    /// std's frames, then the lesson's, then std's again.
    fn nounwind_backtrace(thread: &str) -> String {
        format!(
            "thread '{thread}' (5335) panicked at /rustc/5980/library/core/src/panicking.rs:225:5:
panic in a function that cannot unwind
stack backtrace:
   0:     0x56396acfea8a - std[e28293b1aa0f68bd]::backtrace_rs::backtrace::libunwind::trace
                               at /rustc/5980/library/std/src/../../backtrace/src/backtrace/libunwind.rs:117:9
   5:     0x56396ad0f7ca - core[c1f1a4ba060b9bfa]::fmt::write
  21:     0x56396ad0ff67 - core[c1f1a4ba060b9bfa]::panicking::panic_cannot_unwind
                               at /rustc/5980/library/core/src/panicking.rs:337:5
  22:     0x56396accf6a3 - callbacks::visit::each_trampoline::h8cc6340bcda4a61f
                               at /work/wb/exercises/09_callbacks/src/visit.rs:66:1
  23:     0x56396acd4929 - cb_each
                               at /work/wb/exercises/09_callbacks/../../csrc/callbacks.c:16:9
  24:     0x56396accfcd0 - callbacks::visit::for_each::h5218cf5dbb26b521
                               at /work/wb/exercises/09_callbacks/src/visit.rs:86:9
  29:     0x56396acd381b - __rust_try
  30:     0x56396acd34fa - std::panicking::catch_unwind::hd742b8af2bce3c53
                               at /rustc/5980/library/std/src/panicking.rs:544:19
note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.
thread caused non-unwinding panic. aborting.
"
        )
    }

    #[test]
    fn a_backtrace_is_cut_to_the_lessons_frames_and_shown_once() {
        let text = format!(
            "On stderr:\n{}\n--- check `program_output` (tests/program.rs) failed ---\n{}",
            nounwind_backtrace("main"),
            nounwind_backtrace("main")
        );
        let shown = for_learner(&text, &[]);
        assert!(
            shown.contains("panic in a function that cannot unwind"),
            "{shown}"
        );
        assert!(
            shown.contains("  at callbacks::visit::each_trampoline (exercises/09_callbacks/src/visit.rs:66:1)\n  at cb_each (csrc/callbacks.c:16:9)\n  at callbacks::visit::for_each (exercises/09_callbacks/src/visit.rs:86:9)\n"),
            "{shown}"
        );
        assert_eq!(shown.matches("each_trampoline").count(), 1, "{shown}");
        assert!(shown.contains("the same backtrace as above"), "{shown}");
        for gone in [
            "libunwind",
            "core[",
            "__rust_try",
            "0x5639",
            "h8cc6340bcda4a61f",
        ] {
            assert!(!shown.contains(gone), "{gone}: {shown}");
        }
        assert!(
            shown.contains("thread caused non-unwinding panic"),
            "{shown}"
        );
        // The full text, when asked for.
        assert_eq!(
            for_learner_in_full(&text, &[])
                .matches("libunwind::trace")
                .count(),
            2
        );
    }

    #[test]
    fn a_table_repeated_by_later_failures_is_shown_once() {
        let table: String = (1..=7)
            .map(|i| format!("  - field `f{i}` starts at byte {i} of C's struct but at byte 0\n"))
            .collect();
        let text = format!(
            "--- check `layout` (tests/layout.rs) failed ---\nNot laid out like C:\n{table}Give it #[repr(C)].\n\n\
             --- check `kinds` (tests/kinds.rs) failed ---\nC and Rust disagree:\n{table}Fix the layout first.\n\n\
             --- check `centre` (tests/centre.rs) failed ---\nC and Rust disagree:\n{table}Fix the layout first.\n"
        );
        let shown = for_learner(&text, &[]);
        assert_eq!(shown.matches("starts at byte 3").count(), 1, "{shown}");
        assert_eq!(shown.matches("lines as above)").count(), 2, "{shown}");
        assert!(
            shown.contains("C and Rust disagree:\n  (the same 7 lines"),
            "{shown}"
        );
        assert!(shown.contains("--- check `centre`"), "{shown}");
        // Two lines alike are not a table: kept.
        let short = "--- check `a` (tests/a.rs) failed ---\nsame words here\nand here too\n--- check `b` (tests/b.rs) failed ---\nsame words here\nand here too\n";
        assert_eq!(for_learner(short, &[]), short);
    }

    #[test]
    fn ordinary_text_and_long_messages_are_unchanged_and_command_lines_shortened() {
        let text = "error[E0308]: mismatched types\n --> src/lib.rs:3:5\n";
        assert_eq!(for_learner(text, &[]), text);
        let message = format!("assertion failed: {}", "the words of a test ".repeat(30));
        assert_eq!(for_learner(&message, &[]), message);
        let command = format!("  = note: \"cc\" {}", "\"-m64\" ".repeat(60));
        assert_eq!(
            for_learner(&command, &[]),
            format!(
                "  ({} characters left out: a command line or a dump)",
                command.len()
            )
        );
    }
}
