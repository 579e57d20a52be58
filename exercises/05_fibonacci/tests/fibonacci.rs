//! Lesson 5's checks: the definition (F(0) ... F(n), n + 1 numbers), the
//! agreement of the ABI and API styles, the boundary MAX_N on both sides
//! (the largest n whose F(n) fits in a C int, worked out here in 64-bit
//! arithmetic, so that the number is yours to find), and that no C addition
//! overflows on the way. Then the program's output.
//!
//! The API copy of fibonacci.c is compiled with int-overflow traps (see
//! build.rs): an overflowing call kills the process, so calls that might
//! overflow run in a child process, and the parent explains what happened.

use std::ffi::c_int;
use std::process::Command;

use fibonacci::{AbiFibo, MAX_N, TooLarge, fibonacci_api};

/// F(0), ..., F(n), computed in Rust with 64-bit integers (no overflow
/// below F(92)), to compare with.
fn reference(n: u32) -> Vec<i64> {
    let mut numbers = vec![0_i64, 1];
    while numbers.len() <= n as usize {
        let k = numbers.len();
        numbers.push(numbers[k - 1] + numbers[k - 2]);
    }
    numbers.truncate(n as usize + 1);
    numbers
}

/// The largest n whose F(n) fits in a C int: what MAX_N must be.
fn limit() -> u32 {
    let mut n = 0;
    while reference(n + 1)[n as usize + 1] <= i64::from(c_int::MAX) {
        n += 1;
    }
    n
}

/// What the learner's MAX_N should be, and why, when it is not.
fn check_max_n() {
    let limit = limit();
    let f = |n: u32| reference(n)[n as usize];
    if MAX_N > limit {
        // F(n) fits in an i64 up to n = 92.
        let value = if MAX_N <= 90 {
            format!(" = {}", f(MAX_N))
        } else {
            String::new()
        };
        panic!(
            "MAX_N is {MAX_N}, but F({MAX_N}){value} does not fit in a C int (at most {}): \
             a sequence that long makes C overflow an int, which is undefined behaviour. \
             Which is the last Fibonacci number that fits?",
            c_int::MAX
        );
    }
    if MAX_N < limit {
        let next = MAX_N.saturating_add(1);
        panic!(
            "MAX_N is {MAX_N}, but F({next}) = {} still fits in a C int (at most {}), so \
             sequence({next}) is safe and should be allowed. MAX_N is the largest n whose \
             F(n) fits, provided your loop's last call computes F(n) and nothing after it.",
            f(next),
            c_int::MAX
        );
    }
}

fn widen(numbers: &[c_int]) -> Vec<i64> {
    numbers.iter().map(|&x| i64::from(x)).collect()
}

fn open() -> AbiFibo {
    AbiFibo::open().unwrap_or_else(|error| panic!("AbiFibo::open() (src/lib.rs) failed: {error}"))
}

#[test]
fn ten_gives_eleven_numbers_from_f0_to_f10() {
    let want = vec![0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55];
    let abi = open();
    for (style, got) in [
        ("AbiFibo::sequence(10) (ABI)", abi.sequence(10)),
        ("fibonacci_api(10) (API)", fibonacci_api(10)),
    ] {
        let got = got.unwrap_or_else(|error| panic!("{style} was refused: {error}"));
        assert_eq!(
            got, want,
            "{style} should be F(0) ... F(10): the 11 numbers 0 1 1 2 3 5 8 13 21 34 55. \
             Start from a = 0 (F(0)), b = 1 (F(1)); push a, then b, then b after each call."
        );
    }
}

#[test]
fn the_smallest_n() {
    let abi = open();
    for (n, want) in [(0, vec![0]), (1, vec![0, 1]), (2, vec![0, 1, 1])] {
        for (style, got) in [
            ("AbiFibo::sequence", abi.sequence(n)),
            ("fibonacci_api", fibonacci_api(n)),
        ] {
            assert_eq!(
                got,
                Ok(want.clone()),
                "{style}({n}) should be F(0) ... F({n}) = {want:?}: n + 1 numbers, \
                 and no call to fibo before the third one"
            );
        }
    }
}

#[test]
fn max_n_is_the_largest_n_whose_f_n_fits_in_a_c_int() {
    check_max_n();
}

#[test]
fn abi_and_api_agree_with_the_definition() {
    // Below the limit only: a loop with one call too many still does not
    // overflow there, so this test can tell you about the values first.
    let abi = open();
    for n in 0..limit() {
        let want = reference(n);
        let by_abi = abi.sequence(n).map(|v| widen(&v));
        let by_api = fibonacci_api(n).map(|v| widen(&v));
        assert_eq!(
            by_abi,
            Ok(want.clone()),
            "AbiFibo::sequence({n}) should be F(0) ... F({n})"
        );
        assert_eq!(
            by_api,
            Ok(want),
            "fibonacci_api({n}) should be F(0) ... F({n})"
        );
    }
}

