//! Finding a submission's workbook: a folder, or a `.zip` / `.tar.gz` of one,
//! unpacked safely.
//!
//! Archives come from learners, so nothing in them is trusted: an entry whose
//! path leaves the target folder (`../x`, `/etc/x`, `C:\x`) or a link that
//! points out of it makes the whole archive an error for that submission
//! alone; links that stay inside are not created (a link is never needed to
//! grade, and never followed); and there are caps on the number of entries,
//! files and bytes, measured on what is actually decompressed rather than on
//! what the headers claim. `target/` and `.git/` folders are skipped: learners
//! often zip their whole clone.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// Entries an archive may hold (skipped ones included).
pub const MAX_ENTRIES: usize = 100_000;
/// Files that are unpacked (outside `target/` and `.git/`).
pub const MAX_FILES: usize = 20_000;
/// Bytes that are unpacked, in total.
pub const MAX_BYTES: u64 = 200 << 20;

/// The most folders an entry's path may have (the workbook's own files are
/// six deep, one more when it sits one folder down).
pub const MAX_ENTRY_DEPTH: usize = 40;

/// Folders whose contents are never unpacked: build output and history.
const SKIPPED_DIRS: &[&str] = &["target", ".git"];

/// What a submission path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Folder,
    Zip,
    TarGz,
}

/// One submission as given on the command line.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name it is reported under: the file or folder name without the
    /// archive extension (`alice.zip` -> `alice`), made unique in the batch.
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
}

/// Why a submission could not be read. Reported for that submission alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionError(pub String);

impl fmt::Display for SubmissionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SubmissionError {}

fn bad(message: impl Into<String>) -> SubmissionError {
    SubmissionError(message.into())
}

/// Checks the command line's paths and names them. A path that does not
/// exist, or a file that is not an archive we read, is a usage error: it is
/// better said before a long batch starts than after.
pub fn sources(paths: &[PathBuf]) -> Result<Vec<Source>, String> {
    let mut sources: Vec<Source> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|err| format!("the submission {} cannot be read: {err}", path.display()))?;
        let file_name = path
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| path.display().to_string());
        let lower = file_name.to_ascii_lowercase();
        let (kind, name) = if meta.is_dir() {
            (Kind::Folder, file_name.clone())
        } else if let Some(stem) = strip_suffix_ci(&file_name, &lower, ".zip") {
            (Kind::Zip, stem)
        } else if let Some(stem) = strip_suffix_ci(&file_name, &lower, ".tar.gz")
            .or_else(|| strip_suffix_ci(&file_name, &lower, ".tgz"))
        {
            (Kind::TarGz, stem)
        } else {
            return Err(format!(
                "the submission {} is not a folder, a .zip or a .tar.gz",
                path.display()
            ));
        };
        let mut unique = if name.is_empty() { file_name } else { name };
        let base = unique.clone();
        let mut n = 2;
        while sources.iter().any(|s| s.name == unique) {
            unique = format!("{base} ({n})");
            n += 1;
        }
        sources.push(Source {
            name: unique,
            path: path.clone(),
            kind,
        });
    }
    Ok(sources)
}

fn strip_suffix_ci(name: &str, lower: &str, suffix: &str) -> Option<String> {
    lower
        .ends_with(suffix)
        .then(|| name[..name.len() - suffix.len()].to_string())
}

/// The submission's files, ready to read: its workbook root, and the links
/// that were found in it and left out.
#[derive(Debug)]
pub struct Opened {
    pub root: PathBuf,
    pub links_ignored: Vec<PathBuf>,
}

/// Opens `source`: a folder is used where it is; an archive is unpacked into
/// `unpack_dir` (emptied first). Then the workbook is found in it.
pub fn open(source: &Source, unpack_dir: &Path) -> Result<Opened, SubmissionError> {
    let (folder, links_ignored) = match source.kind {
        Kind::Folder => (source.path.clone(), Vec::new()),
        Kind::Zip | Kind::TarGz => {
            if unpack_dir.exists() {
                std::fs::remove_dir_all(unpack_dir)
                    .map_err(|err| bad(format!("clearing {}: {err}", unpack_dir.display())))?;
            }
            std::fs::create_dir_all(unpack_dir)
                .map_err(|err| bad(format!("creating {}: {err}", unpack_dir.display())))?;
            let links = if source.kind == Kind::Zip {
                unpack_zip(&source.path, unpack_dir, Caps::DEFAULT)?
            } else {
                unpack_tar_gz(&source.path, unpack_dir, Caps::DEFAULT)?
            };
            (unpack_dir.to_path_buf(), links)
        }
    };
    let root = find_workbook_root(&folder)?;
    let links_ignored = links_ignored
        .into_iter()
        .filter_map(|link| {
            folder
                .join(&link)
                .strip_prefix(&root)
                .ok()
                .map(Path::to_path_buf)
        })
        .collect();
    Ok(Opened {
        root,
        links_ignored,
    })
}

