//! Runs the lesson's program (`cargo run -p evolve`) and checks what it
//! prints and the pictures it writes.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use assert_cmd::Command;
use evolve::picture::{LEGEND_WIDTH, colour};
use evolve::{Field, Params, STEPS, api, field, run_steps};

fn decode(path: &Path) -> (Vec<u8>, usize, usize) {
    let file = File::open(path)
        .unwrap_or_else(|e| panic!("the program said it wrote {}, but: {e}", path.display()));
    let decoder = png::Decoder::new(BufReader::new(file));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG file: {e}", path.display()));
    let mut rgb = vec![0; reader.output_buffer_size().expect("a small picture")];
    let info = reader.next_frame(&mut rgb).expect("the picture decodes");
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    rgb.truncate(info.buffer_size());
    (rgb, info.width as usize, info.height as usize)
}

fn assert_picture_shows(path: &Path, field: &Field) {
    let (rgb, width, height) = decode(path);
    assert_eq!(
        (width, height),
        (field.ny + LEGEND_WIDTH, field.nx),
        "{}: one pixel per cell, plus the colour bar",
        path.display()
    );
    for i in 0..field.nx {
        for j in 0..field.ny {
            let at = 3 * (i * width + j);
            assert_eq!(
                rgb[at..at + 3],
                colour(field.get(i, j), field::COLD, field::WARM),
                "{}: pixel ({i}, {j}) does not show the field's value {}",
                path.display(),
                field.get(i, j)
            );
        }
    }
}

#[test]
fn the_program_agrees_prints_and_draws() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let output = Command::cargo_bin("evolve")
        .expect("the evolve program is built")
        .env(workbook_support::OUTPUT_DIR_ENV, out.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("the program runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`cargo run -p evolve` failed ({}).\nIt printed:\n{stdout}\n{stderr}",
        output.status
    );

    // What it prints, from the start statistics to the timings (the times
    // themselves change from run to run, and the paths from machine to machine).
    let from = stdout
        .find("At the start")
        .expect("the start statistics are printed");
    let to = stdout.find("Time for").expect("the timings are printed");
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", &stdout[from..to]);
    });
    for way in ["ABI", "API", "Rust"] {
        assert!(
            stdout.contains(way),
            "the timing table has a row for {way}:\n{stdout}"
        );
    }

    let start = field::read_file(&field::bottle_path()).expect("data/bottle.dat is readable");
    let end = run_steps(&start, STEPS, |u, v, nx, ny| {
        api::step(u, v, nx, ny, &Params::source())
    });
    for (name, shows) in [("evolve_start.png", &start), ("evolve_end.png", &end)] {
        let folder = out
            .path()
            .canonicalize()
            .expect("the temporary folder exists");
        let path = folder.join(name);
        assert!(
            stdout.contains(&path.display().to_string()),
            "the program should say where it wrote {name}:\n{stdout}"
        );
        assert_picture_shows(&path, shows);
    }
}
