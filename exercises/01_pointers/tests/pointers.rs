//! Checks for lesson 1. Each test says what it expected, what came, and where
//! to look.

use std::process::Command;

/// Runs `method_1` then `method_2` for i32 and returns what they wrote.
fn i32_text(a: i32, b: &mut i32) -> String {
    let mut out = Vec::new();
    pointers::method_1(&mut out, &a).expect("writing to a Vec cannot fail");
    pointers::method_2(&mut out, b).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the text is UTF-8")
}

fn f64_text(a: f64, b: &mut f64) -> String {
    let mut out = Vec::new();
    pointers::method_1_f64(&mut out, &a).expect("writing to a Vec cannot fail");
    pointers::method_2_f64(&mut out, b).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the text is UTF-8")
}

/// The rest of the line that starts with `start`, or a kind failure.
fn line_after<'t>(text: &'t str, start: &str) -> &'t str {
    text.lines()
        .find_map(|line| line.strip_prefix(start))
        .unwrap_or_else(|| {
            panic!(
                "Expected a line starting with {start:?}, but your output has none.\n\
                 Your output was:\n{text}\n\
                 Look at the lines in the doc comment above the function in src/lib.rs."
            )
        })
        .trim()
}

/// Replaces each address (as `{:p}` or C's `%p` print it) with `[address]`,
/// so that two runs can be compared.
fn redact_addresses(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    let hex = word.strip_prefix("0x").unwrap_or(word);
                    let looks_like_address = word.starts_with("0x") && !hex.is_empty()
                        // MSVC's %p prints 16 hex digits without 0x.
                        || hex.len() == 16;
                    if looks_like_address && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        "[address]"
                    } else {
                        word
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_program_prints_both_methods_for_i32_and_f64() {
    let output = Command::new(env!("CARGO_BIN_EXE_pointers"))
        .output()
        .expect("the lesson's program runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "`cargo run -p pointers` did not finish cleanly ({}).\n\
         It printed:\n{stdout}\nand on stderr:\n{}\n\
         A `todo!()` left in src/lib.rs panics like this: fill in the functions it names.",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}

#[test]
fn the_i32_part_prints_what_the_c_program_prints() {
    let program =
        workbook_support::c_program_path("pointers").unwrap_or_else(|err| panic!("{err}"));
    let output = Command::new(&program)
        .output()
        .unwrap_or_else(|err| panic!("could not run {}: {err}", program.display()));
    assert!(
        output.status.success(),
        "{} failed: {}",
        program.display(),
        output.status
    );
    let c_text = String::from_utf8_lossy(&output.stdout);

    let mut b = 2;
    let rust_text = i32_text(1, &mut b);

    let (c_text, rust_text) = (redact_addresses(&c_text), redact_addresses(&rust_text));
    assert_eq!(
        rust_text.trim_end(),
        c_text.trim_end(),
        "\nmethod_1 and method_2 (left) should print the same lines as the C program \
         csrc/pointers.c (right), word for word; only the addresses may differ.\n\
         Rust printed:\n{rust_text}\n\nC printed:\n{c_text}\n"
    );
}

#[test]
fn method_1_prints_the_value_it_is_given_twice() {
    for a in [42, -7] {
        let mut b = 0;
        let text = i32_text(a, &mut b);
        for start in ["The value A is", "The value of A is also"] {
            assert_eq!(
                line_after(&text, start),
                a.to_string(),
                "\nmethod_1 was given A = {a}, so the line {start:?} should end with {a}.\n\
                 Print the value you read from `a` (and, for the second line, through \
                 the pointer), not a fixed number."
            );
        }
    }
}

#[test]
fn method_2_prints_the_address_of_the_variable_it_is_given() {
    let mut b: i32 = 10;
    let text = i32_text(0, &mut b);
    let real_address = format!("{:p}", &b);
    let printed = line_after(&text, "The address of B variable is");
    let stored = line_after(&text, "However the address stored in the pB variable is");
    assert_eq!(
        printed, real_address,
        "\nmethod_2 was given a B that lives at {real_address}, but printed {printed} as its address.\n\
         Print the address the reference `b` points to: `{{b:p}}` (or `{{p_b:p}}`).\n\
         `{{:p}}` of `&b` is the address of the reference itself, and a copy \
         (`let x = *b;`) has an address of its own: neither is B."
    );
    assert_eq!(
        stored, printed,
        "\nThe address stored in pB ({stored}) should be B's address ({printed}): \
         make `p_b` from `b` itself (`let p_b: *mut i32 = b;`) and print it with `{{p_b:p}}`."
    );
    assert_eq!(
        line_after(&text, "And the value of the *pB variable is"),
        "10",
        "\nB was 10, so reading through pB should give 10: print `unsafe {{ *p_b }}`."
    );
}

#[test]
fn method_2_changes_the_variable_through_the_pointer() {
    let mut b: i32 = 10;
    let text = i32_text(0, &mut b);
    assert_eq!(
        b, 11,
        "\nmethod_2 was given B = 10; afterwards B should be 11, but it is {b}.\n\
         Add 1 through the pointer: `unsafe {{ *p_b += 1 }}`. Changing a copy \
         (`let mut x = *b; x += 1;`) leaves B as it was."
    );
    assert_eq!(
        line_after(&text, "After *pB += 1, the value of B is"),
        "11",
        "\nAfter adding 1 through pB, print B itself (`{{b}}`): it should now be 11."
    );
}

#[test]
fn the_f64_versions_work_the_same_way() {
    let mut b: f64 = 0.25;
    let text = f64_text(-3.5, &mut b);
    let real_address = format!("{:p}", &b);
    for start in ["The value A is", "The value of A is also"] {
        assert_eq!(
            line_after(&text, start),
            "-3.5",
            "\nmethod_1_f64 was given A = -3.5, so the line {start:?} should end with -3.5."
        );
    }
    let printed = line_after(&text, "The address of B variable is");
    let stored = line_after(&text, "However the address stored in the pB variable is");
    assert_eq!(
        (printed, stored),
        (real_address.as_str(), real_address.as_str()),
        "\nmethod_2_f64 was given a B that lives at {real_address}; both addresses it \
         prints should be that one (`{{b:p}}` and `{{p_b:p}}`)."
    );
    assert_eq!(
        line_after(&text, "And the value of the *pB variable is"),
        "0.25",
        "\nB was 0.25, so reading through pB should give 0.25."
    );
    assert_eq!(
        b, 1.25,
        "\nmethod_2_f64 was given B = 0.25; afterwards B should be 1.25, but it is {b}.\n\
         Add 1.0 through the pointer: `unsafe {{ *p_b += 1.0 }}`."
    );
    assert_eq!(
        line_after(&text, "After *pB += 1, the value of B is"),
        "1.25",
        "\nAfter adding 1.0 through pB, print B itself: it should now be 1.25."
    );
}
