/*
 * memtrim.h - memory given back to the system when the broker goes idle.
 */
#ifndef TANDEM_MEMTRIM_H
#define TANDEM_MEMTRIM_H

#include <stdbool.h>

struct loop;

/* Starts looking, once a second, whether messages came or went; 0, or -1
 * when memory runs out. */
int memtrim_start(struct loop *l);

/* A connection closed: what it held (subscriptions, transactions,
 * buffers) counts as activity, so the next quiet second may give it
 * back. `much`: it held a lot (thousands of subscriptions), given back at
 * the next tick even while messages flow. */
void memtrim_conn_closed(bool much);

#endif
