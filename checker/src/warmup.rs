//! The first build says what it is doing. On a fresh clone the first check
//! compiles a hundred-odd dependencies, which takes a minute; a silent
//! minute looks like a hang. So before the first check, in a terminal, the
//! lesson's crate is compiled by the same cargo command the check uses (so
//! the check then finds everything built), with a bar on stderr:
//! "compiling dependencies 37/140", counted against the packages `cargo
//! metadata` says the lesson needs. When everything is already built, the
//! bar never appears.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, IsTerminal};
use std::process::Stdio;
use std::time::Duration;

use cargo_metadata::{Message, MetadataCommand, PackageId};
use indicatif::{ProgressBar, ProgressStyle};

use crate::c_build;
use crate::check::CheckEnv;
use crate::workbook::Lesson;

/// Builds `lesson` ahead of its first check, with a progress bar when
/// stderr is a terminal (otherwise it does nothing: the check builds).
/// Errors are left for the check to report.
pub fn first_build(env: &CheckEnv, lesson: &Lesson) {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let mut bar: Option<ProgressBar> = None;
    build_ahead(env, lesson, &mut |progress| {
        let bar = bar.get_or_insert_with(|| new_bar(progress.total));
        bar.set_length(progress.total as u64);
        bar.set_position(progress.done as u64);
        bar.set_message(progress.name.clone());
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
        eprintln_quiet(&format!(
            "Compiled the dependencies in {:.0} s.",
            bar.elapsed().as_secs_f64()
        ));
    }
}

/// How far a build ahead is: packages built of those the lesson needs, and
/// the one just built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub name: String,
}

/// Compiles `lesson` by the same cargo command its check uses (so that the
/// check then finds everything built), calling `on_progress` for each
/// package built once a dependency had to be compiled: never when
/// everything was already built, so an ordinary check is not slowed by
/// counting. The watch loop shows it (lesson 11's first build, bindgen and
/// its dependencies, takes a minute).
pub fn build_ahead(env: &CheckEnv, lesson: &Lesson, on_progress: &mut dyn FnMut(&Progress)) {
    // Lesson 3's build script needs its C library: build it first, as the
    // check would.
    let _ = c_build::build_all(&env.root.join("csrc"), &env.c_dir, &lesson.c_needs);
    let mut command = env.cargo();
    command
        .args(crate::compile::BUILD_CHECKS)
        .args(["--quiet", "--message-format=json", "-p", &lesson.package])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let Ok(mut child) = command.spawn() else {
        return;
    };
    let Some(stdout) = child.stdout.take() else {
        let _ = child.wait();
        return;
    };
    let mut total: Option<usize> = None;
    let mut built = BTreeSet::new();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(Message::CompilerArtifact(artifact)) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        built.insert(artifact.package_id.repr.clone());
        // Only compiling a dependency from a registry is worth showing: the
        // lesson's own crate compiles in a second or two.
        let dependency = !artifact.package_id.repr.starts_with("path+");
        if total.is_none() && (artifact.fresh || !dependency) {
            continue;
        }
        let total = *total.get_or_insert_with(|| packages_needed(env, lesson));
        on_progress(&Progress {
            done: built.len(),
            total: total.max(built.len()),
            name: artifact.target.name.clone(),
        });
    }
    let _ = child.wait();
}

fn new_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "compiling dependencies {pos}/{len} [{bar:30}] {elapsed} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    eprintln_quiet(
        "The first check compiles the lessons' dependencies (once; about a minute on 2 cores).",
    );
    bar
}

fn eprintln_quiet(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// How many packages `lesson`'s tests need, itself included (every kind of
/// dependency: normal, build and dev); 0 when cargo metadata fails.
fn packages_needed(env: &CheckEnv, lesson: &Lesson) -> usize {
    let mut command = MetadataCommand::new();
    command.current_dir(&env.root);
    if let Some(cargo) = std::env::var_os("CARGO") {
        command.cargo_path(cargo);
    }
    let Ok(metadata) = command.exec() else {
        return 0;
    };
    let Some(resolve) = metadata.resolve else {
        return 0;
    };
    let Some(root) = metadata
        .packages
        .iter()
        .find(|package| package.name.as_str() == lesson.package)
        .map(|package| package.id.clone())
    else {
        return 0;
    };
    let deps: HashMap<&PackageId, Vec<&PackageId>> = resolve
        .nodes
        .iter()
        .map(|node| (&node.id, node.deps.iter().map(|dep| &dep.pkg).collect()))
        .collect();
    closure_size(&root, &deps)
}

/// The number of packages reachable from `root` (itself included).
fn closure_size(root: &PackageId, deps: &HashMap<&PackageId, Vec<&PackageId>>) -> usize {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.repr.clone()) {
            continue;
        }
        stack.extend(deps.get(id).into_iter().flatten().copied());
    }
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closure_counts_each_package_once() {
        let id = |s: &str| PackageId { repr: s.into() };
        let (a, b, c, d) = (id("a"), id("b"), id("c"), id("d"));
        let deps: HashMap<&PackageId, Vec<&PackageId>> = [
            (&a, vec![&b, &c]),
            (&b, vec![&c]),
            (&c, vec![]),
            (&d, vec![&a]),
        ]
        .into_iter()
        .collect();
        assert_eq!(closure_size(&a, &deps), 3);
        assert_eq!(closure_size(&d, &deps), 4);
    }

    #[test]
    fn a_lesson_needs_its_dependencies() {
        let root = crate::workbook::source_workbook();
        let workbook = crate::workbook::Workbook::load(&root).unwrap();
        let env = CheckEnv::for_workbook(
            &root,
            crate::process::Limits {
                timeout: Duration::from_secs(1),
                output_cap: 1,
                memory: None,
            },
        );
        // Lesson 1's tests use insta and the support crate, and what they use.
        assert!(packages_needed(&env, &workbook.lessons[0]) > 5);
    }
}
