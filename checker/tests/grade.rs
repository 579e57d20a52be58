//! `checker grade`, end to end, on the fixture workbook in
//! tests/fixtures/grading: three small lessons (a C program, an insta
//! snapshot, a build.rs compiling C with cc) with reference solutions.
//!
//! Every test grades against that fixture as the instructor's copy and
//! shares one work folder, so dependencies compile once for the whole test
//! run (batches on one work folder take turns through its lock).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use common::{copy_dir, grading_fixture, solved_clone as solved, submission, verdicts, write};

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("grade-work")
}

/// A learner's clone of the fixture workbook, untouched.
fn clone_of(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    copy_dir(&grading_fixture(), &path);
    path
}

const WRONG_ANSWER: &str = "pub fn answer() -> i32 { 41 }\n";
const WRONG_GREETING: &str =
    "pub fn greeting(name: &str) -> String { format!(\"Hello {name}\") }\n";
const WRONG_TWICE: &str = "unsafe extern \"C\" { fn twice(x: i32) -> i32; }\n\
     pub fn doubled(x: i32) -> i32 { (unsafe { twice(x) }) + 1 }\n";
const SNAPSHOT: &str = "exercises/02_greeting/tests/snapshots/check__greets_ferris.snap";

/// `checker grade` in the sandbox; where bubblewrap is missing (and not
/// required), unconfined, saying so.
fn grade(instructor: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    grade_with_env(instructor, args, &[])
}

/// `grade`, with these environment variables set for the grader.
fn grade_with_env(
    instructor: &Path,
    args: &[&str],
    vars: &[(&str, &str)],
) -> assert_cmd::assert::Assert {
    let mut command = Command::cargo_bin("checker").unwrap();
    command.envs(vars.iter().copied());
    command
        .arg("--workbook")
        .arg(instructor)
        .args(["--timeout", "3", "grade", "--work-dir"])
        .arg(work_dir());
    if !common::tool_available("bwrap", "grading in the sandbox (these run unconfined)") {
        command.arg("--unconfined");
    }
    command
        .args(args)
        .env_remove("CARGO_TARGET_DIR")
        .timeout(std::time::Duration::from_secs(900))
        .assert()
}

fn zip_dir(dir: &Path, prefix: &str, zip_path: &Path, extra: impl FnOnce(&mut ZipWriter)) {
    let file = std::fs::File::create(zip_path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let mut files = Vec::new();
    walk(dir, Path::new(""), &mut files);
    for rel in files {
        let name = format!("{prefix}{}", rel.to_string_lossy());
        zip.start_file(name, options).unwrap();
        zip.write_all(&std::fs::read(dir.join(&rel)).unwrap())
            .unwrap();
    }
    extra(&mut zip);
    zip.finish().unwrap();
}

type ZipWriter = zip::ZipWriter<std::fs::File>;

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(root.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let rel = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            walk(root, &rel, out);
        } else {
            out.push(rel);
        }
    }
}

fn tar_gz_dir(
    dir: &Path,
    prefix: &str,
    path: &Path,
    extra: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<std::fs::File>>),
) {
    let file = std::fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(prefix, dir).unwrap();
    extra(&mut tar);
    tar.into_inner().unwrap().finish().unwrap();
}

/// A tar header whose name is written as is: the tar crate refuses to
/// write `..`, and an attacker's archive would not.
fn raw_tar_header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut header = tar::Header::new_old();
    let bytes = name.as_bytes();
    header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    header
}

