//! `grade --shard K/N`: one fixed part of a batch, so that a class can be
//! graded on N machines at once (a CI matrix) and merged afterwards.
//!
//! A submission's shard depends on its reported name alone, through FNV-1a
//! (a fixed algorithm, unlike std's randomly seeded hasher): the same
//! submission always falls in the same shard, whatever else is graded and
//! on whichever machine. Names are made unique over the whole command line
//! (`alice`, `alice (2)`), so every shard must be given the same list.

use std::fmt;
use std::hash::Hasher;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
}

/// More shards than this is a typo, not a class.
pub const MAX_SHARDS: u32 = 1000;

impl Shard {
    /// Whether the submission reported as `name` is graded in this shard.
    pub fn contains(&self, name: &str) -> bool {
        let mut hasher = fnv::FnvHasher::default();
        hasher.write(name.as_bytes());
        hasher.finish() % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = || {
            format!(
                "`{text}` is not a shard: write K/N, the K-th of N parts (1 <= K <= N <= \
                 {MAX_SHARDS}), such as 2/4"
            )
        };
        let (k, n) = text.split_once('/').ok_or_else(usage)?;
        let index: u32 = k.trim().parse().map_err(|_| usage())?;
        let count: u32 = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count || count > MAX_SHARDS {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", "1/1001", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_name_falls_in_exactly_one_shard_and_always_the_same() {
        let names: Vec<String> = (0..200).map(|i| format!("student-{i}")).collect();
        for count in [1, 2, 3, 10] {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            let mut sizes = vec![0; count as usize];
            for name in &names {
                let holding: Vec<&Shard> = shards.iter().filter(|s| s.contains(name)).collect();
                assert_eq!(holding.len(), 1, "{name} in {count} shards");
                sizes[holding[0].index as usize - 1] += 1;
            }
            // FNV spreads names well enough that no shard is empty here.
            assert!(sizes.iter().all(|&n| n > 0), "{sizes:?}");
        }
        // A fixed function of the name: these are FNV-1a's values, so a
        // change of hasher (which would move students between shards
        // across versions) fails here.
        let two = |index| Shard { index, count: 2 };
        let placed: Vec<u32> = ["alice", "bob", "carol", "dave"]
            .iter()
            .map(|n| if two(1).contains(n) { 1 } else { 2 })
            .collect();
        let expected: Vec<u32> = ["alice", "bob", "carol", "dave"]
            .iter()
            .map(|n| (fnv1a(n.as_bytes()) % 2 + 1) as u32)
            .collect();
        assert_eq!(placed, expected);
    }

    /// FNV-1a, 64 bits, from its definition.
    fn fnv1a(bytes: &[u8]) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }
}
