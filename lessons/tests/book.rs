//! Proves the book is whole without needing mdbook: every chapter that
//! `SUMMARY.md` links exists, every page in `src/` is in `SUMMARY.md`, every
//! link from one page to another and every picture a page shows exists, and
//! every lesson in `exercises/` has its page, written in the course's format.
//!
//! The folders are read when the test runs, so a new lesson or page is
//! checked without registering it anywhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `lessons/src`, where the pages live.
fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The workbook's root folder (the one holding `exercises/`).
fn workbook_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("lessons/ has a parent folder")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("could not read {}: {err}", path.display()))
}

/// Every page (`*.md` except `SUMMARY.md`) in `lessons/src`, by file name.
fn pages_on_disk() -> BTreeSet<String> {
    std::fs::read_dir(src_dir())
        .expect("lessons/src is readable")
        .map(|entry| entry.expect("a readable entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md") && name != "SUMMARY.md")
        .collect()
}

/// The lines of a Markdown text that are outside fenced code blocks
/// (```` ``` ```` or `~~~`), so that text inside example code is not taken for
/// a link or a heading.
fn lines_outside_code_blocks(markdown: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut fence: Option<&str> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match fence {
            Some(f) if trimmed.starts_with(f) => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") => fence = Some("```"),
            None if trimmed.starts_with("~~~") => fence = Some("~~~"),
            None => lines.push(line),
        }
    }
    lines
}

/// The text of a page without its code: fenced blocks and `inline code`.
fn without_code_blocks(markdown: &str) -> String {
    let mut out = String::new();
    for line in lines_outside_code_blocks(markdown) {
        out.push_str(&without_inline_code(line));
        out.push('\n');
    }
    out
}

/// `inline code` spans removed from one line.
fn without_inline_code(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// A target of a Markdown link or image, `[text](TARGET)` or `![alt](TARGET)`.
#[derive(Debug, PartialEq)]
struct Link {
    image: bool,
    target: String,
}

/// The Markdown links and images of a text (code already removed), plus the
/// `src="..."` of any HTML `<img>` tag.
fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = text[i..].find("](") {
        let start = i + offset + 2;
        let Some(len) = text[start..].find(')') else {
            break;
        };
        // `![alt](x)`: find the `[` this `]` closes and look before it.
        let close = i + offset;
        let image = text[..close]
            .rfind('[')
            .is_some_and(|open| open > 0 && bytes[open - 1] == b'!');
        // A link may carry a title: `(path "title")`.
        let target = text[start..start + len]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c| c == '<' || c == '>')
            .to_string();
        found.push(Link { image, target });
        i = start + len;
    }
    let mut rest = text;
    while let Some(at) = rest.find("<img") {
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if let Some(src_at) = tag.find("src=") {
            let value = &tag[src_at + 4..];
            let quote = value.chars().next().unwrap_or('"');
            let value = value.trim_start_matches(quote);
            let target = value.split(quote).next().unwrap_or("").to_string();
            found.push(Link {
                image: true,
                target,
            });
        }
        rest = &rest[tag_end..];
    }
    found
}

/// A link that points into the book (not to a web page or an anchor on the
/// same page), without its `#anchor`.
fn local_target(target: &str) -> Option<&str> {
    let external = ["http://", "https://", "mailto:", "ftp://"];
    if target.is_empty()
        || target.starts_with('#')
        || external.iter().any(|p| target.starts_with(p))
    {
        return None;
    }
    Some(target.split('#').next().unwrap_or(target))
}

/// The `#anchor` part of a link, if any.
fn anchor(target: &str) -> Option<&str> {
    target.split_once('#').map(|(_, anchor)| anchor)
}

/// The ids mdBook gives a page's headings (its `normalize_id`: lower case,
/// letters, digits, `_` and `-` kept, spaces become `-`, the rest dropped; a
/// repeated id gets `-1`, `-2`, ...), an explicit `{#id}`, and any HTML `id="..."`.
fn anchors_of(markdown: &str) -> BTreeSet<String> {
    let text = without_code_blocks(markdown);
    let mut ids = BTreeSet::new();
    for line in markdown_headings(markdown) {
        let (title, explicit) = match line.rfind("{#") {
            Some(at) if line.trim_end().ends_with('}') => {
                let id = line[at + 2..].trim_end().trim_end_matches('}');
                (&line[..at], Some(id.to_string()))
            }
            _ => (line.as_str(), None),
        };
        let id = explicit.unwrap_or_else(|| {
            title
                .chars()
                .filter(|&c| c != '`' && c != '*')
                .filter_map(|c| {
                    if c.is_alphanumeric() || c == '_' || c == '-' {
                        Some(c.to_ascii_lowercase())
                    } else if c.is_whitespace() {
                        Some('-')
                    } else {
                        None
                    }
                })
                .collect::<String>()
        });
        let mut unique = id.clone();
        let mut n = 1;
        while ids.contains(&unique) {
            unique = format!("{id}-{n}");
            n += 1;
        }
        ids.insert(unique);
    }
    let mut rest = text.as_str();
    while let Some(at) = rest.find("id=\"") {
        rest = &rest[at + 4..];
        if let Some(end) = rest.find('"') {
            ids.insert(rest[..end].to_string());
        }
    }
    ids
}

/// The text of each `#`-heading, outside code blocks, without its `#`s.
fn markdown_headings(markdown: &str) -> Vec<String> {
    lines_outside_code_blocks(markdown)
        .into_iter()
        .filter_map(|line| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            let rest = &line[hashes..];
            (1..=6)
                .contains(&hashes)
                .then_some(())
                .filter(|_| rest.starts_with(' '))
                .map(|_| rest.trim().trim_end_matches('#').trim().to_string())
        })
        .collect()
}

/// Why a picture file would show as a broken image, if it would: empty, or
/// not the format its extension names (for example a Git LFS pointer saved
/// as `start.png`).
fn not_a_picture(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let extension = path.extension()?.to_string_lossy().to_lowercase();
    let magic: &[u8] = match extension.as_str() {
        "png" => b"\x89PNG\r\n\x1a\n",
        "jpg" | "jpeg" => b"\xff\xd8\xff",
        "gif" => b"GIF8",
        "svg" => {
            return (!String::from_utf8_lossy(&bytes).contains("<svg"))
                .then(|| "is not an SVG file".to_string());
        }
        _ => b"",
    };
    if bytes.is_empty() {
        Some("is an empty file".to_string())
    } else if !bytes.starts_with(magic) {
        Some(format!("is not a {} file", extension.to_uppercase()))
    } else {
        None
    }
}

/// The chapter files `SUMMARY.md` links, in order.
fn summary_chapters() -> Vec<String> {
    let summary = read(&src_dir().join("SUMMARY.md"));
    links(&without_code_blocks(&summary))
        .into_iter()
        .filter_map(|link| local_target(&link.target).map(str::to_string))
        .collect()
}

/// A lesson's page is named like its folder: `NN_name.md`.
fn is_lesson_page(page: &str) -> bool {
    let digits = page.chars().take_while(char::is_ascii_digit).count();
    digits == 2 && page[2..].starts_with('_') && page.ends_with(".md")
}

/// The lessons in `exercises/`: folders named `NN_name`.
fn lesson_folders() -> Vec<String> {
    let exercises = workbook_root().join("exercises");
    let mut names: Vec<String> = std::fs::read_dir(&exercises)
        .unwrap_or_else(|err| panic!("could not read {}: {err}", exercises.display()))
        .map(|entry| entry.expect("a readable entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            let (number, rest) = name.split_at(name.len().min(3));
            number.len() == 3
                && number[..2].chars().all(|c| c.is_ascii_digit())
                && number.ends_with('_')
                && !rest.is_empty()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_chapter_in_the_summary_exists() {
    let chapters = summary_chapters();
    assert!(
        !chapters.is_empty(),
        "lessons/src/SUMMARY.md links no chapters at all"
    );
    let missing: Vec<&String> = chapters
        .iter()
        .filter(|chapter| !src_dir().join(chapter).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "SUMMARY.md links these pages, but lessons/src/ has no such file: {missing:?}.\n\
         Write the page, or take its line out of lessons/src/SUMMARY.md."
    );
}

#[test]
fn every_chapter_is_linked_once() {
    let chapters = summary_chapters();
    let mut seen = BTreeSet::new();
    let twice: Vec<&String> = chapters.iter().filter(|c| !seen.insert(*c)).collect();
    assert!(
        twice.is_empty(),
        "SUMMARY.md links these pages more than once: {twice:?}"
    );
}

#[test]
fn every_page_is_in_the_summary() {
    let linked: BTreeSet<String> = summary_chapters().into_iter().collect();
    let orphans: Vec<String> = pages_on_disk()
        .into_iter()
        .filter(|page| !linked.contains(page))
        .collect();
    assert!(
        orphans.is_empty(),
        "these pages are in lessons/src/ but not in SUMMARY.md, so the book \
         never shows them: {orphans:?}.\nAdd a line for each to lessons/src/SUMMARY.md."
    );
}

#[test]
fn every_link_and_picture_in_a_page_exists() {
    let mut broken = Vec::new();
    for page in pages_on_disk() {
        let path = src_dir().join(&page);
        let markdown = read(&path);
        let text = without_code_blocks(&markdown);
        for link in links(&text) {
            if let Some(anchor) = link.target.strip_prefix('#') {
                if !anchors_of(&markdown).contains(anchor) {
                    broken.push(format!(
                        "{page}: link `#{anchor}`: no heading on this page has that id"
                    ));
                }
                continue;
            }
            let Some(target) = local_target(&link.target) else {
                continue;
            };
            // Pages sit directly in src/, so a relative link is relative to src/.
            let file = src_dir().join(target);
            if !file.is_file() {
                let what = if link.image { "picture" } else { "link" };
                broken.push(format!("{page}: {what} `{}`", link.target));
                continue;
            }
            if link.image
                && let Some(problem) = not_a_picture(&file)
            {
                broken.push(format!("{page}: picture `{}` {problem}", link.target));
            }
            if let Some(anchor) = anchor(&link.target).filter(|_| target.ends_with(".md"))
                && !anchors_of(&read(&file)).contains(anchor)
            {
                broken.push(format!(
                    "{page}: link `{}`: {target} has no heading with the id `{anchor}`",
                    link.target
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "these links or pictures are broken (a missing file or heading under lessons/src/, or a picture that is not one):\n  {}\n\
         (Pictures for the book live in lessons/src/images/.)",
        broken.join("\n  ")
    );
}

#[test]
fn every_lesson_has_its_page_in_the_summary() {
    let lessons = lesson_folders();
    assert!(
        !lessons.is_empty(),
        "found no lesson folders (NN_name) in exercises/"
    );
    let linked: BTreeSet<String> = summary_chapters().into_iter().collect();
    let mut problems = Vec::new();
    for lesson in &lessons {
        let page = format!("{lesson}.md");
        if !src_dir().join(&page).is_file() {
            problems.push(format!(
                "exercises/{lesson} has no page: write lessons/src/{page}"
            ));
        } else if !linked.contains(&page) {
            problems.push(format!(
                "lessons/src/{page} is not linked from lessons/src/SUMMARY.md"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn lessons_appear_in_the_summary_in_their_order() {
    let lesson_pages: Vec<String> = summary_chapters()
        .into_iter()
        .filter(|page| is_lesson_page(page))
        .collect();
    let mut sorted = lesson_pages.clone();
    sorted.sort();
    assert_eq!(
        lesson_pages, sorted,
        "SUMMARY.md should list the lesson pages in the order of their numbers"
    );
}

#[test]
fn every_lesson_page_has_the_course_format() {
    // The source's format: an overview with minutes, questions and
    // objectives; the body; the exercise; the key points.
    let required = [
        "Teaching:",
        "Exercises:",
        "Questions",
        "Objectives",
        "Exercise",
        "Key points",
    ];
    let mut problems = Vec::new();
    for page in pages_on_disk().into_iter().filter(|p| is_lesson_page(p)) {
        let lesson = page.trim_end_matches(".md");
        let text = read(&src_dir().join(&page));
        let lower = text.to_lowercase();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|word| !lower.contains(&word.to_lowercase()))
            .collect();
        if !text.trim_start().starts_with("# ") {
            problems.push(format!("{lesson}.md does not start with a `# Title`"));
        }
        if !missing.is_empty() {
            problems.push(format!("{lesson}.md has no {missing:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "lesson pages follow the course format (overview: Teaching/Exercises \
         minutes, Questions, Objectives; the body; an Exercise section; Key points):\n  {}",
        problems.join("\n  ")
    );
}

// The helpers above are themselves tested, so a bug in them cannot hide a
// broken book.

#[test]
fn links_finds_links_images_and_img_tags() {
    let text = "See [the intro](introduction.md#why), ![a field](images/start.png \"start\"),\n\
                [the web](https://example.org) and <img src=\"images/end.png\" alt=\"end\">.";
    let found = links(text);
    assert_eq!(
        found,
        vec![
            Link {
                image: false,
                target: "introduction.md#why".into()
            },
            Link {
                image: true,
                target: "images/start.png".into()
            },
            Link {
                image: false,
                target: "https://example.org".into()
            },
            Link {
                image: true,
                target: "images/end.png".into()
            },
        ]
    );
    assert_eq!(local_target("introduction.md#why"), Some("introduction.md"));
    assert_eq!(local_target("https://example.org"), None);
    assert_eq!(local_target("#key-points"), None);
}

#[test]
fn code_is_not_mistaken_for_links() {
    let text = "before [a](a.md)\n```rust\nlet x = v[0](1);\n```\nafter `f[i](j)` [b](b.md)\n";
    let targets: Vec<String> = links(&without_code_blocks(text))
        .into_iter()
        .map(|l| l.target)
        .collect();
    assert_eq!(targets, vec!["a.md", "b.md"]);
}

#[test]
fn anchors_follow_mdbook_ids() {
    let page = "# Safety: what `unsafe` promises\n\n## \"ABI is slower\"\n\n\
                ```rust\n# hidden line, not a heading\n```\n\n## Key points\n## Key points\n\
                ## Custom {#my-id}\n<a id=\"raw\"></a>\n";
    let ids = anchors_of(page);
    let expected: BTreeSet<String> = [
        "safety-what-unsafe-promises",
        "abi-is-slower",
        "key-points",
        "key-points-1",
        "my-id",
        "raw",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(ids, expected);
    assert_eq!(
        anchor("corrections.md#abi-is-slower"),
        Some("abi-is-slower")
    );
    assert_eq!(anchor("corrections.md"), None);
}

/// The info strings (` ```rust,no_run ` → `rust,no_run`) of a page's fenced
/// code blocks, with the line each starts on.
fn code_block_infos(markdown: &str) -> Vec<(usize, String)> {
    let mut infos = Vec::new();
    let mut fence: Option<&str> = None;
    for (number, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match fence {
            Some(f) if trimmed.starts_with(f) => fence = None,
            Some(_) => {}
            None => {
                for f in ["```", "~~~"] {
                    if let Some(info) = trimmed.strip_prefix(f) {
                        fence = Some(f);
                        infos.push((number + 1, info.trim().to_string()));
                        break;
                    }
                }
            }
        }
    }
    infos
}

#[test]
fn every_rust_block_is_compiled_by_the_tests() {
    // `cargo test -p lessons --doc` compiles every Rust block, except those
    // marked `ignore` and those whose language it does not take for Rust.
    let mut problems = Vec::new();
    for page in pages_on_disk() {
        for (line, info) in code_block_infos(&read(&src_dir().join(&page))) {
            let tags: Vec<&str> = info
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            if tags.first() == Some(&"rs") {
                problems.push(format!(
                    "{page}:{line}: write ```rust, not ```rs (rustdoc does not test `rs` blocks)"
                ));
            } else if tags.contains(&"rust") && tags.contains(&"ignore") {
                problems.push(format!(
                    "{page}:{line}: a `rust,ignore` block is never compiled; use `rust,no_run` \
                     (compiled, not run), `compile_fail`, or a ```text block if it is not Rust"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "every Rust example in the book must compile:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn code_block_infos_reads_fences() {
    let page = "text\n```rust,no_run\nlet x = 1;\n```\n\n~~~c\nint x;\n~~~\n```\nplain\n```\n";
    assert_eq!(
        code_block_infos(page),
        vec![
            (2, "rust,no_run".to_string()),
            (6, "c".to_string()),
            (9, String::new())
        ]
    );
}

#[test]
fn src_holds_only_what_the_book_shows() {
    // mdBook copies every file of src/ that is not a page into the built
    // book: anything else there (a crate's lib.rs, notes) would be published.
    let mut strays = Vec::new();
    for entry in std::fs::read_dir(src_dir()).expect("lessons/src is readable") {
        let entry = entry.expect("a readable entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_page = name.ends_with(".md");
        let is_images = name == "images" && entry.path().is_dir();
        if !is_page && !is_images {
            strays.push(name);
        }
    }
    assert!(
        strays.is_empty(),
        "lessons/src should hold only pages (*.md) and images/, since mdBook copies \
         every other file into the built book; found {strays:?}"
    );
}

#[test]
fn every_picture_has_a_caption_and_room_around_it() {
    // A picture is a paragraph of its own (blank lines around it), followed by
    // its caption: an italic paragraph that starts "*Figure N.".
    let mut problems = Vec::new();
    for page in pages_on_disk() {
        let text = read(&src_dir().join(&page));
        let lines = lines_outside_code_blocks(&text);
        for (at, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with("![") {
                continue;
            }
            let blank = |index: Option<usize>| {
                index
                    .and_then(|i| lines.get(i))
                    .is_none_or(|l| l.trim().is_empty())
            };
            if !blank(at.checked_sub(1)) || !blank(Some(at + 1)) {
                problems.push(format!(
                    "{page}: the picture `{}` needs a blank line before and after it",
                    line.trim()
                ));
            }
            let caption = lines[at + 1..].iter().find(|l| !l.trim().is_empty());
            if !caption.is_some_and(|c| c.trim_start().starts_with("*Figure ")) {
                problems.push(format!(
                    "{page}: the picture `{}` needs a caption after it, \
                     an italic paragraph starting `*Figure N.`",
                    line.trim()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_mdbook_install_command_names_the_pinned_version() {
    // .ci/book pins mdBook; the README and the book must tell readers the same.
    let root = workbook_root();
    if !root.join(".ci").is_dir() {
        // A learners' repository (`checker template`) has no .ci/: the
        // authors' copy, where the README is made, checks the versions.
        eprintln!("no .ci/ here (a learners' repository): the pinned version is checked upstream");
        return;
    }
    let script = read(&root.join(".ci/book"));
    let version = script
        .lines()
        .find_map(|line| line.strip_prefix("MDBOOK_VERSION=\"${MDBOOK_VERSION:-"))
        .and_then(|rest| rest.strip_suffix("}\""))
        .expect(".ci/book sets MDBOOK_VERSION=\"${MDBOOK_VERSION:-X.Y.Z}\"");
    let want = format!("cargo install mdbook --locked --version {version}");
    let mut places: Vec<PathBuf> = vec![root.join("README.md"), root.join("AUTHORING.md")];
    places.extend(pages_on_disk().iter().map(|page| src_dir().join(page)));
    let mut found = 0;
    for path in places {
        for line in read(&path).lines() {
            if line.contains("cargo install mdbook") {
                found += 1;
                assert!(
                    line.contains(&want),
                    "{}: `{}` should read `{want}`, the version .ci/book installs",
                    path.display(),
                    line.trim()
                );
            }
        }
    }
    assert!(
        found >= 2,
        "the README and the introduction say how to install mdBook"
    );
}
