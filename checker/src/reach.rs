//! What a lesson's code reaches at compile time. rustc reads more than the
//! files a lesson lists: `#[path = ...]` modules and `include!`,
//! `include_str!`, `include_bytes!` take any path, and a link (a file or a
//! folder that is a symlink) points anywhere. A lesson's code must stay in its
//! own crate, or one `#[path = "../../../solutions/..."]` is the answer.
//!
//! The files are read as Rust tokens (comments and strings are not code), so
//! an `include!` in a comment is no problem and an aliased one still is.

use std::path::{Component, Path, PathBuf};

use crate::workbook::Lesson;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// Everything in `lesson_dir`'s editable `files` that reaches outside
/// `lesson_dir`, in words for the learner. `root` is the workbook root: no
/// folder from it down to a file may be a link.
pub fn outside_reaches(root: &Path, lesson_dir: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        let path = lesson_dir.join(file);
        if let Some(link) = first_link(root, &path) {
            problems.push(format!(
                "{} is a link (a symlink), not a plain file or folder",
                shown(root, &link)
            ));
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(tokens) = source.parse::<TokenStream>() else {
            // rustc will say what is wrong with it.
            continue;
        };
        let dir = path.parent().unwrap_or(lesson_dir).to_path_buf();
        let mut found = Vec::new();
        scan(tokens, &mut found);
        for reach in found {
            if let Some(why) = judge(&reach, &dir, lesson_dir) {
                problems.push(format!("{}: {why}", shown(root, &path)));
            }
        }
    }
    problems
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Whether the Rust file at `source` (a build script) can bring any of
/// `files` (named relative to its crate) into what it compiles or reads: a
/// string literal that names one (`#[path = ...]`, `include!`, a file it
/// opens) or a `mod` item that would load one. Comments, doc comments
/// included, do not count; a file that cannot be read as Rust counts, to
/// be safe.
pub fn names_any(source: &Path, files: &[PathBuf]) -> bool {
    let Ok(text) = std::fs::read_to_string(source) else {
        return source.exists();
    };
    let Ok(tokens) = text.parse::<TokenStream>() else {
        return true;
    };
    let mut literals = Vec::new();
    let mut modules = Vec::new();
    names_in(tokens, &mut literals, &mut modules);
    files.iter().any(|file| {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let stem = file.file_stem().map(|n| n.to_string_lossy().into_owned());
        name.is_some_and(|name| literals.iter().any(|lit| lit.contains(&name)))
            || stem.is_some_and(|stem| modules.contains(&stem))
    })
}

/// The string literals and the names of `mod` items in `tokens`, leaving out
/// doc comments (which the lexer turns into `#[doc = "..."]`).
fn names_in(tokens: TokenStream, literals: &mut Vec<String>, modules: &mut Vec<String>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(_) => {
                if let Some((at, g)) = attribute_at(&trees, i)
                    && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(id)) if id == "doc")
                {
                    i = at + 1;
                    continue;
                }
            }
            TokenTree::Ident(ident) if ident == "mod" => {
                if let Some(TokenTree::Ident(name)) = trees.get(i + 1) {
                    modules.push(name.to_string().trim_start_matches("r#").to_string());
                }
            }
            TokenTree::Literal(_) => literals.extend(string_literal(&trees[i])),
            TokenTree::Group(g) => names_in(g.stream(), literals, modules),
            _ => {}
        }
        i += 1;
    }
}

/// The first symlink on the way from `root` down to `path` (inclusive).
pub fn first_link(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return Some(at),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// One way a file names another.
#[derive(Debug, PartialEq)]
enum Reach {
    /// `#[path = "..."]` (also inside `cfg_attr`).
    PathAttr(String),
    /// `include!("...")` and friends, with a plain string.
    Include { mac: String, path: String },
    /// `include!(concat!(env!("OUT_DIR"), "..."))`: the build script's output.
    IncludeOutDir { mac: String, rest: String },
    /// An include whose path is computed some other way, or an include macro
    /// used under another name.
    Opaque(String),
}

const INCLUDES: &[&str] = &["include", "include_str", "include_bytes"];

/// The attribute (`#[...]` or `#![...]`) that starts at `trees[i]`, if one
/// does: the index of its bracketed group, and the group.
fn attribute_at(trees: &[TokenTree], i: usize) -> Option<(usize, &Group)> {
    if !matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '#') {
        return None;
    }
    let mut at = i + 1;
    if matches!(trees.get(at), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
        at += 1;
    }
    match trees.get(at) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => Some((at, g)),
        _ => None,
    }
}

