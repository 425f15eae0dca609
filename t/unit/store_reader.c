/* A load the broker makes after its writer started (the producer audit's
 * recent ids, read when the first consumer comes) reads what is
 * committed, through the loop's own connection: never through the
 * writer's, which its thread may be using inside a commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_test.h"

static char dir[] = "/tmp/tandem-store-reader-XXXXXX";


static void on_id(void *ctx, const char *id, const char *audit)
{
	(void)audit;
	char *out = ctx;
	snprintf(out + strlen(out), 256 - strlen(out), "%s%s", *out ? " " : "", id);
}

int main(void)
{
	char err[256], ids[256] = "";
	if (!mkdtemp(dir))
		return 1;
	/* Every commit waits 1.5 s inside its transaction (store.h). */
	setenv("TANDEM_TEST_COMMIT_DELAY_MS", "1500", 1);
	struct store *st = store_open(dir, true, err, sizeof err);
	ok(st != NULL, "opens");
	if (!st)
		return done_testing();
	test_queue_one(st, "id-1", 1, 'x');
	store_flush(st);
	test_queue_one(st, "id-2", 1, 'x');
	store_commit(st);
	usleep(500000);		/* the writer is inside that commit now */
	ok(store_load_recent_ids(st, 10, on_id, ids) == 0, "recent ids read during a commit");
	is_str(ids, "id-1", "only what is committed: not the commit the writer is inside");
	store_flush(st);
	ids[0] = '\0';
	store_load_recent_ids(st, 10, on_id, ids);
	is_str(ids, "id-1 id-2", "and that commit's once it is done");
	store_close(st);

	test_remove_dir(dir);
	return done_testing();
}
