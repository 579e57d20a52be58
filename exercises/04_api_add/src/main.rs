//! Lesson 4's program: the source's API out-of-line example, in Rust, then
//! the same call through the API in-line function.
//!
//! `a` is the source's `np.arange(0, 200000, 0.1)` (2,000,000 values) and `b`
//! its `np.ones_like(a)`. The program checks the result against the same sum
//! done in Rust, prints a short summary and the time taken. You do not edit
//! this file: your code is in build.rs and src/lib.rs.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use api_add::AddError;

/// The source's array length: `np.arange(0, 200000, 0.1)` has 2,000,000 values.
const N: usize = 2_000_000;

type Wrapper = fn(&mut [f64], &[f64]) -> Result<(), AddError>;

fn main() -> ExitCode {
    let start: Vec<f64> = (0..N).map(|i| i as f64 * 0.1).collect();
    let b = vec![1.0_f64; N];
    let expected: Vec<f64> = start.iter().zip(&b).map(|(x, y)| x + y).collect();

    let styles: [(&str, &str, Wrapper); 2] = [
        (
            "API out-of-line: csrc/API_add.c, compiled by build.rs and linked in",
            "add",
            api_add::add,
        ),
        (
            "API in-line: the C source held in build.rs, compiled and linked in",
            "add_inline",
            api_add::add_inline,
        ),
    ];
    for (title, name, wrapper) in styles {
        println!("{title}");
        let mut a = start.clone();
        let clock = Instant::now();
        let result = wrapper(&mut a, &b);
        let took = clock.elapsed();
        if !report(name, result, &a, &expected, took) {
            return ExitCode::FAILURE;
        }
        let mut short = vec![0.0; 3];
        match wrapper(&mut short, &b[..2]) {
            Err(error) => println!("  {name}(3 values, 2 values) is refused: {error}"),
            Ok(()) => println!("  {name}(3 values, 2 values) was NOT refused"),
        }
        println!();
    }
    println!("No library was opened and nothing was looked up by name: both are linked in.");
    ExitCode::SUCCESS
}

/// Prints the outcome of one call; `false` when it went wrong.
fn report(
    name: &str,
    result: Result<(), AddError>,
    a: &[f64],
    expected: &[f64],
    took: Duration,
) -> bool {
    if let Err(error) = result {
        println!("  {name} refused slices of the same length: {error}");
        return false;
    }
    println!("  {name} over {} values took {took:?}", a.len());
    println!("  a + b = {}", summary(a));
    match a.iter().zip(expected).position(|(x, y)| x != y) {
        None => {
            println!("  every value equals a[i] + b[i] computed in Rust");
            true
        }
        Some(i) => {
            println!(
                "  WRONG: a[{i}] is {} but a[{i}] + b[{i}] is {}",
                a[i], expected[i]
            );
            false
        }
    }
}

/// The first and last three values, the way NumPy prints a long array.
fn summary(a: &[f64]) -> String {
    let show = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "[{}, ..., {}] ({} values)",
        show(&a[..3]),
        show(&a[a.len() - 3..]),
        a.len()
    )
}
