//! Laying out one screen of the watch loop: words wrapped to the terminal's
//! width, the whole height used. The header, the pinned part (the verdict)
//! and the footer (notes, keys) always stay; the body scrolls between them.
//! Pure: text in, rows out.

/// One screen's text, before wrapping.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    pub header: String,
    /// Shown under the header whatever the scroll (the verdict).
    pub pinned: String,
    /// Everything else; scrolls when it does not fit.
    pub body: String,
    /// At the bottom (notes and keys).
    pub footer: String,
}

/// One screen, laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// Exactly the terminal's height of rows.
    pub rows: Vec<String>,
    /// The body's first row shown (the scroll clamped to the body).
    pub scroll: usize,
    /// How many body rows are shown: what PgUp and PgDn move by, so that
    /// the next page starts with the row after this one's last.
    pub page: usize,
}

/// Exactly `height` rows of at most `width` columns (fewer when the
/// terminal is tiny), with the body from row `scroll` (clamped; `usize::MAX`
/// is the end).
pub fn layout(parts: &Parts, width: usize, height: usize, scroll: usize) -> Screen {
    let width = width.max(10);
    let header = wrap(&parts.header, width);
    let footer = wrap(&parts.footer, width);
    let mut pinned = wrap(&parts.pinned, width);
    let mut body = wrap(parts.body.trim_matches('\n'), width);
    // A blank row between header and the rest, only on a tall screen.
    let gap = usize::from(height >= 30);
    let fixed = header.len() + gap + footer.len();
    // The pinned part may take at most half of what is left, so the body
    // (the first error) always shows too; what it cannot hold goes at the
    // body's end, so that no line is lost.
    let room = height.saturating_sub(fixed);
    let keep = (room / 2).max(1);
    if pinned.len() > room / 2 + 1 {
        let rest = pinned.split_off(keep);
        body.push(String::new());
        body.extend(rest);
    }
    if !pinned.is_empty() && !body.is_empty() {
        pinned.push(String::new());
    }
    let area = room.saturating_sub(pinned.len());
    let mut rows = header;
    rows.extend(std::iter::repeat_n(String::new(), gap));
    rows.extend(pinned);
    let mut page = body.len().min(area).max(1);
    let scroll = if body.len() <= area {
        rows.extend(body);
        0
    } else {
        let visible = area.saturating_sub(1).max(1);
        let scroll = scroll.min(body.len() - visible);
        let end = scroll + visible;
        let marker = format!(
            "-- lines {}-{end} of {}{} --",
            scroll + 1,
            body.len(),
            if end < body.len() {
                ": more below (Down, PgDn, End)"
            } else {
                ": Up, PgUp, Home for the start"
            }
        );
        let marker = if marker.chars().count() <= width {
            marker
        } else {
            format!("-- {}-{end}/{} --", scroll + 1, body.len())
        };
        rows.extend(body.drain(scroll..end));
        rows.push(marker);
        page = visible;
        scroll
    };
    let footer_start = height.saturating_sub(footer.len());
    while rows.len() < footer_start {
        rows.push(String::new());
    }
    rows.truncate(footer_start.max(1).min(rows.len()));
    rows.extend(footer);
    rows.truncate(height.max(1));
    Screen { rows, scroll, page }
}

