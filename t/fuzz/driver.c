/*
 * driver.c - runs a fuzz harness without libFuzzer, as a TAP test for
 * `make check` (and, built with sanitizers, `make asan`).
 *
 * A harness is one file exposing LLVMFuzzerTestOneInput (README.md). This
 * main feeds it every file of its corpus, then a fixed number of
 * mutations of them (bits flipped, bytes set, cut, inserted, repeated,
 * spliced with another file) drawn from a seeded PRNG, so every run tries
 * the same inputs: a crash here is reproduced by running the test again.
 * The input being tried when a signal kills the run is written to
 * crash-<harness>-<n> in the current directory.
 *
 *   t/fuzz/stomp_frame.t [-n MUTATIONS] [-s SEED] [CORPUS_DIR]
 *
 * The harness's name and corpus come from the build (FUZZ_NAME,
 * FUZZ_CORPUS); the environment's FUZZ_MUTATIONS overrides the count
 * (10000, or the harness's fuzz_check_mutations).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How many mutations make check tries; a harness whose inputs are slow
 * defines its own. */
__attribute__((weak)) unsigned long fuzz_check_mutations = 10000;

#define INPUT_MAX (64u << 10)

struct input {
	uint8_t *data;
	size_t len;
	char *name;
};

static struct {
	struct input *v;
	size_t n;
} corpus;

static uint64_t rng_state;

/* xorshift64*: small, and the same sequence on every machine. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* ---- what a crash leaves behind ---- */

static const uint8_t *current;
static size_t current_len;
static char crash_file[256];

static void on_crash(int sig)
{
	int fd = open(crash_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, current, current_len);
		(void)w;
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const uint8_t *data, size_t len, unsigned long n)
{
	snprintf(crash_file, sizeof crash_file, "crash-%s-%lu", FUZZ_NAME, n);
	current = data;
	current_len = len;
	LLVMFuzzerTestOneInput(data, len);
}

/* ---- the corpus ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->name, ((const struct input *)b)->name);
}

static int load_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README"))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		struct input in = { malloc(INPUT_MAX), 0, strdup(e->d_name) };
		if (in.data)
			in.len = fread(in.data, 1, INPUT_MAX, f);
		fclose(f);
		struct input *v = realloc(corpus.v, (corpus.n + 1) * sizeof *v);
		if (!in.data || !in.name || !v) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		corpus.v = v;
		corpus.v[corpus.n++] = in;
	}
	closedir(d);
	qsort(corpus.v, corpus.n, sizeof *corpus.v, by_name);
	return 0;
}

/* ---- mutations ---- */

/* Bytes that matter to the parsers here, to be set more often than
 * chance would. */
static const uint8_t interesting[] = {
	0, '\n', '\r', ':', '\\', ' ', '%', '?', '"', '\'', '<', '>', '(', ')', '{', '}',
	'[', ']', ',', 0x7f, 0x80, 0xc0, 0xff, 0x01, 0x02, 0x03, 0x04, 0x10, 0x20, 0x30, 0x82,
};

static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	size_t pos = below(len + 1);
	switch (below(7)) {
	case 0:	/* flip a bit */
		if (len)
			buf[below(len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:	/* set a byte */
		if (len)
			buf[below(len)] = rng() & 1 ? (uint8_t)rng()
						: interesting[below(sizeof interesting)];
		break;
	case 2:	/* cut the end */
		len = below(len + 1);
		break;
	case 3: {	/* remove a piece */
		size_t n = below(len - pos + 1);
		memmove(buf + pos, buf + pos + n, len - pos - n);
		len -= n;
		break;
	}
	case 4: {	/* insert bytes */
		size_t n = 1 + below(8);
		if (len + n > cap)
			break;
		memmove(buf + pos + n, buf + pos, len - pos);
		for (size_t i = 0; i < n; i++)
			buf[pos + i] = interesting[below(sizeof interesting)];
		len += n;
		break;
	}
	case 5: {	/* repeat a piece */
		size_t n = below(len - pos + 1);
		if (len + n > cap)
			break;
		memmove(buf + pos + n, buf + pos, len - pos);
		len += n;
		break;
	}
	default: {	/* splice: the end of another input */
		const struct input *o = &corpus.v[below(corpus.n)];
		size_t from = below(o->len + 1), n = o->len - from;
		if (pos + n > cap)
			n = cap - pos;
		memcpy(buf + pos, o->data + from, n);
		len = pos + n;
		break;
	}
	}
	return len;
}

int main(int argc, char **argv)
{
	unsigned long mutations = fuzz_check_mutations;
	uint64_t seed = 16;
	const char *env = getenv("FUZZ_MUTATIONS");
	if (env)
		mutations = strtoul(env, NULL, 10);
	int opt;
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			mutations = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 10);
		else
			return 2;
	}
	const char *dir = optind < argc ? argv[optind] : FUZZ_CORPUS;
	if (load_corpus(dir) < 0 || !corpus.n) {
		printf("1..0 # SKIP no corpus in %s\n", dir);
		return corpus.n ? 1 : 0;
	}
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

	printf("1..2\n# %s: corpus %s, %lu mutations, seed %llu\n", FUZZ_NAME, dir, mutations,
	       (unsigned long long)seed);
	fflush(stdout);
	for (size_t i = 0; i < corpus.n; i++)
		run(corpus.v[i].data, corpus.v[i].len, i);
	printf("ok 1 - %s: each of the %zu corpus inputs runs\n", FUZZ_NAME, corpus.n);
	fflush(stdout);

	uint8_t *buf = malloc(INPUT_MAX);
	if (!buf)
		return 1;
	for (unsigned long m = 0; m < mutations; m++) {
		const struct input *base = &corpus.v[below(corpus.n)];
		memcpy(buf, base->data, base->len);
		size_t len = base->len;
		for (size_t k = 1 + below(4); k; k--)
			len = mutate(buf, len, INPUT_MAX);
		/* A copy of its own size, so that reading past the end is
		 * caught by the sanitizers as it is under libFuzzer. */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, buf, len);
		run(exact, len, corpus.n + m);
		free(exact);
	}
	printf("ok 2 - %s: %lu mutations of them run\n", FUZZ_NAME, mutations);
	free(buf);
	for (size_t i = 0; i < corpus.n; i++) {
		free(corpus.v[i].data);
		free(corpus.v[i].name);
	}
	free(corpus.v);
	return 0;
}
