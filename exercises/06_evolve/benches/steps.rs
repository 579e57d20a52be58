//! The lesson's benchmark (a program, not a test: `harness = false`).
//!
//!     cargo bench -p evolve                 # after finishing the lesson
//!     EVOLVE_BENCH_N=3000 cargo bench -p evolve
//!
//! On an N × N grid (2000 by default) it measures, in one run:
//! - a memory copy of one field (`copy_from_slice`), the machine's practical
//!   bandwidth for this much data;
//! - the time per step of the three ways (ABI, API, Rust), and each as a
//!   fraction of that bandwidth: a step must at least read `u_previous`,
//!   write `u`, then copy `u` into `u_previous`, which is twice the bytes of
//!   one copy;
//! - what one FFI call costs: a step that calls C once per cell
//!   (`evolve_point`, through libloading and linked statically) against one
//!   call per step (`evolve`);
//! - what a compiler flag costs: the source's int-indexed step
//!   (csrc/evolve_int.c) built with -O3, and with -O3 -fwrapv, the flag
//!   Python adds when CFFI's API mode compiles C. That, not the call, is why
//!   the source's API-mode evolve ran slower than its ABI mode.
//!
//! Each figure is the median of several repetitions (the minimum in brackets);
//! on a shared machine, run it more than once.

use std::hint::black_box;
use std::os::raw::c_int;
use std::time::{Duration, Instant};

use evolve::abi::AbiEvolve;
use evolve::{Params, api, field, pure};
use libloading::Library;

type EvolvePointFn =
    unsafe extern "C" fn(*const f64, c_int, c_int, c_int, f64, f64, f64, f64) -> f64;

/// The signature of `evolve` in csrc/evolve.h (and of the int-indexed copies).
type StepFn = unsafe extern "C" fn(*mut f64, *mut f64, c_int, c_int, f64, f64, f64, f64);

unsafe extern "C" {
    /// csrc/evolve_int.c built with -O3 by the crate's build.rs.
    fn evolve_int_o3(
        u: *mut f64,
        u_previous: *mut f64,
        nx: c_int,
        ny: c_int,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    );
    /// csrc/evolve_int.c built with -O3 -fwrapv by the crate's build.rs.
    fn evolve_int_wrapv(
        u: *mut f64,
        u_previous: *mut f64,
        nx: c_int,
        ny: c_int,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    );
    /// From csrc/evolve.h, linked in by the crate's build.rs.
    fn evolve_point(
        u_previous: *const f64,
        ny: c_int,
        i: c_int,
        j: c_int,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    ) -> f64;
}

/// Median and minimum of `reps` timings of `f`, after one warm-up run.
fn measure(reps: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[reps / 2], times[0])
}

/// One step through one of the int-indexed C functions.
fn step_int(step: StepFn, u: &mut [f64], u_previous: &mut [f64], n: usize, p: &Params) {
    let (nx, ny) = evolve::check_grid(u, u_previous, n, n);
    // SAFETY: both slices hold n * n values (checked) and do not overlap;
    // `step` has evolve.h's signature.
    unsafe {
        step(
            u.as_mut_ptr(),
            u_previous.as_mut_ptr(),
            nx,
            ny,
            p.a,
            p.dt,
            p.dx2,
            p.dy2,
        )
    }
}

/// A step that calls `point` once for every interior cell, then copies.
fn step_per_cell(
    u: &mut [f64],
    u_previous: &mut [f64],
    nx: usize,
    ny: usize,
    p: &Params,
    point: impl Fn(*const f64, c_int, c_int, c_int, &Params) -> f64,
) {
    for i in 1..nx - 1 {
        for j in 1..ny - 1 {
            u[i * ny + j] = point(u_previous.as_ptr(), ny as c_int, i as c_int, j as c_int, p);
        }
    }
    u_previous.copy_from_slice(u);
}

