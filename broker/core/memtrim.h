/*
 * memtrim.h - memory given back to the system when the broker goes idle.
 */
#ifndef TANDEM_MEMTRIM_H
#define TANDEM_MEMTRIM_H

struct loop;

/* Starts looking, once a second, whether messages came or went; 0, or -1
 * when memory runs out. */
int memtrim_start(struct loop *l);

#endif
