//! Given: the field, its text file, and the generator of the lesson's
//! "bottle" field (`data/bottle.dat`).
//!
//! The file format is the source course's: a header line `# NX NY`, then NX
//! lines (rows, i = 0..NX) of NY numbers each (columns, j = 0..NY), separated
//! by spaces. Element (i, j) is stored at `i * ny + j` (row-major, C order).

use std::fmt;
use std::path::{Path, PathBuf};

/// An `nx` × `ny` field of values, row-major: (i, j) is at `i * ny + j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub nx: usize,
    pub ny: usize,
    pub values: Vec<f64>,
}

impl Field {
    /// A field from its values. Panics unless there are exactly `nx * ny`.
    pub fn new(nx: usize, ny: usize, values: Vec<f64>) -> Field {
        assert_eq!(
            values.len(),
            nx * ny,
            "a {nx} × {ny} field needs {} values",
            nx * ny
        );
        Field { nx, ny, values }
    }

    /// The value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(
            i < self.nx && j < self.ny,
            "({i}, {j}) is outside the {} × {} field",
            self.nx,
            self.ny
        );
        self.values[i * self.ny + j]
    }

    /// The field as the text file format: `# NX NY`, then one line per row.
    /// Numbers are written so that reading them back gives the same bits.
    pub fn to_text(&self) -> String {
        let mut text = format!("# {} {}\n", self.nx, self.ny);
        for row in self.values.chunks(self.ny.max(1)).take(self.nx) {
            let numbers: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
            text.push_str(&numbers.join(" "));
            text.push('\n');
        }
        text
    }
}

/// Why a field file could not be read. `line` counts from 1, as editors do.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    /// The file could not be opened or read.
    Io { path: PathBuf, message: String },
    /// The file was read, but line `line` is not what the format needs.
    Format { line: usize, message: String },
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::Io { path, message } => {
                write!(
                    f,
                    "cannot read the field file {}: {message}",
                    path.display()
                )
            }
            FieldError::Format { line, message } => write!(f, "line {line}: {message}"),
        }
    }
}

impl std::error::Error for FieldError {}

fn format_error(line: usize, message: String) -> FieldError {
    FieldError::Format { line, message }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// Reads a field from the text format. Every mistake is reported with its
/// line number: a missing or wrong header, a row with too few or too many
/// numbers, something that is not a number, too few or too many rows.
pub fn parse(text: &str) -> Result<Field, FieldError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line));
    let header_help = "the first line must be a header `# NX NY` (rows, then columns, \
                       two whole numbers above 0), for example `# 200 200`";
    let (nx, ny) = match lines.next() {
        None => return Err(format_error(1, format!("the file is empty; {header_help}"))),
        Some((_, header)) => {
            let words: Vec<&str> = header.split_whitespace().collect();
            let size = |word: &str| word.parse::<usize>().ok().filter(|&n| n > 0);
            match words.as_slice() {
                ["#", nx, ny] => match (size(nx), size(ny)) {
                    (Some(nx), Some(ny)) => (nx, ny),
                    _ => {
                        return Err(format_error(
                            1,
                            format!("found `{}`; {header_help}", shorten(header)),
                        ));
                    }
                },
                _ => {
                    return Err(format_error(
                        1,
                        format!("found `{}`; {header_help}", shorten(header)),
                    ));
                }
            }
        }
    };
    let cells = nx
        .checked_mul(ny)
        .ok_or_else(|| format_error(1, format!("a {nx} × {ny} field is too large")))?;

    let mut values = Vec::with_capacity(cells);
    let mut rows = 0;
    let mut last_line = 1;
    for (line, content) in lines {
        last_line = line;
        if content.trim().is_empty() {
            continue;
        }
        if rows == nx {
            return Err(format_error(
                line,
                format!("there are more rows than the {nx} the header gives"),
            ));
        }
        let mut count = 0;
        for word in content.split_whitespace() {
            count += 1;
            if count > ny {
                continue;
            }
            match word.parse::<f64>() {
                Ok(value) if value.is_finite() => values.push(value),
                _ => {
                    return Err(format_error(
                        line,
                        format!(
                            "number {count} of the row, `{}`, is not a finite number",
                            shorten(word)
                        ),
                    ));
                }
            }
        }
        if count != ny {
            return Err(format_error(
                line,
                format!("this row has {count} numbers, but the header says {ny} columns"),
            ));
        }
        rows += 1;
    }
    if rows < nx {
        return Err(format_error(
            last_line + 1,
            format!("the file ends after {rows} rows, but the header says {nx}"),
        ));
    }
    Ok(Field::new(nx, ny, values))
}

/// Reads a field file.
pub fn read_file(path: &Path) -> Result<Field, FieldError> {
    let text = std::fs::read_to_string(path).map_err(|e| FieldError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    parse(&text)
}

/// Where the lesson's field file lives: `data/bottle.dat` in this crate,
/// in the workbook the program runs in (found when it runs: nothing of the
/// folder it was compiled in is kept in it).
pub fn bottle_path() -> PathBuf {
    workbook_support::workbook_root()
        .unwrap_or_default()
        .join("exercises/06_evolve/data/bottle.dat")
}

/// The temperature outside the bottle and inside it.
pub const WARM: f64 = 95.0;
pub const COLD: f64 = 6.0;

/// The lesson's initial field: `WARM` everywhere, `COLD` inside a bottle
/// standing upright (neck at the top, i = 0), centred in the columns.
/// The shape is given in fractions of the field, so any size works;
/// `data/bottle.dat` is `bottle(200, 200)`, written by
/// `cargo run -p evolve --bin make_field`.
pub fn bottle(nx: usize, ny: usize) -> Field {
    let mut values = Vec::with_capacity(nx * ny);
    for i in 0..nx {
        // The bottle's half width at this height, as a fraction of ny.
        let y = (i as f64 + 0.5) / nx as f64;
        let half_width = if (0.13..0.16).contains(&y) {
            0.075 // the lip
        } else if (0.16..0.31).contains(&y) {
            0.055 // the neck
        } else if (0.31..0.43).contains(&y) {
            // the shoulders: a quarter ellipse from the neck out to the body
            let t = (y - 0.31) / 0.12;
            0.055 + 0.145 * (1.0 - (1.0 - t) * (1.0 - t)).sqrt()
        } else if (0.43..0.86).contains(&y) {
            0.2 // the body
        } else if (0.86..0.88).contains(&y) {
            0.19 // the rounded base
        } else {
            -1.0
        };
        for j in 0..ny {
            let x = (j as f64 + 0.5) / ny as f64 - 0.5;
            values.push(if x.abs() < half_width { COLD } else { WARM });
        }
    }
    Field::new(nx, ny, values)
}
