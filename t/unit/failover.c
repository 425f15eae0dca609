/* Failover URIs as ActiveMQ 5.17 reads them, and the walk over the
 * addresses with its back-off, driven by a fake connect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "net.h"
#include "tap.h"

static int parse(const char *uri, struct failover *f, char *err)
{
	return failover_parse(uri, f, err, 512);
}

static void defaults_are_activemqs(void)
{
	struct failover f;
	char err[512];
	ok(parse("failover:(tcp://h1:61616,tcp://h2:61617)", &f, err) == 0, "a parenthesised list parses");
	is(f.naddrs, 2, "two addresses");
	is_str(f.addrs[0], "h1:61616", "the first as HOST:PORT");
	is_str(f.addrs[1], "h2:61617", "the second, in order");
	ok(f.reconnect, "a failover URI reconnects");
	ok(f.randomize, "randomize defaults to true");
	is(f.initial_reconnect_delay, 10, "initialReconnectDelay defaults to 10 ms");
	is(f.max_reconnect_delay, 30000, "maxReconnectDelay defaults to 30 s");
	ok(f.use_exponential_backoff, "useExponentialBackOff defaults to true");
	ok(f.backoff_multiplier == 2.0, "backOffMultiplier defaults to 2");
	is(f.max_reconnect_attempts, -1, "maxReconnectAttempts defaults to forever");
	is(f.startup_max_reconnect_attempts, -1, "startupMaxReconnectAttempts defaults to -1");
	is(f.timeout, -1, "timeout defaults to -1");
	failover_free(&f);
}

static void options_are_read(void)
{
	struct failover f;
	char err[512];
	ok(parse("failover:(tcp://a:1,stomp://b:2)?randomize=false&initialReconnectDelay=10"
		 "&maxReconnectDelay=1000&timeout=30000&maxReconnectAttempts=-1"
		 "&useExponentialBackOff=FALSE&backOffMultiplier=1.5&startupMaxReconnectAttempts=3",
		 &f, err) == 0, "every option at once");
	ok(!f.randomize, "randomize=false");
	is(f.max_reconnect_delay, 1000, "maxReconnectDelay=1000");
	is(f.timeout, 30000, "timeout=30000");
	ok(!f.use_exponential_backoff, "booleans ignore case");
	ok(f.backoff_multiplier == 1.5, "backOffMultiplier=1.5");
	is(f.startup_max_reconnect_attempts, 3, "startupMaxReconnectAttempts=3");
	failover_free(&f);

	ok(parse("failover://(tcp://a:1)?&randomize=true&", &f, err) == 0,
	     "failover:// and empty options are accepted");
	is(f.naddrs, 1, "one address");
	failover_free(&f);
}

static void address_forms(void)
{
	static const struct {
		const char *uri, *first;
		size_t n;
		int reconnect;
	} cases[] = {
		{ "failover:tcp://h:1,tcp://h2:2", "h:1", 2, 1 },
		{ "failover:( tcp://h:1 , tcp://h2:2/ )", "h:1", 2, 1 },
		{ "failover:(h:1,h2:2)", "h:1", 2, 1 },
		{ "tcp://localhost:61616", "localhost:61616", 1, 0 },
		{ "stomp://127.0.0.1:61613", "127.0.0.1:61613", 1, 0 },
		{ "auto://h:5", "h:5", 1, 0 },
		{ "  10.0.0.1:61613 ", "10.0.0.1:61613", 1, 0 },
		{ "tcp://[::1]:61616", "[::1]:61616", 1, 0 },
		{ "[::1]:61616", "[::1]:61616", 1, 0 },
		{ "FAILOVER:(TCP://h:1)", "h:1", 1, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct failover f;
		char err[512], name[200];
		int rc = parse(cases[i].uri, &f, err);
		snprintf(name, sizeof name, "\"%s\" is %zu address(es), the first %s%s", cases[i].uri,
			 cases[i].n, cases[i].first, cases[i].reconnect ? ", reconnecting" : "");
		ok(rc == 0 && f.naddrs == cases[i].n && !strcmp(f.addrs[0], cases[i].first) &&
		   f.reconnect == cases[i].reconnect, name);
		if (rc)
			diag("%s", err);
		else
			failover_free(&f);
	}
}

static void bad_input_is_an_error(void)
{
	static const struct {
		const char *uri, *why;	/* why: a part of the message */
	} cases[] = {
		{ "", "no address" },
		{ "   ", "no address" },
		{ "failover:", "empty address" },
		{ "failover:()", "empty address" },
		{ "failover:(tcp://a:1,,tcp://b:2)", "empty address" },
		{ "failover:(tcp://a:1", "no \")\"" },
		{ "failover:(tcp://a:1)x", "expected ?OPTIONS" },
		{ "failover:((tcp://a:1))", "nested" },
		{ "failover:tcp://a:1,tcp://b:2?randomize=false", "write failover:(URI,URI)?OPTIONS" },
		{ "failover:(tcp://a:1)?bogus=1", "unknown option \"bogus\" (tandemctl knows randomize, " },
		{ "failover:(tcp://a:1)?Randomize=false", "did you mean randomize?" },
		{ "failover:(tcp://a:1)?backup=true", "unknown option \"backup\"" },
		{ "failover:(tcp://a:1)?nested.wireFormat.x=1", "unknown option" },
		{ "failover:(tcp://a:1)?randomize", "wants a value" },
		{ "failover:(tcp://a:1)?randomize=", "wants a value" },
		{ "failover:(tcp://a:1)?=1", "without a name" },
		{ "failover:(tcp://a:1)?randomize=yes", "true or false" },
		{ "failover:(tcp://a:1)?maxReconnectAttempts=-2", "from -1 to" },
		{ "failover:(tcp://a:1)?initialReconnectDelay=-1", "from 0 to" },
		{ "failover:(tcp://a:1)?timeout=10s", "whole number" },
		{ "failover:(tcp://a:1)?maxReconnectDelay=99999999999999999999", "whole number" },
		{ "failover:(tcp://a:1)?backOffMultiplier=0.5", "number from 1" },
		{ "failover:(tcp://a:1)?backOffMultiplier=nan", "number from 1" },
		{ "failover:(tcp://a:1)?timeout=1111111111111111111111111111111111", "too long" },
		{ "tcp://a", "HOST:PORT" },
		{ "tcp://a:0", "bad port" },
		{ "tcp://a:65536", "bad port" },
		{ "tcp://a:x", "bad port" },
		{ "a", "HOST:PORT" },
		{ "ssl://a:1", "not ssl://" },
		{ "http://a:1", "not http://" },
		{ "tcp://a:1?wireFormat.maxFrameSize=1", "options on an address" },
		{ "tcp://a b:1", "not HOST:PORT" },
		{ "tcp://a:1/path", "not HOST:PORT" },
		{ "failover:(tcp://a:1,ssl://b:2)", "not ssl://" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct failover f;
		char err[512] = "", name[300];
		int rc = parse(cases[i].uri, &f, err);
		snprintf(name, sizeof name, "\"%s\" is refused: ...%s...", cases[i].uri, cases[i].why);
		ok(rc < 0 && strstr(err, cases[i].why), name);
		if (rc == 0)
			failover_free(&f);
		else if (!strstr(err, cases[i].why))
			diag("said: %s", err);
	}
}