fn flag_paths(sub: &Value, kind: &str) -> Vec<String> {
    sub["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f["path"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn grades_a_class_and_never_stops_for_one_submission() {
    let tmp = tempfile::tempdir().unwrap();
    let subs = tmp.path().join("class");
    std::fs::create_dir(&subs).unwrap();
    let mut args: Vec<PathBuf> = Vec::new();

    args.push(solved(&subs, "all_correct"));

    let wrong_1 = solved(&subs, "wrong_answer");
    write(&wrong_1, "exercises/01_answer/src/lib.rs", WRONG_ANSWER);
    args.push(wrong_1);
    let wrong_2 = solved(&subs, "wrong_greeting");
    write(&wrong_2, "exercises/02_greeting/src/lib.rs", WRONG_GREETING);
    args.push(wrong_2);
    let wrong_3 = solved(&subs, "wrong_twice");
    write(&wrong_3, "exercises/03_twice/src/lib.rs", WRONG_TWICE);
    args.push(wrong_3);

    // A wrong answer with its snapshot edited to match it.
    let snap = solved(&subs, "snapshot_edited");
    write(&snap, "exercises/02_greeting/src/lib.rs", WRONG_GREETING);
    let edited = std::fs::read_to_string(snap.join(SNAPSHOT))
        .unwrap()
        .replace("Hello, Ferris!", "Hello Ferris");
    write(&snap, SNAPSHOT, &edited);
    args.push(snap);

    // A wrong answer with its test edited away.
    let test = solved(&subs, "test_edited");
    write(&test, "exercises/01_answer/src/lib.rs", WRONG_ANSWER);
    write(
        &test,
        "exercises/01_answer/tests/check.rs",
        "#[test]\nfn rust_agrees_with_c() {}\n",
    );
    args.push(test);

    // A wrong answer with the C edited to agree, and a file of its own.
    let c_edit = solved(&subs, "c_edited");
    write(&c_edit, "exercises/01_answer/src/lib.rs", WRONG_ANSWER);
    let c = std::fs::read_to_string(c_edit.join("csrc/answer.c"))
        .unwrap()
        .replace("6 * 7", "41");
    write(&c_edit, "csrc/answer.c", &c);
    write(
        &c_edit,
        "exercises/01_answer/src/helper.rs",
        "pub fn x() {}\n",
    );
    args.push(c_edit);

    let segfault = solved(&subs, "segfault");
    write(
        &segfault,
        "exercises/01_answer/src/lib.rs",
        "pub fn answer() -> i32 {\n    let p: *mut i32 = std::ptr::null_mut();\n    \
         unsafe { p.write_volatile(1) };\n    42\n}\n",
    );
    args.push(segfault);

    let endless = solved(&subs, "endless_loop");
    write(
        &endless,
        "exercises/01_answer/src/lib.rs",
        "pub fn answer() -> i32 {\n    let mut n = 0u64;\n    \
         loop { n = std::hint::black_box(n + 1); }\n}\n",
    );
    args.push(endless);

    let flood = solved(&subs, "flood");
    write(
        &flood,
        "exercises/02_greeting/src/main.rs",
        "fn main() { loop { println!(\"{}\", greeting::greeting(\"again\")); } }\n",
    );
    args.push(flood);

    // Its program tries to rewrite the snapshot to match its wrong answer
    // (the sandbox keeps the workspace read-only: the write fails).
    let tamper = solved(&subs, "tamperer");
    write(&tamper, "exercises/02_greeting/src/lib.rs", WRONG_GREETING);
    write(
        &tamper,
        "exercises/02_greeting/src/main.rs",
        "fn main() {\n    let path = \"tests/snapshots/check__greets_ferris.snap\";\n    \
         let old = std::fs::read_to_string(path).unwrap();\n    \
         let _ = std::fs::write(path, old.replace(\"Hello, Ferris!\", \"Hello Ferris\"));\n}\n",
    );
    args.push(tamper);

    let missing = solved(&subs, "missing_lesson");
    std::fs::remove_dir_all(missing.join("exercises/03_twice")).unwrap();
    args.push(missing);

    // Archives of a correct workbook, one folder down as GitHub makes them.
    let source = solved(tmp.path(), "source");
    let good_zip = subs.join("zipped.zip");
    zip_dir(&source, "ffi-workbook-main/", &good_zip, |_| {});
    args.push(good_zip);
    let good_tar = subs.join("tarred.tar.gz");
    tar_gz_dir(&source, "ffi-workbook-main", &good_tar, |_| {});
    args.push(good_tar);

    // Bad archives: a path out of the folder, a link out of it.
    let options = zip::write::SimpleFileOptions::default();
    let dotdot_zip = subs.join("dotdot.zip");
    zip_dir(&source, "", &dotdot_zip, |zip| {
        zip.start_file("../escaped.rs", options).unwrap();
        zip.write_all(b"// outside\n").unwrap();
    });
    args.push(dotdot_zip);
    let dotdot_tar = subs.join("dotdot.tar.gz");
    tar_gz_dir(&source, "wb", &dotdot_tar, |tar| {
        let data = b"// outside\n";
        let header = raw_tar_header("wb/../../escaped.rs", tar::EntryType::Regular, 11);
        tar.append(&header, &data[..]).unwrap();
    });
    args.push(dotdot_tar);
    let link_zip = subs.join("link_out.zip");
    zip_dir(&source, "wb/", &link_zip, |zip| {
        zip.add_symlink(
            "wb/exercises/02_greeting/src/secret.rs",
            "/etc/passwd",
            options,
        )
        .unwrap();
    });
    args.push(link_zip);
    let link_tar = subs.join("link_out.tar.gz");
    tar_gz_dir(&source, "wb", &link_tar, |tar| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        tar.append_link(&mut header, "wb/exercises/evil", "../../..")
            .unwrap();
    });
    args.push(link_tar);

    let report_path = tmp.path().join("report.json");
    let mut cli: Vec<String> = vec![
        "--format".into(),
        "json".into(),
        "--jobs".into(),
        "2".into(),
        "--out".into(),
        report_path.to_string_lossy().into_owned(),
    ];
    cli.extend(args.iter().map(|p| p.to_string_lossy().into_owned()));
    let cli: Vec<&str> = cli.iter().map(String::as_str).collect();
    grade(&grading_fixture(), &cli)
        .success()
        .stderr(predicate::str::contains("the report is in"));

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let names: Vec<&str> = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| name.to_lowercase());
    assert_eq!(names, sorted, "the report lists submissions by name");
    assert_eq!(names.len(), args.len());
    assert_eq!(report["max_score"], 3);

    let expect = |name: &str, wanted: [&str; 3], score: u64| {
        let sub = submission(&report, name);
        assert_eq!(verdicts(sub), wanted, "{name}: {sub:#}");
        assert_eq!(sub["score"], score, "{name}");
        assert_eq!(sub["max_score"], 3, "{name}");
    };
    expect("all_correct", ["passed", "passed", "passed"], 3);
    assert!(
        submission(&report, "all_correct")["flags"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    expect("wrong_answer", ["failed", "passed", "passed"], 2);
    expect("wrong_greeting", ["passed", "failed", "passed"], 2);
    expect("wrong_twice", ["passed", "passed", "failed"], 2);
    expect("snapshot_edited", ["passed", "failed", "passed"], 2);
    assert_eq!(
        flag_paths(
            submission(&report, "snapshot_edited"),
            "protected_file_changed"
        ),
        [SNAPSHOT]
    );
    expect("test_edited", ["failed", "passed", "passed"], 2);
    assert_eq!(
        flag_paths(submission(&report, "test_edited"), "protected_file_changed"),
        ["exercises/01_answer/tests/check.rs"]
    );
    expect("c_edited", ["failed", "passed", "passed"], 2);
    assert_eq!(
        flag_paths(submission(&report, "c_edited"), "protected_file_changed"),
        ["csrc/answer.c"]
    );
    assert_eq!(
        flag_paths(submission(&report, "c_edited"), "file_not_taken"),
        ["exercises/01_answer/src/helper.rs"]
    );
    expect("segfault", ["crashed", "passed", "passed"], 2);
    let segv = &submission(&report, "segfault")["lessons"][0]["detail"];
    assert!(segv.as_str().unwrap().contains("SIGSEGV"), "{segv}");
    expect("endless_loop", ["timed_out", "passed", "passed"], 2);
    expect("flood", ["passed", "failed", "passed"], 2);
    expect("tamperer", ["passed", "failed", "passed"], 2);
    assert!(
        std::fs::read_to_string(grading_fixture().join(SNAPSHOT))
            .unwrap()
            .contains("Hello, Ferris!"),
        "the instructor's snapshot is untouched"
    );
    expect("missing_lesson", ["passed", "passed", "missing"], 2);
    expect("zipped", ["passed", "passed", "passed"], 3);
    expect("tarred", ["passed", "passed", "passed"], 3);

    for (name, why) in [
        ("dotdot", "`..`"),
        ("dotdot (2)", "`..`"),
        ("link_out", "points outside"),
        ("link_out (2)", "points outside"),
    ] {
        expect(name, ["missing", "missing", "missing"], 0);
        let error = submission(&report, name)["error"].as_str().unwrap();
        assert!(error.contains(why), "{name}: {error}");
    }
    assert!(!tmp.path().join("escaped.rs").exists());
    assert!(!work_dir().join("escaped.rs").exists());
    assert!(!work_dir().join("job-0/escaped.rs").exists());
    assert!(!work_dir().join("job-1/escaped.rs").exists());
}

#[test]
fn reports_for_gradebooks_ci_and_people() {
    let tmp = tempfile::tempdir().unwrap();
    let good = solved(tmp.path(), "alice");
    let bad = solved(tmp.path(), "bob");
    write(&bad, "exercises/02_greeting/src/lib.rs", WRONG_GREETING);
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());

    let expected_csv = "submission,01_answer,02_greeting,03_twice,01_answer_verdict,\
                        02_greeting_verdict,03_twice_verdict,total,max_score,flags,error,commit,\
                        commit_date\r\n\
                        alice,1,1,1,passed,passed,passed,3,3,,,,\r\n\
                        bob,1,0,1,passed,failed,passed,2,3,,,,\r\n";
    grade(&grading_fixture(), &["--format", "csv", good, bad])
        .success()
        .stdout(expected_csv);

    // One batch, every report: each file's format is its extension's, and
    // stdout shows the table.
    let out = |name: &str| tmp.path().join(name).to_string_lossy().into_owned();
    let (csv, xml, json, txt) = (
        out("grades.csv"),
        out("grades.xml"),
        out("grades.json"),
        out("grades.txt"),
    );
    let table = grade(
        &grading_fixture(),
        &[
            "--out", &csv, "--out", &xml, "--out", &json, "-o", &txt, good, bad,
        ],
    )
    .success()
    .stdout(predicate::str::contains(
        "alice       3/3    pass     pass     pass",
    ))
    .stdout(predicate::str::contains(
        "bob         2/3    pass     FAIL     pass",
    ))
    .stdout(predicate::str::contains("lesson 2 (greeting): failed"))
    .stdout(predicate::str::contains("+Hello Ferris"))
    .stderr(predicate::str::contains("the report is in"));
    let table = String::from_utf8(table.get_output().stdout.clone()).unwrap();
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), table);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), expected_csv);

    let junit = std::fs::read_to_string(&xml).unwrap();
    assert!(junit.starts_with("<?xml"));
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("tests"), Some("6"), "{junit}");
    assert_eq!(root.attribute("failures"), Some("1"), "{junit}");
    assert_eq!(root.attribute("errors"), Some("0"), "{junit}");
    let failed = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    let case = failed.parent().unwrap();
    assert_eq!(case.attribute("classname"), Some("bob"));
    assert_eq!(case.attribute("name"), Some("02_greeting"));
    assert_eq!(failed.attribute("type"), Some("failed"));
    // The message is a one-line reason, not the verdict's word again.
    let message = failed.attribute("message").unwrap();
    assert!(
        !message.contains('\n') && message.len() > "failed".len(),
        "{message}"
    );
    // And the whole document is valid against Jenkins' junit-10.xsd.
    if common::tool_available("xmllint", "the JUnit report against junit-10.xsd") {
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
        let output = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&schema)
            .arg(&xml)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}\n{junit}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        verdicts(submission(&json, "bob")),
        ["passed", "failed", "passed"]
    );
}

