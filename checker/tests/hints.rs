//! The lessons teach, they do not dictate: a hint comes in levels, and only
//! its last level may show the code; the TODO comments in the exercises say
//! what to achieve, never the finished line; and a puzzle's answer is not
//! written anywhere a learner reads before solving it.
//!
//! "A line of the reference answer" is a line that a solution's editable file
//! adds to the exercise (not in the exercise's copy of that file), that is not
//! a comment, and that is longer than a few characters once its spaces are
//! gone (`Ok(())`, `}` and `ny,` say nothing). It counts as given away when a
//! hint level or a TODO comment contains it, spaces ignored (so a line split
//! over several comment lines is found too), or contains its expression: what
//! follows `let NAME =`, unless that is a bare path (an API name, which a
//! hint may give).

use std::collections::HashSet;
use std::path::Path;

use checker::workbook::{Lesson, Workbook};

/// Shorter lines than this, spaces removed, are too plain to give anything away.
const MIN_ANSWER_CHARS: usize = 10;

fn workbook() -> Workbook {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    Workbook::load(root).unwrap_or_else(|err| panic!("the workbook loads: {err:#}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The code part of a line: without a trailing `// comment`.
fn code_of(line: &str) -> &str {
    match line.find("//") {
        // `"//"` inside a string (a URL) is rare in these lessons; a line cut
        // short there only makes it less likely to count as given away.
        Some(at) => &line[..at],
        None => line,
    }
}

/// One line of a reference answer, in the forms that count as giving it away.
#[derive(Debug)]
struct AnswerLine {
    file: String,
    line: String,
    /// The whole line, spaces removed, without a trailing `;` or `,`.
    whole: String,
    /// What follows `let PATTERN =`, when the line is a `let`.
    expression: Option<String>,
}

impl AnswerLine {
    fn given_away_by(&self, squeezed_text: &str) -> bool {
        squeezed_text.contains(&self.whole)
            || self
                .expression
                .as_ref()
                .is_some_and(|expression| squeezed_text.contains(expression))
    }
}

/// The lines a lesson's solution adds to its exercise's editable files.
fn answer_lines(workbook: &Workbook, lesson: &Lesson) -> Vec<AnswerLine> {
    let mut lines = Vec::new();
    for file in &lesson.editable {
        let exercise = read(&lesson.exercise_dir(&workbook.root).join(file));
        let solution = read(&lesson.solution_dir(&workbook.root).join(file));
        let given: HashSet<&str> = exercise.lines().map(str::trim).collect();
        for line in solution.lines().map(str::trim) {
            if line.starts_with("//") || given.contains(line) {
                continue;
            }
            let code = code_of(line).trim();
            let whole = squeeze(code).trim_end_matches([';', ',']).to_string();
            if whole.chars().count() < MIN_ANSWER_CHARS {
                continue;
            }
            let expression = code
                .strip_prefix("let ")
                .and_then(|rest| rest.split_once(" = "))
                .map(|(_, expression)| squeeze(expression).trim_end_matches(';').to_string())
                .filter(|expression| expression.chars().count() >= MIN_ANSWER_CHARS)
                // A bare path (`std::env::consts::OS`) is an API name, which a
                // hint may give; an expression that does something may not.
                .filter(|expression| {
                    !expression
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
                });
            lines.push(AnswerLine {
                file: file.display().to_string(),
                line: line.to_string(),
                whole,
                expression,
            });
        }
    }
    lines
}

/// Every comment in `source` that holds a TODO: a run of comment lines (or
/// trailing comments) in which one says `TODO`, as (first line number, text).
fn todo_comments(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut flush = |run: &mut Vec<&str>, start: usize| {
        if run.iter().any(|line| line.contains("TODO")) {
            found.push((start, run.join("\n")));
        }
        run.clear();
    };
    for (number, line) in source.lines().enumerate() {
        let comment = line.find("//").map(|at| &line[at..]);
        match comment {
            Some(comment) => {
                if run.is_empty() {
                    start = number + 1;
                }
                run.push(comment.trim_start_matches(['/', '!']));
                // A trailing comment after code is a run of its own.
                if !line.trim_start().starts_with("//") {
                    flush(&mut run, start);
                }
            }
            None => flush(&mut run, start),
        }
    }
    flush(&mut run, start);
    found
}

#[test]
fn every_lesson_has_hints_in_at_least_two_levels() {
    let workbook = workbook();
    for lesson in &workbook.lessons {
        assert!(
            lesson.hints.len() >= 2,
            "lesson {} has {} hint level(s): write at least two in its \
             lessons/hints/NN_name.toml's `hints = [...]` (the first names the concept and where to read, the next the \
             functions and types, only the last shows code)",
            lesson.dir_name,
            lesson.hints.len()
        );
    }
}

/// Every lesson manifest below `root` (exercises/*/Cargo.toml).
fn manifests(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(root.join("exercises"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("Cargo.toml"))
        .filter(|path| path.is_file())
        .collect();
    found.sort();
    found
}

#[test]
fn no_manifest_holds_hints() {
    // Learners open an exercise's Cargo.toml to see what they may edit: a
    // hint there shows every level, the code included, at once. The hints
    // are in lessons/hints/NN_name.toml; the loader refuses them in a
    // manifest, and this reads the manifests as plain TOML, fixtures too.
    let workbook = workbook();
    let fixtures = workbook.root.join("checker/tests/fixtures");
    let mut roots = vec![workbook.root.clone()];
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.join("exercises").is_dir() {
            roots.push(path);
        }
    }
    let mut checked = 0;
    let mut problems = Vec::new();
    for root in &roots {
        for manifest in manifests(root) {
            let table: toml::Table = toml::from_str(&read(&manifest)).unwrap();
            let meta = &table["package"]["metadata"]["workbook"];
            checked += 1;
            if meta.get("hints").is_some() {
                problems.push(manifest.display().to_string());
            }
            let dir_name = manifest.parent().unwrap().file_name().unwrap();
            let hints = root
                .join(checker::workbook::HINTS_DIR)
                .join(format!("{}.toml", dir_name.to_string_lossy()));
            assert!(hints.is_file(), "{} is missing", hints.display());
        }
    }
    assert!(
        checked > workbook.lessons.len(),
        "only {checked} manifests read"
    );
    assert!(
        problems.is_empty(),
        "these manifests hold `hints`; move them to lessons/hints/NN_name.toml:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_answer_lines_are_found_at_all() {
    // Without this, a broken reader would make the tests below pass on nothing.
    let workbook = workbook();
    for lesson in &workbook.lessons {
        let lines = answer_lines(&workbook, lesson);
        assert!(
            lines.len() >= 3,
            "lesson {}: only {} answer lines found in its solution: {lines:#?}",
            lesson.dir_name,
            lines.len()
        );
    }
    let lesson = workbook.find("abi_add").unwrap();
    let lines = answer_lines(&workbook, lesson);
    let open = lines
        .iter()
        .find(|line| line.line.contains("library.get::<AddFn>"))
        .expect("AbiInline::open's lookup is one of lesson 3's answer lines");
    assert!(open.given_away_by(&squeeze("unsafe { *library.get::<AddFn>(b\"add\")? }")));
    assert!(!open.given_away_by(&squeeze("look it up with `Library::get`")));
}

#[test]
fn no_hint_level_but_the_last_shows_a_line_of_the_answer() {
    let workbook = workbook();
    let mut problems = Vec::new();
    for lesson in &workbook.lessons {
        let answers = answer_lines(&workbook, lesson);
        let Some((_last, earlier)) = lesson.hints.split_last() else {
            continue;
        };
        for (level, hint) in earlier.iter().enumerate() {
            let hint = squeeze(hint);
            for answer in answers.iter().filter(|answer| answer.given_away_by(&hint)) {
                problems.push(format!(
                    "{} hint level {} shows `{}` ({})",
                    lesson.dir_name,
                    level + 1,
                    answer.line,
                    answer.file
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Only the last hint level may show code of the reference answer:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_todo_comment_shows_a_line_of_the_answer() {
    let workbook = workbook();
    let mut problems = Vec::new();
    for lesson in &workbook.lessons {
        let answers = answer_lines(&workbook, lesson);
        for file in &lesson.editable {
            let source = read(&lesson.exercise_dir(&workbook.root).join(file));
            let todos = todo_comments(&source);
            assert!(
                !todos.is_empty() || file.ends_with("main.rs"),
                "exercises/{}/{} has no TODO comment: each gap says what it must achieve",
                lesson.dir_name,
                file.display()
            );
            for (line, todo) in todos {
                let todo = squeeze(&todo);
                for answer in answers.iter().filter(|answer| answer.given_away_by(&todo)) {
                    problems.push(format!(
                        "exercises/{}/{}:{line}: a TODO shows `{}` (from {})",
                        lesson.dir_name,
                        file.display(),
                        answer.line,
                        answer.file
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "A TODO says what the code must achieve, not the line itself:\n{}",
        problems.join("\n")
    );
}

/// Whether `text` holds `number` as a number of its own (not inside a longer one).
fn holds_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit() || c == '_' || c == ',')
            && !after.is_some_and(|c| c.is_ascii_digit() || c == '_')
    })
}

/// Every text file under `dir`, with its path.
fn text_files(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(text_files(&path));
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            files.push((path.display().to_string(), text));
        }
    }
    files
}

#[test]
fn lesson_5s_limit_is_worked_out_not_read() {
    // MAX_N is the puzzle of lesson 5: the page explains why a C int
    // overflows and how to find the boundary, and the tests prove the answer,
    // but nothing the learner reads before solving it may say it. Its last
    // hint level may (the learner asked for it), and so may the solution.
    let workbook = workbook();
    let lesson = workbook.find("fibonacci").unwrap();
    let root = &workbook.root;
    let mut places = text_files(&lesson.exercise_dir(root));
    // The manifest is checked below, without its last hint level.
    places.retain(|(path, _)| !path.ends_with("Cargo.toml"));
    for page in [
        lesson.text_path(root),
        root.join("lessons/src/corrections.md"),
        root.join("lessons/src/introduction.md"),
        root.join("csrc/fibonacci.h"),
        root.join("csrc/fibonacci.c"),
    ] {
        places.push((page.display().to_string(), read(&page)));
    }
    let (_last, earlier) = lesson.hints.split_last().unwrap();
    for (level, hint) in earlier.iter().enumerate() {
        places.push((format!("hint level {}", level + 1), hint.clone()));
    }
    for advice in &lesson.advice {
        places.push(("the manifest's advice".to_string(), advice.text.clone()));
    }
    // The limit, its neighbours, and the Fibonacci numbers that give it away.
    let answers = [
        "45",
        "46",
        "47",
        "1134903170",
        "1836311903",
        "2971215073",
        "1,134,903,170",
        "1,836,311,903",
        "2,971,215,073",
        "1_134_903_170",
        "1_836_311_903",
        "2_971_215_073",
    ];
    let mut problems = Vec::new();
    for (place, text) in &places {
        for answer in answers {
            if holds_number(text, answer) {
                problems.push(format!("{place} holds {answer}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "lesson 5's MAX_N must be worked out, not read:\n{}",
        problems.join("\n")
    );
}

/// The headings of a Markdown page (outside code blocks), `#` marks removed.
fn headings(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            found.push(line.trim_start_matches('#').trim().to_string());
        }
    }
    found
}

/// The sections a text sends the learner to: every "quoted phrase" in a
/// sentence that starts with `Read `, unless the sentence names another
/// lesson.
fn sections_referred_to(text: &str) -> Vec<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut found = Vec::new();
    for (at, _) in text.match_indices("Read ") {
        let rest = &text[at..];
        // The sentence ends at a full stop outside quotes.
        let mut quoted = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '.' if !quoted && rest[i + 1..].starts_with(' ') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let sentence = &rest[..end];
        if sentence.contains("lesson ") && !sentence.contains("the lesson's") {
            continue;
        }
        found.extend(sentence.split('"').skip(1).step_by(2).map(str::to_string));
    }
    found
}

#[test]
fn every_section_a_hint_or_todo_points_to_exists() {
    let workbook = workbook();
    let mut problems = Vec::new();
    let mut references = 0;
    for lesson in &workbook.lessons {
        let page_headings = headings(&read(&lesson.text_path(&workbook.root)));
        let mut texts: Vec<(String, String)> = lesson
            .hints
            .iter()
            .enumerate()
            .map(|(level, hint)| (format!("hint level {}", level + 1), hint.clone()))
            .collect();
        for file in &lesson.editable {
            let source = read(&lesson.exercise_dir(&workbook.root).join(file));
            for (line, todo) in todo_comments(&source) {
                let todo = todo
                    .lines()
                    .map(|l| l.trim_start_matches(['/', '!']))
                    .collect::<Vec<_>>()
                    .join(" ");
                texts.push((format!("{}:{line}", file.display()), todo));
            }
        }
        for (place, text) in texts {
            for section in sections_referred_to(&text) {
                references += 1;
                // A reference may shorten a long heading ("Way 1" for
                // "Way 1, ABI: load the library at run time").
                if !page_headings.iter().any(|h| h.starts_with(&section)) {
                    problems.push(format!(
                        "{} {place}: no heading \"{section}\" on lessons/src/{}.md",
                        lesson.dir_name, lesson.dir_name
                    ));
                }
            }
        }
    }
    assert!(
        references >= 10,
        "only {references} section references found: is the reader broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_lesson_shows_at_most_a_tenth_of_its_answer_before_the_last_hint() {
    // bench/answer-leak.py is the measure (its docstring gives the rules):
    // the exercise's comments, the lesson's page and every hint level but
    // the last, against the reference solution's lines.
    let root = workbook().root;
    let run = std::process::Command::new("python3")
        .arg(root.join("bench/answer-leak.py"))
        .arg(&root)
        .args(["--max", "10"])
        .output();
    let Ok(run) = run else {
        eprintln!("SKIPPED: python3 is not installed, so bench/answer-leak.py cannot run");
        return;
    };
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(table.contains("11_generated_bindings"), "{table}");
    assert!(
        run.status.success(),
        "A page, a TODO comment or an early hint shows too much of a lesson's answer \
         (`python3 bench/answer-leak.py -v` lists the lines; teach on a parallel problem):\n{table}{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
