//! Checks of the three ways to take a step: the ABI way (src/abi.rs), the API
//! way (src/api.rs) and the Rust way (src/pure.rs).

use std::os::raw::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use evolve::abi::AbiEvolve;
use evolve::report::{Stats, max_abs_diff};
use evolve::{Field, Params, STEPS, TOLERANCE, api, field, pure, run_steps};

/// The library for the ABI way, loaded once for all the tests that use it.
fn abi() -> &'static AbiEvolve {
    static ABI: OnceLock<AbiEvolve> = OnceLock::new();
    ABI.get_or_init(|| {
        AbiEvolve::load().unwrap_or_else(|e| panic!("AbiEvolve::load() (src/abi.rs) failed: {e}"))
    })
}

type Step = fn(&mut [f64], &mut [f64], usize, usize, &Params);

fn abi_step(u: &mut [f64], u_previous: &mut [f64], nx: usize, ny: usize, params: &Params) {
    abi().step(u, u_previous, nx, ny, params)
}

unsafe extern "C" {
    /// csrc/evolve.c itself, linked in by the crate's build.rs: what each way
    /// must do on grids too small to have an interior.
    fn evolve(
        u: *mut f64,
        u_previous: *mut f64,
        nx: c_int,
        ny: c_int,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    );
}

/// The three ways, by name.
const WAYS: [(&str, Step); 3] = [
    ("ABI (src/abi.rs)", abi_step),
    ("API (src/api.rs)", api::step),
    ("Rust (src/pure.rs)", pure::step),
];

fn run(field: &Field, steps: usize, params: &Params, step: Step) -> Field {
    run_steps(field, steps, |u, v, nx, ny| step(u, v, nx, ny, params))
}

/// An independent reference: the step written with 2-D indexing
/// (`grid[i][j]`), so a mistake in a flat index cannot hide in it.
fn reference_step(field: &Field, params: &Params) -> Field {
    let grid: Vec<Vec<f64>> = field.values.chunks(field.ny).map(<[f64]>::to_vec).collect();
    let mut next = grid.clone();
    let Params { a, dt, dx2, dy2 } = *params;
    for i in 1..field.nx - 1 {
        for j in 1..field.ny - 1 {
            let c = grid[i][j];
            next[i][j] = c + a
                * dt
                * ((grid[i + 1][j] - 2.0 * c + grid[i - 1][j]) / dx2
                    + (grid[i][j + 1] - 2.0 * c + grid[i][j - 1]) / dy2);
        }
    }
    Field::new(field.nx, field.ny, next.concat())
}

/// The step as the source course's C wrote it: cell (i, j) at `j + i*nx`.
/// Right only when nx == ny; kept here to prove the checks below catch it.
fn source_indexing_step(
    u: &mut [f64],
    u_previous: &mut [f64],
    nx: usize,
    ny: usize,
    params: &Params,
) {
    let Params { a, dt, dx2, dy2 } = *params;
    for i in 1..nx - 1 {
        for j in 1..ny - 1 {
            let ij = j + i * nx;
            let (ip, im) = (j + (i + 1) * nx, j + (i - 1) * nx);
            let c = u_previous[ij];
            u[ij] = c + a
                * dt
                * ((u_previous[ip] - 2.0 * c + u_previous[im]) / dx2
                    + (u_previous[ij + 1] - 2.0 * c + u_previous[ij - 1]) / dy2);
        }
    }
    u_previous.copy_from_slice(u);
}

/// A 37 × 53 field with no symmetry, so that a swapped index or a swapped
/// dx²/dy² shows.
fn uneven_field() -> Field {
    let (nx, ny) = (37, 53);
    let values = (0..nx * ny)
        .map(|k| {
            let (i, j) = ((k / ny) as f64, (k % ny) as f64);
            50.0 + 30.0 * (0.31 * i).sin() * (0.17 * j + 0.4).cos() + 0.5 * i - 0.2 * j
        })
        .collect();
    Field::new(nx, ny, values)
}

/// Constants with dx ≠ dy, so that dx² and dy² cannot be swapped unnoticed.
fn uneven_params() -> Params {
    Params::new(0.5, 0.01, 0.02)
}

fn after_200_steps(way: usize) {
    let (name, step) = WAYS[way];
    let start = field::read_file(&field::bottle_path()).expect("data/bottle.dat is readable");
    let end = run(&start, STEPS, &Params::source(), step);
    println!("Checking the {name} way: the bottle field after {STEPS} steps.");
    let mut settings = workbook_support::snapshot_settings();
    settings.set_description(
        "The bottle field after 200 steps; the same for every way (the test's name says which \
         way is checked). If these numbers differ, look there: cell (i, j) is at i*ny + j; only \
         the interior changes; and after the step u_previous must hold the new field.",
    );
    // The same numbers for every way: one snapshot, checked three times.
    settings.bind(|| {
        insta::assert_snapshot!("after_200_steps", Stats::of(&end).to_string());
    });
}

