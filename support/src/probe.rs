//! A lesson's probe: the program (`tests/probe.rs`, `harness = false`) that
//! the grader runs to judge a submission outside libtest's report. It draws
//! inputs from a seed the grader picks afresh for each batch, calls the
//! lesson's public API on them, and prints one observation per line,
//! `NONCE key value`, ending with `NONCE end`. The grader runs the reference
//! solution's probe on the same seed and compares the two line for line:
//! a report printed by learner code gains nothing there, since it would
//! have to hold the right values for inputs nobody knew in advance.
//!
//! The nonce, fresh for every run, only keeps a learner's own prints from
//! being read as observations. Observations must be deterministic for a
//! seed: no addresses, no times, no hash-map orders.

use std::fmt::Display;
use std::io::Write;

/// The variable holding the seed (a `u64` in decimal).
pub const SEED_ENV: &str = "FFI_WORKBOOK_PROBE_SEED";
/// The variable holding the nonce every observation line starts with.
pub const NONCE_ENV: &str = "FFI_WORKBOOK_PROBE_NONCE";
/// The test target a probe is (`tests/probe.rs`).
pub const TARGET: &str = "probe";
/// The key of the last line: the probe ran to its end.
pub const END: &str = "end";

/// A probe's state: the nonce, and a small seeded generator (splitmix64:
/// the same numbers for a seed on every platform, which is all it needs).
#[derive(Debug)]
pub struct Probe {
    nonce: String,
    state: u64,
}

impl Probe {
    /// The probe the grader asked for, from the environment. Run by hand
    /// (`cargo test`), with no seed given, it says what it is and exits 0:
    /// there is nothing to compare it with.
    pub fn from_env() -> Probe {
        let seed = std::env::var(SEED_ENV).ok();
        let nonce = std::env::var(NONCE_ENV).ok();
        match (seed, nonce) {
            (Some(seed), Some(nonce)) if valid_nonce(&nonce) => {
                let Ok(seed) = seed.trim().parse::<u64>() else {
                    eprintln!("probe: {SEED_ENV} must be a number, not {seed:?}");
                    std::process::exit(2);
                };
                Probe::new(seed, nonce)
            }
            _ => {
                println!(
                    "This is the lesson's probe: the grader runs it on inputs of its own \
                     ({SEED_ENV}, {NONCE_ENV}) and compares what it prints with the \
                     reference solution's. Run by hand, it does nothing."
                );
                std::process::exit(0);
            }
        }
    }

    /// A probe with a given seed and nonce (tests of probes).
    pub fn new(seed: u64, nonce: String) -> Probe {
        Probe { nonce, state: seed }
    }

    /// The next number of the generator.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        assert!(low <= high, "an empty range");
        let span = (high as i128 - low as i128 + 1) as u128;
        (low as i128 + (self.next_u64() as u128 % span) as i128) as i64
    }

    /// A number in `[low, high)`, with a short decimal expansion (so that
    /// it prints the same everywhere).
    pub fn float(&mut self, low: f64, high: f64) -> f64 {
        let steps = 1 << 20;
        low + (high - low) * (self.range(0, steps - 1) as f64 / steps as f64)
    }

    /// One of `choices`.
    pub fn pick<'a, T>(&mut self, choices: &'a [T]) -> &'a T {
        &choices[self.range(0, choices.len() as i64 - 1) as usize]
    }

    /// Prints one observation. `key` names what was observed and on which
    /// input (`add(3,4)`); it has no whitespace. `value` is the rest of the
    /// line (line breaks are escaped).
    pub fn observe(&mut self, key: impl Display, value: impl Display) {
        let key = key.to_string();
        assert!(
            !key.is_empty() && !key.contains(char::is_whitespace) && key != END,
            "a probe's key has no whitespace and is not `{END}`: {key:?}"
        );
        let value = value
            .to_string()
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        let mut out = std::io::stdout().lock();
        // Flushed line by line: what was observed before a crash is kept.
        let _ = writeln!(out, "{} {key} {value}", self.nonce);
        let _ = out.flush();
    }

    /// The last line: the probe ran to its end.
    pub fn end(self) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{} {END}", self.nonce);
        let _ = out.flush();
    }
}

/// `[a,b,c]`: a list as a key can hold it (no whitespace), each item as
/// `{:?}` prints it.
pub fn list<T: std::fmt::Debug>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    format!("[{}]", items.join(","))
}

/// `x` to `digits` significant digits: results that pure Rust and C may
/// compute in another order (a last-bit difference) read the same.
pub fn rounded(x: f64, digits: usize) -> String {
    format!("{:.*e}", digits.saturating_sub(1), x)
}

/// `text` with every address (`0x` and hex digits) written `[address]`:
/// addresses change from run to run.
pub fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let digits = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                .len();
        if digits == 0 {
            out.push_str("0x");
        } else {
            out.push_str("[address]");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A nonce is a word of letters and digits (what the checker makes).
fn valid_nonce(nonce: &str) -> bool {
    nonce.len() >= 8 && nonce.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_numbers_every_time() {
        let draw = |seed| {
            let mut probe = Probe::new(seed, "n0nce123".into());
            (0..5).map(|_| probe.range(-10, 10)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        assert!(draw(9).iter().all(|n| (-10..=10).contains(n)));
        // The generator is fixed: these numbers never change.
        let mut probe = Probe::new(0, "n0nce123".into());
        assert_eq!(probe.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn addresses_and_last_bits_are_hidden() {
        assert_eq!(
            without_addresses("at 0x7ffe12ab and 0x1F, not 0x or 0xz"),
            "at [address] and [address], not 0x or 0xz"
        );
        assert_eq!(rounded(0.1 + 0.2, 6), rounded(0.3, 6));
        assert_eq!(rounded(1234.5678, 3), "1.23e3");
        assert_eq!(list(&[1.5, -2.0]), "[1.5,-2.0]");
    }

    #[test]
    fn floats_stay_in_range() {
        let mut probe = Probe::new(3, "n0nce123".into());
        for _ in 0..100 {
            let x = probe.float(-2.0, 2.0);
            assert!((-2.0..2.0).contains(&x), "{x}");
        }
    }
}
