//! Lesson 10: an opaque C handle, owned by a safe Rust type.
//!
//! `csrc/handles.c` (compiled into this crate by build.rs) keeps a ledger of
//! amounts behind a pointer to a struct whose fields only the C can see:
//!
//! ```c
//! struct ledger *ledger_create(size_t capacity);   /* NULL + errno      */
//! int ledger_push(struct ledger *, int64_t amount); /* -1 + errno        */
//! size_t ledger_len(const struct ledger *);
//! int64_t ledger_balance(struct ledger *);          /* writes a cache    */
//! void ledger_destroy(struct ledger *);             /* exactly once      */
//! ```
//!
//! [`Ledger`] owns one such pointer from `ledger_create` to
//! `ledger_destroy`: a safe program can neither use it after it is
//! destroyed, nor destroy it twice, nor forget to destroy it.
//!
//! You fill in the parts marked TODO; the opaque type, the C declarations,
//! the struct and the simple getters are given.

// Until every TODO is done, some of what is given is not used yet.
#![allow(dead_code, unused_imports)]

use std::ffi::c_int;
use std::io;
use std::marker::{PhantomData, PhantomPinned};
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

/// C's `struct ledger`, whose fields Rust never sees: a type that cannot be
/// made, moved or read from Rust, only pointed to (the Rustonomicon's
/// pattern for opaque C types). The marker keeps it from being Send, Sync or
/// Unpin on its own: whoever holds a pointer to it decides.
#[repr(C)]
pub struct RawLedger {
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

// The C functions, declared from csrc/handles.h.
unsafe extern "C" {
    fn ledger_create(capacity: usize) -> *mut RawLedger;
    fn ledger_push(ledger: *mut RawLedger, amount: i64) -> c_int;
    fn ledger_len(ledger: *const RawLedger) -> usize;
    fn ledger_balance(ledger: *mut RawLedger) -> i64;
    fn ledger_destroy(ledger: *mut RawLedger);
}

/// The largest capacity `ledger_create` accepts (`LEDGER_MAX_CAPACITY`).
pub const MAX_CAPACITY: usize = 1_000_000;

/// A C ledger, owned: created by [`Ledger::new`], destroyed exactly once,
/// by [`Ledger::close`] or when the `Ledger` is dropped.
///
/// Not `Clone` or `Copy`: two copies of the pointer would both destroy it.
#[derive(Debug)]
pub struct Ledger {
    /// Never null (so `Option<Ledger>` is one pointer wide, and no method
    /// needs to check), and owned by this value alone.
    raw: NonNull<RawLedger>,
}

// TODO (section "Send and Sync"): may a Ledger move to another thread
// (Send)? May two threads share a &Ledger (Sync)? NonNull is neither, so
// the compiler has decided "no" to both for you. Read what csrc/handles.h
// says about threads, and what `balance` does through `&self`; then promise
// what the C allows, with an `unsafe impl` and a `// SAFETY:` comment
// saying why, and nothing more.

impl Ledger {
    /// A new, empty ledger for at most `capacity` amounts. An error with
    /// errno's reason when C refuses (`InvalidInput` for a capacity of 0 or
    /// above [`MAX_CAPACITY`], `OutOfMemory` when memory runs out).
    pub fn new(capacity: usize) -> io::Result<Ledger> {
        // TODO (section "errno, read at once"): the mirror of C's
        //     struct ledger *l = ledger_create(capacity);
        //     if (l == NULL) { perror("ledger_create"); ... }
        // A NULL is an io::Error built from errno (io::Error::last_os_error),
        // returned to the caller: never a Ledger, never a panic. Otherwise
        // the new Ledger owns the pointer, kept as a NonNull.
        let _ = capacity;
        todo!("write Ledger::new (src/lib.rs)")
    }

    /// Adds `amount`. An error with errno's reason when C refuses:
    /// `InvalidInput` for 0, `StorageFull` when full, and EOVERFLOW when the
    /// balance would not fit in an `i64`.
    pub fn push(&mut self, amount: i64) -> io::Result<()> {
        // TODO (section "errno, read at once"): call ledger_push. It returns
        // 0 on success, and -1 with errno set when it refuses: turn that into
        // the io::Error errno describes, read before anything else runs.
        let _ = amount;
        todo!("write Ledger::push (src/lib.rs)")
    }

    /// How many amounts the ledger holds.
    pub fn len(&self) -> usize {
        // SAFETY: a live ledger owned by `self`; ledger_len only reads it.
        unsafe { ledger_len(self.raw.as_ptr()) }
    }

    /// Whether the ledger holds no amounts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sum of the amounts.
    pub fn balance(&self) -> i64 {
        // TODO: call ledger_balance. Its C takes a non-const pointer: it
        // writes a cache inside the ledger. Say in the `// SAFETY:` comment
        // why that is sound through `&self` (and see "Send and Sync").
        todo!("write Ledger::balance (src/lib.rs)")
    }

    /// Destroys the ledger now and returns its final balance.
    pub fn close(self) -> i64 {
        // TODO (section "One owner for one handle"): destroy the ledger now,
        // with ledger_destroy, and return the balance it had. `self` is
        // consumed, so its Drop would run at the end of this function and
        // destroy the ledger a second time: make sure it does not.
        todo!("write Ledger::close (src/lib.rs)")
    }
}

// TODO (section "One owner for one handle"): every Ledger that is dropped
// without being closed must release its C ledger, exactly once, with
// ledger_destroy: implement Drop for Ledger.