fn right_on_a_37_by_53_grid(way: usize) {
    let (name, step) = WAYS[way];
    let start = uneven_field();
    let params = uneven_params();
    let mut expected = start.clone();
    for _ in 0..5 {
        expected = reference_step(&expected, &params);
    }
    let got = run(&start, 5, &params, step);
    let (diff, (i, j)) = max_abs_diff(&expected, &got);
    assert!(
        diff <= TOLERANCE,
        "{name}: on a 37 × 53 grid (nx = 37 rows, ny = 53 columns, dx² ≠ dy²), after 5 \
         steps u[{i}][{j}] is {} but should be {} (off by {diff:e}). Check that cell \
         (i, j) is at i*ny + j (not j + i*nx, which works only for square grids), that \
         the neighbours along i are ny apart and are divided by dx2, and those along j \
         are next door and divided by dy2.",
        got.get(i, j),
        expected.get(i, j)
    );
}

fn edges_stay_fixed_and_u_previous_takes_the_new_field(way: usize) {
    let (name, step) = WAYS[way];
    let start = uneven_field();
    let params = uneven_params();
    let expected = reference_step(&start, &params);
    let (nx, ny) = (start.nx, start.ny);
    let is_edge = |i: usize, j: usize| i == 0 || j == 0 || i == nx - 1 || j == ny - 1;
    // `u` holds the field's edges (as it does in a run, where both start as
    // the field) and rubbish inside, which the step must overwrite.
    let mut u = start.values.clone();
    for i in 1..nx - 1 {
        for j in 1..ny - 1 {
            u[i * ny + j] = 1e6;
        }
    }
    let mut u_previous = start.values.clone();
    step(&mut u, &mut u_previous, nx, ny, &params);
    for i in 0..nx {
        for j in 0..ny {
            let (got, want) = (u[i * ny + j], expected.get(i, j));
            if is_edge(i, j) {
                assert_eq!(
                    got, want,
                    "{name}: the edge cell ({i}, {j}) changed; only the interior \
                     (i in 1..nx-1, j in 1..ny-1) is updated, the edges stay fixed."
                );
            } else {
                assert!(
                    (got - want).abs() <= TOLERANCE,
                    "{name}: after one step on a 37 × 53 grid, interior cell ({i}, {j}) \
                     of `u` is {got} but should be {want}. Every interior cell, \
                     i in 1..nx-1 and j in 1..ny-1, gets the new value."
                );
            }
        }
    }
    assert!(
        u == u_previous,
        "{name}: after one step `u` and `u_previous` should both hold the new field (C's \
         evolve ends by copying u into u_previous; the Rust step must do the same: \
         `u_previous.copy_from_slice(u)`)."
    );
}

/// The text of a panic, or what happened instead.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn degenerate_grids_do_what_c_does(way: usize) {
    let (name, step) = WAYS[way];
    let params = Params::source();
    // No cells at all, and grids with cells but no interior (nx or ny below
    // 3), then the smallest grid with one interior cell.
    let shapes = [
        (0, 0),
        (0, 4),
        (4, 0),
        (1, 1),
        (1, 5),
        (5, 1),
        (2, 2),
        (2, 6),
        (6, 2),
        (3, 3),
    ];
    for (nx, ny) in shapes {
        // u and u_previous differ, so that copying (or not) shows.
        let u_start: Vec<f64> = (0..nx * ny).map(|k| 10.0 + k as f64).collect();
        let previous_start: Vec<f64> = (0..nx * ny).map(|k| 50.0 - 3.0 * k as f64).collect();
        let (mut c_u, mut c_previous) = (u_start.clone(), previous_start.clone());
        // SAFETY: both buffers hold nx * ny doubles and do not overlap, and
        // nx, ny are small.
        unsafe {
            evolve(
                c_u.as_mut_ptr(),
                c_previous.as_mut_ptr(),
                nx as c_int,
                ny as c_int,
                params.a,
                params.dt,
                params.dx2,
                params.dy2,
            )
        };
        let (mut u, mut u_previous) = (u_start.clone(), previous_start.clone());
        let result = catch_unwind(AssertUnwindSafe(|| {
            step(&mut u, &mut u_previous, nx, ny, &params)
        }));
        if let Err(payload) = result {
            panic!(
                "{name}: on a {nx} × {ny} grid (slices of {} values, as check_grid wants) \
                 the step panicked: {}\nC's evolve does not fail there. A grid with nx or \
                 ny below 3 has no interior cell, and with 0 it has no cell at all: a \
                 range like `1..nx - 1` must not subtract below zero.",
                nx * ny,
                panic_text(payload)
            );
        }
        assert!(
            u == c_u && u_previous == c_previous,
            "{name}: on a {nx} × {ny} grid, C's evolve leaves u = {c_u:?} and u_previous = \
             {c_previous:?}, but this way left u = {u:?} and u_previous = {u_previous:?}. \
             Read csrc/evolve.c: what does it do when there is no interior cell, and when \
             there is no cell at all?"
        );
    }
}

