/*
 * temp_store.c - the temp store of non-persistent messages (see
 * temp_store.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "temp_store.h"

static struct store *temp;
static bool failed;		/* said so once; not tried again */

static void on_temp_event(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)fd;
	(void)events;
	(void)ctx;
	store_complete(temp);
	broker_store_progress();
}

struct store *temp_store(void)
{
	if (temp || failed)
		return temp;
	const char *dir = broker.cfg->temp_directory;
	char err[512];
	temp = store_open_scratch(dir, err, sizeof err);
	if (temp && loop_add_fd(broker.loop, store_event_fd(temp), LOOP_READ, on_temp_event,
				NULL) < 0) {
		snprintf(err, sizeof err, "cannot watch its writer: %s", strerror(errno));
		store_close(temp);
		temp = NULL;
	}
	if (!temp) {
		failed = true;
		log_error("store", "Cannot open the temp store in %s: %s; non-persistent "
			  "messages stay in memory", dir, err);
		return NULL;
	}
	store_test_commit_delay(temp, "TANDEM_TEST_TEMP_COMMIT_DELAY_MS");
	log_info("store", "Temp store opened in %s: non-persistent messages beyond a "
		 "queue's memory window wait there", dir);
	return temp;
}

struct store *temp_store_if_open(void)
{
	return temp;
}

bool temp_store_usable(void)
{
	return !failed;
}

long long temp_store_used(void)
{
	if (!temp)
		return 0;
	struct store_size sz;
	store_size(temp, &sz);
	return sz.file_bytes - sz.free_bytes;
}

uint64_t temp_store_seq(void)
{
	return store_new_seq(broker.store ? broker.store : temp);
}

void temp_store_close(void)
{
	if (!temp)
		return;
	loop_del_fd(broker.loop, store_event_fd(temp));
	store_close(temp);
	temp = NULL;
	/* Nothing in it outlives the process. */
	char err[512];
	if (store_remove_files(broker.cfg->temp_directory, err, sizeof err) < 0)
		log_warn("store", "Temp store: %s", err);
}
