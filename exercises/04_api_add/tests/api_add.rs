//! Lesson 4's checks: the values, the refusal of mismatched lengths, and that
//! C never writes past the end of the slice it was given, for both parts
//! (`add`, API out-of-line, and `add_inline`, API in-line). Then the
//! program's output, and what build.rs did.

use workbook_support::testing::{CANARY, assert_nothing_written_past, padded};

use api_add::AddError;

type Wrapper<'a> = &'a dyn Fn(&mut [f64], &[f64]) -> Result<(), AddError>;

/// Runs `check` on both wrappers, naming each in the messages.
fn both(check: impl Fn(&str, Wrapper)) {
    check(
        "add (part 1, API out-of-line, src/lib.rs + build.rs)",
        &|a, b| api_add::add(a, b),
    );
    check(
        "add_inline (part 2, API in-line, src/lib.rs + build.rs)",
        &|a, b| api_add::add_inline(a, b),
    );
}

fn arange(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * 0.1).collect()
}

#[test]
fn adds_every_element() {
    both(|name, add| {
        // The source's data: arange and ones, 2,000,000 values.
        let n = 2_000_000;
        let mut a = padded(arange(n), CANARY);
        // b's slack is 1.0, so that reading past the end of b shows in a too.
        let b = padded(vec![1.0; n], 1.0);
        add(&mut a[..n], &b[..n]).unwrap_or_else(|error| {
            panic!("{name} refused two slices of {n} values each: {error}")
        });
        assert_nothing_written_past(name, &a, n);
        for (i, x) in a[..n].iter().enumerate() {
            let want = i as f64 * 0.1 + 1.0;
            assert_eq!(
                *x, want,
                "{name}: after adding ones, a[{i}] should be {want} but is {x}. \
                 Does the call pass a.as_mut_ptr(), b.as_ptr() and the length of a?"
            );
        }

        // b that is not all ones, so that swapping a and b shows.
        let n = 1000;
        let mut a = padded((0..n).map(|i| i as f64).collect(), CANARY);
        let b = padded((0..n).map(|i| 0.5 * i as f64 + 0.25).collect(), 1.0);
        add(&mut a[..n], &b[..n])
            .unwrap_or_else(|error| panic!("{name} refused 1000 + 1000 values: {error}"));
        assert_nothing_written_past(name, &a, n);
        for (i, x) in a[..n].iter().enumerate() {
            let want = i as f64 + 0.5 * i as f64 + 0.25;
            assert_eq!(
                *x, want,
                "{name}: a[{i}] should be a[{i}] + b[{i}] = {want} but is {x}. \
                 C adds b into a: the first pointer is a (written), the second b (read)."
            );
        }
        assert_eq!(b[1], 0.75, "{name} changed b: only a may be written");

        // Empty slices: nothing to do, and nothing to refuse.
        let mut a = padded(Vec::new(), CANARY);
        let b = padded(Vec::new(), 1.0);
        assert_eq!(
            add(&mut a[..0], &b[..0]),
            Ok(()),
            "{name}: two empty slices have the same length and should be accepted"
        );
        assert_nothing_written_past(name, &a, 0);
    });
}

#[test]
fn refuses_slices_of_different_lengths() {
    both(|name, add| {
        for (len_a, len_b) in [(5, 4), (4, 5), (0, 1), (1, 0)] {
            let mut a = padded(vec![10.0; len_a], CANARY);
            let b = padded(vec![1.0; len_b], 1.0);
            let got = add(&mut a[..len_a], &b[..len_b]);
            assert_eq!(
                got,
                Err(AddError::LengthMismatch { a: len_a, b: len_b }),
                "{name} with a.len() = {len_a} and b.len() = {len_b} should return \
                 Err(AddError::LengthMismatch {{ a: {len_a}, b: {len_b} }}): with either length as n, \
                 C would read or write past the end of the shorter slice. Call checked_len(a, b)? before calling C."
            );
            assert!(
                a[..len_a].iter().all(|x| *x == 10.0),
                "{name} refused mismatched lengths but had already changed a: \
                 check the lengths before calling C"
            );
            assert_nothing_written_past(name, &a, len_a);
        }
    });
}

