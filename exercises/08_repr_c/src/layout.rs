//! Given (read it, but it is not a file you edit): how the C compiler laid
//! out `struct particle` and `struct point`, and how Rust laid out your
//! `Particle` and `Point`, side by side. The program prints the comparison,
//! and the tests refuse to hand C a single particle until the two agree:
//! with any difference, C would read and write the wrong bytes.

use std::mem::{align_of, offset_of, size_of};

use crate::{Particle, Point};

// C's own answers, computed with sizeof, _Alignof and offsetof in
// csrc/repr_c.c. `size_t` is `usize` in Rust.
unsafe extern "C" {
    fn particle_size() -> usize;
    fn particle_align() -> usize;
    fn particle_offsets(offsets: *mut usize, n: usize) -> usize;
    fn point_size() -> usize;
    fn point_align() -> usize;
    fn point_offsets(offsets: *mut usize, n: usize) -> usize;
}

/// One struct's layout: its size and alignment in bytes, and where each
/// field starts, in C's declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub size: usize,
    pub align: usize,
    pub fields: Vec<(&'static str, usize)>,
}

/// The fields of `struct particle`, in the order csrc/repr_c.h declares them.
pub const PARTICLE_FIELDS: [&str; 6] = ["kind", "x", "y", "vx", "vy", "flags"];
/// The fields of `struct point`, in the order csrc/repr_c.h declares them.
pub const POINT_FIELDS: [&str; 2] = ["x", "y"];

/// Asks C for one struct's layout through its `*_offsets` function.
fn from_c(
    size: usize,
    align: usize,
    names: &[&'static str],
    offsets_of: unsafe extern "C" fn(*mut usize, usize) -> usize,
) -> Layout {
    let mut offsets = vec![0_usize; names.len()];
    // SAFETY: `offsets` holds `names.len()` elements and C writes at most
    // that many (its `n`); it keeps no pointer after returning.
    let count = unsafe { offsets_of(offsets.as_mut_ptr(), offsets.len()) };
    assert_eq!(
        count,
        names.len(),
        "csrc/repr_c.c reports {count} fields but src/layout.rs knows {}: \
         the C has changed, restore it with `git checkout -- csrc`",
        names.len()
    );
    Layout {
        size,
        align,
        fields: names.iter().copied().zip(offsets).collect(),
    }
}

/// `struct particle` as the C compiler laid it out.
pub fn particle_in_c() -> Layout {
    // SAFETY: these C functions take no arguments and only return numbers.
    let (size, align) = unsafe { (particle_size(), particle_align()) };
    from_c(size, align, &PARTICLE_FIELDS, particle_offsets)
}

/// Your `Particle` as Rust laid it out.
pub fn particle_in_rust() -> Layout {
    Layout {
        size: size_of::<Particle>(),
        align: align_of::<Particle>(),
        fields: vec![
            ("kind", offset_of!(Particle, kind)),
            ("x", offset_of!(Particle, x)),
            ("y", offset_of!(Particle, y)),
            ("vx", offset_of!(Particle, vx)),
            ("vy", offset_of!(Particle, vy)),
            ("flags", offset_of!(Particle, flags)),
        ],
    }
}

/// `struct point` as the C compiler laid it out.
pub fn point_in_c() -> Layout {
    // SAFETY: these C functions take no arguments and only return numbers.
    let (size, align) = unsafe { (point_size(), point_align()) };
    from_c(size, align, &POINT_FIELDS, point_offsets)
}

/// `Point` as Rust laid it out.
pub fn point_in_rust() -> Layout {
    Layout {
        size: size_of::<Point>(),
        align: align_of::<Point>(),
        fields: vec![("x", offset_of!(Point, x)), ("y", offset_of!(Point, y))],
    }
}

/// Every difference between C's layout and Rust's, one sentence each.
pub fn differences(c_name: &str, c: &Layout, rust_name: &str, rust: &Layout) -> Vec<String> {
    let mut found = Vec::new();
    for ((field, in_c), (_, in_rust)) in c.fields.iter().zip(&rust.fields) {
        if in_c != in_rust {
            found.push(format!(
                "field `{field}` starts at byte {in_c} of C's {c_name} \
                 but at byte {in_rust} of your {rust_name}"
            ));
        }
    }
    if c.size != rust.size {
        found.push(format!(
            "C's {c_name} is {} bytes long but your {rust_name} is {}",
            c.size, rust.size
        ));
    }
    if c.align != rust.align {
        found.push(format!(
            "C's {c_name} is aligned to {} bytes but your {rust_name} to {}",
            c.align, rust.align
        ));
    }
    found
}

/// Every difference between both structs' layouts in C and in Rust; empty
/// when C and Rust agree on every byte.
pub fn mismatches() -> Vec<String> {
    let mut found = differences(
        "struct particle",
        &particle_in_c(),
        "Particle",
        &particle_in_rust(),
    );
    found.extend(differences(
        "struct point",
        &point_in_c(),
        "Point",
        &point_in_rust(),
    ));
    found
}

/// What to do about a mismatch, for the messages.
pub const ADVICE: &str = "Rust lays out a plain struct as it likes (it may reorder fields to \
    save padding). With #[repr(C)] it follows C's rules: fields in the order written, each at \
    the next multiple of its alignment. Give Particle #[repr(C)] and the fields of struct \
    particle in csrc/repr_c.h, in the same order, with the same types (uint8_t is u8, double \
    is f64, uint16_t is u16). See \"Layout: what #[repr(C)] promises\" in the lesson.";

/// The two layouts as a table, for the program to print.
pub fn table(c: &Layout, rust: &Layout) -> String {
    let mut out = String::from("  field     C   Rust\n");
    for ((field, in_c), (_, in_rust)) in c.fields.iter().zip(&rust.fields) {
        let mark = if in_c == in_rust { "" } else { "  <- differs" };
        out.push_str(&format!("  {field:<6} {in_c:>4} {in_rust:>6}{mark}\n"));
    }
    for (what, in_c, in_rust) in [("size", c.size, rust.size), ("align", c.align, rust.align)] {
        let mark = if in_c == in_rust { "" } else { "  <- differs" };
        out.push_str(&format!("  {what:<6} {in_c:>4} {in_rust:>6}{mark}\n"));
    }
    out
}

/// Panics, naming every difference, unless C and Rust lay out both structs
/// the same way. The tests call it before handing C any particle: with a
/// different layout C would read and write the wrong bytes, or past the end
/// of the array, and crash the checks instead of explaining them.
#[track_caller]
pub fn assert_same_as_c() {
    let mismatches = mismatches();
    assert!(
        mismatches.is_empty(),
        "C and Rust disagree on the layout, so this check hands C no particle:\n  - {}\n\
         Fix Particle first: the layout checks (tests/layout.rs) say how.",
        mismatches.join("\n  - ")
    );
}
