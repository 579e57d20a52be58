/* ABI_add.c: built into a shared library before any Rust code runs:
 *   make build/libABI_add.so      (or: cargo run -p checker -- build-c)
 * Including our own header lets the compiler check that the definition
 * matches the declaration that callers (and the Rust bindings) rely on. */
#include "ABI_add.h"

void add(double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) {
        a[i] += b[i];
    }
}
