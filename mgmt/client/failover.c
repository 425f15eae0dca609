/*
 * failover.c - failover URIs: the parser and the walk over the addresses
 * (see failover.h).
 *
 * The parser copies nothing it has not checked: each address becomes a
 * normalized "HOST:PORT" string, each option is looked up in one table
 * (name, type, field, lowest value) that also gives the list of known
 * names for the error message. ActiveMQ options that tandemctl does not
 * implement (backup, priorityBackup, nested.*...) are refused rather than
 * ignored, so nobody believes they are in effect.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "failover.h"
#include "net.h"

enum opt_type { OPT_BOOL, OPT_LONG, OPT_DOUBLE };

static const struct opt_def {
	const char *name;	/* ActiveMQ's spelling */
	enum opt_type type;
	size_t offset;		/* of the field in struct failover */
	long min;		/* for numbers; the most is LONG_OPT_MAX */
} opt_defs[] = {
	{ "randomize", OPT_BOOL, offsetof(struct failover, randomize), 0 },
	{ "initialReconnectDelay", OPT_LONG, offsetof(struct failover, initial_reconnect_delay), 0 },
	{ "maxReconnectDelay", OPT_LONG, offsetof(struct failover, max_reconnect_delay), 0 },
	{ "useExponentialBackOff", OPT_BOOL, offsetof(struct failover, use_exponential_backoff), 0 },
	{ "backOffMultiplier", OPT_DOUBLE, offsetof(struct failover, backoff_multiplier), 1 },
	{ "maxReconnectAttempts", OPT_LONG, offsetof(struct failover, max_reconnect_attempts), -1 },
	{ "startupMaxReconnectAttempts", OPT_LONG,
	  offsetof(struct failover, startup_max_reconnect_attempts), -1 },
	{ "timeout", OPT_LONG, offsetof(struct failover, timeout), -1 },
};

#define NOPTS (sizeof opt_defs / sizeof opt_defs[0])
/* Java ints: ActiveMQ's own bound for these values. */
#define LONG_OPT_MAX 2147483647L

/* Schemes that are a plain TCP connection to a port that speaks STOMP
 * (tcp:// and auto:// detect the protocol; the others are STOMP's). */
static const char *const schemes[] = { "tcp", "stomp", "nio", "stomp+nio", "auto", "auto+nio" };

static void set_defaults(struct failover *f)
{
	/* ActiveMQ 5.17's FailoverTransport defaults. */
	*f = (struct failover){
		.randomize = true,
		.initial_reconnect_delay = 10,
		.max_reconnect_delay = 30000,
		.use_exponential_backoff = true,
		.backoff_multiplier = 2.0,
		.max_reconnect_attempts = FAILOVER_INFINITE,
		.startup_max_reconnect_attempts = FAILOVER_INFINITE,
		.timeout = FAILOVER_INFINITE,
	};
}

void failover_free(struct failover *f)
{
	for (size_t i = 0; i < f->naddrs; i++)
		free(f->addrs[i]);
	free(f->addrs);
	f->addrs = NULL;
	f->naddrs = 0;
}

static bool has_scheme(const char *s, size_t len, const char *scheme)
{
	size_t n = strlen(scheme);
	return len > n + 3 && !strncasecmp(s, scheme, n) && !strncmp(s + n, "://", 3);
}

/* One address, s[0, len) (trimmed), appended to f as "HOST:PORT". */
static int add_addr(struct failover *f, const char *s, size_t len, char *err, size_t errlen)
{
	const char *hostport = s;
	size_t hlen = len;
	const char *sep = memmem(s, len, "://", 3);
	if (sep) {
		size_t i = 0;
		while (i < sizeof schemes / sizeof schemes[0] && !has_scheme(s, len, schemes[i]))
			i++;
		if (i == sizeof schemes / sizeof schemes[0]) {
			snprintf(err, errlen, "\"%.*s\": tandemctl speaks STOMP over tcp://, stomp:// or auto://, "
				 "not %.*s://", (int)len, s, (int)(sep - s), s);
			return -1;
		}
		hostport = sep + 3;
		hlen = len - (size_t)(hostport - s);
		if (hlen && hostport[hlen - 1] == '/')
			hlen--;
	}
	for (size_t i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)hostport[i];
		if (c <= ' ' || c == 0x7f || strchr("?/()&,", c)) {
			snprintf(err, errlen, c == '?' ? "\"%.*s\": options on an address are not supported"
				 : "\"%.*s\" is not HOST:PORT", (int)len, s);
			return -1;
		}
	}
	char *copy = strndup(hostport, hlen), *host = NULL, *addr = NULL, why[64];
	int port;
	if (copy && net_split_addr(copy, &host, &port, why, sizeof why) < 0) {
		snprintf(err, errlen, "\"%.*s\": %s", (int)len, s, why);
		free(copy);
		return -1;
	}
	char **addrs = copy && host ? realloc(f->addrs, (f->naddrs + 1) * sizeof *addrs) : NULL;
	if (addrs) {
		f->addrs = addrs;
		if (asprintf(&addr, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port) < 0)
			addr = NULL;
	}
	free(copy);
	free(host);
	if (!addr) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->addrs[f->naddrs++] = addr;
	return 0;
}

