//! `checker template DIR`: writes the learners' repository, the one GitHub
//! Classroom copies for every student, from the instructor's workbook.
//!
//! It holds what a learner needs (the checker, the exercises, the lessons'
//! text, `csrc/`, `support/`) and nothing that holds an answer or only
//! serves the course's authors. The files are the ones git has committed
//! (`git archive HEAD`): build output, a learner's progress and whatever an
//! instructor tried in their own clone never leak into it. Files under
//! `template/` replace the workbook's at the same path (the learners'
//! README). Before anything is written, every file is checked for a copy
//! of a reference answer; one found stops the command.
//!
//! DIR must be new or empty: the command never writes over anyone's files.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use crate::commands::Context;
use crate::workbook::{Workbook, git};

/// The folder whose files replace the workbook's in the template.
pub const OVERLAY: &str = "template";

/// What the template leaves out, and why. A folder ends with `/`.
pub const LEFT_OUT: &[(&str, &str)] = &[
    ("solutions/", "the reference answers"),
    (
        "checker/tests/",
        "the checker's own tests: their fixture workbooks hold solutions, and they check the \
         reference answers",
    ),
    (".ci/", "the authors' CI, which runs those tests"),
    (
        "bench/",
        "the authors' benchmarks, which grade the checker's test fixtures",
    ),
    (
        ".github/workflows/",
        "the authors' CI and the instructor's class grading (grade-class.yml needs the \
         instructor's token): of the workflows, the learners get classroom.yml alone",
    ),
    ("AUTHORING.md", "for course authors"),
    (
        "template/",
        "its files replace the workbook's in the template",
    ),
];

/// One file of the template.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Relative to the repository's root, with `/`.
    pub path: String,
    pub contents: Vec<u8>,
    pub executable: bool,
}

/// The one workflow the learners' repository keeps: Classroom's autograding.
pub const LEARNERS_WORKFLOW: &str = ".github/workflows/classroom.yml";

fn left_out(path: &str) -> bool {
    if path == LEARNERS_WORKFLOW {
        return false;
    }
    LEFT_OUT
        .iter()
        .any(|(entry, _)| match entry.strip_suffix('/') {
            Some(folder) => path.starts_with(entry) || path == folder,
            None => path == *entry,
        })
}

pub fn run(context: &Context, dir: &Path) -> Result<ExitCode> {
    let workbook = &context.workbook;
    refuse_unless_empty(dir)?;
    let committed = committed_files(&workbook.root)?;
    let uncommitted = uncommitted_changes(&workbook.root);
    let files = template_files(workbook, committed)?;
    write_files(dir, &files)?;
    if !uncommitted.is_empty() {
        eprintln!(
            "note: the template holds the last commit; these changes are not committed and are \
             not in it: {}",
            uncommitted.join(", ")
        );
    }
    println!(
        "Wrote the learners' repository, {} files, to {}.\n\
         Left out: {}.\n\n\
         Next: make it a repository, push it to GitHub, and mark it as a template \
         (Settings, \"Template repository\"); make the Classroom assignment from it:\n\
         \x20   cd {} && git init && git add -A && git commit -m \"FFI Workbook\"\n\
         Keep this repository ({}), with solutions/, for yourself: grade the class from it.",
        files.len(),
        dir.display(),
        LEFT_OUT
            .iter()
            .filter(|(path, _)| *path != "template/")
            .map(|(path, _)| match *path {
                ".github/workflows/" => "every workflow but classroom.yml",
                path => path,
            })
            .collect::<Vec<_>>()
            .join(", "),
        dir.display(),
        workbook.root.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The template is written only into a new or empty folder.
fn refuse_unless_empty(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} exists and is not empty: the template is written only into a new or \
                     empty folder, never over files",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) if dir.is_file() => Err(err)
            .with_context(|| format!("{} is a file; the template needs a folder", dir.display())),
        Err(err) => Err(err).with_context(|| format!("reading {}", dir.display())),
    }
}

