//! Lesson 10's checks of behaviour: C's refusals as `io::Error`s with
//! errno's reason, the values a ledger keeps, closing it, and the type's
//! promises about threads and copies (Send yes, Sync no, never Clone or
//! Copy). Then the program's output. What the type does with C's memory is
//! checked by tests/memory.rs, under valgrind.

use std::io::{self, ErrorKind};

use handles::{Ledger, MAX_CAPACITY};

fn new(capacity: usize) -> Ledger {
    Ledger::new(capacity).unwrap_or_else(|error| {
        panic!("Ledger::new({capacity}) failed, but C accepts any capacity from 1 to {MAX_CAPACITY}: {error}")
    })
}

/// `error` carries errno `errno` (and so the right kind).
fn assert_errno(error: &io::Error, errno: i32, what: &str) {
    assert_eq!(
        error.raw_os_error(),
        Some(errno),
        "{what} should be the io::Error C reported through errno ({}), but it is {error:?}. \
         Build it with io::Error::last_os_error() right after the C call that failed, \
         before any other call (section \"errno, read at once\").",
        io::Error::from_raw_os_error(errno)
    );
}

#[test]
fn a_refused_create_is_an_error_not_a_panic_nor_a_null() {
    for capacity in [0, MAX_CAPACITY + 1, usize::MAX] {
        match Ledger::new(capacity) {
            Ok(ledger) => panic!(
                "Ledger::new({capacity}) returned a ledger ({ledger:?}), but ledger_create \
                 returns NULL for it: a NULL from C is an error, never a Ledger"
            ),
            Err(error) => {
                assert_errno(&error, libc::EINVAL, &format!("Ledger::new({capacity})"));
                assert_eq!(error.kind(), ErrorKind::InvalidInput);
            }
        }
    }
}

#[test]
fn push_len_and_balance() {
    let mut ledger = new(4);
    assert_eq!(ledger.len(), 0, "a new ledger holds no amounts");
    assert!(ledger.is_empty());
    assert_eq!(ledger.balance(), 0, "a new ledger's balance is 0");
    let mut want = 0;
    for (i, amount) in [1250, -300, 4000, -1].into_iter().enumerate() {
        ledger.push(amount).unwrap_or_else(|error| {
            panic!("push({amount}) into a ledger with room was refused: {error}")
        });
        want += amount;
        assert_eq!(ledger.len(), i + 1, "len() after {} pushes", i + 1);
        assert_eq!(ledger.balance(), want, "balance() after pushing {amount}");
    }
}

#[test]
fn cs_refusals_are_errors_with_errnos_reason() {
    let mut ledger = new(2);
    let error = ledger.push(0).expect_err(
        "push(0) should be refused: ledger_push returned -1 and set errno to EINVAL for \
             an amount of 0. Look at the int it returns: -1 means failure",
    );
    assert_errno(&error, libc::EINVAL, "push(0)");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);

    ledger.push(5).expect("push(5) into an empty ledger for 2");
    ledger
        .push(7)
        .expect("push(7) into a ledger holding 1 of 2");
    let error = ledger.push(9).expect_err(
        "push(9) into a full ledger should be refused: ledger_push returned -1 and set \
         errno to ENOSPC. Look at the int it returns: -1 means failure",
    );
    assert_errno(&error, libc::ENOSPC, "push into a full ledger");
    assert_eq!(error.kind(), ErrorKind::StorageFull);
    assert_eq!(ledger.len(), 2, "a refused push adds nothing");
    assert_eq!(ledger.balance(), 12, "a refused push changes no balance");

    let mut big = new(3);
    big.push(i64::MAX)
        .expect("push(i64::MAX) into an empty ledger");
    let error = big
        .push(1)
        .expect_err("push(1) on a balance of i64::MAX should be refused (EOVERFLOW)");
    assert_errno(
        &error,
        libc::EOVERFLOW,
        "push that would overflow the balance",
    );
    big.push(-1)
        .expect("push(-1) on a balance of i64::MAX fits");
    assert_eq!(big.balance(), i64::MAX - 1);
}

#[test]
fn close_returns_the_final_balance() {
    let mut ledger = new(3);
    ledger.push(40).unwrap();
    ledger.push(2).unwrap();
    assert_eq!(ledger.close(), 42, "close() should return the balance, 42");
    assert_eq!(new(1).close(), 0, "closing an empty ledger gives 0");
}

#[test]
fn thread_safety_is_decided_by_what_the_c_does() {
    assert!(
        impls::impls!(Ledger: Send),
        "Ledger is not Send, so a ledger cannot move to another thread. May it? The \
         compiler cannot tell for C: read what csrc/handles.h says about threads, decide, \
         and write the promise down with a SAFETY comment (the lesson's \"Send and Sync\")."
    );
    assert!(
        !impls::impls!(Ledger: Sync),
        "Ledger is Sync, so two threads may share a &Ledger and call its &self methods at \
         the same time. Is every C function behind a &self method safe to run that way on \
         one ledger? Read csrc/handles.h's note on each, then the lesson's \"Send and Sync\"."
    );
}

#[test]
fn a_handle_cannot_be_copied() {
    assert!(
        !impls::impls!(Ledger: Clone) && !impls::impls!(Ledger: Copy),
        "Ledger must not be Clone or Copy: a copy holds the same C pointer, and each copy \
         would call ledger_destroy when dropped, destroying the ledger twice. One Ledger, \
         one owner."
    );
}

#[test]
fn an_option_of_a_ledger_costs_nothing() {
    assert_eq!(
        std::mem::size_of::<Option<Ledger>>(),
        std::mem::size_of::<*mut u8>(),
        "Option<Ledger> should be one pointer wide: keep the handle in a NonNull, which is \
         never null, so that None can be the null pointer"
    );
}

#[test]
fn program_output() {
    let stdout =
        workbook_support::testing::program_stdout(env!("CARGO_BIN_EXE_handles"), "handles");
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}