fn scan(tokens: TokenStream, found: &mut Vec<Reach>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(_) => {
                if let Some((_, g)) = attribute_at(&trees, i) {
                    attribute_paths(g.stream(), found);
                }
            }
            TokenTree::Ident(ident) if INCLUDES.contains(&ident.to_string().as_str()) => {
                let mac = ident.to_string();
                let bang =
                    matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                // `std::include` in a path, or `include as inc`: the macro
                // under another name can no longer be followed. A method
                // (`build.include(dir)`) or a variable of that name is fine.
                let in_path =
                    i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == ':');
                let renamed = matches!(trees.get(i + 1), Some(TokenTree::Ident(a)) if a == "as");
                match (bang, trees.get(i + 2)) {
                    (true, Some(TokenTree::Group(args))) => {
                        found.push(include_args(&mac, args.stream()))
                    }
                    _ if in_path || renamed => {
                        found.push(Reach::Opaque(format!("names `{mac}` without calling it")))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        if let TokenTree::Group(g) = &trees[i] {
            scan(g.stream(), found);
        }
        i += 1;
    }
}

/// Every `path = "..."` inside an attribute (`#[path = ..]`, `#[cfg_attr(x, path = ..)]`).
fn attribute_paths(tokens: TokenStream, found: &mut Vec<Reach>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "path" => {
                if matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=') {
                    match trees.get(i + 2).and_then(string_literal) {
                        Some(path) => found.push(Reach::PathAttr(path)),
                        None => found.push(Reach::Opaque(
                            "a `path` attribute that is not a plain string".into(),
                        )),
                    }
                }
            }
            TokenTree::Group(g) => attribute_paths(g.stream(), found),
            _ => {}
        }
    }
}

fn include_args(mac: &str, args: TokenStream) -> Reach {
    let trees: Vec<TokenTree> = args.into_iter().collect();
    if let [only] = trees.as_slice()
        && let Some(path) = string_literal(only)
    {
        return Reach::Include {
            mac: mac.into(),
            path,
        };
    }
    // concat!(env!("OUT_DIR"), "/file.rs")
    if let [
        TokenTree::Ident(concat),
        TokenTree::Punct(bang),
        TokenTree::Group(parts),
    ] = trees.as_slice()
        && concat == "concat"
        && bang.as_char() == '!'
    {
        let parts: Vec<TokenTree> = parts.stream().into_iter().collect();
        if let [
            TokenTree::Ident(env),
            TokenTree::Punct(b),
            TokenTree::Group(var),
            TokenTree::Punct(comma),
            rest @ ..,
        ] = parts.as_slice()
            && env == "env"
            && b.as_char() == '!'
            && comma.as_char() == ','
            && var
                .stream()
                .into_iter()
                .collect::<Vec<_>>()
                .first()
                .and_then(string_literal)
                .as_deref()
                == Some("OUT_DIR")
        {
            let literals: Option<Vec<String>> = rest
                .iter()
                .filter(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                .map(string_literal)
                .collect();
            if let Some(literals) = literals {
                return Reach::IncludeOutDir {
                    mac: mac.into(),
                    rest: literals.concat(),
                };
            }
        }
    }
    Reach::Opaque(format!("`{mac}!` with a computed path"))
}

fn string_literal(tree: &TokenTree) -> Option<String> {
    let TokenTree::Literal(lit) = tree else {
        return None;
    };
    syn::parse_str::<syn::LitStr>(&lit.to_string())
        .ok()
        .map(|s| s.value())
}

/// Lexically resolves `rel` against `dir` (no file system access).
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
    {
        return None;
    }
    let mut out = dir.to_path_buf();
    for part in rel.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(name) => out.push(name),
            _ => return None,
        }
    }
    Some(out)
}

/// Why `reach`, from a file in `dir`, leaves `lesson_dir`; None if it stays.
fn judge(reach: &Reach, dir: &Path, lesson_dir: &Path) -> Option<String> {
    let inside = |rel: &str| {
        resolve(dir, rel)
            .is_some_and(|p| p.starts_with(lesson_dir) && first_link(lesson_dir, &p).is_none())
    };
    match reach {
        Reach::PathAttr(path) if inside(path) => None,
        Reach::PathAttr(path) => Some(format!(
            "`#[path = \"{path}\"]` reaches outside the lesson's crate"
        )),
        Reach::Include { path, .. } if inside(path) => None,
        Reach::Include { mac, path } => Some(format!(
            "`{mac}!(\"{path}\")` reaches outside the lesson's crate"
        )),
        Reach::IncludeOutDir { rest, .. } if !rest.contains("..") => None,
        Reach::IncludeOutDir { mac, rest } => Some(format!(
            "`{mac}!` of OUT_DIR with \"{rest}\" reaches outside the build script's output"
        )),
        Reach::Opaque(what) => Some(format!(
            "{what}, which cannot be checked to stay in the lesson"
        )),
    }
}

