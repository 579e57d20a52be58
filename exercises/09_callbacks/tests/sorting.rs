//! Lesson 9, part 1: C's qsort (through `cb_sort`) calls your comparator,
//! `compare_ints`, and sorts the slice in place, ascending.

use std::ffi::{c_int, c_void};

use callbacks::{compare_ints, sort};

/// Calls the comparator as qsort does: with pointers to two ints.
fn compare(a: c_int, b: c_int) -> c_int {
    // SAFETY: both pointers point to live ints for the whole call.
    unsafe {
        compare_ints(
            (&raw const a).cast::<c_void>(),
            (&raw const b).cast::<c_void>(),
        )
    }
}

#[test]
fn the_comparator_says_which_int_goes_first() {
    for (a, b) in [(1, 2), (-5, 3), (0, 1), (-2, -1)] {
        assert!(
            compare(a, b) < 0,
            "compare_ints (src/sort.rs) for a = {a}, b = {b} returned {}: qsort wants a \
             negative int when a goes first (ascending: the smaller first)",
            compare(a, b)
        );
        assert!(
            compare(b, a) > 0,
            "compare_ints (src/sort.rs) for a = {b}, b = {a} returned {}: qsort wants a \
             positive int when b goes first",
            compare(b, a)
        );
    }
    for a in [0, 7, -7, c_int::MAX, c_int::MIN] {
        assert_eq!(
            compare(a, a),
            0,
            "compare_ints (src/sort.rs) of {a} and {a} should be 0: they are equal"
        );
    }
}

#[test]
fn the_comparator_works_for_ints_far_apart() {
    // a - b does not fit in an int here: it overflows (a panic in a debug
    // build, which aborts in an extern "C" fn; a wrong sign otherwise).
    for (a, b) in [(c_int::MIN, c_int::MAX), (c_int::MIN, 1), (-2, c_int::MAX)] {
        assert!(
            compare(a, b) < 0 && compare(b, a) > 0,
            "compare_ints (src/sort.rs) got the order of {a} and {b} wrong ({} and {}): \
             their difference does not fit in an int, so compare them, never subtract them",
            compare(a, b),
            compare(b, a)
        );
    }
}

#[test]
fn sort_is_ascending_in_place() {
    let cases: [&[c_int]; 6] = [
        &[],
        &[42],
        &[3, 1, 2],
        &[5, -3, c_int::MAX, 0, c_int::MIN, 42, 7, -3],
        &[9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2],
        &[2, 2, 1, 1, 2, 1],
    ];
    for case in cases {
        let mut got = case.to_vec();
        sort(&mut got);
        let mut want = case.to_vec();
        want.sort();
        assert_eq!(
            got, want,
            "sort (src/sort.rs) of {case:?} should give {want:?}: pass C the slice's pointer, \
             its length and compare_ints"
        );
    }
}

#[test]
fn sort_touches_only_its_slice() {
    let mut buffer = vec![3, 2, 1, -100, -200];
    sort(&mut buffer[..3]);
    assert_eq!(
        buffer,
        [1, 2, 3, -100, -200],
        "sort (src/sort.rs) was given the first 3 ints of a longer buffer and should sort \
         just those: pass C the slice's own length"
    );
}
