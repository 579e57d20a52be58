/* fibonacci.c: one Fibonacci step.
 * Built into libfibonacci.so for the ABI half of lesson 5
 *   (make build/libfibonacci.so, or: cargo run -p checker -- build-c)
 * and compiled by exercises/05_fibonacci/build.rs for its API half.
 *
 * The source lesson's version started from the two values swapped and so
 * printed a stray 0; this one is the plain step, and the caller starts it
 * at a = F(0) = 0, b = F(1) = 1. */
#include "fibonacci.h"

void fibo(int *a, int *b)
{
    int next = *a + *b;
    *a = *b;
    *b = next;
}
