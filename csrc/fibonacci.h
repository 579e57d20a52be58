/* fibonacci.h: one step of the Fibonacci sequence over two C ints. */
#ifndef FIBONACCI_H
#define FIBONACCI_H

#include "dll_export.h"

/* If *a == F(k) and *b == F(k+1) on entry, then on return
 * *a == F(k+1) and *b == F(k+2).
 * Start with *a = 0 (F(0)) and *b = 1 (F(1)).
 * The sum is an `int` addition: F(47) = 2971215073 does not fit in a 32-bit
 * int, and signed overflow is undefined behaviour in C, so never call this
 * when *b is F(46) or larger, i.e. when it would compute F(47) or beyond. */
DLL_EXPORT void fibo(int *a, int *b);

#endif