/// Every file git has committed, with its contents: `git archive HEAD`.
pub fn committed_files(root: &Path) -> Result<Vec<TemplateFile>> {
    if git(root, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_err() {
        bail!(
            "the template is made from the workbook's git history, and {} is not a git clone \
             with a commit; clone the workbook with git",
            root.display()
        );
    }
    let tar = git(root, &["archive", "--format=tar", "HEAD"])?;
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut files = Vec::new();
    for entry in archive.entries().context("reading git's archive")? {
        let mut entry = entry.context("reading git's archive")?;
        let kind = entry.header().entry_type();
        let path = entry.path().context("reading git's archive")?.into_owned();
        if kind.is_dir() || kind.is_pax_global_extensions() {
            continue;
        }
        if !kind.is_file() {
            bail!(
                "{} is a link or special file in git; the template holds plain files only",
                path.display()
            );
        }
        // git writes plain relative paths; anything else is not a workbook.
        if !path.components().all(|c| matches!(c, Component::Normal(_))) {
            bail!("git's archive has an unexpected path, {}", path.display());
        }
        let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
        let mut contents = Vec::new();
        entry
            .read_to_end(&mut contents)
            .context("reading git's archive")?;
        files.push(TemplateFile {
            path: path.to_string_lossy().replace('\\', "/"),
            contents,
            executable,
        });
    }
    Ok(files)
}

/// Tracked files that differ from the last commit.
fn uncommitted_changes(root: &Path) -> Vec<String> {
    let Ok(out) = git(
        root,
        &["status", "--porcelain", "--untracked-files=no", "-z"],
    ) else {
        return Vec::new();
    };
    out.split(|&b| b == 0)
        .filter(|line| line.len() > 3)
        .map(|line| String::from_utf8_lossy(&line[3..]).into_owned())
        .collect()
}

/// The template's files: the committed ones, less what is left out, with
/// `template/`'s files in place of the workbook's. Fails if one of them
/// holds a reference answer.
pub fn template_files(
    workbook: &Workbook,
    committed: Vec<TemplateFile>,
) -> Result<Vec<TemplateFile>> {
    let overlay_prefix = format!("{OVERLAY}/");
    let overlay: Vec<TemplateFile> = committed
        .iter()
        .filter_map(|file| {
            let path = file.path.strip_prefix(&overlay_prefix)?;
            Some(TemplateFile {
                path: path.to_string(),
                ..file.clone()
            })
        })
        .collect();
    if !overlay.iter().any(|f| f.path == "README.md") {
        bail!(
            "{}/README.md is missing (or not committed): it is the learners' README, which the \
             template needs",
            OVERLAY
        );
    }
    let answers = answers(workbook, &committed);
    let mut files: Vec<TemplateFile> = committed
        .into_iter()
        .filter(|file| !left_out(&file.path))
        .filter(|file| !overlay.iter().any(|o| o.path == file.path))
        .collect();
    files.extend(overlay);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let leaks: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let text = normalized(&file.contents);
            answers
                .iter()
                .filter(move |(_, answer)| contains(&text, answer))
                .map(move |(answer_path, _)| format!("{} holds {answer_path}", file.path))
        })
        .collect();
    if !leaks.is_empty() {
        bail!(
            "the template would hold reference answers, so nothing was written: {}. Commit \
             the exercises as learners should get them (`checker reset`), or leave the file \
             out of the template",
            leaks.join("; ")
        );
    }
    Ok(files)
}

/// Every lesson's committed reference answers (its editable files in
/// `solutions/`), line endings normalised and trimmed.
fn answers(workbook: &Workbook, committed: &[TemplateFile]) -> Vec<(String, Vec<u8>)> {
    let mut answers = Vec::new();
    for lesson in &workbook.lessons {
        for file in &lesson.editable {
            let path = Path::new("solutions")
                .join(&lesson.dir_name)
                .join(file)
                .to_string_lossy()
                .replace('\\', "/");
            if let Some(found) = committed.iter().find(|f| f.path == path) {
                let text = normalized(&found.contents);
                if !text.is_empty() {
                    answers.push((path, text));
                }
            }
        }
    }
    answers
}

