//! The lesson's probe, run by the grader (not by libtest: `harness = false`).
//! It calls the lesson's API on inputs drawn from the grader's seed and
//! prints what it observes; the grader compares that with the reference
//! solution's on the same seed (workbook_support::probe; AUTHORING.md).

use c_strings::{Pointer, StringError};
use workbook_support::probe::Probe;

/// A word drawn from the seed: ASCII letters, sometimes an accented one
/// (several bytes in UTF-8), sometimes a NUL inside.
fn word(probe: &mut Probe) -> String {
    let len = probe.range(0, 12) as usize;
    (0..len)
        .map(|_| match probe.range(0, 20) {
            0 => '\0',
            1 => 'é',
            2 => 'ü',
            _ => *probe.pick(&['a', 'e', 'i', 'o', 'u', 'b', 'k', 'r', 's', 't', 'y', 'Z']),
        })
        .collect()
}

fn shown<T: std::fmt::Debug>(result: Result<T, StringError>) -> String {
    format!("{result:?}")
}

fn main() {
    let mut probe = Probe::from_env();
    probe.observe("version()", shown(c_strings::version()));
    for pointer in [Pointer::Version, Pointer::Greeting, Pointer::NameArgument] {
        probe.observe(
            format!("who_frees({pointer:?})"),
            format!("{:?}", c_strings::who_frees(pointer)),
        );
    }
    for _ in 0..6 {
        let text = word(&mut probe);
        let key = format!("{text:?}").replace(' ', "\\u{20}");
        probe.observe(
            format!("count_vowels({key})"),
            shown(c_strings::count_vowels(&text)),
        );
        probe.observe(format!("greet({key})"), shown(c_strings::greet(&text)));
    }
    // A long name: C cuts it, perhaps inside a character.
    let long: String = (0..probe.range(20, 80))
        .map(|i| if i % 3 == 0 { 'é' } else { 'a' })
        .collect();
    probe.observe(
        format!("greet(long,{}bytes)", long.len()),
        shown(c_strings::greet(&long)),
    );
    probe.observe(
        format!("greet_lossy(long,{}bytes)", long.len()),
        shown(c_strings::greet_lossy(&long)),
    );
    probe.end();
}