/* s[0, len) without the blanks around it. */
static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* A comma-separated list of addresses, s[0, len). */
static int add_list(struct failover *f, const char *s, size_t len, char *err, size_t errlen)
{
	const char *end = s + len;
	for (;;) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		const char *a = s;
		size_t alen = (size_t)(stop - s);
		trim(&a, &alen);
		if (!alen) {
			snprintf(err, errlen, "an empty address in the list");
			return -1;
		}
		if (add_addr(f, a, alen, err, errlen) < 0)
			return -1;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static void known_names(char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < NOPTS && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? ", " : "",
					 opt_defs[i].name);
}

static int unknown_option(const char *name, size_t nlen, char *err, size_t errlen)
{
	char known[400];
	for (size_t i = 0; i < NOPTS; i++) {
		if (strlen(opt_defs[i].name) == nlen && !strncasecmp(opt_defs[i].name, name, nlen)) {
			snprintf(err, errlen, "unknown option \"%.*s\" (did you mean %s?)", (int)nlen,
				 name, opt_defs[i].name);
			return -1;
		}
	}
	known_names(known, sizeof known);
	snprintf(err, errlen, "unknown option \"%.*s\" (tandemctl knows %s)", (int)nlen, name, known);
	return -1;
}

/* One "name=value" of the query, s[0, len). */
static int set_option(struct failover *f, const char *s, size_t len, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', len);
	size_t nlen = eq ? (size_t)(eq - s) : len;
	const struct opt_def *o = NULL;
	for (size_t i = 0; i < NOPTS && !o; i++)
		if (strlen(opt_defs[i].name) == nlen && !strncmp(opt_defs[i].name, s, nlen))
			o = &opt_defs[i];
	if (!nlen) {
		snprintf(err, errlen, "an option without a name: \"%.*s\"", (int)len, s);
		return -1;
	}
	if (!o)
		return unknown_option(s, nlen, err, errlen);
	char value[32];
	size_t vlen = eq ? len - nlen - 1 : 0;
	if (!eq || !vlen || vlen >= sizeof value) {
		snprintf(err, errlen, vlen ? "option %s: the value of \"%.*s\" is too long"
			 : "option %s wants a value: \"%.*s\"", o->name, (int)len, s);
		return -1;
	}
	memcpy(value, eq + 1, vlen);
	value[vlen] = '\0';
	char *field = (char *)f + o->offset, *end;
	errno = 0;
	if (o->type == OPT_BOOL && (!strcasecmp(value, "true") || !strcasecmp(value, "false"))) {
		*(bool *)field = !strcasecmp(value, "true");
		return 0;
	}
	if (o->type == OPT_LONG) {
		long v = strtol(value, &end, 10);
		if (!*end && !errno && v >= o->min && v <= LONG_OPT_MAX) {
			*(long *)field = v;
			return 0;
		}
		snprintf(err, errlen, "option %s wants a whole number from %ld to %ld, not \"%s\"",
			 o->name, o->min, LONG_OPT_MAX, value);
		return -1;
	}
	if (o->type == OPT_DOUBLE) {
		double v = strtod(value, &end);
		if (!*end && !errno && isfinite(v) && v >= (double)o->min && v <= 1000) {
			*(double *)field = v;
			return 0;
		}
		snprintf(err, errlen, "option %s wants a number from %ld to 1000, not \"%s\"",
			 o->name, o->min, value);
		return -1;
	}
	snprintf(err, errlen, "option %s is true or false, not \"%s\"", o->name, value);
	return -1;
}

static int set_options(struct failover *f, const char *q, char *err, size_t errlen)
{
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		if (len && set_option(f, q, len, err, errlen) < 0)
			return -1;
		q += len + (amp != NULL);
	}
	return 0;
}

/* The part after "failover:" (and an optional "//"). */
static int parse_failover(struct failover *f, const char *s, char *err, size_t errlen)
{
	f->reconnect = true;
	if (!strncmp(s, "//", 2))
		s += 2;
	if (*s != '(') {
		const char *q = strchr(s, '?');
		if (q) {
			/* ActiveMQ would give these to the last address, not to
			 * the failover transport: say so rather than guess. */
			snprintf(err, errlen, "\"%s\": without parentheses the options belong to the last "
				 "address; write failover:(URI,URI)?OPTIONS", q);
			return -1;
		}
		return add_list(f, s, strlen(s), err, errlen);
	}
	const char *close = strchr(s, ')');
	const char *open = strchr(s + 1, '(');
	if (!close) {
		snprintf(err, errlen, "no \")\" closes the list of addresses");
		return -1;
	}
	if (open && open < close) {
		snprintf(err, errlen, "nested URIs are not supported");
		return -1;
	}
	if (close[1] && close[1] != '?') {
		snprintf(err, errlen, "\"%s\": expected ?OPTIONS after the list of addresses", close + 1);
		return -1;
	}
	if (add_list(f, s + 1, (size_t)(close - s - 1), err, errlen) < 0)
		return -1;
	return close[1] ? set_options(f, close + 2, err, errlen) : 0;
}

