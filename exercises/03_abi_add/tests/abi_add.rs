//! Lesson 3's checks: the values, the refusal of mismatched lengths, and that
//! C never writes past the end of the slice it was given, for both parts
//! (`AbiInline::add` and the out-of-line `add`). Then the program's output.

use workbook_support::testing::{CANARY, assert_nothing_written_past, padded};

use abi_add::{AbiInline, AddError};

type Wrapper<'a> = &'a dyn Fn(&mut [f64], &[f64]) -> Result<(), AddError>;

fn open() -> AbiInline {
    AbiInline::open()
        .unwrap_or_else(|error| panic!("AbiInline::open() (src/lib.rs) failed: {error}"))
}

/// Runs `check` on both wrappers, naming each in the messages.
fn both(check: impl Fn(&str, Wrapper)) {
    let inline = open();
    check("AbiInline::add (part 1, src/lib.rs)", &|a, b| {
        inline.add(a, b)
    });
    check("add (part 2, src/lib.rs + src/bindings.rs)", &|a, b| {
        abi_add::add(a, b)
    });
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
                 C would read or write past the end of the shorter slice. Look at checked_len."
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
        workbook_support::testing::program_stdout(env!("CARGO_BIN_EXE_abi_add"), "abi_add");
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}

#[test]
fn a_missing_library_is_reported_with_the_command_that_builds_it() {
    let (succeeded, stderr) =
        workbook_support::testing::run_without_c_libraries(env!("CARGO_BIN_EXE_abi_add"));
    assert!(
        !succeeded && stderr.contains("cargo run -p checker -- build-c"),
        "When the library is missing, AbiInline::open() should return the error from \
         workbook_support::shared_library_path (it names the command that builds the \
         library) instead of panicking or hard-coding a path. The program printed:\n{stderr}"
    );
}
