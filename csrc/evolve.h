/* One explicit time step of the 2-D heat equation.
 *
 * The field is nx x ny values of type double, stored row-major (C order):
 * element (i, j), with i in 0..nx and j in 0..ny, is at index i*ny + j.
 * The source lesson indexed j + i*nx, which is the same thing only when
 * nx == ny; on any other grid it reads and writes the wrong cells.
 */
#ifndef EVOLVE_H
#define EVOLVE_H

#include "dll_export.h"

/* Computes the new field into u from u_previous on the interior
 * (1 <= i < nx-1, 1 <= j < ny-1; the edges stay fixed), then copies u into
 * u_previous so the next call starts from the new field. Both arrays must
 * hold nx*ny doubles and must not overlap. */
DLL_EXPORT void evolve(double *u, double *u_previous, int nx, int ny,
                       double a, double dt, double dx2, double dy2);

/* The new value of one interior cell (i, j), the formula evolve() applies to
 * every interior cell. It exists to measure what one FFI call costs (see the
 * lesson's benchmark): calling it once per cell is the slow way to use C. */
DLL_EXPORT double evolve_point(const double *u_previous, int ny, int i, int j,
                               double a, double dt, double dx2, double dy2);

#endif