#[test]
fn never_writes_past_the_end_of_a() {
    both(|name, add| {
        for n in [0, 1, 7, 1000] {
            let mut a = padded((0..n).map(|i| i as f64).collect(), CANARY);
            let b = padded(vec![1.0; n], 1.0);
            add(&mut a[..n], &b[..n]).unwrap_or_else(|error| {
                panic!("{name} refused two slices of {n} values each: {error}")
            });
            for (i, x) in a[..n].iter().enumerate() {
                assert_eq!(*x, i as f64 + 1.0, "{name}: a[{i}] was not added to");
            }
            assert_nothing_written_past(name, &a, n);
        }
    });
}

/// Run by `valgrind_finds_no_invalid_access` inside valgrind, where every
/// buffer is allocated at exactly its length (valgrind sees only accesses
/// outside an allocation).
#[test]
#[ignore = "run under valgrind by valgrind_finds_no_invalid_access"]
fn exactly_sized_buffers_for_valgrind() {
    both(|name, add| {
        for n in [1, 3, 1000] {
            let mut a = vec![2.0; n];
            let b = vec![1.0; n];
            add(&mut a, &b).unwrap_or_else(|error| panic!("{name}: {error}"));
        }
    });
}

#[test]
fn valgrind_finds_no_invalid_access() {
    workbook_support::testing::assert_valgrind_finds_no_invalid_access(
        "exactly_sized_buffers_for_valgrind",
        "The call must pass exactly the slices' length as n.",
    );
}

#[test]
fn program_output() {
    let stdout =
        workbook_support::testing::program_stdout(env!("CARGO_BIN_EXE_api_add"), "api_add");
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}

/// Whether `name` is a symbol in the file at `path`: symbol names are stored
/// between NUL bytes in an object file's string table.
fn has_symbol(path: &std::path::Path, name: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    let needle = [b"\0", name.as_bytes(), b"\0"].concat();
    bytes.windows(needle.len()).any(|window| window == needle)
}

#[test]
fn build_rs_compiles_the_c_and_the_program_calls_it() {
    // OUT_DIR is the folder cargo gave this crate's build.rs.
    let out_dir = std::path::Path::new(env!("OUT_DIR"));
    for (library, function, what) in [
        ("API_add", "API_add", "step 1: compile ../../csrc/API_add.c"),
        (
            "API_inline_add",
            "API_inline_add",
            "step 2: write API_INLINE_SOURCE to OUT_DIR and compile it",
        ),
    ] {
        let archive = out_dir.join(format!("lib{library}.a"));
        assert!(
            archive.is_file() && has_symbol(&archive, function),
            "build.rs did not make {} with the C function {function} in it. \
             In build.rs, {what} with cc::Build ... .compile(\"{library}\").",
            archive.display()
        );
        // The linker copies a function from a static library into the program
        // only when Rust code calls it.
        let program = std::path::Path::new(env!("CARGO_BIN_EXE_api_add"));
        assert!(
            has_symbol(program, function),
            "build.rs compiles {function}, but the program does not call it: declare \
             `fn {function}(a: *mut f64, b: *const f64, n: c_int);` in the \
             `unsafe extern \"C\"` block of src/lib.rs and call it from the wrapper \
             (adding in Rust instead is not this lesson)."
        );
    }
}

#[test]
fn build_rs_asks_to_rerun_when_the_c_changes() {
    // Cargo keeps what build.rs printed in a file named `output` beside OUT_DIR.
    let printed = std::path::Path::new(env!("OUT_DIR")).join("../output");
    let Ok(printed) = std::fs::read_to_string(&printed) else {
        eprintln!(
            "cannot read what build.rs printed ({}): skipping",
            printed.display()
        );
        return;
    };
    for file in ["csrc/API_add.c", "csrc/API_add.h", "build.rs"] {
        assert!(
            printed.lines().any(|line| {
                line.starts_with("cargo:rerun-if-changed=")
                    || line.starts_with("cargo::rerun-if-changed=")
            } && line.ends_with(file)),
            "build.rs should print `cargo:rerun-if-changed=...{file}` so that cargo \
             rebuilds the C when {file} changes (step 3 in build.rs). It printed:\n{printed}"
        );
    }
}
