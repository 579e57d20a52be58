//! Lesson 9, parts 2 and 3: C calls your closures through `void *user` and a
//! trampoline. Every value, in order, to the very closure you passed (its
//! state kept between calls, dropped once), and `visit_until` stops where
//! the closure says.

use std::cell::{Cell, RefCell};
use std::ffi::c_int;
use std::ops::ControlFlow;

use callbacks::{for_each, visit_until};
use workbook_support::testing::{ValgrindRun, run_memory_check};

#[test]
fn for_each_visits_every_value_in_order() {
    let values = [4, -1, 7, 7, 0, c_int::MIN, c_int::MAX];
    let mut seen = Vec::new();
    for_each(&values, |x| seen.push(x));
    assert_eq!(
        seen, values,
        "for_each (src/visit.rs) should call the closure on every value, in order: pass C \
         the slice, the trampoline for this closure type, and a pointer to the closure as \
         `user`"
    );
    let mut calls = 0;
    for_each(&[], |_| calls += 1);
    assert_eq!(
        calls, 0,
        "for_each of no values should never call the closure"
    );
}

/// Counts how many times it is dropped.
struct DropCounter<'a>(&'a Cell<usize>);

impl Drop for DropCounter<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

thread_local! {
    static SEEN: RefCell<Vec<c_int>> = const { RefCell::new(Vec::new()) };
}

/// Closures that hold nothing, or one byte. Rust lays out a struct holding
/// such a closure with the closure after the other fields (it orders fields
/// by alignment), so a pointer to the closure field is not a pointer to the
/// struct: only a pointer to the whole thing the trampoline casts `user`
/// back to works for every closure.
#[test]
fn closures_of_any_size_reach_the_trampoline() {
    let values = [3, 1, 4, 1, 5, 9];
    let advice = "pass C a pointer to the whole value your trampoline casts `user` back to \
                  (`(&raw mut visit).cast()`), not to one of its fields: where a field sits \
                  depends on the closure's size";
    SEEN.with(|seen| seen.borrow_mut().clear());
    for_each(&values, |x| SEEN.with(|seen| seen.borrow_mut().push(x)));
    assert_eq!(
        SEEN.take(),
        values,
        "for_each (src/visit.rs) with a closure that captures nothing should visit every \
         value: {advice}"
    );
    let offset: u8 = 10;
    for_each(&values, move |x| {
        SEEN.with(|seen| seen.borrow_mut().push(x + c_int::from(offset)))
    });
    assert_eq!(
        SEEN.take(),
        values.map(|x| x + 10),
        "for_each (src/visit.rs) with a closure that holds one byte should visit every \
         value: {advice}"
    );
    let stop: u8 = 4;
    let stopped = visit_until(&values, move |x| {
        SEEN.with(|seen| seen.borrow_mut().push(x));
        if x == c_int::from(stop) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        (stopped, SEEN.take()),
        (Some(2), vec![3, 1, 4]),
        "visit_until (src/visit.rs) with a closure that holds one byte should stop at the \
         first 4: {advice}"
    );
}

#[test]
fn the_closure_keeps_its_state_between_calls() {
    let drops = Cell::new(0);
    let guard = DropCounter(&drops);
    let mut calls = Vec::new();
    let record = &mut calls;
    // A `move` closure: it owns `count` and `guard`, and C must call this one
    // closure each time, not a copy of it.
    let mut count = 0;
    for_each(&[10, 20, 30], move |x| {
        let _keep = &guard;
        count += 1;
        record.push((count, x));
    });
    assert_eq!(
        calls,
        [(1, 10), (2, 20), (3, 30)],
        "for_each (src/visit.rs): a closure that counts its calls should count 1, 2, 3. If it \
         counted 1, 1, 1, the trampoline called a fresh copy of the closure each time: turn \
         `user` back into a `&mut` to the same Visit<F> you passed (`&mut *user.cast()`), \
         never read it out by value"
    );
    assert_eq!(
        drops.get(),
        1,
        "the closure passed to for_each (src/visit.rs) was dropped {} times instead of once: \
         the trampoline must borrow it (`&mut *user.cast::<Visit<F>>()`), never take it by \
         value (ptr::read, Box::from_raw)",
        drops.get()
    );
}

#[test]
fn visit_until_stops_where_the_closure_says() {
    let values = [3, 8, 1, 9, 4];
    let mut seen = Vec::new();
    let stopped = visit_until(&values, |x| {
        seen.push(x);
        if x > 5 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        (stopped, seen.as_slice()),
        (Some(1), &[3, 8][..]),
        "visit_until (src/visit.rs) with a closure that stops at the first value over 5 \
         should see 3 and 8 and return Some(1): the trampoline returns 1 to C for \
         ControlFlow::Break, 0 for Continue, and C returns the index where it stopped"
    );
    let stopped = visit_until(&values, |_| ControlFlow::Continue(()));
    assert_eq!(
        stopped, None,
        "visit_until (src/visit.rs) with a closure that never stops should return None: \
         C returns n (the number of values) when every call said go on"
    );
    assert_eq!(
        visit_until(&[], |_| ControlFlow::Break(())),
        None,
        "visit_until of no values should return None"
    );
}

/// Run by `valgrind_finds_no_invalid_access` inside valgrind.
#[test]
#[ignore = "run under valgrind by valgrind_finds_no_invalid_access"]
fn visits_for_valgrind() {
    let values: Vec<c_int> = (0..100).collect();
    let mut total = 0_i64;
    for_each(&values, |x| total += i64::from(x));
    let label = String::from("owned by the closure");
    let stopped = visit_until(&values, move |x| {
        if x as usize == label.len() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!((total, stopped), (4950, Some(20)));
}

#[test]
fn valgrind_finds_no_invalid_access() {
    match run_memory_check("visits_for_valgrind") {
        ValgrindRun::Unavailable | ValgrindRun::Clean => {}
        ValgrindRun::Errors(report) => panic!(
            "Run under valgrind, the trampolines (src/visit.rs) read or wrote memory they do \
             not own: the `user` pointer must point to a Visit<F> that lives until C returns, \
             and the trampoline must turn it back into exactly that type. valgrind said:\n\
             {report}"
        ),
        ValgrindRun::Crashed(report) => {
            panic!("Run under valgrind, the visits crashed the program. valgrind said:\n{report}")
        }
        ValgrindRun::Failed(output) => panic!(
            "the visits failed before valgrind could judge them (fix the other checks first; \
             this one only adds valgrind's view):\n{output}"
        ),
    }
}