static void garbage_never_crashes(void)
{
	/* Every prefix of a long URI, and bytes of every kind. */
	const char *uri = "failover:(tcp://[::1]:1,stomp://h:2/)?randomize=false&timeout=5&backOffMultiplier=3";
	size_t len = strlen(uri), parsed = 0;
	for (size_t n = 0; n <= len; n++) {
		char *p = strndup(uri, n), err[512];
		struct failover f;
		if (parse(p, &f, err) == 0) {
			parsed++;
			failover_free(&f);
		}
		free(p);
	}
	ok(parsed > 0, "every prefix of a URI parses or is refused");
	unsigned seed = 1;
	for (int i = 0; i < 20000; i++) {
		char s[40], err[512];
		const char alphabet[] = "failover:()tcp://,?&=0123456789[]:. \t-x";
		size_t n = (size_t)rand_r(&seed) % (sizeof s - 1);
		for (size_t k = 0; k < n; k++)
			s[k] = alphabet[(size_t)rand_r(&seed) % (sizeof alphabet - 1)];
		s[n] = '\0';
		struct failover f;
		if (parse(s, &f, err) == 0)
			failover_free(&f);
	}
	ok(1, "20000 random strings parse or are refused");
}

static void delays_back_off(void)
{
	struct failover f;
	char err[512];
	parse("failover:(a:1)?initialReconnectDelay=10&maxReconnectDelay=1000", &f, err);
	is(failover_delay(&f, 1), 10, "the first wait is initialReconnectDelay");
	is(failover_delay(&f, 2), 20, "then doubled");
	is(failover_delay(&f, 4), 80, "and doubled again");
	is(failover_delay(&f, 8), 1000, "up to maxReconnectDelay");
	is(failover_delay(&f, 1000000), 1000, "however long it goes on");
	f.use_exponential_backoff = false;
	is(failover_delay(&f, 5), 10, "without useExponentialBackOff, always the first");
	failover_free(&f);
}

/* The fake network: addresses listed in `up` connect, others refuse. */
struct fake {
	const char *up;
	char tried[256];	/* the addresses tried, in order, space-separated */
	int ntries;
};

static int fake_try(void *ctx, const char *addr, char *err, size_t errlen)
{
	struct fake *fk = ctx;
	fk->ntries++;
	strncat(fk->tried, addr, sizeof fk->tried - strlen(fk->tried) - 2);
	strcat(fk->tried, " ");
	if (fk->up && strstr(fk->up, addr))
		return 0;
	snprintf(err, errlen, "cannot connect: Connection refused");
	return -1;
}