/// Each line wrapped at word boundaries to `width` columns (measured as a
/// terminal shows them: wide characters count twice, colours not at all);
/// a wrapped line keeps its indentation.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let line = line.replace('\t', "    ");
        if textwrap::core::display_width(&line) <= width {
            rows.push(line);
            continue;
        }
        let plain = anstream::adapter::strip_str(&line).to_string();
        let indent_len = plain.len() - plain.trim_start().len();
        let indent = " ".repeat(indent_len.min(width / 2));
        let options = textwrap::Options::new(width)
            .subsequent_indent(&indent)
            .break_words(true);
        rows.extend(
            textwrap::wrap(&line, options)
                .into_iter()
                .map(|row| row.into_owned()),
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(body: &str) -> Parts {
        Parts {
            header: "FFI Workbook [#-----] 1/6".into(),
            pinned: "FAIL compile error\nThe Rust compiler found errors.".into(),
            body: body.into(),
            footer: "Keys: h hint · q quit".into(),
        }
    }

    #[test]
    fn words_wrap_at_the_width_and_keep_their_indentation() {
        let rows = wrap(
            "    the quick brown fox jumps over the lazy dog and runs away",
            24,
        );
        assert!(rows.iter().all(|r| textwrap::core::display_width(r) <= 24));
        assert!(rows.len() > 1);
        assert!(rows[1].starts_with("    "), "{rows:?}");
        // No word is cut in the middle.
        let words: Vec<&str> = rows.iter().flat_map(|r| r.split_whitespace()).collect();
        assert_eq!(
            words.join(" "),
            "the quick brown fox jumps over the lazy dog and runs away"
        );
    }

    #[test]
    fn a_short_body_fills_the_screen_with_the_keys_at_the_bottom() {
        let Screen { rows, scroll, .. } =
            layout(&parts("error[E0308]: mismatched types\n"), 80, 24, 0);
        assert_eq!(rows.len(), 24);
        assert_eq!(scroll, 0);
        assert_eq!(rows[0], "FFI Workbook [#-----] 1/6");
        assert_eq!(rows[1], "FAIL compile error");
        assert!(rows.contains(&"error[E0308]: mismatched types".to_string()));
        assert_eq!(rows[23], "Keys: h hint · q quit");
    }

    #[test]
    fn a_long_body_scrolls_between_the_verdict_and_the_keys() {
        let body: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let rows = layout(&parts(&body), 80, 24, 0).rows;
        assert_eq!(rows.len(), 24);
        assert_eq!(rows[1], "FAIL compile error");
        assert!(rows.contains(&"line 1".to_string()));
        assert!(
            rows.iter()
                .any(|r| r.starts_with("-- lines 1-") && r.contains("of 100"))
        );
        assert_eq!(rows[23], "Keys: h hint · q quit");

        let Screen { rows, scroll, .. } = layout(&parts(&body), 80, 24, 50);
        assert_eq!(scroll, 50);
        assert_eq!(rows[1], "FAIL compile error", "the verdict stays");
        assert!(rows.contains(&"line 51".to_string()));
        assert!(!rows.contains(&"line 1".to_string()));

        let Screen { rows, scroll, .. } = layout(&parts(&body), 80, 24, usize::MAX);
        assert!(rows.contains(&"line 100".to_string()));
        assert_eq!(rows[23], "Keys: h hint · q quit");
        assert!(scroll < 100);
    }

    #[test]
    fn every_row_fits_the_width_even_when_narrow() {
        let body = format!("{}\n", "word ".repeat(200));
        for (width, height) in [(80, 24), (120, 40), (40, 12), (20, 6)] {
            let rows = layout(&parts(&body), width, height, 0).rows;
            assert_eq!(rows.len(), height, "{width}x{height}");
            for row in &rows {
                assert!(textwrap::core::display_width(row) <= width, "{row:?}");
            }
        }
    }

    #[test]
    fn a_long_verdict_leaves_room_for_the_body() {
        let mut p = parts("the first error\n");
        p.pinned = (1..=40).map(|i| format!("advice {i}\n")).collect();
        let rows = layout(&p, 80, 24, 0).rows;
        assert!(rows.contains(&"the first error".to_string()), "{rows:#?}");
        assert_eq!(rows[23], "Keys: h hint · q quit");
    }

    /// The body rows a screen shows (between the pinned verdict and the
    /// scroll marker), found by their text.
    fn shown_body(rows: &[String]) -> Vec<String> {
        rows.iter()
            .filter(|r| r.starts_with("body line "))
            .cloned()
            .collect()
    }

    /// PgDn from the top to the end, then PgUp back, at 80x24 and 120x40,
    /// over a verdict much longer than a screen (with a pinned part too long
    /// to stay whole): every line is shown, in order, none skipped.
    #[test]
    fn paging_by_the_visible_height_shows_every_line() {
        let body: String = (1..=300).map(|i| format!("body line {i}\n")).collect();
        let mut long = parts(&body);
        long.pinned = (1..=30).map(|i| format!("body line 0.{i:02}\n")).collect();
        for (width, height) in [(80, 24), (120, 40)] {
            let mut expected: Vec<String> = (1..=300).map(|i| format!("body line {i}")).collect();
            expected.extend((1..=30).map(|i| format!("body line 0.{i:02}")));
            let mut seen: Vec<String> = Vec::new();
            let mut scroll = 0;
            let mut pages = 0;
            loop {
                let screen = layout(&long, width, height, scroll);
                assert_eq!(screen.rows.len(), height);
                for row in shown_body(&screen.rows) {
                    if !seen.contains(&row) {
                        seen.push(row);
                    }
                }
                if screen.rows.iter().any(|r| r == "body line 0.30") {
                    break;
                }
                scroll = screen.scroll + screen.page;
                pages += 1;
                assert!(
                    pages < 400,
                    "PgDn never reached the end at {width}x{height}"
                );
            }
            // The pinned lines that stay on screen come first; then the
            // body, then what the pinned part could not hold, in order.
            let kept = (seen.iter())
                .take_while(|r| r.starts_with("body line 0."))
                .count();
            assert!(kept > 0 && kept < 30, "{seen:?}");
            let mut in_order: Vec<String> = seen[..kept].to_vec();
            in_order.extend(
                expected
                    .iter()
                    .filter(|r| !seen[..kept].contains(r))
                    .cloned(),
            );
            assert_eq!(
                seen, in_order,
                "every line once, in order, at {width}x{height}"
            );
            // PgUp from the end goes back the same way to the first row.
            let mut scroll = usize::MAX;
            let mut back: Vec<String> = Vec::new();
            loop {
                let screen = layout(&long, width, height, scroll);
                let mut rows = shown_body(&screen.rows);
                rows.extend(back);
                back = rows;
                back.dedup();
                if screen.scroll == 0 {
                    break;
                }
                scroll = screen.scroll.saturating_sub(screen.page);
            }
            let mut unique = back.clone();
            unique.dedup();
            for line in &expected {
                assert!(
                    unique.contains(line),
                    "{line} skipped by PgUp at {width}x{height}"
                );
            }
        }
    }

    #[test]
    fn the_header_and_keys_take_two_rows_at_80x24() {
        let body: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let rows = layout(&parts(&body), 80, 24, 0).rows;
        assert_eq!(rows[0], "FFI Workbook [#-----] 1/6");
        assert_eq!(
            rows[1], "FAIL compile error",
            "no blank row under a one-row header"
        );
        assert_eq!(rows[23], "Keys: h hint · q quit");
    }
}
