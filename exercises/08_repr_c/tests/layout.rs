//! Lesson 8's first checks: your `Particle` and `Point` have exactly the
//! layout the C compiler gave `struct particle` and `struct point`, asked of
//! C itself (sizeof, _Alignof, offsetof in csrc/repr_c.c). And the question:
//! how much of a particle is padding?

use repr_c::layout::{self, ADVICE};

#[test]
fn particle_is_laid_out_as_c_lays_out_struct_particle() {
    let found = layout::differences(
        "struct particle",
        &layout::particle_in_c(),
        "Particle",
        &layout::particle_in_rust(),
    );
    assert!(
        found.is_empty(),
        "Your Particle (src/particle.rs) is not laid out like struct particle \
         (csrc/repr_c.h):\n  - {}\n{ADVICE}",
        found.join("\n  - ")
    );
}

#[test]
fn point_is_laid_out_as_c_lays_out_struct_point() {
    let found = layout::differences(
        "struct point",
        &layout::point_in_c(),
        "Point",
        &layout::point_in_rust(),
    );
    assert!(
        found.is_empty(),
        "Point (src/particle.rs) is not laid out like struct point \
         (csrc/repr_c.h):\n  - {}\nKeep it #[repr(C)] with x then y, both f64.",
        found.join("\n  - ")
    );
}

#[test]
fn padding_bytes_is_what_the_fields_leave_over() {
    let c = layout::particle_in_c();
    // What the fields hold: uint8_t, four doubles, uint16_t.
    let data = size_of::<u8>() + 4 * size_of::<f64>() + size_of::<u16>();
    // Asked, never told: the failure names no expected number.
    assert!(
        repr_c::PADDING_BYTES == c.size - data,
        "PADDING_BYTES (src/particle.rs) is {}, but that is not how many bytes of \
         struct particle are padding. Work it out from the offsets the program prints \
         (`cargo run -p repr_c`): where each field ends and the next one begins, and \
         where the last field ends and the whole struct ({} bytes) ends.",
        repr_c::PADDING_BYTES,
        c.size
    );
}
