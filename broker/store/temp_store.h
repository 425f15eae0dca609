/*
 * temp_store.h - the temp store: where non-persistent messages wait when a
 * queue's memory window is full or memory is short (ActiveMQ's
 * tmp_storage, limited by systemUsage/tempUsage).
 *
 * It is a store (store.h) in the broker's tmpDataDirectory, opened on
 * first use and emptied at every start: its messages are not meant to
 * survive the process. Its commits are not synced.
 */
#ifndef TANDEM_TEMP_STORE_H
#define TANDEM_TEMP_STORE_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* The temp store, opened now if need be; NULL when it cannot be opened
 * (said once in the log; the broker then keeps messages in memory). */
struct store *temp_store(void);

/* The temp store if it is open, else NULL. */
struct store *temp_store_if_open(void);

/* False when it failed to open (then nothing spills). */
bool temp_store_usable(void);

/* Bytes in use (0 before the first use). */
long long temp_store_used(void);

/* A seq for a message the temp store is about to hold: from the
 * persistent store's sequence when there is one, so that messages of
 * both stores sort together in arrival order. */
uint64_t temp_store_seq(void);

/* Commits what is queued and closes; removes its files. */
void temp_store_close(void);

#endif
