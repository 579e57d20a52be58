/* ABI_add.h: the interface of the prebuilt library libABI_add.so.
 *
 * Lesson 3 calls `add` through this declaration, written in Rust: once beside
 * the call (libloading, "ABI in-line") and once in a bindings module
 * (exercises/03_abi_add/src/bindings.rs, "ABI out-of-line").
 */
#ifndef ABI_ADD_H
#define ABI_ADD_H

#include "dll_export.h"

/* a[i] += b[i] for 0 <= i < n.
 * `a` and `b` must each point to at least n doubles; b is only read.
 * (The source lesson wrote `double *b`; `const` says what the function
 * already did, and lets Rust pass `b.as_ptr()` without a cast.) */
DLL_EXPORT void add(double *a, const double *b, int n);

#endif