static void walk(void)
{
	struct failover f;
	struct failover_state s;
	struct fake fk = { .up = "b:2" };
	char err[512];
	parse("failover:(a:1,b:2,c:3)?randomize=false&initialReconnectDelay=1", &f, err);
	failover_state_init(&s, &f, 1);
	is(failover_connect(&s, net_now_ms() + 1000, fake_try, &fk, err, sizeof err), 0,
	   "a refused address is skipped");
	is_str(fk.tried, "a:1 b:2 ", "in the URI's order without randomize");
	is(s.current, 1, "connected to the second");

	/* The connection to b breaks: b comes last. */
	memset(&fk, 0, sizeof fk);
	fk.up = "b:2";
	is(failover_connect(&s, net_now_ms() + 1000, fake_try, &fk, err, sizeof err), 0,
	   "a reconnection finds b again");
	is_str(fk.tried, "a:1 c:3 b:2 ", "the address that broke is tried last");

	memset(&fk, 0, sizeof fk);
	f.max_reconnect_attempts = 3;
	int64_t start = net_now_ms();
	ok(failover_connect(&s, start + 10000, fake_try, &fk, err, sizeof err) < 0,
	   "maxReconnectAttempts=3 gives up when nothing answers");
	is(fk.ntries, 9, "after three rounds over three addresses");
	ok(strstr(err, "gave up after 3 attempt(s)") && strstr(err, "c:3: cannot connect"), "and says why");
	diag("%s", err);

	memset(&fk, 0, sizeof fk);
	f.max_reconnect_attempts = 0;
	ok(failover_connect(&s, start + 10000, fake_try, &fk, err, sizeof err) < 0 && !fk.ntries,
	   "maxReconnectAttempts=0: no reconnection at all");

	/* Before the first connection startupMaxReconnectAttempts counts; 0
	 * there is still one round, as in ActiveMQ. */
	failover_state_init(&s, &f, 1);
	memset(&fk, 0, sizeof fk);
	f.startup_max_reconnect_attempts = 2;
	ok(failover_connect(&s, start + 10000, fake_try, &fk, err, sizeof err) < 0 && fk.ntries == 6,
	   "startupMaxReconnectAttempts=2: two rounds before the first connection");
	memset(&fk, 0, sizeof fk);
	f.startup_max_reconnect_attempts = -1;
	ok(failover_connect(&s, start + 10000, fake_try, &fk, err, sizeof err) < 0 && fk.ntries == 3,
	   "maxReconnectAttempts=0 before the first connection: one round");

	/* Forever, until the deadline: the last wait is cut to reach it. */
	memset(&fk, 0, sizeof fk);
	f.max_reconnect_attempts = -1;
	f.initial_reconnect_delay = 20;
	start = net_now_ms();
	ok(failover_connect(&s, start + 300, fake_try, &fk, err, sizeof err) < 0,
	   "forever ends at the deadline");
	int64_t took = net_now_ms() - start;
	ok(took >= 300 && took < 600, "not before it, not long after");
	diag("took %lld ms, %d tries: %s", (long long)took, fk.ntries, err);
	ok(fk.ntries == 3 * 5, "rounds at 0, 20, 60, 140 ms and a last at the deadline");

	memset(&fk, 0, sizeof fk);
	f.timeout = 50;
	start = net_now_ms();
	failover_connect(&s, start + 10000, fake_try, &fk, err, sizeof err);
	took = net_now_ms() - start;
	ok(took >= 50 && took < 300, "timeout= brings the deadline nearer");
	failover_free(&f);

	parse("tcp://a:1", &f, err);
	failover_state_init(&s, &f, 1);
	memset(&fk, 0, sizeof fk);
	fk.up = "a:1";
	ok(failover_connect(&s, net_now_ms(), fake_try, &fk, err, sizeof err) == 0,
	   "a plain address connects once");
	ok(failover_connect(&s, net_now_ms() + 1000, fake_try, &fk, err, sizeof err) < 0 &&
	   fk.ntries == 1 && strstr(err, "plain address"), "and never reconnects");
	failover_free(&f);
}

static void randomize_shuffles(void)
{
	struct failover f;
	struct failover_state s;
	char err[512], first[8] = "";
	parse("failover:(a:1,b:2,c:3,d:4)", &f, err);
	failover_state_init(&s, &f, 42);
	int seen = 0;
	for (int i = 0; i < 50; i++) {
		struct fake fk = { .up = "a:1 b:2 c:3 d:4" };
		s.connected_once = false;
		s.current = -1;
		failover_connect(&s, net_now_ms() + 1000, fake_try, &fk, err, sizeof err);
		first[s.current] = 1;
	}
	for (int i = 0; i < 4; i++)
		seen += first[i];
	is(seen, 4, "with randomize every address comes first sometimes");
	failover_free(&f);
}

int main(void)
{
	defaults_are_activemqs();
	options_are_read();
	address_forms();
	bad_input_is_an_error();
	garbage_never_crashes();
	delays_back_off();
	walk();
	randomize_shuffles();
	return done_testing();
}