/// Does `lesson`'s build script run code the learner wrote: a `build.rs`
/// they edit, or one whose code names one of their files (lesson 11's
/// compiles in the learner's bindgen options)? No build script, no learner
/// code at build time: lesson code is compiled then, never run.
pub fn build_script_runs_learner_code(root: &Path, lesson: &Lesson) -> bool {
    let build_rs = Path::new("build.rs");
    if lesson.editable.iter().any(|file| file == build_rs) {
        return true;
    }
    // A protected build.rs: the instructor's, as laid in the workspace.
    names_any(&lesson.exercise_dir(root).join(build_rs), &lesson.editable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reaches(source: &str) -> Vec<String> {
        let tmp = tempfile::tempdir().unwrap();
        let lesson = tmp.path().join("exercises/01_x");
        std::fs::create_dir_all(lesson.join("src")).unwrap();
        std::fs::write(lesson.join("src/lib.rs"), source).unwrap();
        std::fs::write(lesson.join("src/part.rs"), "pub fn f() {}").unwrap();
        outside_reaches(tmp.path(), &lesson, &[PathBuf::from("src/lib.rs")])
    }

    #[test]
    fn ordinary_code_reaches_nothing() {
        assert!(reaches("// include!(\"../../../solutions/x.rs\")\npub fn f() -> &'static str { \"#[path = \\\"/etc\\\"]\" }\n").is_empty());
        assert!(
            reaches(
                "#[path = \"part.rs\"] mod part;\nconst S: &str = include_str!(\"part.rs\");\n"
            )
            .is_empty()
        );
        assert!(reaches("include!(concat!(env!(\"OUT_DIR\"), \"/bindings.rs\"));\n").is_empty());
        assert!(reaches("fn main() { cc::Build::new().include(\"../../csrc\").compile(\"x\"); let include = 1; }\n").is_empty());
        assert!(reaches("fn main() { cc::Build::new().include(\"../../csrc\").compile(\"x\"); let include = 1; }\n").is_empty());
    }

    #[test]
    fn paths_out_of_the_crate_are_found() {
        let found = reaches("#[path = \"../../../solutions/01_x/src/lib.rs\"] mod answer;\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("#[path"), "{found:?}");
        assert_eq!(
            reaches("#[path = \"/home/bob/lib.rs\"] mod other;\n").len(),
            1
        );
        assert_eq!(
            reaches("#[cfg_attr(all(), path = \"../../../x.rs\")] mod m;\n").len(),
            1
        );
        assert_eq!(
            reaches("fn f() { let s = include_str!(\"/etc/passwd\"); }\n").len(),
            1
        );
        assert_eq!(
            reaches("const B: &[u8] = include_bytes!(\"../../../solutions/x\");\n").len(),
            1
        );
        assert_eq!(
            reaches(
                "include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../solutions/x.rs\"));\n"
            )
            .len(),
            1
        );
        assert_eq!(
            reaches("include!(concat!(env!(\"OUT_DIR\"), \"/../../x.rs\"));\n").len(),
            1
        );
        assert_eq!(
            reaches("use std::include_str as inc;\nconst S: &str = inc!(\"/etc/passwd\");\n").len(),
            1
        );
        assert_eq!(reaches("use std::{include_bytes as b};\n").len(), 1);
    }

    #[test]
    fn a_build_script_naming_a_learners_file_is_known() {
        let tmp = tempfile::tempdir().unwrap();
        let build = tmp.path().join("build.rs");
        let names = |source: &str, file: &str| {
            std::fs::write(&build, source).unwrap();
            names_any(&build, &[PathBuf::from(file)])
        };
        // Comments and doc comments that mention the file are not code.
        let commented = "//! The block in src/api.rs links to this.\n\
                         /// See src/api.rs.\n\
                         fn main() { /* src/api.rs */ cc::Build::new().include(\"../../csrc\"); }\n";
        assert!(!names(commented, "src/api.rs"));
        assert!(!names("fn main() {}", "src/lib.rs"));
        // A module pulled in by path, by name, or a file read or included.
        assert!(names(
            "#[path = \"binding_options.rs\"] mod options;\nfn main() {}",
            "binding_options.rs"
        ));
        assert!(names(
            "mod binding_options;\nfn main() {}",
            "binding_options.rs"
        ));
        assert!(names(
            "fn main() { let _ = std::fs::read(\"src/lib.rs\"); }",
            "src/lib.rs"
        ));
        assert!(names("include!(\"src/options.rs\");", "src/options.rs"));
        // What cannot be read as Rust counts, to be safe; no file, nothing.
        assert!(names("fn main() { \"unclosed }", "src/lib.rs"));
        std::fs::remove_file(&build).unwrap();
        assert!(!names_any(&build, &[PathBuf::from("src/lib.rs")]));
    }

    #[cfg(unix)]
    #[test]
    fn links_along_the_path_are_found() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere/src");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("lib.rs"), "pub fn f() {}").unwrap();
        let lesson = tmp.path().join("exercises/01_x");
        std::fs::create_dir_all(&lesson).unwrap();
        std::os::unix::fs::symlink(&elsewhere, lesson.join("src")).unwrap();
        let found = outside_reaches(tmp.path(), &lesson, &[PathBuf::from("src/lib.rs")]);
        assert_eq!(
            found,
            vec![
                "exercises/01_x/src is a link (a symlink), not a plain file or folder".to_string()
            ]
        );
    }
}