/// A workbook folder has `exercises/`. A submission may be the workbook
/// itself or hold it one folder down (`alice/ffi-workbook-main/`, as GitHub's
/// "Download ZIP" makes it).
pub fn find_workbook_root(folder: &Path) -> Result<PathBuf, SubmissionError> {
    if is_workbook(folder) {
        return Ok(folder.to_path_buf());
    }
    let entries = std::fs::read_dir(folder)
        .map_err(|err| bad(format!("reading {}: {err}", folder.display())))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__MACOSX" {
            continue;
        }
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir && is_workbook(&entry.path()) {
            found.push(entry.path());
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(bad(format!(
            "no workbook found: expected an exercises/ folder at the top of the submission \
             or one folder down; {}",
            what_is_there(folder)
        ))),
        _ => Err(bad(format!(
            "{} workbooks found side by side ({}); submit one",
            found.len(),
            found
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// What a folder without a workbook holds, for the error: its entries and,
/// for its folders, theirs (`found: wb/ (holding inner/), notes.txt`).
fn what_is_there(folder: &Path) -> String {
    let names = |dir: &Path| -> Vec<(String, bool)> {
        let mut names: Vec<(String, bool)> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                        (e.file_name().to_string_lossy().into_owned(), is_dir)
                    })
                    .filter(|(name, _)| name != ".git" && name != "__MACOSX")
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let listed = |entries: &[(String, bool)], limit: usize| -> String {
        let mut shown: Vec<String> = (entries.iter().take(limit))
            .map(|(name, is_dir)| format!("{name}{}", if *is_dir { "/" } else { "" }))
            .collect();
        if entries.len() > limit {
            shown.push(format!("and {} more", entries.len() - limit));
        }
        shown.join(", ")
    };
    let top = names(folder);
    if top.is_empty() {
        return "the submission is empty".into();
    }
    let described: Vec<String> = (top.iter().take(8))
        .map(|(name, is_dir)| {
            if !is_dir {
                return name.clone();
            }
            let inner = names(&folder.join(name));
            if inner.is_empty() {
                format!("{name}/ (empty)")
            } else {
                format!("{name}/ (holding {})", listed(&inner, 5))
            }
        })
        .collect();
    let more = if top.len() > 8 {
        format!(", and {} more", top.len() - 8)
    } else {
        String::new()
    };
    format!("found: {}{more}", described.join(", "))
}

fn is_workbook(folder: &Path) -> bool {
    // symlink_metadata: a link named exercises/ is not followed.
    std::fs::symlink_metadata(folder.join("exercises")).is_ok_and(|m| m.is_dir())
}

/// An archive entry's path, checked to stay inside the target folder.
/// Returns `None` for the archive's own root (`./`).
pub fn safe_entry_path(name: &str) -> Result<Option<PathBuf>, SubmissionError> {
    if name.contains('\0') {
        return Err(bad(format!("the archive has an entry named {name:?}")));
    }
    // Archives made on Windows may use backslashes.
    let unified = name.replace('\\', "/");
    if unified.starts_with('/') {
        return Err(bad(format!(
            "the archive has an entry with an absolute path, {name:?}: it would be written \
             outside the folder it is unpacked into"
        )));
    }
    let mut path = PathBuf::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(bad(format!(
                    "the archive has an entry with `..` in its path, {name:?}: it would be \
                     written outside the folder it is unpacked into"
                )));
            }
            _ if part.len() >= 2 && part.as_bytes()[1] == b':' => {
                return Err(bad(format!(
                    "the archive has an entry with a drive in its path, {name:?}"
                )));
            }
            _ => path.push(part),
        }
    }
    let depth = path.components().count();
    if depth > MAX_ENTRY_DEPTH {
        return Err(bad(format!(
            "the archive has an entry nested {depth} folders deep (more than \
             {MAX_ENTRY_DEPTH}); a workbook's files are a few folders deep"
        )));
    }
    // Whatever the platform makes of the parts, only plain names may remain.
    if path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(bad(format!("the archive has an entry named {name:?}")));
    }
    Ok((!path.as_os_str().is_empty()).then_some(path))
}

