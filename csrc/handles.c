#include "handles.h"

#include <errno.h>
#include <stdlib.h>

struct ledger {
    int64_t *amounts; /* a second allocation: a leaked ledger leaks both */
    size_t len;
    size_t capacity;
    int64_t total;        /* kept exact by ledger_push, for its checks */
    int64_t cached;       /* ledger_balance's cache ...                */
    int cache_valid;      /* ... valid until the next push             */
};

struct ledger *ledger_create(size_t capacity)
{
    if (capacity == 0 || capacity > LEDGER_MAX_CAPACITY) {
        errno = EINVAL;
        return NULL;
    }
    struct ledger *ledger = malloc(sizeof *ledger);
    if (ledger == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    ledger->amounts = malloc(capacity * sizeof *ledger->amounts);
    if (ledger->amounts == NULL) {
        free(ledger);
        errno = ENOMEM;
        return NULL;
    }
    ledger->len = 0;
    ledger->capacity = capacity;
    ledger->total = 0;
    ledger->cached = 0;
    ledger->cache_valid = 1;
    return ledger;
}

int ledger_push(struct ledger *ledger, int64_t amount)
{
    if (amount == 0) {
        errno = EINVAL;
        return -1;
    }
    if (ledger->len == ledger->capacity) {
        errno = ENOSPC;
        return -1;
    }
    if ((amount > 0 && ledger->total > INT64_MAX - amount) ||
        (amount < 0 && ledger->total < INT64_MIN - amount)) {
        errno = EOVERFLOW;
        return -1;
    }
    ledger->amounts[ledger->len++] = amount;
    ledger->total += amount;
    ledger->cache_valid = 0;
    return 0;
}

size_t ledger_len(const struct ledger *ledger)
{
    return ledger->len;
}

int64_t ledger_balance(struct ledger *ledger)
{
    if (!ledger->cache_valid) {
        int64_t sum = 0;
        for (size_t i = 0; i < ledger->len; i++) {
            sum += ledger->amounts[i];
        }
        ledger->cached = sum;
        ledger->cache_valid = 1;
    }
    return ledger->cached;
}

void ledger_destroy(struct ledger *ledger)
{
    if (ledger == NULL) {
        return;
    }
    free(ledger->amounts);
    free(ledger);
}
