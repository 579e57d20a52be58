//! Parts 2 and 3: C calls a Rust *closure*. A C function pointer carries no
//! captured variables, so C takes a second thing, `void *user`, which it
//! hands back to every call without looking at it. Rust passes the closure
//! (with whatever else the call needs) as that pointer, and a generic
//! `extern "C"` trampoline, one per closure type, turns it back into the
//! closure and calls it.
//!
//! A panic must never unwind out of an `extern "C"` function into C: Rust
//! aborts the process if one tries. So each trampoline catches the closure's
//! panic, keeps it beside the closure, and the Rust side resumes it once C
//! has returned.

// TODO: remove this line once the gaps below are filled: until then the
// trampolines, Visit and some imports are unused.
#![allow(unused)]

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

unsafe extern "C" {
    // TODO: declare cb_each and cb_each_until, translated from their
    // declarations in csrc/callbacks.h. `void *` is `*mut c_void`, `size_t`
    // is `usize`; each visitor parameter is a function pointer, an
    // `unsafe extern "C" fn` type. Lesson section: "Closures: void *user and a trampoline".
}

/// What a visit shares with its trampoline through C's `void *user`: the
/// closure, and the panic it may raise, kept until C has returned.
struct Visit<F> {
    f: F,
    panic: Option<Box<dyn Any + Send>>,
}

impl<F> Visit<F> {
    fn new(f: F) -> Visit<F> {
        Visit { f, panic: None }
    }

    /// Once C has returned: the closure's panic, if it raised one, goes on
    /// in Rust, as if C had never been in between.
    fn finish(self) {
        if let Some(payload) = self.panic {
            resume_unwind(payload);
        }
    }
}

/// The question: `for_each` over 10 values whose closure panics on the third
/// (index 2). How many times does C's `cb_each` call the trampoline in all?
// TODO: reason it out from csrc/callbacks.c and your trampoline: once the
// closure has panicked, what can tell cb_each to stop? A test checks your
// number. Lesson section: "Panics must not cross into C".
pub const TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS: usize = 0;

/// `cb_each`'s `visit` for a closure of type `F`: `user` is the `Visit<F>`
/// that `for_each` made.
unsafe extern "C" fn each_trampoline<F: FnMut(c_int)>(value: c_int, user: *mut c_void) {
    // TODO: `user` is the pointer for_each gave C: turn it back into the
    // `&mut Visit<F>` it came from (the same type, by reference: the closure
    // keeps its state between calls and must not be copied or dropped here),
    // and call the closure on `value`. A panic must not leave this function:
    // catch it (std::panic::catch_unwind) and keep it in `visit.panic` for
    // for_each to resume; once one is kept, skip the closure for the values
    // C still hands over. Write a `// SAFETY:` comment for the `unsafe`.
    // Lesson sections: "Closures: void *user and a trampoline", "Panics must
    // not cross into C".
    let _ = (value, user);
}

/// Calls `f` on each value, in order, from C's `cb_each`. A panic in `f`
/// stops the calls to `f` and reaches the caller once C has returned.
pub fn for_each<F: FnMut(c_int)>(values: &[c_int], f: F) {
    // TODO: put the closure in a Visit (Visit::new) that lives on this
    // stack frame until C returns, and call cb_each with the slice, the
    // trampoline for this closure type (each_trampoline, instantiated for F) and a pointer
    // to the Visit as `user` (a raw pointer cast to *mut c_void). After C
    // returns, Visit::finish resumes the closure's panic, if any.
    // Lesson section: "Closures: void *user and a trampoline".
    let _ = (values, f);
    todo!("call cb_each with a trampoline in for_each (src/visit.rs)")
}

/// `cb_each_until`'s `visit` for a closure of type `F`: its status is 0 to
/// go on, 1 to stop, and a panic stops C too.
unsafe extern "C" fn until_trampoline<F: FnMut(c_int) -> ControlFlow<()>>(
    value: c_int,
    user: *mut c_void,
) -> c_int {
    // TODO: as each_trampoline, but the closure answers: its
    // ControlFlow::Continue(()) is the status 0 (go on) for C, its
    // ControlFlow::Break(()) is 1 (stop). A caught panic is kept in
    // `visit.panic` and also returns 1: no point in C going on.
    // Lesson section: "A status that stops C".
    let _ = (value, user);
    0
}

/// Calls `f` on each value, in order, from C's `cb_each_until`, until `f`
/// returns `ControlFlow::Break(())`: the index of that value, or `None` when
/// `f` never said stop. A panic in `f` stops C at once and reaches the
/// caller once C has returned.
pub fn visit_until<F: FnMut(c_int) -> ControlFlow<()>>(values: &[c_int], f: F) -> Option<usize> {
    // TODO: as for_each, with cb_each_until and until_trampoline for F. C
    // returns the index where a call said stop, or the number of values if
    // none did: Some(index) or None. Resume the closure's panic after C
    // returns (Visit::finish): the Visit must still exist then.
    // Lesson section: "A status that stops C".
    let _ = (values, f);
    todo!("call cb_each_until with a trampoline in visit_until (src/visit.rs)")
}