/// Does a link at `entry` (inside the archive) pointing to `target` stay inside?
fn link_stays_inside(entry: &Path, target: &str) -> bool {
    let target = target.replace('\\', "/");
    if target.starts_with('/') || target.contains('\0') {
        return false;
    }
    // Depth of the folder holding the link; each `..` climbs one.
    let mut depth = entry.components().count() as i64 - 1;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ if part.len() >= 2 && part.as_bytes()[1] == b':' => return false,
            _ => depth += 1,
        }
    }
    true
}

fn is_skipped(path: &Path) -> bool {
    path.components()
        .any(|c| SKIPPED_DIRS.iter().any(|skip| c.as_os_str() == *skip))
}

/// Limits on what one archive may unpack.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub entries: usize,
    pub files: usize,
    pub bytes: u64,
}

impl Caps {
    pub const DEFAULT: Caps = Caps {
        entries: MAX_ENTRIES,
        files: MAX_FILES,
        bytes: MAX_BYTES,
    };
}

/// Counts what an archive unpacks, against the caps.
struct Budget {
    caps: Caps,
    entries: usize,
    files: usize,
    bytes: u64,
}

impl Budget {
    fn new(caps: Caps) -> Budget {
        Budget {
            caps,
            entries: 0,
            files: 0,
            bytes: 0,
        }
    }

    fn entry(&mut self) -> Result<(), SubmissionError> {
        self.entries += 1;
        if self.entries > self.caps.entries {
            return Err(bad(format!(
                "the archive has more than {} entries; submit the workbook without \
                 its target/ folder",
                self.caps.entries
            )));
        }
        Ok(())
    }

    /// Writes one file's contents, stopping at the byte cap.
    fn write_file(
        &mut self,
        reader: &mut dyn Read,
        dest: &Path,
        name: &str,
    ) -> Result<(), SubmissionError> {
        self.files += 1;
        if self.files > self.caps.files {
            return Err(bad(format!(
                "the archive has more than {} file(s) outside target/ and .git/",
                self.caps.files
            )));
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| bad(format!("unpacking {name}: {err}")))?;
        }
        let mut file = File::create(dest).map_err(|err| bad(format!("unpacking {name}: {err}")))?;
        let room = self.caps.bytes - self.bytes;
        let written = io::copy(&mut reader.take(room + 1), &mut file)
            .map_err(|err| bad(format!("the archive is damaged at {name}: {err}")))?;
        if written > room {
            return Err(bad(format!(
                "the archive unpacks to more than {} MiB",
                self.caps.bytes as f64 / (1 << 20) as f64
            )));
        }
        self.bytes += written;
        Ok(())
    }
}

fn link_error(name: &str, target: &str) -> SubmissionError {
    bad(format!(
        "the archive has a link {name} -> {target} that points outside the submission"
    ))
}

/// Unpacks a zip into `dest`; returns the links it left out.
pub fn unpack_zip(
    archive: &Path,
    dest: &Path,
    caps: Caps,
) -> Result<Vec<PathBuf>, SubmissionError> {
    let file =
        File::open(archive).map_err(|err| bad(format!("opening {}: {err}", archive.display())))?;
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|err| bad(format!("not a readable zip archive: {err}")))?;
    let mut budget = Budget::new(caps);
    let mut links = Vec::new();
    for index in 0..zip.len() {
        budget.entry()?;
        let mut entry = zip
            .by_index(index)
            .map_err(|err| bad(format!("the zip archive is damaged: {err}")))?;
        let name = entry
            .name()
            .map_err(|err| bad(format!("the zip archive is damaged: {err}")))?
            .into_owned();
        let Some(path) = safe_entry_path(&name)? else {
            continue;
        };
        if entry.is_symlink() {
            let mut target = String::new();
            entry
                .by_ref()
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|err| bad(format!("the zip archive is damaged at {name}: {err}")))?;
            if !link_stays_inside(&path, &target) {
                return Err(link_error(&name, &target));
            }
            links.push(path);
            continue;
        }
        if entry.encrypted() {
            return Err(bad(format!("{name} is encrypted in the archive")));
        }
        if entry.is_dir() || is_skipped(&path) {
            continue;
        }
        budget.write_file(&mut entry, &dest.join(&path), &name)?;
    }
    Ok(links)
}

