/* generated.h: lesson 11's header, read by bindgen (exercises/11_generated_bindings/build.rs).
 *
 * It holds one of each thing a C header can say, to see which of them bindgen
 * can turn into Rust: a constant, a function-like macro, a struct, an enum, a
 * `static inline` function and an ordinary function. Only the last is in the
 * compiled library (csrc/generated.c); everything else exists only while a C
 * compiler reads this file.
 */
#ifndef GENERATED_H
#define GENERATED_H

/* Real headers include system headers, and each brings dozens of names the
 * bindings do not need (int8_t, INT8_MIN, __uint64_t, ...). */
#include <stdint.h>

/* A constant: the preprocessor replaces the name by 64 before the compiler
 * sees it. bindgen turns it into a Rust `const`. */
#define GENERATED_MAX_POINTS 64

/* A function-like macro: text substitution, for any type, with no type of
 * its own. The parentheses keep SQUARE(a + 1) from becoming a + 1 * a + 1.
 * Nothing of it reaches the compiled library, and bindgen cannot bring it
 * over: it is not a function. */
#define SQUARE(x) ((x) * (x))

/* A point in the plane. */
typedef struct generated_point {
    double x;
    double y;
} generated_point;

/* The unit a length is reported in. */
enum generated_unit {
    GENERATED_METRES = 0,
    GENERATED_FEET = 1
};

/* A `static inline` function: each C file that includes this header gets
 * its own private copy, so there is no symbol for Rust to link to. */
static inline double generated_distance_squared(generated_point a, generated_point b)
{
    return SQUARE(a.x - b.x) + SQUARE(a.y - b.y);
}

/* The length of the path through points[0], ..., points[n-1] (in metres),
 * reported in `unit`. Returns -1 when n is negative or greater than
 * GENERATED_MAX_POINTS, -2 for a unit this header does not name. */
double generated_path_length(const generated_point *points, int32_t n, enum generated_unit unit);

#endif