#[test]
fn a_broken_reference_solution_stops_the_batch_before_anyone_is_graded() {
    let tmp = tempfile::tempdir().unwrap();
    let instructor = clone_of(tmp.path(), "instructor");
    write(&instructor, "solutions/01_answer/src/lib.rs", WRONG_ANSWER);
    let learner = solved(tmp.path(), "alice");
    // The last batch's report survives a batch that fails: it is replaced
    // only once a new one is whole.
    let previous = tmp.path().join("grades.json");
    let old_report = b"{\"the\": \"previous report\"}\n";
    std::fs::write(&previous, old_report).unwrap();
    grade(
        &instructor,
        &[
            "--out",
            previous.to_str().unwrap(),
            learner.to_str().unwrap(),
        ],
    )
    .code(2)
    .stdout(predicate::str::is_empty())
    .stderr(predicate::str::contains("reference solutions"))
    .stderr(predicate::str::contains("not the learners'"));
    assert_eq!(std::fs::read(&previous).unwrap(), old_report);
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// Removes from a JSON report what differs between two gradings of the
/// same submissions: the timings, and the thread ids Rust's panic messages
/// carry (`thread 'name' (12345) panicked`).
fn without_timings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("seconds");
            map.remove("median_seconds");
            map.values_mut().for_each(without_timings);
        }
        Value::Array(items) => items.iter_mut().for_each(without_timings),
        Value::String(text) => *text = without_thread_ids(text),
        _ => {}
    }
}