/// Unpacks a `.tar.gz` into `dest`; returns the links it left out.
pub fn unpack_tar_gz(
    archive: &Path,
    dest: &Path,
    caps: Caps,
) -> Result<Vec<PathBuf>, SubmissionError> {
    let file =
        File::open(archive).map_err(|err| bad(format!("opening {}: {err}", archive.display())))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(file)));
    let mut budget = Budget::new(caps);
    let mut links = Vec::new();
    let entries = tar
        .entries()
        .map_err(|err| bad(format!("not a readable .tar.gz archive: {err}")))?;
    for entry in entries {
        budget.entry()?;
        let mut entry =
            entry.map_err(|err| bad(format!("not a readable .tar.gz archive: {err}")))?;
        let raw_name = entry.path_bytes();
        let name = String::from_utf8_lossy(&raw_name).into_owned();
        let Some(path) = safe_entry_path(&name)? else {
            continue;
        };
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            // A hard link names a path from the archive's root, a symbolic
            // link one from the folder it is in.
            let inside = if kind.is_hard_link() {
                safe_entry_path(&target).is_ok()
            } else {
                link_stays_inside(&path, &target)
            };
            if !inside {
                return Err(link_error(&name, &target));
            }
            links.push(path);
            continue;
        }
        if !kind.is_file() || is_skipped(&path) {
            // Folders are made as files need them; devices and fifos never.
            continue;
        }
        budget.write_file(&mut entry, &dest.join(&path), &name)?;
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths_must_stay_inside() {
        assert_eq!(
            safe_entry_path("wb/exercises/a.rs").unwrap(),
            Some(PathBuf::from("wb/exercises/a.rs"))
        );
        assert_eq!(safe_entry_path("./").unwrap(), None);
        assert_eq!(
            safe_entry_path("./wb//x").unwrap(),
            Some(PathBuf::from("wb/x"))
        );
        for evil in [
            "../x",
            "wb/../../x",
            "wb/../x",
            "/etc/passwd",
            "..\\x",
            "C:/x",
            "wb\\..\\..\\x",
            "a\0b",
            "d/".repeat(2000).as_str(),
        ] {
            assert!(safe_entry_path(evil).is_err(), "{evil} was accepted");
        }
    }

    #[test]
    fn links_are_judged_from_their_folder() {
        assert!(link_stays_inside(Path::new("wb/src/lib.rs"), "../other.rs"));
        assert!(link_stays_inside(Path::new("wb/src/lib.rs"), "../../x"));
        assert!(!link_stays_inside(Path::new("wb/src/lib.rs"), "../../../x"));
        assert!(!link_stays_inside(Path::new("lib.rs"), "../x"));
        assert!(!link_stays_inside(Path::new("wb/lib.rs"), "/etc/passwd"));
        assert!(!link_stays_inside(Path::new("wb/lib.rs"), "C:\\x"));
    }

    #[test]
    fn names_drop_archive_extensions_and_stay_unique() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        std::fs::create_dir_all(a.join("alice")).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("alice.ZIP"), b"").unwrap();
        std::fs::write(b.join("bob.tar.gz"), b"").unwrap();
        std::fs::write(b.join("carol.tgz"), b"").unwrap();
        std::fs::write(b.join("notes.txt"), b"").unwrap();
        let found = sources(&[
            a.join("alice"),
            b.join("alice.ZIP"),
            b.join("bob.tar.gz"),
            b.join("carol.tgz"),
        ])
        .unwrap();
        let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["alice", "alice (2)", "bob", "carol"]);
        assert_eq!(found[1].kind, Kind::Zip);
        assert_eq!(found[2].kind, Kind::TarGz);
        assert!(sources(&[b.join("notes.txt")]).is_err());
        assert!(sources(&[b.join("nobody")]).is_err());
    }

    #[test]
    fn the_workbook_may_be_one_folder_down() {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().join("sub");
        std::fs::create_dir_all(top.join("ffi-workbook-main/exercises")).unwrap();
        std::fs::create_dir_all(top.join("__MACOSX/x/exercises")).unwrap();
        assert_eq!(
            find_workbook_root(&top).unwrap(),
            top.join("ffi-workbook-main")
        );
        std::fs::create_dir_all(top.join("copy/exercises")).unwrap();
        assert!(
            find_workbook_root(&top)
                .unwrap_err()
                .0
                .contains("2 workbooks")
        );
        let empty = tmp.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        assert!(
            find_workbook_root(&empty)
                .unwrap_err()
                .0
                .contains("no workbook")
        );
    }

    fn zip_with(path: &Path, entries: &[(&str, &[u8])], links: &[(&str, &str)]) {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        for (name, target) in links {
            zip.add_symlink(*name, *target, options).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn zip_links_inside_are_left_out_and_target_folders_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("a.zip");
        zip_with(
            &archive,
            &[
                ("wb/exercises/01_x/src/lib.rs", b"pub fn x() {}"),
                ("wb/target/debug/huge.bin", &[0; 4096]),
                ("wb/.git/HEAD", b"ref"),
            ],
            &[("wb/exercises/01_x/src/main.rs", "lib.rs")],
        );
        let out = tmp.path().join("out");
        let links = unpack_zip(&archive, &out, Caps::DEFAULT).unwrap();
        assert_eq!(links, [PathBuf::from("wb/exercises/01_x/src/main.rs")]);
        assert!(out.join("wb/exercises/01_x/src/lib.rs").is_file());
        assert!(!out.join("wb/exercises/01_x/src/main.rs").exists());
        assert!(!out.join("wb/target").exists());
        assert!(!out.join("wb/.git").exists());
    }

    #[test]
    fn caps_count_what_is_really_unpacked() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("big.zip");
        // 64 KiB of zeros compresses to almost nothing: the cap must count
        // the bytes written, not the archive's size.
        zip_with(&archive, &[("a", &[0; 65536]), ("b", b"x")], &[]);
        let small = Caps {
            entries: 10,
            files: 10,
            bytes: 1000,
        };
        let err = unpack_zip(&archive, &tmp.path().join("o1"), small).unwrap_err();
        assert!(err.0.contains("more than"), "{err}");
        let few_files = Caps {
            entries: 10,
            files: 1,
            bytes: 1 << 20,
        };
        let err = unpack_zip(&archive, &tmp.path().join("o2"), few_files).unwrap_err();
        assert!(err.0.contains("more than 1 file(s)"), "{err}");
        let few_entries = Caps {
            entries: 1,
            files: 10,
            bytes: 1 << 20,
        };
        let err = unpack_zip(&archive, &tmp.path().join("o3"), few_entries).unwrap_err();
        assert!(err.0.contains("more than 1 entries"), "{err}");
        unpack_zip(&archive, &tmp.path().join("o4"), Caps::DEFAULT).unwrap();
    }

    #[test]
    fn tar_hard_links_out_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("a.tar.gz");
        let gz = flate2::write::GzEncoder::new(
            File::create(&archive).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Link);
        header.set_size(0);
        tar.append_link(&mut header, "wb/passwd", "/etc/passwd")
            .unwrap();
        tar.into_inner().unwrap().finish().unwrap();
        let err = unpack_tar_gz(&archive, &tmp.path().join("out"), Caps::DEFAULT).unwrap_err();
        assert!(err.0.contains("points outside"), "{err}");
    }

    #[test]
    fn damaged_archives_are_errors_not_panics() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("junk.zip");
        std::fs::write(&archive, b"PK\x03\x04 not really").unwrap();
        assert!(unpack_zip(&archive, &tmp.path().join("o"), Caps::DEFAULT).is_err());
        let archive = tmp.path().join("junk.tar.gz");
        std::fs::write(&archive, b"\x1f\x8b junk").unwrap();
        assert!(unpack_tar_gz(&archive, &tmp.path().join("o"), Caps::DEFAULT).is_err());
    }
}
