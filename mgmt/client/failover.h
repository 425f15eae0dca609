/*
 * failover.h - ActiveMQ's failover URIs for clients that follow the
 * master of a master/slave pair.
 *
 *   failover:(tcp://h1:p1,tcp://h2:p2)?randomize=false&maxReconnectAttempts=-1
 *   failover:tcp://h1:p1,tcp://h2:p2        (no options)
 *   tcp://h:p   stomp://h:p   HOST:PORT      (one address, no reconnection)
 *
 * The options mean what they mean to ActiveMQ 5.17's FailoverTransport,
 * with its defaults, so a client configuration carries over unchanged:
 * one "attempt" is a round over every address; between rounds the client
 * waits, from initialReconnectDelay growing by backOffMultiplier up to
 * maxReconnectDelay. A slave opens no client connector, so trying it is
 * a refused connect() that costs nothing: it is simply skipped.
 *
 * failover_connect() walks the list for a client; the client keeps a
 * struct failover_state across reconnections. Nothing here does I/O of
 * its own: the caller's try function connects, so the walk can be tested
 * without sockets (t/unit/failover.c).
 */
#ifndef TANDEM_FAILOVER_H
#define TANDEM_FAILOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* maxReconnectAttempts, startupMaxReconnectAttempts and timeout: no limit. */
#define FAILOVER_INFINITE (-1)

/* A parsed URI. Read-only once parsed: threads may share one. */
struct failover {
	char **addrs;		/* "HOST:PORT" ("[V6]:PORT"), in the URI's order */
	size_t naddrs;
	bool reconnect;		/* a failover: URI; a plain address never reconnects */
	bool randomize;
	long initial_reconnect_delay;	/* ms */
	long max_reconnect_delay;	/* ms */
	bool use_exponential_backoff;
	double backoff_multiplier;
	long max_reconnect_attempts;	/* rounds; -1 forever, 0 none after a break */
	long startup_max_reconnect_attempts;	/* the same before the first connection; -1: as above */
	long timeout;		/* ms a (re)connection may take; -1: the caller's own deadline */
};

/* Parses uri into *f (which failover_free releases). 0, or -1 with a
 * reason fit for the operator in err (the offending part quoted). */
int failover_parse(const char *uri, struct failover *f, char *err, size_t errlen);
void failover_free(struct failover *f);

/* A client's place in its list, kept across reconnections. */
struct failover_state {
	const struct failover *uri;	/* borrowed */
	bool connected_once;	/* startupMaxReconnectAttempts applies until then */
	long current;		/* index of the address connected to; -1 none */
	unsigned seed;		/* for randomize (rand_r: one state per thread) */
};

void failover_state_init(struct failover_state *s, const struct failover *uri, unsigned seed);

/* Connects one address ("HOST:PORT"), bounded by the caller's own
 * connect timeout: 0, or -1 with the reason in err. */
typedef int (*failover_try_fn)(void *ctx, const char *addr, char *err, size_t errlen);

/* Rounds of try() over the addresses (shuffled with randomize; after a
 * break the address that broke comes last, as in ActiveMQ) with the
 * back-off between rounds, until one connects (0; s->current is its
 * index), the attempts are spent or `deadline` passes (-1, err says
 * which addresses failed how). No round starts after the deadline (the
 * wait before the last one is cut short to reach it); the URI's timeout,
 * when set, brings the deadline nearer. A plain address, or
 * maxReconnectAttempts=0, makes a reconnection fail at once: ActiveMQ
 * does not reconnect those either. */
int failover_connect(struct failover_state *s, int64_t deadline, failover_try_fn try,
		     void *ctx, char *err, size_t errlen);

/* The wait after the n-th failed round (n >= 1), in ms. */
long failover_delay(const struct failover *f, long n);

#endif