#[test]
fn abi_allows_the_limit_and_refuses_past_it() {
    let abi = open();
    let limit = limit();
    let last = reference(limit)[limit as usize];
    let got = abi.sequence(limit).map(|v| widen(&v));
    assert_eq!(
        got,
        Ok(reference(limit)),
        "AbiFibo::sequence({limit}) should work: F({limit}) = {last} fits in a C int (at most {})",
        c_int::MAX
    );
    for n in [limit + 1, limit + 2, 1000] {
        assert_eq!(
            abi.sequence(n).map(|v| v.len()),
            Err(TooLarge { n }),
            "AbiFibo::sequence({n}) should be refused with Err(TooLarge {{ n: {n} }}): \
             F({n}) does not fit in a C int, and overflowing one is undefined behaviour \
             in C. Check `n` against MAX_N before calling C."
        );
    }
    check_max_n();
}

/// Run in a child process by `run_api_in_child`: prints fibonacci_api(FIB_N).
#[test]
#[ignore = "run in a child process by the API boundary tests"]
fn child_runs_fibonacci_api() {
    let Ok(n) = std::env::var("FIB_N") else {
        return;
    };
    let n: u32 = n.parse().expect("FIB_N is a number");
    println!("RESULT {:?}", fibonacci_api(n).map(|v| widen(&v)));
}

/// Runs `fibonacci_api(n)` in a child process: its printed result, or an
/// explanation of how it died.
fn run_api_in_child(n: u32) -> Result<String, String> {
    let out = Command::new(std::env::current_exe().expect("the test executable's path"))
        .args([
            "child_runs_fibonacci_api",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FIB_N", n.to_string())
        .output()
        .expect("the test executable runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if let Some(line) = stdout
        .lines()
        .find_map(|line| line.split_once("RESULT ").map(|(_, result)| result))
    {
        return Ok(line.to_string());
    }
    if workbook_support::testing::stopped_by_trap(&out.status) {
        return Err(format!(
            "fibonacci_api({n}) crashed: the C code overflowed an int (build.rs \
             compiles it with overflow traps, so C's undefined behaviour stops the \
             program instead of wrapping silently)"
        ));
    }
    Err(format!(
        "fibonacci_api({n}) failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    ))
}

#[test]
fn api_at_the_limit_computes_nothing_past_f_n() {
    let limit = limit();
    let last = reference(limit)[limit as usize];
    let want = format!("{:?}", Ok::<_, TooLarge>(reference(limit)));
    match run_api_in_child(limit) {
        Ok(got) => assert_eq!(
            got, want,
            "fibonacci_api({limit}) should give F(0) ... F({limit}), ending in \
             F({limit}) = {last}"
        ),
        Err(why) => panic!(
            "{why}.\nF({limit}) = {last} fits in a C int, but F({}) does not: for \
             n = {limit} your loop calls fibo once too often, and that last call computes \
             F({}), which nobody prints. Start with F(0) and F(1) already known and call \
             fibo only n - 1 times (never for n = 0 or 1): the last call then computes F(n).",
            limit + 1,
            limit + 1
        ),
    }
}

#[test]
fn api_refuses_past_the_limit() {
    for n in [limit() + 1, 1000] {
        let want = format!("{:?}", Err::<Vec<i64>, _>(TooLarge { n }));
        match run_api_in_child(n) {
            Ok(got) => assert_eq!(
                got, want,
                "fibonacci_api({n}) should be refused with Err(TooLarge {{ n: {n} }}): \
                 F({n}) does not fit in a C int. MAX_N is the largest n allowed."
            ),
            Err(why) => panic!(
                "{why}.\nfibonacci_api({n}) should have been refused before calling C: \
                 check `n > MAX_N` first, with MAX_N = the largest n whose F(n) fits."
            ),
        }
    }
}

#[test]
fn the_error_says_what_is_allowed() {
    let n = MAX_N.saturating_add(1);
    let message = TooLarge { n }.to_string();
    assert!(
        message.contains(&format!("F({n})")) && message.contains(&format!("at most {MAX_N}")),
        "The TooLarge message should name n and the largest n allowed, MAX_N = {MAX_N}; \
         it is: {message}"
    );
}

#[test]
fn program_output() {
    let stdout =
        workbook_support::testing::program_stdout(env!("CARGO_BIN_EXE_fibonacci"), "fibonacci");
    // The limit is the lesson's puzzle: the tests above check it, and the
    // snapshot, which you can read, does not give it away.
    let mut settings = workbook_support::snapshot_settings();
    settings.add_filter(r"MAX_N = \d+", "MAX_N = [MAX_N]");
    settings.add_filter(r"F\(\d+\) = \d+ in both", "F([MAX_N]) = [F(MAX_N)] in both");
    settings.add_filter(
        r"n = \d+ is refused: F\(\d+\)",
        "n = [MAX_N + 1] is refused: F([MAX_N + 1])",
    );
    settings.add_filter(r"n may be at most \d+", "n may be at most [MAX_N]");
    settings.bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}

#[test]
fn a_missing_library_is_reported_with_the_command_that_builds_it() {
    let (succeeded, stderr) =
        workbook_support::testing::run_without_c_libraries(env!("CARGO_BIN_EXE_fibonacci"));
    assert!(
        !succeeded && stderr.contains("cargo run -p checker -- build-c"),
        "When the library is missing, AbiFibo::open() should return the error from \
         workbook_support::shared_library_path (it names the command that builds the \
         library) instead of panicking. The program printed:\n{stderr}"
    );
}