fn slices_of_the_wrong_length_are_refused(way: usize) {
    let (name, step) = WAYS[way];
    let (nx, ny) = (6, 5);
    // One value too many: harmless to C even unchecked, but wrong.
    let mut u = vec![1.0; nx * ny + 1];
    let mut u_previous = vec![1.0; nx * ny];
    let result = catch_unwind(AssertUnwindSafe(|| {
        step(&mut u, &mut u_previous, nx, ny, &Params::source())
    }));
    let message = match result {
        Ok(()) => String::from("it returned normally"),
        Err(payload) => panic_text(payload),
    };
    assert!(
        message.contains("C cannot see a slice's length"),
        "{name}: a `u` of {} values for a {nx} × {ny} grid should be refused by \
         `check_grid` before any pointer reaches C, but {message}. Start the step with \
         `let (nx, ny) = check_grid(u, u_previous, nx, ny);`.",
        nx * ny + 1
    );
}

/// The same five checks for each way, in a module named after it
/// (`abi_way::`, `api_way::`, `rust_way::`), so that each way passes or fails
/// on its own and the checker can say which way a failure belongs to.
macro_rules! checks_for {
    ($way:ident, $index:expr) => {
        mod $way {
            #[test]
            fn after_200_steps() {
                super::after_200_steps($index);
            }

            #[test]
            fn right_on_a_37_by_53_grid() {
                super::right_on_a_37_by_53_grid($index);
            }

            #[test]
            fn edges_stay_fixed_and_u_previous_takes_the_new_field() {
                super::edges_stay_fixed_and_u_previous_takes_the_new_field($index);
            }

            #[test]
            fn slices_of_the_wrong_length_are_refused() {
                super::slices_of_the_wrong_length_are_refused($index);
            }

            #[test]
            fn degenerate_grids_do_what_c_does() {
                super::degenerate_grids_do_what_c_does($index);
            }
        }
    };
}

checks_for!(abi_way, 0);
checks_for!(api_way, 1);
checks_for!(rust_way, 2);

#[test]
fn the_three_ways_agree_on_the_bottle() {
    let start = field::read_file(&field::bottle_path()).expect("data/bottle.dat is readable");
    let ends: Vec<Field> = WAYS
        .iter()
        .map(|&(_, step)| run(&start, STEPS, &Params::source(), step))
        .collect();
    for k in 1..WAYS.len() {
        let (diff, (i, j)) = max_abs_diff(&ends[0], &ends[k]);
        assert!(
            diff <= TOLERANCE,
            "after {STEPS} steps on the bottle, {} and {} differ by {diff:e} at u[{i}][{j}] \
             ({} vs {}); they must agree to {TOLERANCE:e}.",
            WAYS[0].0,
            WAYS[k].0,
            ends[0].get(i, j),
            ends[k].get(i, j)
        );
    }
}

#[test]
fn the_source_indexing_is_wrong_on_a_non_square_grid() {
    // This proves the check above can fail: the source course's `j + i*nx`
    // gives a very different field on 37 × 53 (and would even read past the
    // end on 53 × 37).
    let start = uneven_field();
    let params = uneven_params();
    let expected = reference_step(&start, &params);
    let wrong = run_steps(&start, 1, |u, v, nx, ny| {
        source_indexing_step(u, v, nx, ny, &params)
    });
    let (diff, _) = max_abs_diff(&expected, &wrong);
    assert!(
        diff > 1.0,
        "the source's indexing should be far off, but differs by only {diff:e}"
    );
    // On a square grid the two indexings are the same.
    let square = field::bottle(40, 40);
    let right = reference_step(&square, &params);
    let source = run_steps(&square, 1, |u, v, nx, ny| {
        source_indexing_step(u, v, nx, ny, &params)
    });
    assert_eq!(max_abs_diff(&right, &source).0, 0.0);
}
