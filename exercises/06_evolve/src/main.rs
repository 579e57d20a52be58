//! Given: the lesson's program. It reads the bottle field, runs 200 steps of
//! the heat equation three ways (C through libloading, C linked by build.rs,
//! plain Rust), checks that they agree, prints how long each took, and draws
//! the field at the start and the end.
//!
//! Your part is in src/abi.rs, src/api.rs and src/pure.rs.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use evolve::abi::AbiEvolve;
use evolve::report::{Stats, max_abs_diff, timing_table};
use evolve::{Field, Params, STEPS, TOLERANCE, api, field, picture, pure, run_steps};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn timed(run: impl FnOnce() -> Field) -> (Field, Duration) {
    let start = Instant::now();
    let field = run();
    (field, start.elapsed())
}

fn run() -> Result<(), Box<dyn Error>> {
    let path = field::bottle_path();
    let start = field::read_file(&path)?;
    let params = Params::source();
    println!(
        "Read a {} × {} field from {}",
        start.nx,
        start.ny,
        path.display()
    );
    println!(
        "a = {}, dx² = {:e}, dy² = {:e}, dt = {:e}; {STEPS} steps\n",
        params.a, params.dx2, params.dy2, params.dt
    );
    println!("At the start:\n{}", Stats::of(&start));

    // Way 1: ABI. Load the prebuilt library at run time.
    let abi = AbiEvolve::load()?;
    let (abi_end, abi_time) = timed(|| {
        run_steps(&start, STEPS, |u, u_previous, nx, ny| {
            abi.step(u, u_previous, nx, ny, &params)
        })
    });
    // Way 2: API. The C that build.rs compiled into this program.
    let (api_end, api_time) = timed(|| {
        run_steps(&start, STEPS, |u, u_previous, nx, ny| {
            api::step(u, u_previous, nx, ny, &params)
        })
    });
    // Way 3: the same step in Rust.
    let (rust_end, rust_time) = timed(|| {
        run_steps(&start, STEPS, |u, u_previous, nx, ny| {
            pure::step(u, u_previous, nx, ny, &params)
        })
    });

    for (name, end) in [("API", &api_end), ("Rust", &rust_end)] {
        let (diff, (i, j)) = max_abs_diff(&abi_end, end);
        if diff > TOLERANCE || diff.is_nan() {
            return Err(format!(
                "after {STEPS} steps the {name} way and the ABI way differ by {diff:e} at \
                 u[{i}][{j}] ({} vs {}), more than {TOLERANCE:e}",
                end.get(i, j),
                abi_end.get(i, j)
            )
            .into());
        }
    }
    println!(
        "After {STEPS} steps the three ways agree to {TOLERANCE:e}:\n{}",
        Stats::of(&rust_end)
    );

    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("Time for {STEPS} steps ({build} build of the Rust code; the C is always -O3):");
    print!(
        "{}",
        timing_table(&[
            ("ABI: C through libloading", abi_time),
            ("API: C linked by build.rs", api_time),
            ("Rust", rust_time),
        ])
    );

    // The same colour scale for both pictures, so that they can be compared.
    let out = workbook_support::output_dir()?;
    // `canonicalize` turns `.../support/../build/output` into `.../build/output`.
    let out = out.canonicalize().unwrap_or(out);
    let (low, high) = (field::COLD, field::WARM);
    println!("\nPictures (brown is cold, green is warm):");
    for (name, f) in [("evolve_start.png", &start), ("evolve_end.png", &rust_end)] {
        let file = out.join(name);
        picture::write_png(&file, f, low, high)?;
        println!("  {}", file.display());
    }
    Ok(())
}
