//! Where a report goes: stdout, and the `--out` files of `grade` and
//! `merge`.
//!
//! A report file is never truncated before its new contents exist: each is
//! written to a temporary file in the same folder, then renamed over the
//! old one (a rename within a folder is atomic), so a batch that is
//! interrupted or fails leaves the previous report whole. That the files
//! can be written is checked before grading starts, by creating (and
//! removing) a temporary file beside each, without touching the report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use super::report::{self, BatchReport, Format};

/// The folder a report file goes in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn temporary_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // tempfile makes its files private (0600); a report is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(folder_of(path))
}

/// Says now, before an hour of grading, if a report file cannot be written.
/// Nothing is written to the files themselves.
pub fn check_writable(paths: &[PathBuf]) -> Result<()> {
    for path in paths {
        let cannot = || format!("the report file {} cannot be written", path.display());
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_dir() {
                bail!("{}: it is a folder", cannot());
            }
            if meta.permissions().readonly() {
                bail!("{}: it is read-only", cannot());
            }
        }
        temporary_beside(path).with_context(cannot)?;
    }
    Ok(())
}

/// The format each `--out` file gets: its extension's, `format`'s for any
/// other; a `.json` file under `--format gradescope` is Gradescope's.
pub fn format_of(path: &Path, format: Format) -> Format {
    match (Format::for_file(path), format) {
        (Some(Format::Json), Format::Gradescope) => Format::Gradescope,
        (Some(named), _) => named,
        (None, format) => format,
    }
}

/// Says before grading what a format cannot do here: Gradescope's
/// results.json is one submission's, and the HTML report needs the
/// `class-report` feature.
pub fn check_formats(format: Format, out: &[PathBuf], submissions: usize) -> Result<()> {
    let formats: Vec<Format> = std::iter::once(format)
        .chain(out.iter().map(|path| format_of(path, format)))
        .collect();
    if formats.contains(&Format::Gradescope) && submissions != 1 {
        bail!(
            "--format gradescope writes Gradescope's results.json, which is one submission's: \
             grade one submission at a time ({submissions} given)"
        );
    }
    if formats.contains(&Format::Html) {
        super::html::available().map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

/// Writes `contents` to `path` through a temporary file and a rename.
fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let writing = || format!("writing the report to {}", path.display());
    let mut file = temporary_beside(path).with_context(writing)?;
    file.write_all(contents.as_bytes()).with_context(writing)?;
    file.as_file().sync_all().with_context(writing)?;
    file.persist(path)
        .map_err(|err| err.error)
        .with_context(writing)?;
    Ok(())
}

/// Writes the report to each `--out` file in the format its extension names
/// (`format` for any other), then to stdout: in `format` when there are no
/// files, else the table, for whoever is watching.
pub fn emit(batch: &BatchReport, format: Format, out: &[PathBuf]) -> Result<()> {
    for path in out {
        write_atomically(path, &report::render(batch, format_of(path, format)))?;
    }
    let shown = if out.is_empty() {
        format
    } else {
        Format::Table
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(report::render(batch, shown).as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The batch's exit code: 0 when every lesson was graded, whatever the
/// scores; 2, with the first reason, when some could not be.
pub fn exit_code(batch: &BatchReport) -> ExitCode {
    let errors = batch.grading_errors();
    if errors.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "error: {} lesson check{} could not be run, for reasons that are not the learners' \
         (marked `error` in the report). The first:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    let (sub, lesson) = errors[0];
    eprintln!("{} lesson {}: {}", sub.name, lesson.lesson, lesson.detail);
    ExitCode::from(2)
}

/// "a.csv and b.json", for the closing message.
pub fn file_list(out: &[PathBuf]) -> String {
    out.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_replaced_whole_and_never_truncated_first() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("grades.csv");
        std::fs::write(&path, "the previous report").unwrap();
        check_writable(std::slice::from_ref(&path)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "the previous report"
        );
        write_atomically(&path, "the new one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the new one");
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["grades.csv"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o044, 0o044, "readable by others: {mode:o}");
        }
    }

    #[test]
    fn unwritable_reports_are_refused_up_front() {
        let tmp = tempfile::tempdir().unwrap();
        let err = check_writable(&[tmp.path().join("no/such/folder/r.json")]).unwrap_err();
        assert!(format!("{err:#}").contains("cannot be written"), "{err:#}");
        let err = check_writable(&[tmp.path().to_path_buf()]).unwrap_err();
        assert!(format!("{err:#}").contains("it is a folder"), "{err:#}");
        assert!(check_writable(&[tmp.path().join("new.json")]).is_ok());
        assert!(!tmp.path().join("new.json").exists());
    }
}
