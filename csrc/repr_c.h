/* repr_c.h: particles in a plane, as a C library keeps them.
 *
 * struct particle is laid out by the C compiler: each field starts at a
 * multiple of its own alignment, so there are gaps (padding) after `kind`
 * and after `flags`. A Rust struct that C reads through a pointer must have
 * exactly these offsets: in Rust that takes #[repr(C)] and the same fields
 * in the same order.
 */
#ifndef REPR_C_H
#define REPR_C_H

#include <stddef.h>
#include <stdint.h>

/* What a particle is made of. C stores it in a uint8_t and hands it around
 * as an int; nothing in C stops any other number from being stored. */
enum kind {
    KIND_DUST = 1,
    KIND_ICE = 2,
    KIND_ROCK = 3
};

/* Bits of struct particle's `flags`, set by particles_step. */
#define PARTICLE_MOVED 0x1   /* it moved in the last step */
#define PARTICLE_OUTSIDE 0x2 /* it is outside the unit square [0, 1] x [0, 1] */

struct point {
    double x, y;
};

struct particle {
    uint8_t kind;   /* an enum kind value */
    double x, y;    /* position */
    double vx, vy;  /* velocity */
    uint16_t flags; /* PARTICLE_MOVED | PARTICLE_OUTSIDE */
};

/* particle_centre's results. */
#define PARTICLE_OK 0
#define PARTICLE_EMPTY (-1)      /* n was 0: there is no centre */
#define PARTICLE_NOT_FINITE (-2) /* a position is NaN or infinite */

/* One time step for each of the n particles of the array p, in place:
 * x += vx * dt, y += vy * dt, then flags says whether it moved and whether
 * it is now outside the unit square. `kind` is left as it is. */
void particles_step(struct particle *p, size_t n, double dt);

/* The mean position of the n particles. Returns PARTICLE_OK after writing it
 * to *out; PARTICLE_EMPTY or PARTICLE_NOT_FINITE without touching *out. */
int particle_centre(const struct particle *p, size_t n, struct point *out);

/* The `kind` of the particle nearest to `at` (the first one, on a tie), as
 * an int: whatever that particle's kind byte holds, checked or not. Returns
 * 0 when n is 0. */
int particles_nearest_kind(const struct particle *p, size_t n, struct point at);

/* How this C compiler laid the structs out, for comparing with Rust:
 * sizeof and _Alignof, and the offsetof of each field in declaration order
 * (particle: kind, x, y, vx, vy, flags; point: x, y), written to
 * offsets[0], offsets[1], ..., at most n of them. The *_offsets functions
 * return how many fields the struct has. */
size_t particle_size(void);
size_t particle_align(void);
size_t particle_offsets(size_t *offsets, size_t n);
size_t point_size(void);
size_t point_align(void);
size_t point_offsets(size_t *offsets, size_t n);

#endif
