/*
 * kahadb_offline.h - a KahaDB store imported into Tandem's store with no
 * broker running: `tandemd --import-kahadb DIR` (and `tandemctl
 * import-kahadb DIR`, which runs it).
 *
 * The same import as a master's (kahadb_import.h), under the same lock
 * a master holds (DIR/lock, the one ActiveMQ's and Tandem's brokers of a
 * pair take), so that it never runs beside a broker serving that
 * directory: a held lock is refused, naming its holder.
 */
#ifndef TANDEM_KAHADB_OFFLINE_H
#define TANDEM_KAHADB_OFFLINE_H

#include <stddef.h>

/* Imports the KahaDB store in dir into Tandem's store in dir (made if
 * absent), commits, and moves the KahaDB files aside. 0 when imported;
 * 1 when dir holds no KahaDB store (nothing done); -1 with the reason in
 * err, the KahaDB files untouched; KAHADB_OFFLINE_LOCKED (with the
 * holder in err) when a broker holds the directory's lock. */
#define KAHADB_OFFLINE_LOCKED (-2)
int kahadb_import_offline(const char *dir, char *err, size_t errlen);

#endif
