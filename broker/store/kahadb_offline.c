/*
 * kahadb_offline.c - the import of a KahaDB store without a broker (see
 * kahadb_offline.h): take the directory's lock as a master would, open
 * the store, import, close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kahadb.h"
#include "kahadb_import.h"
#include "kahadb_offline.h"
#include "store.h"

/* The lock of dir, taken without waiting, as locker.c takes it (an open
 * file description lock on the whole file): the fd, or -1 with why in
 * err, naming the holder its file names. */
static int lock_dir(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return fd;
	int why = errno;
	char holder[256] = "";
	ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
	holder[n > 0 ? n : 0] = '\0';
	holder[strcspn(holder, "\n")] = '\0';
	close(fd);
	if (why != EAGAIN && why != EACCES) {
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(why));
		return -1;
	}
	snprintf(err, errlen, "%s is locked by a running broker%s%s: stop it, or let it "
		 "import the store as the master of that directory", path,
		 holder[0] ? ", " : "", holder);
	return KAHADB_OFFLINE_LOCKED;
}

int kahadb_import_offline(const char *dir, char *err, size_t errlen)
{
	int found = kahadb_find(dir, err, errlen);
	if (found <= 0)
		return found < 0 ? -1 : 1;
	int fd = lock_dir(dir, err, errlen);
	if (fd < 0)
		return fd;
	int rc = -1;
	struct store *st = store_open(dir, true, err, errlen);
	if (st) {
		rc = kahadb_import(dir, NULL, st, err, errlen);
		store_close(st);
	}
	close(fd);	/* the lock goes with it */
	return rc;
}
