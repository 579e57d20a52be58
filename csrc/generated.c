/* generated.c: the one function of csrc/generated.h that is compiled into a
 * library. exercises/11_generated_bindings/build.rs compiles it with cc. */
#include <math.h>

#include "generated.h"

/* One foot is exactly 0.3048 metres. */
#define METRES_PER_FOOT 0.3048

double generated_path_length(const generated_point *points, int32_t n, enum generated_unit unit)
{
    if (n < 0 || n > GENERATED_MAX_POINTS) {
        return -1.0;
    }
    double metres = 0.0;
    for (int32_t i = 1; i < n; i++) {
        metres += sqrt(generated_distance_squared(points[i - 1], points[i]));
    }
    switch (unit) {
    case GENERATED_METRES:
        return metres;
    case GENERATED_FEET:
        return metres / METRES_PER_FOOT;
    }
    return -2.0;
}
