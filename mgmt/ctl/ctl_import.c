/*
 * ctl_import.c - `tandemctl import-kahadb DIR [--dry-run]`: an ActiveMQ
 * KahaDB store imported into Tandem's store with no broker running.
 *
 * The import is tandemd's (`tandemd --import-kahadb DIR`): reading KahaDB
 * takes the OpenWire codec and the store, which are the broker's, and
 * tandemctl links only the client library (the Makefile's top comment).
 * So this command runs tandemd in its place, with the same arguments, and
 * ends as it ends (exit status, output): one import, in one program.
 * tandemd is looked for beside tandemctl (an installation's bin/), then
 * where the build tree has it (../broker/tandemd), then on PATH;
 * $TANDEMD names it instead.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

static const struct ctl_option import_options[] = {
	{ "dry-run", false, NULL, "only print what would be imported, per queue and durable subscription" },
	{ NULL, false, NULL, NULL },
};

/* Where tandemd is, into path: "" when it is to be found on PATH. */
static void find_tandemd(char *path, size_t len)
{
	static const char *const beside[] = { "tandemd", "../broker/tandemd" };
	const char *env = getenv("TANDEMD");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	path[0] = '\0';
	if (env && *env) {
		snprintf(path, len, "%s", env);
		return;
	}
	if (n <= 0)
		return;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
		snprintf(path, len, "%s/%s", self, beside[i]);
		if (access(path, X_OK) == 0)
			return;
	}
	path[0] = '\0';
}

static int import_kahadb(struct ctl *ctl, struct ctl_args *a)
{
	if (a->argc != 1)
		return ctl_usage(a, "import-kahadb wants the store directory");
	char path[PATH_MAX + 32];
	find_tandemd(path, sizeof path);
	char *argv[] = { path[0] ? path : "tandemd", "--import-kahadb", a->argv[0],
			 ctl_opt(a, "dry-run") ? "--dry-run" : NULL, NULL };
	fflush(stdout);
	if (path[0])
		execv(path, argv);
	else
		execvp("tandemd", argv);
	ctl_fail(ctl, "import-kahadb", CTL_FAILED, "cannot run %s: %s (set TANDEMD to tandemd's path)",
		 argv[0], strerror(errno));
	return 0;
}

const struct ctl_command ctl_cmd_import = {
	"import-kahadb", import_kahadb, "DIR",
	"imports the ActiveMQ KahaDB store in DIR into Tandem's store there (no broker running; runs tandemd)",
	import_options, CTL_SLAVE_ANSWERS,
};
