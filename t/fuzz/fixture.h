/*
 * fixture.h - what the harnesses share: a broker in the harness's own
 * process, for the code that only runs inside one (the protocol handlers,
 * the management model, the web server), a way to talk to it as a client
 * on loopback, and a quiet log.
 */
#ifndef TANDEM_FUZZ_FIXTURE_H
#define TANDEM_FUZZ_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

/* Drops every log line: the inputs make the code under test say a lot,
 * and writing it would be most of the time spent. */
void fixture_quiet_log(void);

/* Starts the broker once (later calls return the same loop): in memory
 * (persistent="false"), no users (anyone logs in, and the web console
 * takes ActiveMQ's default admin/admin from loopback), no management
 * socket, an auto-detecting tcp:// connector and the web console on free
 * loopback ports. It has a few queues with messages and a topic. Exits
 * the process when it cannot start. */
struct loop *fixture_broker(void);

/* The ports of the tcp:// connector and of the web console. */
int fixture_tcp_port(void);
int fixture_web_port(void);

/* Writes data, as it is, on a new loopback connection to port, half-closes
 * it, and runs the broker's loop until the broker closes the connection,
 * nothing has moved either way for a few milliseconds, or a short
 * deadline passes. Each call comes from its own 127.x.y.z address, so
 * that per-address limits (login throttles, connection limits) that
 * earlier inputs set off do not shut out later ones; every 127/8 address
 * counts as loopback. */
void fixture_exchange(int port, const uint8_t *data, size_t size);

/* Runs fn on a KahaDB journal file's bytes as they are, then on a copy
 * with the first batch's checksum zeroed (checksums off): else nearly
 * every mutation would stop at the checksum and never reach the records. */
void fixture_kahadb_twice(const uint8_t *data, size_t size,
			  void (*fn)(const uint8_t *data, size_t size));

#endif
