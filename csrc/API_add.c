/* API_add.c: compiled as part of the Rust build ("API out-of-line"):
 * exercises/04_api_add/build.rs hands this file to the `cc` crate, which
 * compiles it into a static library that is linked into the Rust crate. */
#include "API_add.h"

void API_add(double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) {
        a[i] += b[i];
        /* or some algorithm that is seriously faster in C */
    }
}
