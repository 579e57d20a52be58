//! Part 1: C calls a Rust function. `cb_sort` sorts with the C library's
//! `qsort`, which calls a comparator for every pair it needs to order: here,
//! a Rust function with C's calling convention, `extern "C"`.

use std::ffi::{c_int, c_void};

unsafe extern "C" {
    /// `void cb_sort(int *v, size_t n, int (*cmp)(const void *a, const void *b));`
    /// A C function pointer is a Rust `extern "C" fn` type: never null, so
    /// no `Option` (C's cb_sort does not accept NULL either).
    fn cb_sort(
        v: *mut c_int,
        n: usize,
        cmp: unsafe extern "C" fn(a: *const c_void, b: *const c_void) -> c_int,
    );
}

/// The comparator `qsort` calls: negative when `*a` goes first, positive when
/// `*b` does, 0 when they are equal, so that `sort` is ascending.
///
/// # Safety
///
/// `a` and `b` must point to C `int`s, as qsort's pointers into an int
/// array do.
pub unsafe extern "C" fn compare_ints(a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: the caller (qsort, through cb_sort) passes pointers to two
    // elements of the int array being sorted.
    let (a, b) = unsafe { (*a.cast::<c_int>(), *b.cast::<c_int>()) };
    // `Ordering` is -1, 0 or 1 as an int. Never `a - b`: it overflows for
    // ints far apart (in a debug build, a panic, and in an extern "C" fn, an
    // abort).
    a.cmp(&b) as c_int
}

/// Sorts `values` into ascending order with C's `cb_sort` (qsort), which
/// calls [`compare_ints`] back.
pub fn sort(values: &mut [c_int]) {
    // SAFETY: the pointer is valid for reading and writing `len` ints,
    // borrowed mutably for the call; `compare_ints` has the comparator type
    // C expects and only reads the two ints it is given.
    unsafe { cb_sort(values.as_mut_ptr(), values.len(), compare_ints) }
}
