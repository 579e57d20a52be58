//! Runs the lesson's program (`cargo run -p repr_c`) and compares what it
//! prints with what the reference solution prints.

#[test]
fn program_output() {
    let stdout = workbook_support::testing::program_stdout(env!("CARGO_BIN_EXE_repr_c"), "repr_c");
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}
