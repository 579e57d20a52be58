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

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

unsafe extern "C" {
    /// `void cb_each(const int *v, size_t n, void (*visit)(int value, void *user), void *user);`
    fn cb_each(
        v: *const c_int,
        n: usize,
        visit: unsafe extern "C" fn(value: c_int, user: *mut c_void),
        user: *mut c_void,
    );
    /// `size_t cb_each_until(const int *v, size_t n, int (*visit)(int value, void *user), void *user);`
    fn cb_each_until(
        v: *const c_int,
        n: usize,
        visit: unsafe extern "C" fn(value: c_int, user: *mut c_void) -> c_int,
        user: *mut c_void,
    ) -> usize;
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
///
/// All 10: cb_each has no way to be told to stop, so it calls `visit` for
/// every value. The trampoline catches the panic at the third call, and on
/// the seven calls after it returns at once without calling the closure.
pub const TRAMPOLINE_CALLS_WHEN_THE_THIRD_PANICS: usize = 10;

/// `cb_each`'s `visit` for a closure of type `F`: `user` is the `Visit<F>`
/// that `for_each` made.
unsafe extern "C" fn each_trampoline<F: FnMut(c_int)>(value: c_int, user: *mut c_void) {
    // SAFETY: `user` is the `&mut Visit<F>` that for_each passed to cb_each,
    // for this very F. C hands it back unchanged, during cb_each and on the
    // calling thread, so this is the only reference to it while it is used.
    let visit = unsafe { &mut *user.cast::<Visit<F>>() };
    if visit.panic.is_some() {
        // C cannot be told to stop: skip the values after a panic.
        return;
    }
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (visit.f)(value))) {
        visit.panic = Some(payload);
    }
}

/// Calls `f` on each value, in order, from C's `cb_each`. A panic in `f`
/// stops the calls to `f` and reaches the caller once C has returned.
pub fn for_each<F: FnMut(c_int)>(values: &[c_int], f: F) {
    let mut visit = Visit::new(f);
    // SAFETY: the pointer is valid for reading `len` ints; the trampoline is
    // instantiated for this F and `user` points to a Visit<F> that lives on
    // this stack frame until after cb_each returns (C keeps no pointer).
    unsafe {
        cb_each(
            values.as_ptr(),
            values.len(),
            each_trampoline::<F>,
            (&raw mut visit).cast(),
        )
    };
    visit.finish();
}

/// `cb_each_until`'s `visit` for a closure of type `F`: its status is 0 to
/// go on, 1 to stop, and a panic stops C too.
unsafe extern "C" fn until_trampoline<F: FnMut(c_int) -> ControlFlow<()>>(
    value: c_int,
    user: *mut c_void,
) -> c_int {
    // SAFETY: as in each_trampoline: `user` is visit_until's `&mut Visit<F>`.
    let visit = unsafe { &mut *user.cast::<Visit<F>>() };
    match catch_unwind(AssertUnwindSafe(|| (visit.f)(value))) {
        Ok(ControlFlow::Continue(())) => 0,
        Ok(ControlFlow::Break(())) => 1,
        Err(payload) => {
            visit.panic = Some(payload);
            1
        }
    }
}

/// Calls `f` on each value, in order, from C's `cb_each_until`, until `f`
/// returns `ControlFlow::Break(())`: the index of that value, or `None` when
/// `f` never said stop. A panic in `f` stops C at once and reaches the
/// caller once C has returned.
pub fn visit_until<F: FnMut(c_int) -> ControlFlow<()>>(values: &[c_int], f: F) -> Option<usize> {
    let mut visit = Visit::new(f);
    // SAFETY: as in for_each.
    let stopped = unsafe {
        cb_each_until(
            values.as_ptr(),
            values.len(),
            until_trampoline::<F>,
            (&raw mut visit).cast(),
        )
    };
    visit.finish();
    (stopped < values.len()).then_some(stopped)
}
