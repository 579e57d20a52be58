//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use handles::Ledger;
use workbook_support::probe::Probe;

/// The error's kind, as errno makes it (its number is the system's).
fn error(err: std::io::Error) -> String {
    format!("Err({:?})", err.kind())
}

fn main() {
    let mut probe = Probe::from_env();
    for capacity in [0, handles::MAX_CAPACITY + 1] {
        let made = Ledger::new(capacity).map(|ledger| ledger.len());
        probe.observe(
            format!("Ledger::new({capacity})"),
            made.map_or_else(error, |n| format!("Ok(len {n})")),
        );
    }
    for round in 0..3 {
        let capacity = probe.range(1, 6) as usize;
        let mut ledger = match Ledger::new(capacity) {
            Ok(ledger) => ledger,
            Err(err) => {
                probe.observe(format!("Ledger::new({capacity})#{round}"), error(err));
                continue;
            }
        };
        for i in 0..capacity + 1 {
            let amount = probe.range(-1000, 1000);
            let pushed = ledger.push(amount).map_or_else(error, |()| "Ok".into());
            probe.observe(format!("#{round}.push({amount})#{i}"), pushed);
        }
        probe.observe(
            format!("#{round}.len,is_empty,balance"),
            format!(
                "{},{},{}",
                ledger.len(),
                ledger.is_empty(),
                ledger.balance()
            ),
        );
        // Half the ledgers closed by hand, half dropped.
        if probe.range(0, 1) == 0 {
            probe.observe(format!("#{round}.close()"), ledger.close());
        } else {
            drop(ledger);
            probe.observe(format!("#{round}.drop"), "done");
        }
    }
    probe.end();
}