/// CRLF as LF, surrounding whitespace trimmed: a copy is a copy whatever
/// git's line-ending settings did to it.
fn normalized(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(byte);
    }
    let start = out
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(out.len());
    let end = out
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    out[start..end].to_vec()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn write_files(dir: &Path, files: &[TemplateFile]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in files {
        let path: PathBuf = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
        #[cfg(unix)]
        if file.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_that_holds_answers_is_left_out() {
        for answers in crate::workbook::ANSWER_PATHS {
            assert!(
                LEFT_OUT
                    .iter()
                    .any(|(path, _)| path.trim_end_matches('/') == *answers),
                "{answers} holds answers but the template keeps it"
            );
        }
    }

    #[test]
    fn leaves_out_answers_and_the_authors_files() {
        for path in [
            "solutions/01_pointers/src/lib.rs",
            "checker/tests/grade.rs",
            "checker/tests/fixtures/grading/solutions/01_answer/src/lib.rs",
            ".ci/run",
            ".github/workflows/grade-class.yml",
            ".github/workflows/ci.yml",
            "AUTHORING.md",
            "template/README.md",
            "bench/grade-scale.sh",
        ] {
            assert!(left_out(path), "{path}");
        }
        for path in [
            "README.md",
            "checker/src/main.rs",
            "exercises/01_pointers/src/lib.rs",
            "lessons/src/01_pointers.md",
            ".github/workflows/classroom.yml",
            "solutions.md",
        ] {
            assert!(!left_out(path), "{path}");
        }
    }

    #[test]
    fn finds_an_answer_whatever_its_line_endings() {
        let answer = normalized(b"\n  fn f() {\r\n    1\r\n}\n\n");
        assert_eq!(answer, b"fn f() {\n    1\n}");
        assert!(contains(
            &normalized(b"// copied\nfn f() {\n    1\n}\n"),
            &answer
        ));
        assert!(!contains(&normalized(b"fn f() {\n    2\n}\n"), &answer));
        assert!(!contains(b"anything", b""));
    }

    /// The real workbook's template: the answers are gone, the learners'
    /// README replaces the authors', and a solved exercise is refused.
    #[test]
    fn the_workbooks_template_holds_no_answer() {
        let workbook = Workbook::load(&crate::workbook::source_workbook()).unwrap();
        let Ok(committed) = committed_files(&workbook.root) else {
            // Not a git clone (a source archive): nothing to make a template from.
            return;
        };
        let files = template_files(&workbook, committed.clone()).unwrap();
        assert!(files.iter().all(|f| !left_out(&f.path)));
        let readme = files.iter().find(|f| f.path == "README.md").unwrap();
        let overlay = committed
            .iter()
            .find(|f| f.path == "template/README.md")
            .unwrap();
        assert_eq!(readme.contents, overlay.contents);
        for needed in [
            "Cargo.toml",
            "Cargo.lock",
            "checker/src/main.rs",
            "support/src/lib.rs",
            "csrc/pointers.c",
            "exercises/01_pointers/src/lib.rs",
            "lessons/src/01_pointers.md",
            ".github/workflows/classroom.yml",
        ] {
            assert!(files.iter().any(|f| f.path == needed), "{needed}");
        }

        let mut solved = committed;
        let answer = solved
            .iter()
            .find(|f| f.path == "solutions/01_pointers/src/lib.rs")
            .unwrap()
            .contents
            .clone();
        solved
            .iter_mut()
            .find(|f| f.path == "exercises/01_pointers/src/lib.rs")
            .unwrap()
            .contents = answer;
        let err = template_files(&workbook, solved).unwrap_err().to_string();
        assert!(
            err.contains("exercises/01_pointers/src/lib.rs holds solutions/01_pointers/src/lib.rs"),
            "{err}"
        );
    }

    /// Classroom's autograding reports one test per lesson: a new lesson
    /// needs its step in classroom.yml, or learners never see its point.
    #[test]
    fn classroom_autograding_reports_every_lesson() {
        let root = crate::workbook::source_workbook();
        let workbook = Workbook::load(&root).unwrap();
        let workflow = std::fs::read_to_string(root.join(LEARNERS_WORKFLOW)).unwrap();
        let runners: Vec<String> = workbook
            .lessons
            .iter()
            .map(|lesson| format!("lesson-{}", lesson.number))
            .collect();
        for lesson in &workbook.lessons {
            let n = lesson.number;
            for needed in [
                format!("id: lesson-{n}\n"),
                format!("select(.number == {n}) | .verdict == \"passed\""),
                format!("LESSON-{n}_RESULTS: \"${{{{ steps.lesson-{n}.outputs.result }}}}\""),
            ] {
                assert!(workflow.contains(&needed), "classroom.yml lacks {needed:?}");
            }
        }
        assert!(
            workflow.contains(&format!("runners: {}\n", runners.join(","))),
            "classroom.yml's reporter must list {}",
            runners.join(",")
        );
    }
}
