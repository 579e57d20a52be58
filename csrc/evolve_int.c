/* The heat-equation step as the source course's evolve.c wrote it: every
 * index computed in `int` arithmetic. It is here only for lesson 6's
 * benchmark (exercises/06_evolve/benches/steps.rs), which builds it twice:
 * with -O3 alone, and with -O3 -fwrapv, the flag Python passes to the C
 * compiler when CFFI's API mode builds an extension.
 *
 * Why the flag matters: signed overflow is undefined behaviour in C, so at
 * plain -O3 the compiler may assume `i * ny + j` never wraps, widen it to a
 * 64-bit induction variable and vectorise the loop. -fwrapv defines
 * overflow as wrapping, so the compiler must keep every index a 32-bit int
 * that could wrap, and the loop is not vectorised (ask GCC:
 * `gcc -O3 -fopt-info-vec-optimized -c -o /dev/null csrc/evolve_int.c`,
 * with and without -fwrapv). csrc/evolve.c indexes with size_t and is as
 * fast either way.
 *
 * The source indexed (i, j) as `j + i*nx`, which is right only on square
 * grids; this copy uses the row-major `i*ny + j` (the same on the square
 * grids the benchmark runs), so that its results can be checked.
 *
 * The function's name is set by the build (EVOLVE_INT_NAME), so that both
 * builds can be linked into one program. */
#include <string.h>

#ifndef EVOLVE_INT_NAME
#define EVOLVE_INT_NAME evolve_int
#endif

void EVOLVE_INT_NAME(double *u, double *u_previous, int nx, int ny,
                     double a, double dt, double dx2, double dy2)
{
    int i, j;
    int ij, ip, im, jp, jm;
    for (i = 1; i < nx - 1; i++) {
        for (j = 1; j < ny - 1; j++) {
            ij = i * ny + j;
            ip = (i + 1) * ny + j;
            im = (i - 1) * ny + j;
            jp = i * ny + (j + 1);
            jm = i * ny + (j - 1);
            u[ij] = u_previous[ij] + a * dt *
                ((u_previous[ip] - 2.0 * u_previous[ij] + u_previous[im]) / dx2 +
                 (u_previous[jp] - 2.0 * u_previous[ij] + u_previous[jm]) / dy2);
        }
    }
    if (nx > 0 && ny > 0) {
        memcpy(u_previous, u, (size_t)nx * (size_t)ny * sizeof(double));
    }
}
