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
