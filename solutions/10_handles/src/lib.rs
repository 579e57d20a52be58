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

// SAFETY: csrc/handles.h says the library has no global or thread-local
// state, so a ledger may be used from any thread, one at a time. Moving the
// Ledger to another thread moves the only pointer to it, so the old thread
// can no longer touch it.
unsafe impl Send for Ledger {}

// No `Sync`: `balance` takes `&self` but C writes its cache, without a lock.
// Two threads sharing a `&Ledger` could call it at once: a data race.

impl Ledger {
    /// A new, empty ledger for at most `capacity` amounts. An error with
    /// errno's reason when C refuses (`InvalidInput` for a capacity of 0 or
    /// above [`MAX_CAPACITY`], `OutOfMemory` when memory runs out).
    pub fn new(capacity: usize) -> io::Result<Ledger> {
        // SAFETY: ledger_create takes any size_t; it returns either a new
        // ledger that we now own, or NULL with errno set.
        let raw = unsafe { ledger_create(capacity) };
        // errno at once: any further call may change it.
        let raw = NonNull::new(raw).ok_or_else(io::Error::last_os_error)?;
        Ok(Ledger { raw })
    }

    /// Adds `amount`. An error with errno's reason when C refuses:
    /// `InvalidInput` for 0, `StorageFull` when full, and EOVERFLOW when the
    /// balance would not fit in an `i64`.
    pub fn push(&mut self, amount: i64) -> io::Result<()> {
        // SAFETY: `raw` is a live ledger owned by `self` (not destroyed:
        // only Drop and close destroy it, and both consume the Ledger);
        // `&mut self` means no other call on it runs at the same time.
        let status = unsafe { ledger_push(self.raw.as_ptr(), amount) };
        if status == 0 {
            Ok(())
        } else {
            // Read errno before anything else can call into C.
            Err(io::Error::last_os_error())
        }
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
        // SAFETY: a live ledger owned by `self`. ledger_balance writes its
        // cache through this pointer although we hold only `&self`: sound
        // because Ledger is not Sync, so no other thread can hold a `&Ledger`
        // and call this at the same time.
        unsafe { ledger_balance(self.raw.as_ptr()) }
    }

    /// Destroys the ledger now and returns its final balance.
    pub fn close(self) -> i64 {
        let balance = self.balance();
        // Drop must not run for `self`: it would destroy the ledger again.
        let this = ManuallyDrop::new(self);
        // SAFETY: the ledger is live and owned by `this`, which is never
        // dropped and never used again: destroyed exactly once.
        unsafe { ledger_destroy(this.raw.as_ptr()) };
        balance
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        // SAFETY: the ledger is live (close forgets its Ledger, so Drop runs
        // only for ledgers never closed) and nothing can use it after this.
        unsafe { ledger_destroy(self.raw.as_ptr()) };
    }
}