fn main() {
    let n: usize = std::env::var("EVOLVE_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let reps = 11;
    let params = Params::source();
    let start = field::bottle(n, n);
    let cells = n * n;
    let mib = (cells * 8) as f64 / (1024.0 * 1024.0);
    println!(
        "evolve benchmark: {n} × {n} grid, one field = {mib:.1} MiB, median of {reps} (min)\n"
    );

    // Baseline: copy one field. It reads and writes one field's bytes.
    let src = start.values.clone();
    let mut dst = vec![0.0; cells];
    let (copy, copy_min) = measure(reps, || {
        dst.copy_from_slice(black_box(&src));
        black_box(&mut dst);
    });
    let copy_bytes = 2.0 * (cells * 8) as f64;
    let bandwidth = copy_bytes / copy.as_secs_f64();
    println!(
        "memory copy of one field   {:>10.3?} ({:.3?})   {:.1} GB/s (read + write)",
        copy,
        copy_min,
        bandwidth / 1e9
    );

    // The three ways, one step each, starting again from the field each time
    // would cost a copy: instead keep stepping (the work per step is the same).
    let abi = AbiEvolve::load().expect("build/libevolve.so is built (make build/libevolve.so)");
    let mut u = start.values.clone();
    let mut u_previous = start.values.clone();
    let mut rows: Vec<(&str, Duration, Duration)> = Vec::new();
    let (t, m) = measure(reps, || abi.step(&mut u, &mut u_previous, n, n, &params));
    rows.push(("ABI: libloading, evolve", t, m));
    let (t, m) = measure(reps, || api::step(&mut u, &mut u_previous, n, n, &params));
    rows.push(("API: static, evolve", t, m));
    let (t, m) = measure(reps, || pure::step(&mut u, &mut u_previous, n, n, &params));
    rows.push(("Rust: pure::step", t, m));
    let int_ways: [(&str, StepFn); 2] = [
        ("C, int index, -O3", evolve_int_o3),
        ("C, int index, -O3 -fwrapv", evolve_int_wrapv),
    ];
    for (name, step) in int_ways {
        // The same numbers as evolve.c's step, or the timing means nothing.
        let (mut a, mut a_previous) = (start.values.clone(), start.values.clone());
        let (mut b, mut b_previous) = (start.values.clone(), start.values.clone());
        api::step(&mut a, &mut a_previous, n, n, &params);
        step_int(step, &mut b, &mut b_previous, n, &params);
        assert!(a == b, "{name} computes a different field from evolve.c");
        let (t, m) = measure(reps, || step_int(step, &mut u, &mut u_previous, n, &params));
        rows.push((name, t, m));
    }

    println!("\nOne step (reads u_previous, writes u, copies u into u_previous: 2 copies' worth):");
    let step_bytes = 2.0 * copy_bytes;
    for (name, t, m) in &rows {
        let fraction = (step_bytes / t.as_secs_f64()) / bandwidth;
        println!(
            "  {name:<28} {:>10.3?} ({:.3?})   {:>5.1} ns/cell   {:>4.0}% of copy bandwidth",
            t,
            m,
            t.as_secs_f64() * 1e9 / cells as f64,
            100.0 * fraction
        );
    }

    // What one call costs: the same step with one C call per cell.
    // SAFETY: libevolve has no initialisers to run.
    let lib = unsafe { Library::new(workbook_support::shared_library_path("evolve").unwrap()) }
        .expect("libevolve loads");
    // SAFETY: the signature of evolve_point in csrc/evolve.h.
    let point_abi: EvolvePointFn = unsafe { *lib.get::<EvolvePointFn>(b"evolve_point").unwrap() };
    let interior = (n - 2) * (n - 2);
    let per_step = rows[1].1;
    let mut call_rows: Vec<(&str, Duration, Duration)> = Vec::new();
    let (t, m) = measure(reps, || {
        step_per_cell(&mut u, &mut u_previous, n, n, &params, |up, ny, i, j, p| {
            // SAFETY: (i, j) is an interior cell of the n × n field `up`.
            unsafe { point_abi(up, ny, i, j, p.a, p.dt, p.dx2, p.dy2) }
        })
    });
    call_rows.push(("per cell, libloading", t, m));
    let (t, m) = measure(reps, || {
        step_per_cell(&mut u, &mut u_previous, n, n, &params, |up, ny, i, j, p| {
            // SAFETY: as above.
            unsafe { evolve_point(up, ny, i, j, p.a, p.dt, p.dx2, p.dy2) }
        })
    });
    call_rows.push(("per cell, static", t, m));
    println!("\nOne C call per cell ({interior} calls per step) against one call per step:");
    println!("  {:<28} {:>10.3?}", "per step, static (above)", per_step);
    for (name, t, m) in &call_rows {
        let extra = t.as_secs_f64() - per_step.as_secs_f64();
        println!(
            "  {name:<28} {:>10.3?} ({:.3?})   {:>5.2} ns more per call",
            t,
            m,
            extra * 1e9 / interior as f64
        );
    }
    black_box(&u);

    // The lesson's own run, as `cargo run -p evolve` does it but optimised:
    // 200 steps on the 200 × 200 bottle, where the fields fit in the cache.
    let small = field::bottle(200, 200);
    let steps = evolve::STEPS;
    println!("\nThe lesson's run: {steps} steps on 200 × 200 (the fields fit in the cache):");
    let run = |name: &str, step: &dyn Fn(&mut [f64], &mut [f64])| {
        let (t, m) = measure(reps, || {
            black_box(evolve::run_steps(&small, steps, |u, v, _, _| step(u, v)));
        });
        println!("  {name:<28} {:>10.3?} ({:.3?})", t, m);
    };
    run("ABI: libloading, evolve", &|u, v| {
        abi.step(u, v, 200, 200, &params)
    });
    run("API: static, evolve", &|u, v| {
        api::step(u, v, 200, 200, &params)
    });
    run("Rust: pure::step", &|u, v| {
        pure::step(u, v, 200, 200, &params)
    });
    for (name, step) in int_ways {
        run(name, &|u, v| step_int(step, u, v, 200, &params));
    }
    run("per cell, libloading", &|u, v| {
        step_per_cell(u, v, 200, 200, &params, |up, ny, i, j, p| {
            // SAFETY: (i, j) is an interior cell of the 200 × 200 field `up`.
            unsafe { point_abi(up, ny, i, j, p.a, p.dt, p.dx2, p.dy2) }
        })
    });
    run("per cell, static", &|u, v| {
        step_per_cell(u, v, 200, 200, &params, |up, ny, i, j, p| {
            // SAFETY: as above.
            unsafe { evolve_point(up, ny, i, j, p.a, p.dt, p.dx2, p.dy2) }
        })
    });
}
