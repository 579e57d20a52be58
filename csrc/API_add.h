/* API_add.h: the interface of API_add.c, which lesson 4's build.rs compiles
 * (with the `cc` crate) and links into the Rust crate itself. */
#ifndef API_ADD_H
#define API_ADD_H

/* a[i] += b[i] for 0 <= i < n; `a` and `b` point to at least n doubles. */
void API_add(double *a, const double *b, int n);

#endif
