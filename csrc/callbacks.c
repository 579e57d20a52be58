/* callbacks.c: see callbacks.h. */
#include "callbacks.h"

#include <stdlib.h>

void cb_sort(int *v, size_t n, int (*cmp)(const void *a, const void *b))
{
    if (n > 1) {
        qsort(v, n, sizeof v[0], cmp);
    }
}

void cb_each(const int *v, size_t n, void (*visit)(int value, void *user), void *user)
{
    for (size_t i = 0; i < n; i++) {
        visit(v[i], user);
    }
}

size_t cb_each_until(const int *v, size_t n, int (*visit)(int value, void *user), void *user)
{
    for (size_t i = 0; i < n; i++) {
        if (visit(v[i], user) != 0) {
            return i;
        }
    }
    return n;
}
