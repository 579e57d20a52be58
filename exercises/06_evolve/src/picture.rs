//! Given: pictures of the field as PNG files.
//!
//! One pixel per cell (row i of the field is row i of the picture, column j
//! is column j), coloured with a brown-blue-green diverging colour map (the
//! ColorBrewer "BrBG" map the source course used): cold is brown, the middle
//! of the range is nearly white, warm is blue-green. On the right a colour bar
//! shows the scale, labelled with its top, middle and bottom values.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use crate::Field;

/// ColorBrewer's 11-class BrBG, from the low end (brown) to the high (green).
const BRBG: [[u8; 3]; 11] = [
    [0x54, 0x30, 0x05],
    [0x8c, 0x51, 0x0a],
    [0xbf, 0x81, 0x2d],
    [0xdf, 0xc2, 0x7d],
    [0xf6, 0xe8, 0xc3],
    [0xf5, 0xf5, 0xf5],
    [0xc7, 0xea, 0xe5],
    [0x80, 0xcd, 0xc1],
    [0x35, 0x97, 0x8f],
    [0x01, 0x66, 0x5e],
    [0x00, 0x3c, 0x30],
];

/// The colour of `value` on a scale from `low` to `high` (values outside are
/// clamped), interpolated linearly between the map's colours.
pub fn colour(value: f64, low: f64, high: f64) -> [u8; 3] {
    let t = if high > low {
        ((value - low) / (high - low)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let position = t * (BRBG.len() - 1) as f64;
    let index = (position.floor() as usize).min(BRBG.len() - 2);
    let frac = position - index as f64;
    let (a, b) = (BRBG[index], BRBG[index + 1]);
    let mix = |k: usize| (a[k] as f64 + (b[k] as f64 - a[k] as f64) * frac).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// How many pixels the colour bar and its labels add on the right.
pub const LEGEND_WIDTH: usize = 72;
const GAP: usize = 8;
const BAR_WIDTH: usize = 14;
const INK: [u8; 3] = [0x20, 0x20, 0x20];

/// A 3 × 5 pixel font for the labels: each row is 3 bits, the top bit left.
fn glyph(c: char) -> Option<[u8; 5]> {
    Some(match c {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 7, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 1, 1],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        '.' => [0, 0, 0, 0, 2],
        '-' => [0, 0, 7, 0, 0],
        _ => return None,
    })
}

struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    fn set(&mut self, row: usize, col: usize, c: [u8; 3]) {
        if row < self.height && col < self.width {
            let at = 3 * (row * self.width + col);
            self.rgb[at..at + 3].copy_from_slice(&c);
        }
    }

    /// Writes `text` with its top-left corner at (row, col), each font pixel
    /// drawn as a 2 × 2 square.
    fn text(&mut self, row: usize, col: usize, text: &str) {
        for (n, c) in text.chars().enumerate() {
            let Some(rows) = glyph(c) else { continue };
            for (r, bits) in rows.iter().enumerate() {
                for b in 0..3 {
                    if bits & (4 >> b) != 0 {
                        for (dr, dc) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                            self.set(row + 2 * r + dr, col + n * 8 + 2 * b + dc, INK);
                        }
                    }
                }
            }
        }
    }
}

/// Draws `field` with the colour scale `low..=high` and a labelled colour
/// bar. The picture is `field.ny + LEGEND_WIDTH` pixels wide and `field.nx`
/// high; the field's cell (i, j) is pixel (row i, column j). Returns the
/// picture as RGB bytes, row by row, with its width and height.
pub fn render(field: &Field, low: f64, high: f64) -> (Vec<u8>, usize, usize) {
    let width = field.ny + LEGEND_WIDTH;
    let height = field.nx;
    let mut canvas = Canvas {
        width,
        height,
        rgb: vec![255; 3 * width * height],
    };
    for i in 0..field.nx {
        for j in 0..field.ny {
            canvas.set(i, j, colour(field.get(i, j), low, high));
        }
    }
    // The colour bar: high at the top, low at the bottom, a dark frame.
    let bar_left = field.ny + GAP;
    let (top, bottom) = (
        if height > 20 { 5 } else { 0 },
        height.saturating_sub(if height > 20 { 6 } else { 1 }),
    );
    for row in top..=bottom {
        let t = if bottom > top {
            (bottom - row) as f64 / (bottom - top) as f64
        } else {
            0.5
        };
        let c = colour(low + t * (high - low), low, high);
        for col in bar_left..bar_left + BAR_WIDTH {
            let edge =
                row == top || row == bottom || col == bar_left || col == bar_left + BAR_WIDTH - 1;
            canvas.set(row, col, if edge { INK } else { c });
        }
    }
    // Labels at the top, middle and bottom, when there is room for them.
    if height >= 40 {
        let label_col = bar_left + BAR_WIDTH + 4;
        let middle = (top + bottom) / 2;
        for (row, value) in [(top, high), (middle, (low + high) / 2.0), (bottom, low)] {
            for col in bar_left + BAR_WIDTH..label_col - 1 {
                canvas.set(row, col, INK);
            }
            let label = format!("{value:.1}");
            canvas.text(row.saturating_sub(4).min(height - 10), label_col, &label);
        }
    }
    (canvas.rgb, width, height)
}

/// Writes the picture of `field` (see [`render`]) to `path` as a PNG file.
pub fn write_png(path: &Path, field: &Field, low: f64, high: f64) -> io::Result<()> {
    let (rgb, width, height) = render(field, low, high);
    let file = BufWriter::new(File::create(path)?);
    let to_u32 = |n: usize| u32::try_from(n).map_err(|_| io::Error::other("picture too large"));
    let mut encoder = png::Encoder::new(file, to_u32(width)?, to_u32(height)?);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(io::Error::other)?;
    writer.write_image_data(&rgb).map_err(io::Error::other)?;
    writer.finish().map_err(io::Error::other)?;
    Ok(())
}
