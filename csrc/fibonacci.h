/* fibonacci.h: one step of the Fibonacci sequence over two C ints. */
#ifndef FIBONACCI_H
#define FIBONACCI_H

#include "dll_export.h"

/* If *a == F(k) and *b == F(k+1) on entry, then on return
 * *a == F(k+1) and *b == F(k+2).
 * Start with *a = 0 (F(0)) and *b = 1 (F(1)).
 * The sum is an `int` addition, and signed overflow is undefined behaviour
 * in C: never call this when *a + *b would not fit in an int. (Which call is
 * the first that would? Lesson 5 has you work it out.) */
DLL_EXPORT void fibo(int *a, int *b);

#endif