fn without_thread_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("' (") {
        let (before, after) = rest.split_at(at + 1);
        out.push_str(before);
        let digits = after[2..].chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[2 + digits..].starts_with(") panicked") {
            rest = &after[2 + digits + 1..];
        } else {
            out.push_str(&after[..2]);
            rest = &after[2..];
        }
    }
    out.push_str(rest);
    out
}

fn merge(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("checker")
        .unwrap()
        .arg("merge")
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
}

#[test]
fn shards_merged_equal_the_whole_batch_graded_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let subs = tmp.path().join("class");
    let mut paths = vec![
        solved(&subs, "ana"),
        solved(&subs, "Ben"),
        solved(&subs, "chloe"),
        solved(&subs, "dmitri"),
    ];
    write(&paths[1], "exercises/01_answer/src/lib.rs", WRONG_ANSWER);
    write(
        &paths[2],
        "exercises/02_greeting/src/lib.rs",
        WRONG_GREETING,
    );
    let edited = std::fs::read_to_string(paths[2].join(SNAPSHOT))
        .unwrap()
        .replace("Hello, Ferris!", "Hello Ferris");
    write(&paths[2], SNAPSHOT, &edited);
    std::fs::remove_dir_all(paths[3].join("exercises/03_twice")).unwrap();
    let dotdot = subs.join("eve.zip");
    zip_dir(&paths[0], "", &dotdot, |zip| {
        zip.start_file("../escaped.rs", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"// outside\n").unwrap();
    });
    paths.push(dotdot);
    let paths: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let names = ["ana", "Ben", "chloe", "dmitri", "eve"];
    for index in 1..=2 {
        let shard = checker::grade::Shard { index, count: 2 };
        assert!(
            shard.picks(&names).into_iter().any(|p| p),
            "shard {shard} would be empty: pick other names"
        );
    }
    let file = |name: &str| tmp.path().join(name).to_string_lossy().into_owned();
    let with_paths = |mut args: Vec<String>| {
        args.extend(paths.iter().cloned());
        args
    };

    // Every part of the batch on one probe seed, as a sharded batch is
    // graded (each shard checks the references again): the same inputs, so
    // the same details.
    let seed = [(checker::probe::GRADE_SEED_ENV, "20261203")];
    let (whole_json, whole_csv) = (file("whole.json"), file("whole.csv"));
    let args = with_paths(vec![
        "--out".into(),
        whole_json.clone(),
        "--out".into(),
        whole_csv.clone(),
    ]);
    grade_with_env(
        &grading_fixture(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &seed,
    )
    .success();
    for index in 1..=2 {
        let args = with_paths(vec![
            "--shard".into(),
            format!("{index}/2"),
            "--out".into(),
            file(&format!("shard-{index}.json")),
        ]);
        grade_with_env(
            &grading_fixture(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &seed,
        )
        .success();
    }
    let (shard_1, shard_2) = (file("shard-1.json"), file("shard-2.json"));
    let (merged_json, merged_csv, merged_xml) =
        (file("merged.json"), file("merged.csv"), file("merged.xml"));
    merge(&[
        &shard_2,
        &shard_1,
        "--out",
        &merged_json,
        "--out",
        &merged_csv,
        "--out",
        &merged_xml,
    ])
    .success()
    .stdout(predicate::str::contains("Class summary: 5 submissions"))
    .stdout(predicate::str::contains("Flagged (1): chloe"))
    .stdout(predicate::str::contains("Unreadable (1): eve"));

    let read = |path: &str| -> Value {
        let mut value: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        without_timings(&mut value);
        value
    };
    let whole = read(&whole_json);
    assert_eq!(whole["probe_seed"], 20261203, "{whole:#}");
    assert_eq!(read(&merged_json), whole);
    assert_eq!(
        std::fs::read_to_string(&merged_csv).unwrap(),
        std::fs::read_to_string(&whole_csv).unwrap()
    );
    let order: Vec<&str> = whole["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, names);
    let summary = &whole["summary"];
    assert_eq!(summary["submissions"], 5);
    assert_eq!(summary["lessons"][0]["passed"], 3);
    assert_eq!(
        summary["lessons"][0]["verdicts"][0],
        serde_json::json!({"verdict": "passed", "count": 3})
    );
    assert_eq!(summary["flagged"][0]["name"], "chloe");
    assert_eq!(summary["unreadable"], serde_json::json!(["eve"]));
    for index in 1..=2 {
        let shard = read(&file(&format!("shard-{index}.json")));
        assert_eq!(
            shard["shard"],
            serde_json::json!({"index": index, "count": 2})
        );
    }

    // A shard missing is refused, and the last merged report stays whole.
    let before = std::fs::read(&merged_json).unwrap();
    merge(&[&shard_1, "--out", &merged_json])
        .code(2)
        .stderr(predicate::str::contains("shard 2/2 is missing"));
    assert_eq!(std::fs::read(&merged_json).unwrap(), before);
    let not_a_report = file("whole.csv");
    merge(&[&not_a_report])
        .code(2)
        .stderr(predicate::str::contains("is not a JSON grading report"));
}

#[test]
fn usage_errors_exit_with_2_before_grading() {
    let tmp = tempfile::tempdir().unwrap();
    grade(
        &grading_fixture(),
        &[tmp.path().join("nobody").to_str().unwrap()],
    )
    .code(2)
    .stderr(predicate::str::contains("cannot be read"));
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "hi").unwrap();
    grade(&grading_fixture(), &[notes.to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains(
            "not a folder, a .zip or a .tar.gz",
        ));
    grade(&grading_fixture(), &[]).code(2);
    let learner = solved(tmp.path(), "alice");
    let nowhere = tmp.path().join("no/such/folder/report.csv");
    grade(
        &grading_fixture(),
        &[
            "--out",
            nowhere.to_str().unwrap(),
            learner.to_str().unwrap(),
        ],
    )
    .code(2)
    .stderr(predicate::str::contains("cannot be written"))
    .stderr(predicate::str::contains("Grading").not());
}

/// `--unconfined` (no sandbox): learner code can write anywhere, so the
/// lessons are checked one at a time and everything is compared after
/// each. A program that rewrites the workspace's checks and the built C
/// fails its lesson and is flagged, the build folders are made anew in the
/// middle of the submission, its later lessons are still graded on its own
/// files, and the honest submission after it keeps full marks.
#[test]
fn unconfined_grading_restores_and_flags_what_learner_code_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let subs = tmp.path().join("subs");
    let cheater = solved(&subs, "cheater");
    write(
        &cheater,
        "exercises/02_greeting/src/main.rs",
        r##"fn main() {
    let _ = std::fs::write("tests/check.rs", "#[test]\nfn greets_ferris() {}\n");
    if let Some(dir) = std::env::var_os("FFI_WORKBOOK_C_DIR") {
        let _ = std::fs::write(std::path::Path::new(&dir).join("answer"), "garbage");
    }
    println!("{}", greeting::greeting("world"));
}
"##,
    );
    let honest = solved(&subs, "honest");
    let report = tmp.path().join("report.json");
    Command::cargo_bin("checker")
        .unwrap()
        .arg("--workbook")
        .arg(grading_fixture())
        .args(["--timeout", "3", "grade", "--unconfined", "--work-dir"])
        .arg(tmp.path().join("work"))
        .args(["--format", "json", "--out"])
        .arg(&report)
        .arg(&cheater)
        .arg(&honest)
        .env_remove("CARGO_TARGET_DIR")
        .timeout(std::time::Duration::from_secs(900))
        .assert()
        .success();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["sandbox"], "none (--unconfined)");
    let cheated = submission(&report, "cheater");
    assert_eq!(
        verdicts(cheated),
        ["passed", "failed", "passed"],
        "{cheated:#}"
    );
    let changed = flag_paths(cheated, "changed_during_grading");
    for path in ["exercises/02_greeting/tests/check.rs", "build/answer"] {
        assert!(changed.iter().any(|p| p == path), "{path}: {changed:?}");
    }
    let honest = submission(&report, "honest");
    assert_eq!(honest["score"], 3, "{honest:#}");
    assert_eq!(honest["flags"].as_array().unwrap().len(), 0, "{honest:#}");
}
