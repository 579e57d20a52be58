/* callbacks.h: C functions that call back into their caller.
 *
 * Each takes a function pointer. The visitors also take a `void *user`,
 * which C never looks at and hands back to every call: the one way a caller
 * can give its callback state of its own (a closure's captured variables,
 * in Rust) through a C interface.
 */
#ifndef CALLBACKS_H
#define CALLBACKS_H

#include <stddef.h>

/* Sorts v[0..n) in place with the C library's qsort. cmp(a, b) gets
 * pointers to two elements and returns a negative int when *a goes first,
 * a positive one when *b does, and 0 when they are equal. */
void cb_sort(int *v, size_t n, int (*cmp)(const void *a, const void *b));

/* Calls visit(v[i], user) for i = 0, 1, ..., n - 1, in order. */
void cb_each(const int *v, size_t n, void (*visit)(int value, void *user), void *user);

/* Calls visit(v[i], user) for i = 0, 1, ... until a call returns nonzero
 * (a status: "stop"). Returns the index of that call, or n when every call
 * returned 0. */
size_t cb_each_until(const int *v, size_t n, int (*visit)(int value, void *user), void *user);

#endif
