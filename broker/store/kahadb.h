/*
 * kahadb.h - an ActiveMQ KahaDB store left in Tandem's store directory.
 *
 * Tandem reads the same persistenceAdapter/kahaDB@directory as ActiveMQ,
 * so in a rolling replacement a Tandem node can take the lock of a
 * directory whose journal (db-N.log, the index db.data) still holds
 * ActiveMQ's messages. This file only finds them; kahadb_import.h takes
 * them over.
 */
#ifndef TANDEM_KAHADB_H
#define TANDEM_KAHADB_H

#include <stddef.h>

/* The exit status of a broker that could not import such a directory (sysexits.h
 * EX_DATAERR): retrying cannot help, an operator must act. */
#define KAHADB_EXIT_FOUND 65

/* 0 when `dir` holds no KahaDB file with content (absent or empty
 * journals, ActiveMQ's lock file alone, are no store); 1 when it does,
 * with the files and their sizes in err; -1 when dir cannot
 * be read, with the reason in err. */
int kahadb_find(const char *dir, char *err, size_t errlen);

#endif
