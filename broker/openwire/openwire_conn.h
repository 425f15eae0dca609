/*
 * openwire_conn.h - what the OpenWire handler's files share: one client
 * connection's state and the ways to answer it. Internal to
 * broker/openwire; the rest of the broker sees only openwire.h.
 *
 * The handler is split by concept: openwire.c (the connection, the
 * negotiation, login, keep-alive and the table of commands),
 * openwire_send.c (a producer's messages into the core),
 * openwire_message.c (a JMS message to a core message and back),
 * openwire_consumer.c (consumers, dispatch and acks),
 * openwire_cluster.c (what failover clients are told of the cluster).
 */
#ifndef TANDEM_OPENWIRE_CONN_H
#define TANDEM_OPENWIRE_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "message.h"
#include "openwire_codec.h"
#include "openwire_frame.h"

/* Java exception classes the client turns into JMS exceptions. */
#define EX_JMS "javax.jms.JMSException"
#define EX_SECURITY "java.lang.SecurityException"
#define EX_FULL "javax.jms.ResourceAllocationException"
#define EX_DEST "javax.jms.InvalidDestinationException"
#define EX_SELECTOR "javax.jms.InvalidSelectorException"
#define EX_CLIENT_ID "javax.jms.InvalidClientIDException"
#define EX_IO "java.io.IOException"

struct conn;
struct ow_sub;

struct ow_conn {
	struct conn *conn;
	struct ow_frame_reader *reader;
	struct ow_format fmt;
	bool negotiated;	/* the client's WireFormatInfo was read */
	bool connected;		/* its ConnectionInfo was accepted */
	int64_t max_frame;	/* negotiated wireFormat.maxFrameSize */
	int64_t inactivity;	/* negotiated maxInactivityDuration; 0 off */
	uint64_t ka_timer;
	int32_t next_command_id;
	bool fault_tolerant;	/* its ConnectionInfo says: a failover URL */
	struct ow_sub *subs;	/* openwire_consumer.c */
};

/* Command handlers (the table in openwire.c) return 0: done, the caller
 * answers a command that asks for it; 1: answered (or to be, after the
 * commit); -1: refused (answered). */
typedef int ow_handler(struct ow_conn *oc, struct ow_obj *o);

/* Sends o (taking it; NULL is out of memory) with the next command id.
 * 0 or -1. */
int ow_send(struct ow_conn *oc, struct ow_obj *o);
/* A Response to command `correlation`. */
void ow_send_response(struct ow_conn *oc, int32_t correlation);
/* An ExceptionResponse naming the Java exception `klass` to cmd when it
 * asked for an answer, else a ConnectionError. */
void ow_refuse(struct ow_conn *oc, const struct ow_command *cmd, const char *klass,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A string field as a NUL-terminated UTF-8 copy; NULL for Java's null or
 * when memory runs out (*oom then says which). */
char *ow_utf8_of(const struct ow_str *s, bool *oom);

/* A destination of the client's as a core one: 0, or -1 with the reason
 * answered when it is none the core serves. *name is malloc'ed. */
int ow_dest_of(struct ow_conn *oc, const struct ow_command *cmd,
	       const struct ow_destination *d, enum dest_type *type, char **name);
/* A core destination as the client's; NULL when memory runs out. */
struct ow_destination *ow_destination_of(enum dest_type type, const char *name);

/* openwire_send.c */
ow_handler ow_on_message;

/* openwire_consumer.c */
ow_handler ow_on_consumer_info;
ow_handler ow_on_ack;
ow_handler ow_on_remove_info;
ow_handler ow_on_consumer_control;
void ow_consumers_close(struct ow_conn *oc);
void ow_consumers_wakeup(struct ow_conn *oc);

/* openwire_cluster.c */
/* After ci's login: the ConnectionControl ActiveMQ sends a manageable
 * client, with the cluster's URIs when the connector updates clients. */
void ow_cluster_logged_in(struct ow_conn *oc, const struct ow_connection_info *ci);
/* Tells clients of the bridges as they come and go; once. */
void ow_cluster_watch(void);

#endif
