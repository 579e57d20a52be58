//! Lesson 11's checks: what bindgen generated (only the headers' own names,
//! no Rust enum for a C enum, nothing for the macro or the static inline
//! function), your hand-written declarations against the generated ones, your
//! Rust versions of what bindgen cannot bring over against C's, and the safe
//! wrapper.

use std::any::{TypeId, type_name, type_name_of_val};
use std::ffi::c_int;

use generated_bindings::{PathError, Point, Unit, ffi};

#[path = "../src/items.rs"]
mod items;

// C's own SQUARE and static inline function, compiled into functions with a
// symbol by build.rs (REFERENCE_SOURCE there): what your Rust must equal.
unsafe extern "C" {
    fn generated_reference_square(x: f64) -> f64;
    fn generated_reference_bare_square_of_2_plus_1() -> c_int;
    fn generated_reference_distance_squared(a: Point, b: Point) -> f64;
}

fn generated_names() -> Vec<String> {
    items::items(items::BINDINGS)
        .into_iter()
        .map(|item| item.name)
        .collect()
}

const READ_IT: &str =
    "Read the generated file: target/debug/build/generated_bindings-*/out/bindings.rs";

#[test]
fn bindings_hold_only_the_headers_own_names() {
    let mut foreign: Vec<String> = generated_names()
        .into_iter()
        .filter(|name| !items::from_the_workbook(name))
        .collect();
    // Names a learner recognises (INT8_MIN, int_least8_t) before glibc's own.
    foreign.sort_by_key(|name| name.starts_with('_'));
    assert!(
        foreign.is_empty(),
        "bindgen generated {} names that none of the workbook's headers declares, such as {}: \
         they come from <stdint.h>, which csrc/generated.h includes. Bindings should hold \
         your API and nothing else (a system header's names differ between machines, and \
         each is one more thing to compile). In binding_options.rs, allow only the \
         workbook's functions, types and constants (the builder's allowlist_* methods). \
         {READ_IT}",
        foreign.len(),
        foreign
            .iter()
            .take(4)
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[test]
fn bindings_make_no_rust_enum_of_a_c_enum() {
    let rust_enum = items::items(items::BINDINGS)
        .into_iter()
        .any(|item| item.kind == "enum" && item.name == "generated_unit");
    assert!(
        !rust_enum,
        "bindgen made C's `enum generated_unit` a Rust `enum` (rustified_enum). A C enum \
         may hold any int: a newer library's unit, or a mistake. A Rust enum holding a \
         value it does not list is undefined behaviour, the moment C returns it. Keep the \
         integer: newtype_enum (a struct with a constant per value) or bindgen's default \
         constants."
    );
}

#[test]
fn bindings_have_no_macro_and_no_static_inline_function() {
    let names = generated_names();
    assert!(
        !names.iter().any(|name| name == "SQUARE"),
        "bindgen generated something named SQUARE: a function-like macro has no type, \
         so it should have nothing to generate. {READ_IT}"
    );
    assert!(
        !names
            .iter()
            .any(|name| name == "generated_distance_squared"),
        "bindgen declared the static inline function generated_distance_squared: \
         binding_options.rs turned on wrap_static_fns. A static function has no symbol, so \
         that declaration links to a C wrapper bindgen writes (generated_distance_squared__extern), \
         and this lesson's build.rs compiles no such wrapper: a call would fail to link. \
         Leave wrap_static_fns off and write the function in Rust (distance_squared in \
         src/lib.rs)."
    );
    // What bindgen can bring over from the same header.
    assert_eq!(ffi::GENERATED_MAX_POINTS, 64);
}

/// The C types behind a difference in a parameter, in words.
fn what_to_write(c_type: &str) -> &'static str {
    match c_type {
        "*const f64" => "(C's `const double *` is `*const f64`)",
        "*mut f64" => "(C's `double *` is `*mut f64`)",
        "i32" => "(C's `int` is `c_int`, which is i32 here)",
        "f64" => "(C's `double` is `f64`)",
        _ => "",
    }
}

/// `unsafe extern "C" fn(A, B, C)` -> ["A", "B", "C"].
fn parameters(fn_type: &str) -> Vec<&str> {
    let inside = fn_type
        .split_once("fn(")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or("", |(inside, _)| inside);
    inside
        .split(", ")
        .filter(|parameter| !parameter.is_empty())
        .collect()
}

/// Fails with a message saying how `Yours` differs from bindgen's `header`.
fn assert_same_fn_type<Yours: 'static, Header: 'static>(
    yours_name: &str,
    c_declaration: &str,
    header: &Header,
) {
    if TypeId::of::<Yours>() == TypeId::of::<Header>() {
        return;
    }
    let (yours, theirs) = (type_name::<Yours>(), type_name_of_val(header));
    let (mine, generated) = (parameters(yours), parameters(theirs));
    let difference = if mine.len() != generated.len() {
        format!(
            "yours takes {} parameters, the header's {}",
            mine.len(),
            generated.len()
        )
    } else {
        mine.iter()
            .zip(&generated)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| {
                format!(
                    "parameter {} is {a} in yours, {b} in the header {}",
                    i + 1,
                    what_to_write(b)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    panic!(
        "Your {yours_name} (src/lib.rs) is `{yours}`, but bindgen read the header's \
         `{c_declaration}` as `{theirs}`: {difference}. A hand-written declaration is a \
         promise nobody checks, until a tool reads the header too."
    );
}

#[test]
fn hand_written_add_matches_the_header() {
    let generated = ffi::add as unsafe extern "C" fn(_, _, _);
    assert_same_fn_type::<generated_bindings::AddFn, _>(
        "AddFn",
        "void add(double *a, const double *b, int n)",
        &generated,
    );
}

#[test]
fn hand_written_evolve_matches_the_header() {
    let generated = ffi::evolve as unsafe extern "C" fn(_, _, _, _, _, _, _, _);
    assert_same_fn_type::<generated_bindings::EvolveFn, _>(
        "EvolveFn",
        "void evolve(double *u, double *u_previous, int nx, int ny, double a, double dt, \
         double dx2, double dy2)",
        &generated,
    );
}

/// Lessons 3 and 6 declared `add` and `evolve` by hand (their solutions'
/// `AddFn` and `EvolveFn`, copied here). The generated functions fit those
/// types, or this file would not compile: bindgen and the hand-written
/// declarations agree. And the C behind them runs through them.
#[test]
fn generated_declarations_fit_the_hand_written_ones_of_lessons_3_and_6() {
    type Lesson3AddFn = unsafe extern "C" fn(a: *mut f64, b: *const f64, n: c_int);
    type Lesson6EvolveFn =
        unsafe extern "C" fn(*mut f64, *mut f64, c_int, c_int, f64, f64, f64, f64);
    let add: Lesson3AddFn = ffi::add;
    let evolve: Lesson6EvolveFn = ffi::evolve;

    let mut a = [1.0, 2.0, 3.0];
    let b = [0.5, 0.25, 0.125];
    // SAFETY: both arrays hold 3 doubles; add writes only a.
    unsafe { add(a.as_mut_ptr(), b.as_ptr(), 3) };
    assert_eq!(
        a,
        [1.5, 2.25, 3.125],
        "C's add through the generated declaration"
    );

    // A 3 x 3 grid, hot in the middle: one step moves heat to the edges'
    // neighbours only through the single interior cell.
    let mut u = [0.0; 9];
    let mut previous = [0.0; 9];
    previous[4] = 1.0;
    // SAFETY: both grids hold 3 * 3 doubles and do not overlap.
    unsafe {
        evolve(
            u.as_mut_ptr(),
            previous.as_mut_ptr(),
            3,
            3,
            0.5,
            0.1,
            1.0,
            1.0,
        )
    };
    let want = 1.0 + 0.5 * 0.1 * (-2.0 - 2.0);
    assert_eq!(u[4], want, "C's evolve through the generated declaration");
    assert_eq!(previous, u, "evolve copies the new field into u_previous");
}

#[test]
fn square_equals_cs_macro() {
    for x in [0.0, 1.5, -3.0, 1e-160, 1e160, 0.1, -0.0] {
        // SAFETY: a plain function of a double.
        let c = unsafe { generated_reference_square(x) };
        let rust = generated_bindings::square(x);
        assert_eq!(
            rust.to_bits(),
            c.to_bits(),
            "square({x:e}) is {rust:e} in Rust, but C's SQUARE({x:e}) is {c:e}. \
             SQUARE(x) is ((x) * (x))."
        );
    }
}

#[test]
fn the_bare_macro_question_is_answered_as_c_does() {
    // Asked, never told: C computes the answer, and a failure names no number.
    // SAFETY: a C function of no arguments.
    let c = unsafe { generated_reference_bare_square_of_2_plus_1() };
    let said = generated_bindings::BARE_SQUARE_OF_2_PLUS_1;
    assert!(
        said == c,
        "BARE_SQUARE_OF_2_PLUS_1 (src/lib.rs) is {said}, but that is not what C makes of \
         BARE_SQUARE(2 + 1) with `#define BARE_SQUARE(x) x * x`. The preprocessor pastes text, \
         not values: write out the text it makes, then read it with C's precedence."
    );
}

#[test]
fn distance_squared_equals_the_static_inline_function() {
    let points = [
        Point { x: 0.0, y: 0.0 },
        Point { x: 3.0, y: 4.0 },
        Point { x: -1.5, y: 2.25 },
        Point { x: 0.1, y: 0.7 },
        Point { x: 1e150, y: -2.0 },
    ];
    for a in points {
        for b in points {
            // SAFETY: takes two points by value.
            let c = unsafe { generated_reference_distance_squared(a, b) };
            let rust = generated_bindings::distance_squared(a, b);
            assert_eq!(
                rust.to_bits(),
                c.to_bits(),
                "distance_squared({a:?}, {b:?}) is {rust:e} in Rust, but C's \
                 generated_distance_squared gives {c:e}. It is \
                 SQUARE(a.x - b.x) + SQUARE(a.y - b.y), in that order."
            );
        }
    }
}

#[test]
fn path_length_adds_up_the_segments_in_c() {
    let path = [
        Point { x: 0.0, y: 0.0 },
        Point { x: 3.0, y: 0.0 },
        Point { x: 3.0, y: 4.0 },
    ];
    let metres = generated_bindings::path_length(&path, Unit::Metres);
    assert_eq!(
        metres,
        Ok(7.0),
        "(0, 0) -> (3, 0) -> (3, 4) is 3 + 4 = 7 metres"
    );
    let feet = generated_bindings::path_length(&path, Unit::Feet);
    assert_eq!(
        feet,
        Ok(7.0 / 0.3048),
        "7 metres in feet (one foot is 0.3048 m)"
    );
    for n in [0, 1] {
        assert_eq!(
            generated_bindings::path_length(&path[..n], Unit::Metres),
            Ok(0.0),
            "a path of {n} points has length 0"
        );
    }
}

#[test]
fn path_length_refuses_more_points_than_c_takes() {
    let max = ffi::GENERATED_MAX_POINTS as usize;
    assert_eq!(
        generated_bindings::MAX_POINTS,
        max,
        "MAX_POINTS should be C's GENERATED_MAX_POINTS, which bindgen brought over"
    );
    let line: Vec<Point> = (0..=max)
        .map(|i| Point {
            x: i as f64,
            y: 0.0,
        })
        .collect();
    assert_eq!(
        generated_bindings::path_length(&line[..max], Unit::Metres),
        Ok((max - 1) as f64),
        "{max} points, one metre apart, are {} metres: C takes up to {max}",
        max - 1
    );
    assert_eq!(
        generated_bindings::path_length(&line, Unit::Metres),
        Err(PathError::TooManyPoints { len: max + 1, max }),
        "{} points are more than C's GENERATED_MAX_POINTS ({max}): refuse them before \
         calling C, which would return -1 (not a length)",
        max + 1
    );
}
