//! Checks of the given field file code (src/field.rs) and of the shipped
//! data/bottle.dat. These pass from the start; they are here so that the
//! file, its generator and its error messages cannot drift.

use evolve::Field;
use evolve::field::{self, FieldError, bottle, parse};

#[test]
fn the_shipped_bottle_is_what_the_generator_makes() {
    let shipped = std::fs::read_to_string(field::bottle_path()).expect("data/bottle.dat exists");
    assert!(
        shipped == bottle(200, 200).to_text(),
        "data/bottle.dat is not what `bottle(200, 200)` makes; rewrite it with \
         `cargo run -p evolve --bin make_field`"
    );
    let read = parse(&shipped).expect("data/bottle.dat parses");
    assert_eq!((read.nx, read.ny), (200, 200));
    assert!(
        read.values
            .iter()
            .all(|&v| v == field::WARM || v == field::COLD)
    );
    // The bottle is inside the field: every edge is warm.
    for k in 0..200 {
        for (i, j) in [(0, k), (199, k), (k, 0), (k, 199)] {
            assert_eq!(read.get(i, j), field::WARM, "edge cell ({i}, {j})");
        }
    }
}

#[test]
fn a_field_survives_writing_and_reading() {
    let values = (0..12)
        .map(|k| k as f64 / 3.0 - 1.0e-7 * k as f64)
        .collect();
    let field = Field::new(3, 4, values);
    assert_eq!(parse(&field.to_text()), Ok(field));
}

#[test]
fn bad_files_are_explained_with_their_line() {
    let cases = [
        ("empty file", ""),
        ("no header", "1 2\n3 4\n"),
        ("header with one size", "# 2\n1 2\n"),
        ("header size not a number", "# 2 x\n1 2\n1 2\n"),
        ("header size zero", "# 0 2\n"),
        ("short row", "# 2 3\n1 2 3\n4 5\n"),
        ("long row", "# 2 3\n1 2 3\n4 5 6 7\n"),
        ("not a number", "# 2 3\n1 2 3\n4 five 6\n"),
        ("not finite", "# 1 2\n1 NaN\n"),
        ("too few rows", "# 3 2\n1 2\n3 4\n"),
        ("too many rows", "# 1 2\n1 2\n3 4\n"),
    ];
    let mut report = String::new();
    for (name, text) in cases {
        let error = parse(text).expect_err(name);
        assert!(
            matches!(error, FieldError::Format { .. }),
            "{name}: {error:?}"
        );
        report.push_str(&format!("{name}: {error}\n"));
    }
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("bad_files", report);
    });
}

#[test]
fn a_missing_file_names_its_path() {
    let error = field::read_file(std::path::Path::new("no/such/field.dat")).unwrap_err();
    assert!(error.to_string().contains("no/such/field.dat"), "{error}");
}
