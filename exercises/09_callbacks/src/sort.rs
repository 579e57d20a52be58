//! Part 1: C calls a Rust function. `cb_sort` sorts with the C library's
//! `qsort`, which calls a comparator for every pair it needs to order: here,
//! a Rust function with C's calling convention, `extern "C"`.

use std::ffi::{c_int, c_void};

unsafe extern "C" {
    // TODO: declare cb_sort, translated from csrc/callbacks.h:
    //     void cb_sort(int *v, size_t n, int (*cmp)(const void *a, const void *b));
    // A C function pointer is a Rust function pointer type with C's calling
    // convention: `unsafe extern "C" fn(...) -> ...`, its parameters
    // translated like any others (`const void *` is `*const c_void`).
    // Lesson section: "A Rust function C can call".
}

/// The comparator `qsort` calls: negative when `*a` goes first, positive when
/// `*b` does, 0 when they are equal, so that `sort` is ascending.
///
/// # Safety
///
/// `a` and `b` must point to C `int`s, as qsort's pointers into an int
/// array do.
pub unsafe extern "C" fn compare_ints(a: *const c_void, b: *const c_void) -> c_int {
    // TODO: read the two ints that `a` and `b` point to, and return qsort's
    // answer: a negative int when a's int goes first (the smaller: ascending),
    // a positive one when b's does, 0 when they are equal. Beware: the
    // difference of two ints need not fit in an int, and a panic here cannot
    // leave this extern "C" fn (the program would abort).
    // Lesson section: "A Rust function C can call".
    let _ = (a, b);
    0
}

/// Sorts `values` into ascending order with C's `cb_sort` (qsort), which
/// calls [`compare_ints`] back.
pub fn sort(values: &mut [c_int]) {
    // TODO: let C's cb_sort sort the slice in place, calling compare_ints
    // back: the slice's pointer and length, and the comparator itself (a
    // function's name is a function pointer). In an `unsafe` block with a
    // `// SAFETY:` comment. Lesson section: "A Rust function C can call".
    let _ = values;
    todo!("call cb_sort in sort (src/sort.rs)")
}
