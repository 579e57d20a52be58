//! `grade --shard K/N`: one fixed part of a batch, so that a class can be
//! graded on N machines at once (a CI matrix) and merged afterwards.
//!
//! The batch's names (made unique over the whole command line: `alice`,
//! `alice (2)`) are put in report order and dealt out in turn: the K-th
//! shard takes the K-th, the (K+N)-th, ... So the shards differ in size by
//! one at most (a hash of each name, as before, gave 6, 2 and 6 of 14), and
//! every shard must be given the same list, which `merge` checks: it deals
//! the merged names out again and finds each in its shard.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::report::name_order;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
}

/// More shards than this is a typo, not a class.
pub const MAX_SHARDS: u32 = 1000;

impl Shard {
    /// Which of the batch's `names` this shard grades: for each name,
    /// whether it is this shard's.
    pub fn picks<S: AsRef<str>>(&self, names: &[S]) -> Vec<bool> {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| name_order(names[a].as_ref(), names[b].as_ref()));
        let mut picked = vec![false; names.len()];
        for (rank, &i) in order.iter().enumerate() {
            picked[i] = rank as u64 % u64::from(self.count) == u64::from(self.index - 1);
        }
        picked
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
    fn every_name_falls_in_exactly_one_shard_and_shards_are_even() {
        let names: Vec<String> = (0..200).map(|i| format!("student-{i}")).collect();
        for count in [1, 2, 3, 10, 14, 300] {
            let shards: Vec<Vec<bool>> = (1..=count)
                .map(|index| Shard { index, count }.picks(&names))
                .collect();
            let mut sizes = vec![0usize; count as usize];
            for i in 0..names.len() {
                let holding: Vec<usize> = (0..count as usize).filter(|&k| shards[k][i]).collect();
                assert_eq!(holding.len(), 1, "{} in {count} shards", names[i]);
                sizes[holding[0]] += 1;
            }
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "{count} shards: {sizes:?}");
        }
        // The 14 of the issue, in 3 shards: 5, 5 and 4 (a hash gave 6/2/6).
        let fourteen: Vec<String> = (0..14).map(|i| format!("s{i}")).collect();
        let sizes: Vec<usize> = (1..=3)
            .map(|index| {
                Shard { index, count: 3 }
                    .picks(&fourteen)
                    .iter()
                    .filter(|p| **p)
                    .count()
            })
            .collect();
        assert_eq!(sizes, [5, 5, 4]);
        // Dealt in report order, whatever the order given.
        let given = ["carol", "alice", "Bob", "dave"];
        let first = Shard { index: 1, count: 2 }.picks(&given);
        assert_eq!(first, [true, true, false, false]);
    }
}
