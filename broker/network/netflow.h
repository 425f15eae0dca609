/*
 * netflow.h - what the network of brokers moves, per neighbour broker,
 * direction and destination: the figures behind "which bridge is moving
 * what" (management, tandemctl, tandemtop).
 *
 * Outbound: messages this broker's bridges forwarded to a broker and that
 * it stored (counted on its RECEIPT). Inbound: messages another broker's
 * bridge brought here and this broker took (resends and loops dropped are
 * not counted).
 */
#ifndef TANDEM_NETFLOW_H
#define TANDEM_NETFLOW_H

#include <stdint.h>

#include "message.h"

enum netflow_dir { NETFLOW_INBOUND, NETFLOW_OUTBOUND };

struct netflow {
	char *peer;			/* the other broker's name */
	char *peer_id;			/* its BrokerId; NULL when it did not say */
	enum netflow_dir dir;
	enum dest_type type;
	char *dest;
	uint64_t count;
	int64_t last_ms;		/* wall clock of the latest */
	/* messages/s: those of the last whole second measured */
	int64_t window_start_ms;
	uint64_t window_count;
	double rate;
	struct netflow *next;
};

/* One more message between this broker and peer, told apart by its id
 * when known (the brokers of two pairs may share names; the seed's do). */
void netflow_count(const char *peer, const char *peer_id, enum netflow_dir dir,
		   enum dest_type type, const char *dest);
/* Messages/s lately (0 when the flow stopped). */
double netflow_rate(const struct netflow *f, int64_t now_ms);
const char *netflow_dir_name(enum netflow_dir dir);
/* Every flow, newest first. */
struct netflow *netflow_first(void);
void netflow_free_all(void);

#endif
