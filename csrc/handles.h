/* handles: a C library with an opaque type, used through a pointer from
 * ledger_create to ledger_destroy. Lesson 10 wraps it in a safe Rust type.
 *
 * A ledger holds up to `capacity` amounts (in cents) and their balance.
 * The struct is private to handles.c: callers only ever hold a pointer.
 *
 * Errors: functions that can fail return NULL or -1 and set errno.
 * Threads: the library has no global or thread-local state, so a ledger may
 * be used from any thread, one thread at a time. Nothing is locked: two
 * calls on the same ledger at the same time, even ledger_balance, which
 * updates a cache, are a data race. */
#ifndef HANDLES_H
#define HANDLES_H

#include <stddef.h>
#include <stdint.h>

/* The largest capacity ledger_create accepts. */
#define LEDGER_MAX_CAPACITY 1000000

struct ledger;

/* A new, empty ledger for at most `capacity` amounts. NULL with errno set to
 * EINVAL when capacity is 0 or above LEDGER_MAX_CAPACITY, or to ENOMEM when
 * memory runs out. Release it with ledger_destroy, exactly once. */
struct ledger *ledger_create(size_t capacity);

/* Adds an amount. 0 on success; -1 with errno set to:
 *   EINVAL    amount is 0 (an entry of nothing is refused),
 *   ENOSPC    the ledger already holds `capacity` amounts,
 *   EOVERFLOW the balance would not fit in an int64_t. */
int ledger_push(struct ledger *ledger, int64_t amount);

/* How many amounts the ledger holds. */
size_t ledger_len(const struct ledger *ledger);

/* The sum of the amounts. Computed when first asked after a change and
 * cached in the ledger: this WRITES to the ledger, though it only reads the
 * amounts, so it takes a non-const pointer. */
int64_t ledger_balance(struct ledger *ledger);

/* Frees the ledger and everything in it. NULL does nothing. Using the
 * ledger afterwards, or destroying it twice, is undefined behaviour. */
void ledger_destroy(struct ledger *ledger);

#endif
