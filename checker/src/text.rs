//! Text a submission wrote, made safe before a person sees it: in a
//! terminal, a report, a Markdown summary. Learner code chooses its output,
//! its panic messages and its file names; any of them could clear the
//! instructor's screen and print a forged row (ANSI escapes), hide text
//! (bidirectional overrides), or close a Markdown code fence and write
//! outside it.

/// `text` with escape sequences, control characters (but newlines and
/// tabs) and bidirectional overrides removed, and code fences (three or
/// more backticks or tildes) broken, so the text stays inside any fence a
/// report puts it in.
pub fn sanitize(text: &str) -> String {
    let stripped = anstream::adapter::strip_str(text).to_string();
    let mut out = String::with_capacity(stripped.len());
    let mut run = (' ', 0usize);
    for c in stripped.chars() {
        if c == '\r' || is_hidden(c) || (c.is_control() && c != '\n' && c != '\t') {
            continue;
        }
        run = if c == run.0 { (c, run.1 + 1) } else { (c, 1) };
        // The third backtick (or tilde) of a run would make a fence.
        if (c == '`' || c == '~') && run.1 >= 3 {
            out.push(if c == '`' { '\'' } else { '-' });
            continue;
        }
        out.push(c);
    }
    out
}

/// [`sanitize`] for a one-line field (a name, a path): newlines and tabs
/// become spaces.
pub fn sanitize_line(text: &str) -> String {
    sanitize(text)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

/// A path a submission named, for a message: as it is when it is plain,
/// else quoted with every odd character escaped (`"src/\u{1b}[2J.rs"`).
pub fn quoted_path(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| !c.is_control() && !is_hidden(c) && c != '`' && c != '"');
    if plain {
        path.to_string()
    } else {
        sanitize_line(&format!("{path:?}"))
    }
}

/// Characters that change how text around them is shown without showing
/// themselves: bidirectional embeddings, overrides and isolates.
fn is_hidden(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_are_removed() {
        let forged = "ok\u{1b}[2J\u{1b}[H\u{1b}]0;title\u{7}alice  3/3 pass\r\nnext\u{8}\tline";
        assert_eq!(sanitize(forged), "okalice  3/3 pass\nnext\tline");
        assert_eq!(sanitize("a\u{202E}cba\u{2066}"), "acba");
        assert_eq!(sanitize("plain text\nstays"), "plain text\nstays");
    }

    #[test]
    fn fences_cannot_be_closed() {
        let forged = "x\n```\n| alice | 3/3 |\n~~~\n`code` and ``two``";
        let safe = sanitize(forged);
        assert!(!safe.contains("```") && !safe.contains("~~~"), "{safe}");
        assert!(safe.contains("`code` and ``two``"), "{safe}");
    }

    #[test]
    fn odd_paths_are_quoted_and_plain_ones_kept() {
        assert_eq!(quoted_path("src/lib.rs"), "src/lib.rs");
        let odd = quoted_path("src/\u{1b}[2J\nrow.rs");
        assert_eq!(odd, r#""src/\u{1b}[2J\nrow.rs""#);
        assert_eq!(sanitize_line("a\nb\tc"), "a b c");
    }
}
