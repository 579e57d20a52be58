//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use std::cell::RefCell;
use std::ffi::c_int;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use workbook_support::probe::{Probe, list};

thread_local! {
    static SEEN: RefCell<Vec<c_int>> = const { RefCell::new(Vec::new()) };
}

fn payload(result: std::thread::Result<()>) -> String {
    match result {
        Ok(()) => "no panic".into(),
        Err(payload) => match payload.downcast_ref::<String>() {
            Some(text) => format!("panic {text:?}"),
            None => "panic (another payload)".into(),
        },
    }
}

fn main() {
    let mut probe = Probe::from_env();
    let values: Vec<c_int> = (0..probe.range(0, 9))
        .map(|_| probe.range(-50, 50) as c_int)
        .collect();
    let key = list(&values);
    // qsort through the comparator.
    let mut sorted = values.clone();
    callbacks::sort(&mut sorted);
    probe.observe(format!("sort({key})"), list(&sorted));
    let (a, b) = (probe.range(-5, 5) as c_int, probe.range(-5, 5) as c_int);
    probe.observe(format!("compare_ints({a},{b})"), compare_ints_sign(a, b));
    // Closures through `void *user`: one with state, one holding nothing,
    // one holding a byte (laid out after the panic slot).
    let mut seen = Vec::new();
    callbacks::for_each(&values, |x| seen.push(x));
    probe.observe(format!("for_each({key})"), list(&seen));
    callbacks::for_each(&values, |x| SEEN.with(|s| s.borrow_mut().push(x)));
    probe.observe(format!("for_each({key}).zero_sized"), list(&SEEN.take()));
    let offset = probe.range(1, 100) as u8;
    callbacks::for_each(&values, move |x| {
        SEEN.with(|s| s.borrow_mut().push(x + c_int::from(offset)))
    });
    probe.observe(format!("for_each({key}).byte+{offset}"), list(&SEEN.take()));
    let stop = probe.range(-50, 50) as c_int;
    let stopped = callbacks::visit_until(&values, move |x| {
        SEEN.with(|s| s.borrow_mut().push(x));
        if x >= stop {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    probe.observe(
        format!("visit_until({key},x>={stop})"),
        format!("{stopped:?} {}", list(&SEEN.take())),
    );
    // A panic at a drawn index: caught at the boundary, resumed in Rust.
    // Only these panics, the probe's own, are kept quiet.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let at = probe.range(0, values.len().max(1) as i64 - 1) as usize;
    let mut calls = 0;
    let result = catch_unwind(AssertUnwindSafe(|| {
        callbacks::for_each(&values, |_| {
            calls += 1;
            if calls == at + 1 {
                panic!("stop at {at}");
            }
        })
    }));
    probe.observe(
        format!("for_each({key}).panic_at({at})"),
        format!("{calls} calls, {}", payload(result)),
    );
    let mut calls = 0;
    let result = catch_unwind(AssertUnwindSafe(|| {
        callbacks::visit_until(&values, |_| {
            calls += 1;
            if calls == at + 1 {
                panic!("stop at {at}");
            }
            ControlFlow::Continue(())
        });
    }));
    probe.observe(
        format!("visit_until({key}).panic_at({at})"),
        format!("{calls} calls, {}", payload(result)),
    );
    std::panic::set_hook(default_hook);
    probe.observe(
        "TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS",
        callbacks::TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS,
    );
    probe.end();
}

/// Only the sign of a comparison is C's contract.
fn compare_ints_sign(a: c_int, b: c_int) -> c_int {
    // SAFETY: both pointers are to live ints for the call.
    unsafe { callbacks::compare_ints((&raw const a).cast(), (&raw const b).cast()) }.signum()
}
