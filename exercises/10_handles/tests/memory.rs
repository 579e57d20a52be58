//! Lesson 10's memory checks, under valgrind: ledgers created, used,
//! closed, dropped, moved and refused, and valgrind
//! reports any ledger destroyed twice, used after it was destroyed, or never
//! destroyed (a leak). In an ordinary run a leak changes no value, and a
//! double destroy may or may not crash: valgrind sees both every time.

use workbook_support::memcheck::{self, Kind};

use handles::Ledger;

/// Run by `valgrind_finds_no_memory_mistakes`, inside valgrind.
#[test]
#[ignore = "run under valgrind by valgrind_finds_no_memory_mistakes"]
fn every_ledger_lives_once() {
    // Dropped at the end of the scope.
    {
        let mut ledger = Ledger::new(3).expect("a ledger for 3");
        let _ = ledger.push(10);
        let _ = ledger.push(0); // refused: nothing changes
        let _ = (ledger.len(), ledger.balance());
    }
    // Closed on purpose: destroyed there, and not again by Drop.
    let mut closed = Ledger::new(2).expect("a ledger for 2");
    let _ = closed.push(5);
    let _ = closed.close();
    // Refused: nothing to destroy.
    let _ = Ledger::new(0);
    // Moved into a Vec and out again: still one owner, one destroy.
    let mut many: Vec<Ledger> = (1..=3).filter_map(|n| Ledger::new(n).ok()).collect();
    let last = many.pop();
    drop(many);
    let _ = last.map(Ledger::close);
    // (Not moved to another thread here: that needs Send at compile time,
    // and the exercise must compile before Send is decided. The Send and
    // Sync checks are in tests/wrapper.rs.)
}

fn advice(kind: Kind) -> &'static str {
    match kind {
        Kind::FreedTwice | Kind::UseAfterFree => {
            "Each ledger is destroyed exactly once. If close() calls ledger_destroy, Drop must \
             not run afterwards for the same Ledger: wrap it in ManuallyDrop (or mem::forget \
             it) before destroying. And never give Ledger Clone or Copy: each copy would \
             destroy the same ledger (section \"One owner for one handle\")."
        }
        Kind::Leak => {
            "A ledger was never destroyed: implement Drop for Ledger, calling ledger_destroy \
             on its pointer, so that every Ledger that goes out of scope releases its C \
             memory (section \"One owner for one handle\")."
        }
        Kind::WrongFree | Kind::MismatchedFree => {
            "Only ledger_destroy releases a ledger: never Box::from_raw or libc's free on \
             C's pointer."
        }
        Kind::OutOfBounds | Kind::Other => {
            "Pass C exactly the pointer ledger_create returned, and only while that ledger \
             is alive."
        }
    }
}

#[test]
fn valgrind_finds_no_memory_mistakes() {
    memcheck::assert_no_memory_mistakes("every_ledger_lives_once", advice);
}
