/*
 * kahadb_scheduler.h - ActiveMQ's scheduler store, found and counted, not
 * imported.
 *
 * A broker with schedulerSupport keeps the messages sent with
 * AMQ_SCHEDULED_DELAY, AMQ_SCHEDULED_PERIOD or AMQ_SCHEDULED_CRON as
 * jobs in a journal of their own (JobSchedulerStoreImpl: db-N.log in
 * <dataDirectory>/<brokerName>/scheduler, not in the KahaDB store).
 * Tandem has no scheduler, so an import cannot carry them over: it says
 * how many there are and where, and leaves those files as they are, for
 * ActiveMQ to deliver (kahadb_import.h).
 *
 * Where it looks: beside the KahaDB directory, in DIR/../<any>/scheduler/,
 * which is where ActiveMQ puts it when kahaDB's directory is
 * <dataDirectory>/kahadb, as in ActiveMQ's own defaults; a master also
 * looks where its configuration puts it, <dataDirectory>/<brokerName>/
 * scheduler (broker@schedulerDirectory is not read).
 */
#ifndef TANDEM_KAHADB_SCHEDULER_H
#define TANDEM_KAHADB_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

/* Called for each scheduler store found: its directory, how many jobs it
 * still holds and from how many journal commands; err non-NULL when its
 * journal could not be read completely (jobs is then what was read). */
typedef void kahadb_scheduler_fn(void *ctx, const char *dir, size_t jobs, size_t commands,
				 const char *err);

/* Looks for the scheduler stores beside kahadb_dir, and in also (NULL:
 * nowhere else; a master names <dataDirectory>/<brokerName>/scheduler,
 * ActiveMQ's place for it), and counts their pending jobs: how many
 * stores with jobs were found. */
int kahadb_scheduler_find(const char *kahadb_dir, const char *also, kahadb_scheduler_fn *fn,
			  void *ctx);

/* The same count over one journal file's bytes (as db-1.log): 0, or -1
 * with the reason in err; jobs and commands say what was read either way
 * (the fuzz harness's entry, t/fuzz/kahadb_scheduler.c). */
int kahadb_scheduler_count(const uint8_t *data, size_t size, size_t *jobs, size_t *commands,
			   char *err, size_t errlen);

#endif
