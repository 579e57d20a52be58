/* One explicit time step of the 2-D heat equation; see evolve.h.
 *
 * The interior of an nx x ny field is updated with the five-point stencil
 *
 *   u[i][j] = u_previous[i][j] + a*dt*(
 *       (u_previous[i+1][j] - 2*u_previous[i][j] + u_previous[i-1][j]) / dx2 +
 *       (u_previous[i][j+1] - 2*u_previous[i][j] + u_previous[i][j-1]) / dy2)
 *
 * in row-major order: (i, j) is at i*ny + j, so the neighbours i+1 and i-1 are
 * ny places away and j+1, j-1 are next door. */
#include <stddef.h>
#include <string.h>

#include "evolve.h"

/* The formula for one cell. It is `static` (private to this file) so that the
 * compiler inlines it into evolve()'s loop even in a shared library, where an
 * exported function like evolve_point() may be replaced by another library's
 * at load time and so is not inlined (try it: calling evolve_point() from the
 * loop makes the .so's evolve() about twice as slow). */
static inline double stencil(const double *u_previous, size_t ij, size_t row,
                             double a, double dt, double dx2, double dy2)
{
    double centre = u_previous[ij];
    return centre + a * dt * ((u_previous[ij + row] - 2.0 * centre + u_previous[ij - row]) / dx2 +
                              (u_previous[ij + 1] - 2.0 * centre + u_previous[ij - 1]) / dy2);
}

double evolve_point(const double *u_previous, int ny, int i, int j,
                    double a, double dt, double dx2, double dy2)
{
    size_t row = (size_t)ny;
    return stencil(u_previous, (size_t)i * row + (size_t)j, row, a, dt, dx2, dy2);
}

void evolve(double *u, double *u_previous, int nx, int ny,
            double a, double dt, double dx2, double dy2)
{
    if (nx <= 0 || ny <= 0) {
        return;
    }
    for (int i = 1; i < nx - 1; i++) {
        for (int j = 1; j < ny - 1; j++) {
            size_t ij = (size_t)i * (size_t)ny + (size_t)j;
            u[ij] = stencil(u_previous, ij, (size_t)ny, a, dt, dx2, dy2);
        }
    }
    /* The new field becomes the previous one for the next step. */
    memcpy(u_previous, u, (size_t)nx * (size_t)ny * sizeof(double));
}
