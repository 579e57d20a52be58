//! The learner mistakes each lesson is about, caught: every mistake below is
//! one small change to a reference solution, and the lesson's checks must
//! fail it with the verdict and the words a learner needs.
//!
//! Each test copies the workbook, copies the lesson's solution over its
//! exercise, makes the change, and runs `checker run LESSON` through the CLI,
//! as a learner would. The change's `from` text must occur exactly once in
//! the solution file, so that a changed solution breaks the test loudly
//! instead of leaving it testing nothing.

mod common;

use std::path::Path;
use std::sync::Mutex;

/// One learner mistake: where it is made, and what the checker must say.
struct Mistake {
    /// The lesson's folder name, as in `exercises/` and `solutions/`.
    lesson: &'static str,
    /// The solution file the mistake is made in, relative to the lesson.
    file: &'static str,
    /// The change: each `from` is replaced by its `to`. One mistake, usually
    /// one edit; two when a wrong declaration needs its call changed too to
    /// compile at all (the learner's casts).
    edits: &'static [(&'static str, &'static str)],
    /// The verdict line's start, e.g. `FAIL checks failed`.
    verdict: &'static str,
    /// Words of the message the learner sees: any one of these (the same
    /// message can differ between toolchains, such as linker errors).
    says: &'static [&'static str],
}

/// Runs of the same lesson crate in one target folder race on its uplifted
/// binary (`target/debug/NAME`), so the tests of this file take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The short name `checker run` takes: `01_pointers` -> `pointers`.
fn short_name(lesson: &str) -> &str {
    lesson.split_once('_').map_or(lesson, |(_, name)| name)
}

/// Copies every file under `from` to the same path under `to`.
fn overlay(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            overlay(&source, &target);
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}

/// A fresh workbook copy named `copy_name` with `lesson`'s solution in its
/// exercise, changed by `edits` in `file`; then `checker run` on it. Returns
/// the exit code and what the checker printed.
fn run_with(
    copy_name: &str,
    lesson: &str,
    file: &str,
    edits: &[(&str, &str)],
) -> (Option<i32>, String) {
    run_with_env(copy_name, lesson, file, edits, |_| {})
}

/// The same, with the checker's command changed by `configure` first (its
/// environment: a PATH that lacks a tool).
fn run_with_env(
    copy_name: &str,
    lesson: &str,
    file: &str,
    edits: &[(&str, &str)],
    configure: impl FnOnce(&mut assert_cmd::Command),
) -> (Option<i32>, String) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let root = common::workbook_root();
    let copy = common::fresh_copy(&root, copy_name);
    let exercise = copy.join("exercises").join(lesson);
    overlay(&root.join("solutions").join(lesson), &exercise);

    for (from, to) in edits {
        let path = exercise.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("solutions/{lesson}/{file}: {err}"));
        let found = text.matches(from).count();
        assert_eq!(
            found, 1,
            "solutions/{lesson}/{file} should contain this text exactly once, but has it \
             {found} times (did the solution change? update the mistake):\n{from}"
        );
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    // The copies are built one at a time (the lock above), each newer than
    // the last build, so they can share one target folder and its dependencies.
    let mut command = common::checker_with_timeout(&copy, 60);
    command
        .env("CARGO_TARGET_DIR", common::shared_target())
        .args(["run", short_name(lesson)]);
    configure(&mut command);
    let output = command.output().expect("the checker runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), printed)
}

fn check(name: &str, mistake: &Mistake) -> String {
    let (code, printed) = run_with(
        &format!("mistake-{name}"),
        mistake.lesson,
        mistake.file,
        mistake.edits,
    );
    // Shown with `cargo test -p checker --test mistakes -- --nocapture`.
    println!("{name}:\n{printed}");
    let heading = format!(
        "mistake `{name}` in solutions/{}/{}",
        mistake.lesson, mistake.file
    );
    assert_eq!(
        code,
        Some(1),
        "{heading}: the checker should fail the lesson (exit code 1). It printed:\n{printed}"
    );
    let under_asan = std::env::var("FFI_WORKBOOK_MEMCHECK").as_deref() == Ok("asan");
    let (verdict, says) = match UNDER_ASAN.iter().find(|row| under_asan && row.0 == name) {
        Some(&(_, verdict, says)) => (verdict, &[says][..]),
        None => (mistake.verdict, mistake.says),
    };
    assert!(
        printed.lines().any(|line| line.starts_with(verdict)),
        "{heading}: the verdict should be `{verdict}`. The checker printed:\n{printed}"
    );
    assert!(
        says.iter().any(|words| printed.contains(words)),
        "{heading}: the learner should be told {says:?}. The checker printed:\n{printed}"
    );
    printed
}

/// Asserts that each of `lines` starts a line of `printed` (leading spaces
/// aside), in this order.
fn assert_lines_in_order(printed: &str, lines: &[&str]) {
    let all: Vec<&str> = printed.lines().map(str::trim_start).collect();
    let mut from = 0;
    for wanted in lines {
        let at = all[from..]
            .iter()
            .position(|line| line.starts_with(wanted))
            .unwrap_or_else(|| {
                panic!("a line starting with {wanted:?} should come next. The checker printed:\n{printed}")
            });
        from += at + 1;
    }
}

