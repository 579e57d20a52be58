/* repr_c.c: see repr_c.h. */
#include "repr_c.h"

#include <math.h>

void particles_step(struct particle *p, size_t n, double dt)
{
    for (size_t i = 0; i < n; i++) {
        p[i].x += p[i].vx * dt;
        p[i].y += p[i].vy * dt;
        uint16_t flags = 0;
        if (p[i].vx != 0.0 || p[i].vy != 0.0) {
            flags |= PARTICLE_MOVED;
        }
        if (p[i].x < 0.0 || p[i].x > 1.0 || p[i].y < 0.0 || p[i].y > 1.0) {
            flags |= PARTICLE_OUTSIDE;
        }
        p[i].flags = flags;
    }
}

int particle_centre(const struct particle *p, size_t n, struct point *out)
{
    if (n == 0) {
        return PARTICLE_EMPTY;
    }
    double sx = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++) {
        sx += p[i].x;
        sy += p[i].y;
    }
    if (!isfinite(sx) || !isfinite(sy)) {
        return PARTICLE_NOT_FINITE;
    }
    out->x = sx / (double)n;
    out->y = sy / (double)n;
    return PARTICLE_OK;
}

int particles_nearest_kind(const struct particle *p, size_t n, struct point at)
{
    if (n == 0) {
        return 0;
    }
    size_t best = 0;
    double best_d2 = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double dx = p[i].x - at.x, dy = p[i].y - at.y;
        double d2 = dx * dx + dy * dy;
        if (d2 < best_d2) {
            best = i;
            best_d2 = d2;
        }
    }
    return p[best].kind;
}

/* Writes values[0..count) to offsets[0..n), at most, and returns count. */
static size_t copy_offsets(const size_t *values, size_t count, size_t *offsets, size_t n)
{
    for (size_t i = 0; i < count && i < n; i++) {
        offsets[i] = values[i];
    }
    return count;
}

size_t particle_size(void) { return sizeof(struct particle); }
size_t particle_align(void) { return _Alignof(struct particle); }

size_t particle_offsets(size_t *offsets, size_t n)
{
    const size_t values[] = {
        offsetof(struct particle, kind), offsetof(struct particle, x),
        offsetof(struct particle, y),    offsetof(struct particle, vx),
        offsetof(struct particle, vy),   offsetof(struct particle, flags),
    };
    return copy_offsets(values, sizeof values / sizeof values[0], offsets, n);
}

size_t point_size(void) { return sizeof(struct point); }
size_t point_align(void) { return _Alignof(struct point); }

size_t point_offsets(size_t *offsets, size_t n)
{
    const size_t values[] = {offsetof(struct point, x), offsetof(struct point, y)};
    return copy_offsets(values, sizeof values / sizeof values[0], offsets, n);
}