int failover_parse(const char *uri, struct failover *f, char *err, size_t errlen)
{
	set_defaults(f);
	const char *s = uri;
	size_t len = strlen(uri);
	trim(&s, &len);
	char *copy = strndup(s, len);
	int rc;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!*copy) {
		snprintf(err, errlen, "no address");
		rc = -1;
	} else if (!strncasecmp(copy, "failover:", 9)) {
		rc = parse_failover(f, copy + 9, err, errlen);
	} else {
		rc = add_addr(f, copy, len, err, errlen);
	}
	free(copy);
	if (rc < 0)
		failover_free(f);
	return rc;
}

long failover_delay(const struct failover *f, long n)
{
	double d = (double)f->initial_reconnect_delay;
	for (long i = 1; f->use_exponential_backoff && i < n && d < (double)f->max_reconnect_delay; i++)
		d *= f->backoff_multiplier;
	return d > (double)f->max_reconnect_delay ? f->max_reconnect_delay : (long)d;
}

void failover_state_init(struct failover_state *s, const struct failover *uri, unsigned seed)
{
	*s = (struct failover_state){ .uri = uri, .current = -1, .seed = seed };
}

/* Sleeps ms milliseconds, whatever signals come. */
static void sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The order of this round: shuffled with randomize, the address that
 * broke last (ActiveMQ's getConnectList). */
static void round_order(struct failover_state *s, long broke, size_t *order)
{
	size_t n = s->uri->naddrs, k = 0;
	for (size_t i = 0; i < n; i++)
		if ((long)i != broke)
			order[k++] = i;
	for (size_t i = k; s->uri->randomize && i > 1; i--) {
		size_t j = (size_t)rand_r(&s->seed) % i;
		size_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	if (k < n)
		order[k] = (size_t)broke;
}

/* One round: 0 when an address took us. why collects "addr: reason"s. */
static int try_round(struct failover_state *s, const size_t *order, failover_try_fn try,
		     void *ctx, char *why, size_t whylen)
{
	size_t used = 0;
	why[0] = '\0';
	for (size_t i = 0; i < s->uri->naddrs; i++) {
		const char *addr = s->uri->addrs[order[i]];
		char one[256];
		if (try(ctx, addr, one, sizeof one) == 0) {
			s->current = (long)order[i];
			s->connected_once = true;
			return 0;
		}
		if (used < whylen)
			used += (size_t)snprintf(why + used, whylen - used, "%s%s: %s",
						 used ? "; " : "", addr, one);
	}
	return -1;
}

/* How long to wait before the next round: `want`, unless that reaches
 * the deadline; then up to the deadline, and that round is the last. */
static int64_t next_wait(int64_t want, int64_t deadline, bool *last)
{
	int64_t left = deadline - net_now_ms();
	if (want < left)
		return want;
	*last = true;
	return left > 0 ? left : 0;
}

int failover_connect(struct failover_state *s, int64_t deadline, failover_try_fn try,
		     void *ctx, char *err, size_t errlen)
{
	const struct failover *f = s->uri;
	bool again = s->connected_once;
	long limit = !again && f->startup_max_reconnect_attempts != FAILOVER_INFINITE
		? f->startup_max_reconnect_attempts : f->max_reconnect_attempts;
	long broke = again ? s->current : -1;
	int64_t start = net_now_ms();
	s->current = -1;
	if (!f->reconnect)
		limit = 0;
	if (again && limit == 0) {
		snprintf(err, errlen, f->reconnect ? "not reconnecting (maxReconnectAttempts=0)"
			 : "not reconnecting to a plain address (a failover:(...) URI would)");
		return -1;
	}
	if (f->timeout != FAILOVER_INFINITE && start + f->timeout < deadline)
		deadline = start + f->timeout;
	size_t *order = calloc(f->naddrs, sizeof *order);
	char why[1024];
	bool last = false;
	if (!order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* ActiveMQ waits before the first round of a reconnection too:
	 * the broker that just went away is rarely back within 10 ms. */
	sleep_ms(again ? next_wait(f->initial_reconnect_delay, deadline, &last) : 0);
	for (long round = 1;; round++) {
		round_order(s, broke, order);
		if (try_round(s, order, try, ctx, why, sizeof why) == 0) {
			free(order);
			return 0;
		}
		if (!f->reconnect) {
			snprintf(err, errlen, "%s", why);	/* one address, one try: no story to tell */
			free(order);
			return -1;
		}
		if ((limit != FAILOVER_INFINITE && round >= (limit > 1 ? limit : 1)) || last) {
			snprintf(err, errlen, "gave up after %ld attempt(s) in %.1fs (%s)", round,
				 (double)(net_now_ms() - start) / 1000, why);
			free(order);
			return -1;
		}
		sleep_ms(next_wait(failover_delay(f, round), deadline, &last));
	}
}