/// Where AddressSanitizer (the memory checks where valgrind is missing,
/// `FFI_WORKBOOK_MEMCHECK=asan`) sees a mistake otherwise than valgrind and
/// glibc: the mistake, its verdict and words there. (It cannot see
/// `repr_c_reads_the_point_before_c_wrote_it`, a read of uninitialised
/// memory: .ci/run skips that one on the ASan path.)
const UNDER_ASAN: &[(&str, &str, &str)] = &[
    // glibc aborts on a pointer malloc never returned; ASan reports it and
    // goes on, so the ordinary run does not crash: the memory check says why.
    (
        "c_strings_frees_cs_string_with_rust",
        CHECKS_FAILED,
        "Freed with the wrong function: c_strings::with_greeting (src/lib.rs",
    ),
    // ledger_destroy reads the freed ledger before it frees it again: ASan
    // stops at that read (and the ordinary run crashes as under glibc).
    (
        "handles_close_then_drop_destroys_twice",
        "FAIL crashed",
        "Use after free: ledger_destroy (csrc/handles.c",
    ),
];

/// One test per mistake, named after it.
macro_rules! mistakes {
    ($($name:ident: $mistake:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), &$mistake);
            }
        )*
    };
}

const CHECKS_FAILED: &str = "FAIL checks failed";
const COMPILE_ERROR: &str = "FAIL compile error";

