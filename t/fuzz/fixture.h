/*
 * fixture.h - what the harnesses share: a broker in the harness's own
 * process, for the code that only runs inside one (the management model,
 * the web server), and a quiet log.
 */
#ifndef TANDEM_FUZZ_FIXTURE_H
#define TANDEM_FUZZ_FIXTURE_H

#include <stdbool.h>

struct loop;

/* Drops every log line: the inputs make the code under test say a lot,
 * and writing it would be most of the time spent. */
void fixture_quiet_log(void);

/* Starts the broker once (later calls return the same loop): in memory
 * (persistent="false"), no client connectors, no management socket, and
 * with `web` the web console on a free loopback port, logins from
 * loopback as ActiveMQ's default admin/admin. It has a few queues with
 * messages and a topic. Exits the process when it cannot start. */
struct loop *fixture_broker(bool web);

/* The web console's port. */
int fixture_web_port(void);

#endif
