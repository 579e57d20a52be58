//! Lesson 9: a panic in a closure that C called must never unwind into C
//! (Rust aborts the process if it tries). The trampolines catch it, and it
//! reaches the Rust caller once C has returned; `cb_each_until` is also told
//! to stop.
//!
//! If these checks crash with SIGABRT, a panic left an `extern "C"`
//! function: catch it there with `std::panic::catch_unwind`.

use std::any::Any;
use std::ffi::c_int;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use callbacks::{TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS, for_each, visit_until};

const TEN: [c_int; 10] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

fn message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

#[test]
fn a_panic_in_for_each_reaches_the_caller() {
    let mut seen = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        for_each(&TEN, |x| {
            seen.push(x);
            if x == 2 {
                panic!("the closure's own panic");
            }
        })
    }));
    let payload = result.expect_err(
        "for_each (src/visit.rs) returned normally, but its closure panicked: the panic was \
         lost. Keep the payload that catch_unwind gives the trampoline in the Visit, and \
         resume it (Visit::finish) once C has returned",
    );
    assert_eq!(
        message(&*payload),
        Some("the closure's own panic"),
        "the panic that reaches for_each's caller should be the closure's own, resumed with \
         its payload (resume_unwind), not a new one"
    );
    assert_eq!(
        seen,
        [0, 1, 2],
        "for_each (src/visit.rs) called the closure again after it panicked: C goes on \
         calling the trampoline, which must skip the closure once a panic is kept"
    );
}

#[test]
fn a_panic_in_visit_until_stops_c_and_reaches_the_caller() {
    let mut seen = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        visit_until(&TEN, |x| {
            seen.push(x);
            if x == 2 {
                panic!("stop the press");
            }
            ControlFlow::Continue(())
        })
    }));
    let payload = match result {
        Ok(stopped) => panic!(
            "visit_until (src/visit.rs) returned {stopped:?} normally, but its closure \
             panicked at index 2: the panic was lost. The trampoline must keep it where \
             visit_until can still reach it after C returns (the Visit on visit_until's \
             stack, not a temporary), and visit_until must resume it (Visit::finish)"
        ),
        Err(payload) => payload,
    };
    assert_eq!(
        message(&*payload),
        Some("stop the press"),
        "the panic that reaches visit_until's caller should be the closure's own, resumed \
         with its payload (resume_unwind)"
    );
    assert_eq!(
        seen,
        [0, 1, 2],
        "visit_until (src/visit.rs): after the closure panicked, C went on calling it. A \
         caught panic is a reason to stop: the trampoline returns 1 (stop) to cb_each_until"
    );
}

#[test]
fn how_many_times_c_calls_the_trampoline() {
    // Asked, never told: a failure names no number (the question is the lesson's).
    assert!(
        TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS == TEN.len(),
        "TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS (src/visit.rs) is {}, which is not right. \
         Read cb_each in csrc/callbacks.c: what does it do when the trampoline returns, \
         after the closure panicked? Can anything tell it to stop?",
        TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS
    );
}