mistakes! {
    // Lesson 1: the address printed must be B's own, and the write must
    // reach B itself.
    pointers_prints_the_address_of_the_reference: Mistake {
        lesson: "01_pointers",
        file: "src/lib.rs",
        edits: &[(
            "like C's `&B`.\n    writeln!(out, \"The address of B variable is {b:p}\")?;",
            "like C's `&B`.\n    writeln!(out, \"The address of B variable is {:p}\", &b)?;",
        )],
        verdict: CHECKS_FAILED,
        says: &["`{:p}` of `&b` is the address of the reference itself"],
    };
    pointers_prints_the_address_of_a_copy: Mistake {
        lesson: "01_pointers",
        file: "src/lib.rs",
        edits: &[(
            "like C's `&B`.\n    writeln!(out, \"The address of B variable is {b:p}\")?;",
            "like C's `&B`.\n    writeln!(out, \"The address of B variable is {:p}\", &b.clone())?;",
        )],
        verdict: CHECKS_FAILED,
        says: &["has an address of its own: neither is B"],
    };
    pointers_writes_through_a_pointer_to_a_copy: Mistake {
        lesson: "01_pointers",
        file: "src/lib.rs",
        edits: &[(
            "unsafe { *p_b += 1 };",
            "let mut copy = *b;\n    let p_copy: *mut i32 = &mut copy;\n    unsafe { *p_copy += 1 };",
        )],
        verdict: CHECKS_FAILED,
        says: &["afterwards B should be 11, but it is 10"],
    };

    // Lesson 2: C's float is f32, and Linux's libm is libm.so.6.
    libm_declares_sqrtf_with_f64: Mistake {
        lesson: "02_import_libm",
        file: "src/lib.rs",
        edits: &[
            (
                "pub type Sqrtf = unsafe extern \"C\" fn(f32) -> f32;",
                "pub type Sqrtf = unsafe extern \"C\" fn(f64) -> f64;",
            ),
            (
                "Ok(unsafe { sqrtf(x) })",
                "Ok(unsafe { sqrtf(x as f64) } as f32)",
            ),
        ],
        verdict: CHECKS_FAILED,
        says: &["C's float is Rust's f32"],
    };
    libm_opens_the_linker_script_libm_so: Mistake {
        lesson: "02_import_libm",
        file: "src/lib.rs",
        edits: &[("\"linux\" => Some(\"libm.so.6\"),", "\"linux\" => Some(\"libm.so\"),")],
        // The program fails first; the checks still run and explain why.
        verdict: "FAIL checks failed",
        says: &["A bare libm.so is a linker script"],
    };

    // Lesson 3: C trusts n, so the wrappers must pass exactly the checked
    // length, and refuse slices of different lengths.
    abi_add_passes_a_length_one_too_large: Mistake {
        lesson: "03_abi_add",
        file: "src/lib.rs",
        edits: &[(
            "unsafe { (self.add)(a.as_mut_ptr(), b.as_ptr(), n) };",
            "unsafe { (self.add)(a.as_mut_ptr(), b.as_ptr(), n + 1) };",
        )],
        verdict: CHECKS_FAILED,
        says: &["past the end of that slice, changed from -7777"],
    };
    abi_add_does_not_refuse_mismatched_lengths: Mistake {
        lesson: "03_abi_add",
        file: "src/lib.rs",
        edits: &[(
            "let n = checked_len(a, b)?;\n        // SAFETY: `self.add`",
            "let n = a.len() as c_int;\n        // SAFETY: `self.add`",
        )],
        verdict: CHECKS_FAILED,
        says: &["should return Err(AddError::LengthMismatch { a: 5, b: 4 })"],
    };

    // Lesson 4: the same for API_add, and a build.rs that compiles no C.
    api_add_passes_a_length_one_too_large: Mistake {
        lesson: "04_api_add",
        file: "src/lib.rs",
        edits: &[(
            "unsafe { API_add(a.as_mut_ptr(), b.as_ptr(), n) };",
            "unsafe { API_add(a.as_mut_ptr(), b.as_ptr(), n + 1) };",
        )],
        verdict: CHECKS_FAILED,
        says: &["past the end of that slice, changed from -7777"],
    };
    api_add_does_not_refuse_mismatched_lengths: Mistake {
        lesson: "04_api_add",
        file: "src/lib.rs",
        edits: &[(
            "let n = checked_len(a, b)?;\n    // SAFETY: the declaration above matches csrc/API_add.h",
            "let n = a.len() as c_int;\n    // SAFETY: the declaration above matches csrc/API_add.h",
        )],
        verdict: CHECKS_FAILED,
        says: &["should return Err(AddError::LengthMismatch { a: 5, b: 4 })"],
    };
    api_add_build_rs_does_not_compile_the_c: Mistake {
        lesson: "04_api_add",
        file: "build.rs",
        edits: &[(
            "    cc::Build::new()
        .file(\"../../csrc/API_add.c\")
        .include(\"../../csrc\")
        // The prebuilt library of lesson 3 is compiled with -O3 (see the
        // Makefile); without this, a debug build compiles C with -O0 and the
        // timings would compare optimised C with unoptimised C.
        .opt_level(3)
        .compile(\"API_add\");
",
            "",
        )],
        verdict: COMPILE_ERROR,
        // GNU ld, lld (rust-lld, Rust's default linker on x86_64 Linux), macOS ld.
        says: &[
            "undefined reference to `API_add'",
            "undefined symbol: API_add",
            "\"_API_add\", referenced from",
        ],
    };

    // Lesson 5: MAX_N is the largest n whose F(n) fits in a C int (on both
    // sides), and F(0) comes first.
    fibonacci_allows_n_47: Mistake {
        lesson: "05_fibonacci",
        file: "src/lib.rs",
        edits: &[("pub const MAX_N: u32 = 46;", "pub const MAX_N: u32 = 47;")],
        verdict: "FAIL crashed: SIGILL",
        // The program's own check of MAX_N runs API's fibo at n = 47, whose
        // overflow trap (build.rs) stops it before the lesson's checks run.
        says: &["a signed int overflow"],
    };
    fibonacci_forbids_a_safe_n: Mistake {
        lesson: "05_fibonacci",
        file: "src/lib.rs",
        edits: &[("pub const MAX_N: u32 = 46;", "pub const MAX_N: u32 = 45;")],
        verdict: CHECKS_FAILED,
        says: &["still fits in a C int"],
    };
    fibonacci_starts_from_swapped_values: Mistake {
        lesson: "05_fibonacci",
        file: "src/lib.rs",
        edits: &[(
            "let mut a: c_int = 0; // F(0)\n    let mut b: c_int = 1; // F(1)",
            "let mut a: c_int = 1; // F(0)\n    let mut b: c_int = 0; // F(1)",
        )],
        verdict: CHECKS_FAILED,
        says: &["Start from a = 0 (F(0)), b = 1 (F(1))"],
    };

    // Lesson 6: row-major indexing on a grid that is not square, and a
    // pointer C cannot write through.
    evolve_uses_the_sources_indexing: Mistake {
        lesson: "06_evolve",
        file: "src/pure.rs",
        edits: &[(
            "let ij = i * ny + j;
            let centre = u_previous[ij];
            u[ij] = centre
                + a * dt
                    * ((u_previous[ij + ny] - 2.0 * centre + u_previous[ij - ny]) / dx2",
            "let ij = j + i * nx;
            let centre = u_previous[ij];
            u[ij] = centre
                + a * dt
                    * ((u_previous[ij + nx] - 2.0 * centre + u_previous[ij - nx]) / dx2",
        )],
        verdict: CHECKS_FAILED,
        says: &["not j + i*nx, which works only for square grids"],
    };
    evolve_abi_swaps_dx2_and_dy2: Mistake {
        lesson: "06_evolve",
        file: "src/abi.rs",
        edits: &[(
            "params.dx2,\n                params.dy2,",
            "params.dy2,\n                params.dx2,",
        )],
        verdict: CHECKS_FAILED,
        // The failure is the ABI way's own, and says so.
        says: &["ABI (src/abi.rs): on a 37 × 53 grid"],
    };
    evolve_pure_underflows_on_an_empty_grid: Mistake {
        lesson: "06_evolve",
        file: "src/pure.rs",
        edits: &[("for i in 1..nx.saturating_sub(1) {", "for i in 1..nx - 1 {")],
        // The learner's code panics (caught by the check, which explains).
        verdict: "FAIL panicked",
        says: &["must not subtract below zero"],
    };
    evolve_passes_a_null_pointer_to_c: Mistake {
        lesson: "06_evolve",
        file: "src/abi.rs",
        edits: &[(
            "(self.evolve)(\n                u.as_mut_ptr(),",
            "(self.evolve)(\n                std::ptr::null_mut(),",
        )],
        verdict: "FAIL crashed: SIGSEGV",
        says: &["null or dangling pointer"],
    };

    // Lesson 7, C strings: a CString must outlive the pointer C reads, C's
    // string goes back to cs_free (never Rust's allocator, never forgotten),
    // and bad strings are errors returned, not panics nor silent repairs.
    c_strings_frees_cs_string_with_rust: Mistake {
        lesson: "07_c_strings",
        file: "src/lib.rs",
        edits: &[(
            "unsafe { cs_free(raw) };",
            "drop(unsafe { CString::from_raw(raw) });",
        )],
        // glibc's free() aborts or faults on a pointer malloc never
        // returned (which, depends on the heap's state); the checks say why.
        verdict: "FAIL crashed",
        says: &["Freed with the wrong function: c_strings::with_greeting (src/lib.rs"],
    };
    c_strings_never_frees_cs_string: Mistake {
        lesson: "07_c_strings",
        file: "src/lib.rs",
        edits: &[("    unsafe { cs_free(raw) };\n", "")],
        verdict: CHECKS_FAILED,
        says: &["bytes allocated by cs_greet (csrc/c_strings.c"],
    };
    c_strings_unwraps_an_interior_nul: Mistake {
        lesson: "07_c_strings",
        file: "src/lib.rs",
        edits: &[(
            "let text = CString::new(text)?;",
            "let text = CString::new(text).unwrap();",
        )],
        verdict: "FAIL panicked",
        says: &["NulError"],
    };
    c_strings_is_lossy_without_being_asked: Mistake {
        lesson: "07_c_strings",
        file: "src/lib.rs",
        edits: &[(
            "Ok(greeting.to_str()?.to_owned())",
            "Ok(greeting.to_string_lossy().into_owned())",
        )],
        verdict: CHECKS_FAILED,
        says: &["CStr::to_str refuses it"],
    };

    // Lesson 10, owned handles: one ledger, destroyed exactly once; C's
    // failures as io::Errors; Send but not Sync, and never Clone.
    handles_close_then_drop_destroys_twice: Mistake {
        lesson: "10_handles",
        file: "src/lib.rs",
        edits: &[("let this = ManuallyDrop::new(self);", "let this = self;")],
        // glibc notices the double free in the program (an abort); the
        // checks under valgrind say what happened.
        verdict: "FAIL crashed",
        says: &["Freed twice: ledger_destroy (csrc/handles.c"],
    };
    handles_never_destroys_a_dropped_ledger: Mistake {
        lesson: "10_handles",
        file: "src/lib.rs",
        edits: &[("unsafe { ledger_destroy(self.raw.as_ptr()) };", "")],
        verdict: CHECKS_FAILED,
        says: &["bytes allocated by ledger_create (csrc/handles.c"],
    };
    handles_ignores_the_return_code: Mistake {
        lesson: "10_handles",
        file: "src/lib.rs",
        edits: &[(
            "let status = unsafe { ledger_push(self.raw.as_ptr(), amount) };",
            "unsafe { ledger_push(self.raw.as_ptr(), amount) };\n        let status = 0;",
        )],
        verdict: CHECKS_FAILED,
        says: &["Look at the int it returns: -1 means failure"],
    };
    handles_panics_on_a_null_from_create: Mistake {
        lesson: "10_handles",
        file: "src/lib.rs",
        edits: &[(
            "NonNull::new(raw).ok_or_else(io::Error::last_os_error)?;",
            "NonNull::new(raw).expect(\"ledger_create returned NULL\");",
        )],
        verdict: "FAIL panicked",
        says: &["ledger_create returned NULL"],
    };
    handles_claims_to_be_sync: Mistake {
        lesson: "10_handles",
        file: "src/lib.rs",
        edits: &[(
            "unsafe impl Send for Ledger {}",
            "unsafe impl Send for Ledger {}\nunsafe impl Sync for Ledger {}",
        )],
        verdict: CHECKS_FAILED,
        says: &["Ledger is Sync, so two threads may share"],
    };
    handles_derives_clone: Mistake {
        lesson: "10_handles",
        file: "src/lib.rs",
        edits: &[(
            "#[derive(Debug)]\npub struct Ledger {",
            "#[derive(Debug, Clone)]\npub struct Ledger {",
        )],
        verdict: CHECKS_FAILED,
        says: &["Ledger must not be Clone or Copy"],
    };

    // Lesson 8: C finds struct fields by offset, C's enum is any int, and an
    // out-parameter holds a value only when C says it wrote one.
    repr_c_particle_fields_in_the_wrong_order: Mistake {
        lesson: "08_repr_c",
        file: "src/particle.rs",
        edits: &[(
            "pub x: f64,\n    pub y: f64,\n    pub vx: f64,",
            "pub y: f64,\n    pub x: f64,\n    pub vx: f64,",
        )],
        verdict: CHECKS_FAILED,
        says: &["field `x` starts at byte 8 of C's struct particle but at byte 16 of your Particle"],
    };
    repr_c_accepts_an_unknown_kind: Mistake {
        lesson: "08_repr_c",
        file: "src/particle.rs",
        edits: &[("_ => Err(UnknownKind(value)),", "_ => Ok(Kind::Dust),")],
        verdict: CHECKS_FAILED,
        says: &["should be Err(UnknownKind(0))"],
    };
    repr_c_checks_the_kind_after_a_cast_to_u8: Mistake {
        lesson: "08_repr_c",
        file: "src/particle.rs",
        edits: &[("match value {", "match value as u8 {")],
        verdict: CHECKS_FAILED,
        says: &["Kind::try_from(257) (src/particle.rs) should be Err(UnknownKind(257))"],
    };
    repr_c_reads_the_point_before_c_wrote_it: Mistake {
        lesson: "08_repr_c",
        file: "src/lib.rs",
        edits: &[
            (
                "    match status {\n        // SAFETY: PARTICLE_OK is C's word that it wrote *out.\n        PARTICLE_OK => Ok(unsafe { out.assume_init() }),",
                "    let point = unsafe { out.assume_init() };\n    match status {\n        PARTICLE_OK => Ok(point),",
            ),
            ("PARTICLE_EMPTY => Err(CentreError::Empty),", "PARTICLE_EMPTY => Ok(point),"),
        ],
        verdict: CHECKS_FAILED,
        says: &[
            "used a Point before C wrote it",
            "should be Err(CentreError::Empty)",
        ],
    };

    // Lesson 9: a panic must not leave an extern "C" function, a comparator
    // compares, and the trampoline calls the very closure it was given, whose
    // state outlives the call to C.
    callbacks_comparator_with_the_wrong_sign: Mistake {
        lesson: "09_callbacks",
        file: "src/sort.rs",
        edits: &[("a.cmp(&b) as c_int", "b.cmp(&a) as c_int")],
        verdict: CHECKS_FAILED,
        // The checks' words; the program's output (a snapshot) shows the
        // descending order too.
        says: &[
            "qsort wants a negative int when a goes first",
            "after:  [2147483647, 42, 7, 5, 0, -3, -3, -2147483648]",
        ],
    };
    callbacks_comparator_subtracts: Mistake {
        lesson: "09_callbacks",
        file: "src/sort.rs",
        edits: &[("a.cmp(&b) as c_int", "a - b")],
        verdict: "FAIL crashed: SIGABRT",
        says: &["attempt to subtract with overflow"],
    };
    callbacks_trampoline_calls_a_copy_of_the_closure: Mistake {
        lesson: "09_callbacks",
        file: "src/visit.rs",
        edits: &[(
            "let visit = unsafe { &mut *user.cast::<Visit<F>>() };\n    if visit.panic.is_some() {",
            "let visit = &mut unsafe { user.cast::<Visit<F>>().read() };\n    if visit.panic.is_some() {",
        )],
        verdict: CHECKS_FAILED,
        says: &[
            "the trampoline called a fresh copy of the closure",
            "returned normally, but its closure panicked",
        ],
    };
    callbacks_keeps_the_panic_in_a_temporary: Mistake {
        lesson: "09_callbacks",
        file: "src/visit.rs",
        edits: &[(
            "    let mut visit = Visit::new(f);
    // SAFETY: as in for_each.
    let stopped = unsafe {
        cb_each_until(
            values.as_ptr(),
            values.len(),
            until_trampoline::<F>,
            (&raw mut visit).cast(),
        )
    };
    visit.finish();",
            "    // SAFETY: as in for_each.
    let stopped = unsafe {
        cb_each_until(
            values.as_ptr(),
            values.len(),
            until_trampoline::<F>,
            (&mut Visit::new(f) as *mut Visit<F>).cast(),
        )
    };",
        )],
        verdict: CHECKS_FAILED,
        says: &["not a temporary"],
    };

    // Lesson 11: what bindgen generates (binding_options.rs), the
    // hand-written declarations it checks, and what it cannot bring over.
    generated_bindings_has_no_allowlist: Mistake {
        lesson: "11_generated_bindings",
        file: "binding_options.rs",
        edits: &[(
            "        .allowlist_function(\"add|evolve|generated_.*\")
        .allowlist_type(\"generated_.*\")
        .allowlist_var(\"GENERATED_.*\")
",
            "",
        )],
        verdict: CHECKS_FAILED,
        says: &["they come from <stdint.h>"],
    };
    generated_bindings_makes_a_rust_enum_of_a_c_enum: Mistake {
        lesson: "11_generated_bindings",
        file: "binding_options.rs",
        edits: &[(".newtype_enum(", ".rustified_enum(")],
        verdict: CHECKS_FAILED,
        says: &["is undefined behaviour, the moment C returns it"],
    };
    generated_bindings_wraps_static_functions_without_compiling_the_wrapper: Mistake {
        lesson: "11_generated_bindings",
        file: "binding_options.rs",
        edits: &[(
            ".newtype_enum(\"generated_unit\")",
            ".newtype_enum(\"generated_unit\")\n        .wrap_static_fns(true)",
        )],
        verdict: CHECKS_FAILED,
        says: &["this lesson's build.rs compiles no such wrapper"],
    };
    generated_bindings_hand_written_add_disagrees_with_the_header: Mistake {
        lesson: "11_generated_bindings",
        file: "src/lib.rs",
        edits: &[(
            "fn(a: *mut f64, b: *const f64, n: c_int);",
            "fn(a: *mut f64, b: *mut f64, n: c_int);",
        )],
        verdict: CHECKS_FAILED,
        says: &["parameter 2 is *mut f64 in yours, *const f64 in the header"],
    };
    generated_bindings_passes_too_many_points_to_c: Mistake {
        lesson: "11_generated_bindings",
        file: "src/lib.rs",
        edits: &[(
            "    if points.len() > MAX_POINTS {
        return Err(PathError::TooManyPoints {
            len: points.len(),
            max: MAX_POINTS,
        });
    }
",
            "",
        )],
        verdict: CHECKS_FAILED,
        says: &["refuse them before calling C, which would return -1"],
    };
}

/// The control: every solution, unchanged, passes through the same path, so
/// that each failure above is the mistake's doing.
#[test]
fn every_unchanged_solution_passes_through_the_same_path() {
    let mut lessons: Vec<String> = std::fs::read_dir(common::workbook_root().join("solutions"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    lessons.sort();
    assert_eq!(
        lessons.len(),
        11,
        "eleven lessons have solutions, found {lessons:?}: a new lesson? add its mistakes above"
    );
    for lesson in &lessons {
        let (code, printed) = run_with("mistake-none", lesson, "", &[]);
        assert!(
            // `PASS passed (`: without a compiler warning that matters.
            code == Some(0) && printed.contains("PASS passed ("),
            "the unchanged solution of {lesson} should pass. The checker printed:\n{printed}"
        );
    }
}

/// The machine's fault, not the learner's: exit 2, what to install, and
/// nothing that sends the learner to their code.
fn assert_machine_fault(code: Option<i32>, printed: &str, says: &[&str]) {
    assert_eq!(
        code,
        Some(2),
        "an environment error exits 2. It printed:\n{printed}"
    );
    assert!(printed.contains("FAIL cannot run here"), "{printed}");
    for words in says {
        assert!(
            printed.contains(words),
            "it should say `{words}`. It printed:\n{printed}"
        );
    }
    for not in ["Edit:", "Hint:", "Stuck?"] {
        assert!(
            !printed.contains(not),
            "the machine's fault must not send the learner to their code (`{not}`):\n{printed}"
        );
    }
}

/// Where the lessons are required to use valgrind (FFI_WORKBOOK_REQUIRE_TOOLS,
/// as CI sets it) and it is not on PATH, a solved lesson cannot be checked:
/// the machine's fault, not a failed check.
#[test]
fn a_required_valgrind_missing_from_path_is_an_environment_error() {
    let bin = common::bin_dir_with(|name| name != "valgrind");
    let (code, printed) = run_with_env("mistake-no-valgrind", "03_abi_add", "", &[], |command| {
        // The memory checks told to use valgrind: else, where it is
        // missing, they run on AddressSanitizer and need no valgrind.
        command
            .env("PATH", bin.path())
            .env("FFI_WORKBOOK_MEMCHECK", "valgrind")
            .env("FFI_WORKBOOK_REQUIRE_TOOLS", "valgrind");
    });
    println!("{printed}");
    assert_machine_fault(code, &printed, &["valgrind", "Install valgrind"]);
}

/// Lesson 11 without libclang (bindgen loads it where LIBCLANG_PATH says,
/// and only there when it is set; nor llvm-config on PATH to find another).
#[test]
fn a_missing_libclang_is_an_environment_error() {
    let bin = common::bin_dir_with(|name| !name.starts_with("llvm-config"));
    let empty = tempfile::tempdir().unwrap();
    let (code, printed) = run_with_env(
        "mistake-no-libclang",
        "11_generated_bindings",
        "",
        &[],
        |command| {
            command
                .env("PATH", bin.path())
                .env("LIBCLANG_PATH", empty.path());
        },
    );
    println!("{printed}");
    assert_machine_fault(
        code,
        &printed,
        &["libclang is not installed", "sudo apt install libclang-dev"],
    );
}

/// Where neither valgrind nor an AddressSanitizer build is there (and no
/// one requires them), a leak the memory check would find passes what ran,
/// and the verdict says plainly that the memory check did not run.
#[test]
fn a_memory_check_that_could_not_run_is_said_in_the_verdict() {
    let bin = common::bin_dir_with(|name| name != "valgrind");
    let (code, printed) = run_with_env(
        "mistake-no-memory-tool",
        "07_c_strings",
        "src/lib.rs",
        &[("    unsafe { cs_free(raw) };\n", "")],
        |command| {
            command
                .env("PATH", bin.path())
                .env("FFI_WORKBOOK_MEMCHECK", "valgrind")
                .env_remove("FFI_WORKBOOK_REQUIRE_TOOLS");
        },
    );
    println!("{printed}");
    assert_eq!(code, Some(0), "{printed}");
    let verdict = printed
        .lines()
        .find(|line| line.starts_with("PASS"))
        .unwrap_or_default();
    assert!(
        verdict.starts_with("PASS passed, but ") && verdict.contains("did not run"),
        "{printed}"
    );
    assert!(
        printed.contains("the memory check was not made"),
        "{printed}"
    );
    assert!(
        !printed.contains("Everything the lesson checks is right"),
        "{printed}"
    );
}

// The compiler's warnings that matter in FFI code, in the verdict, pointing
// at the line: also when the lesson passes.

/// The text says "it compiles, with a warning": the warning is shown, at
/// its line, before what valgrind then finds.
#[test]
fn c_strings_dangling_as_ptr() {
    let printed = check(
        "c_strings_dangling_as_ptr",
        &Mistake {
            lesson: "07_c_strings",
            file: "src/lib.rs",
            edits: &[
                (
                    "let text = CString::new(text)?;",
                    "let text = CString::new(text)?.as_ptr();",
                ),
                (
                    "Ok(unsafe { cs_count_vowels(text.as_ptr()) })",
                    "Ok(unsafe { cs_count_vowels(text) })",
                ),
            ],
            verdict: CHECKS_FAILED,
            says: &["Use after free: cs_count_vowels (csrc/c_strings.c"],
        },
    );
    assert_lines_in_order(
        &printed,
        &[
            CHECKS_FAILED,
            "The compiler warned, and it matters here: dangling_pointers_from_temporaries at exercises/07_c_strings/src/lib.rs:132:",
            "The compiler warns (dangling_pointers_from_temporaries",
            "warning: this creates a dangling pointer",
            "--> exercises/07_c_strings/src/lib.rs:132:",
            "1. Use after free: cs_count_vowels",
        ],
    );
}

/// A lesson that passes with a warning that matters says so on its verdict
/// line: an `unsafe extern "C" fn` that dereferences C's pointers with no
/// `unsafe` block of its own (and so no SAFETY comment).
#[test]
fn callbacks_passes_with_an_unsafe_op_without_its_block() {
    let (code, printed) = run_with(
        "mistake-warning-passes",
        "09_callbacks",
        "src/sort.rs",
        &[(
            "let (a, b) = unsafe { (*a.cast::<c_int>(), *b.cast::<c_int>()) };",
            "let (a, b) = (*a.cast::<c_int>(), *b.cast::<c_int>());",
        )],
    );
    println!("{printed}");
    assert_eq!(code, Some(0), "it still passes:\n{printed}");
    assert_lines_in_order(
        &printed,
        &[
            "PASS passed, with a warning that matters: unsafe_op_in_unsafe_fn at exercises/09_callbacks/src/sort.rs:28:",
            "The compiler warns (unsafe_op_in_unsafe_fn",
            "--> exercises/09_callbacks/src/sort.rs:28:",
        ],
    );
}

/// The text says to read `improper_ctypes` as an error: a `&str` handed to
/// C as if it were a C string (checked for a NUL, but not made into one).
#[test]
fn c_strings_passes_a_str_as_a_c_string() {
    let (code, printed) = run_with(
        "mistake-improper-ctypes",
        "07_c_strings",
        "src/lib.rs",
        &[
            (
                "fn cs_count_vowels(s: *const c_char) -> usize;",
                "fn cs_count_vowels(s: &str) -> usize;",
            ),
            ("let text = CString::new(text)?;", "CString::new(text)?;"),
            (
                "Ok(unsafe { cs_count_vowels(text.as_ptr()) })",
                "Ok(unsafe { cs_count_vowels(text) })",
            ),
        ],
    );
    println!("{printed}");
    assert_eq!(code, Some(1), "{printed}");
    assert_lines_in_order(
        &printed,
        &[
            "FAIL",
            "The compiler warned, and it matters here: improper_ctypes at exercises/07_c_strings/src/lib.rs:25:",
            "The compiler warns (improper_ctypes at exercises/07_c_strings/src/lib.rs:25:27), and in FFI code this matters: a `&str` is not a C string",
            "--> exercises/07_c_strings/src/lib.rs:25:",
        ],
    );
    assert!(
        printed.contains("no NUL"),
        "the missing NUL is named:\n{printed}"
    );
}

// The cause on the first screen: backtraces cut to the lesson's frames and
// shown once, a table the later checks repeat shown once.

/// A panic out of an `extern "C"` function prints the std's backtrace
/// whatever RUST_BACKTRACE says (some 70 lines, twice). The lesson's frames
/// remain, once, and the lesson's advice comes early.
#[test]
fn callbacks_panic_escapes_the_trampoline() {
    let printed = check(
        "callbacks_panic_escapes_the_trampoline",
        &Mistake {
            lesson: "09_callbacks",
            file: "src/visit.rs",
            edits: &[(
                "    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (visit.f)(value))) {\n        visit.panic = Some(payload);\n    }\n}",
                "    (visit.f)(value);\n}",
            )],
            verdict: "FAIL crashed: SIGABRT",
            says: &["panic in a function that cannot unwind"],
        },
    );
    assert_lines_in_order(
        &printed,
        &[
            "panic in a function that cannot unwind",
            "stack backtrace, cut to the lesson's own files",
            "at callbacks::visit::each_trampoline (exercises/09_callbacks/src/visit.rs:",
            "at cb_each (csrc/callbacks.c:",
            "at callbacks::visit::for_each (exercises/09_callbacks/src/visit.rs:",
        ],
    );
    assert!(
        printed.contains("stack backtrace: the same backtrace as above."),
        "{printed}"
    );
    for noise in ["libunwind", "rust_begin_unwind", "0x5"] {
        assert!(
            !printed.contains(noise),
            "`{noise}` is std's, not the lesson's:\n{printed}"
        );
    }
    let advice = printed
        .lines()
        .position(|line| {
            line.starts_with("Hint: A panic must not leave an `extern \"C\"` function")
        })
        .unwrap_or_else(|| panic!("the lesson's advice is shown:\n{printed}"));
    // The full text, when asked for.
    let (_, full) = run_with_env(
        "mistake-verbose",
        "09_callbacks",
        "src/visit.rs",
        &[(
            "    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (visit.f)(value))) {\n        visit.panic = Some(payload);\n    }\n}",
            "    (visit.f)(value);\n}",
        )],
        |command| {
            command.arg("--verbose");
        },
    );
    assert!(
        full.contains("libunwind"),
        "--verbose shows the whole backtrace:\n{full}"
    );
    assert!(
        advice < 60,
        "the advice is at line {advice}, not near the top:\n{printed}"
    );
}

/// Lesson 8's layout table: in the layout check's words, and once more as
/// the program prints it; the other checks that need the layout say so in
/// a line instead of repeating it.
#[test]
fn repr_c_particle_without_repr_c() {
    let printed = check(
        "repr_c_particle_without_repr_c",
        &Mistake {
            lesson: "08_repr_c",
            file: "src/particle.rs",
            edits: &[(
                "#[repr(C)]\n#[derive(Debug, Clone, Copy, PartialEq)]\npub struct Particle {",
                "#[derive(Debug, Clone, Copy, PartialEq)]\npub struct Particle {",
            )],
            verdict: CHECKS_FAILED,
            says: &["field `kind` starts at byte 0 of C's struct particle but at byte"],
        },
    );
    let table_rows = printed
        .matches("field `kind` starts at byte 0 of C's struct particle")
        .count();
    assert_eq!(table_rows, 1, "the layout table once:\n{printed}");
    assert!(
        printed.matches("  kind      0     34  <- differs").count() <= 1,
        "{printed}"
    );
    assert!(printed.contains("lines as above)"), "{printed}");
    assert!(printed.lines().count() < 130, "{printed}");
}

/// Advice fitted to the symptom: a name missing from `ffi` points at the allowlist.
#[test]
fn generated_bindings_allowlist_misses_evolve() {
    let printed = check(
        "generated_bindings_allowlist_misses_evolve",
        &Mistake {
            lesson: "11_generated_bindings",
            file: "binding_options.rs",
            edits: &[(
                ".allowlist_function(\"add|evolve|generated_.*\")",
                ".allowlist_function(\"add|generated_.*\")",
            )],
            verdict: COMPILE_ERROR,
            // rustc says "value" where a function is used as a value.
            says: &[
                "cannot find function `evolve` in module `ffi`",
                "cannot find value `evolve` in module `ffi`",
            ],
        },
    );
    assert_lines_in_order(
        &printed,
        &[
            COMPILE_ERROR,
            "error[E0425]",
            "Hint: `ffi` holds only what bindgen generated, and bindgen generates only the names the allowlist in binding_options.rs lets through",
        ],
    );
}

/// Advice fitted to the symptom: a `static inline` function no library has is to be written in Rust.
#[test]
fn generated_bindings_calls_the_static_inline_function() {
    let printed = check(
        "generated_bindings_calls_the_static_inline_function",
        &Mistake {
            lesson: "11_generated_bindings",
            file: "src/lib.rs",
            edits: &[(
                "pub fn distance_squared(a: Point, b: Point) -> f64 {
    square(a.x - b.x) + square(a.y - b.y)
}",
                "unsafe extern \"C\" {
    fn generated_distance_squared(a: Point, b: Point) -> f64;
}
pub fn distance_squared(a: Point, b: Point) -> f64 {
    unsafe { generated_distance_squared(a, b) }
}",
            )],
            verdict: COMPILE_ERROR,
            // GNU ld, lld (rust-lld), macOS ld.
            says: &[
                "undefined reference to `generated_distance_squared'",
                "undefined symbol: generated_distance_squared",
                "\"_generated_distance_squared\", referenced from",
            ],
        },
    );
    assert_lines_in_order(
        &printed,
        &[
            COMPILE_ERROR,
            "Hint: generated_distance_squared is `static inline` in csrc/generated.h",
        ],
    );
    assert!(
        printed.contains("no library exports the symbol"),
        "{printed}"
    );
    assert!(printed.contains("Write it in Rust"), "{printed}");
}
