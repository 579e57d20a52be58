//! Given: statistics of a field, comparisons between fields, and the timing
//! table the program prints.

use std::fmt;
use std::time::Duration;

use crate::Field;

/// A summary of a field: enough to see a wrong step without printing 40 000
/// numbers. `probes` are values at a few fixed cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub nx: usize,
    pub ny: usize,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    pub probes: Vec<((usize, usize), f64)>,
}

/// Cells to probe, as fractions of the field: a corner, the bottle's neck,
/// shoulder and centre, points just inside and outside its side, the middle
/// of the right edge, the far corner.
const PROBES: [(f64, f64); 8] = [
    (0.0, 0.0),
    (0.2, 0.5),
    (0.35, 0.42),
    (0.5, 0.5),
    (0.65, 0.31),
    (0.65, 0.29),
    (0.5, 1.0),
    (1.0, 1.0),
];

impl Stats {
    pub fn of(field: &Field) -> Stats {
        let (mut sum, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
        for &v in &field.values {
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
        let probes = if field.values.is_empty() {
            Vec::new()
        } else {
            PROBES
                .iter()
                .map(|&(fi, fj)| {
                    let i = ((fi * field.nx as f64) as usize).min(field.nx - 1);
                    let j = ((fj * field.ny as f64) as usize).min(field.ny - 1);
                    ((i, j), field.get(i, j))
                })
                .collect()
        };
        Stats {
            nx: field.nx,
            ny: field.ny,
            sum,
            min,
            max,
            probes,
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "field {} × {}", self.nx, self.ny)?;
        writeln!(f, "  sum  {:.6}", self.sum)?;
        writeln!(f, "  min  {:.6}", self.min)?;
        writeln!(f, "  max  {:.6}", self.max)?;
        for ((i, j), v) in &self.probes {
            writeln!(f, "  u[{i:>3}][{j:>3}] = {v:.6}")?;
        }
        Ok(())
    }
}

/// The largest `|a - b|` over all cells, and the first cell where it occurs.
/// Panics if the fields have different sizes.
pub fn max_abs_diff(a: &Field, b: &Field) -> (f64, (usize, usize)) {
    assert_eq!((a.nx, a.ny), (b.nx, b.ny), "fields of different sizes");
    let mut worst = (0.0, (0, 0));
    for (k, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
        let d = (x - y).abs();
        // A NaN counts as the worst difference of all.
        if d > worst.0 || (d.is_nan() && !worst.0.is_nan()) {
            worst = (d, (k / a.ny.max(1), k % a.ny.max(1)));
        }
    }
    worst
}

/// A table of how long each way took, and its speed-up over the slowest.
pub fn timing_table(rows: &[(&str, Duration)]) -> String {
    let slowest = rows.iter().map(|(_, t)| *t).max().unwrap_or_default();
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("{:<width$}  {:>12}  {:>9}\n", "way", "time", "speed-up");
    for (name, time) in rows {
        let speed_up = slowest.as_secs_f64() / time.as_secs_f64().max(1e-12);
        let time = format!("{time:.2?}");
        out.push_str(&format!("{name:<width$}  {time:>12}  {speed_up:>8.1}×\n"));
    }
    out
}
