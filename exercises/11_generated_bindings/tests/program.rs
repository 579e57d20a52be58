//! Runs the lesson's program (`cargo run -p generated_bindings`) and checks
//! what it prints.

#[test]
fn program_output() {
    let stdout = workbook_support::testing::program_stdout(
        env!("CARGO_BIN_EXE_generated_bindings"),
        "generated_bindings",
    );
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}
