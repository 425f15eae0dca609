/*
 * openwire_conn.h - what the OpenWire handler's files share: one client
 * connection's state and the ways to answer it. Internal to
 * broker/openwire; the rest of the broker sees only openwire.h.
 *
 * The handler is split by concept: openwire.c (the connection, the
 * negotiation, login, keep-alive and the table of commands),
 * openwire_send.c (a producer's messages into the core),
 * openwire_message.c (a JMS message to a core message and back),
 * openwire_consumer.c (consumers, dispatch and acks), openwire_browse.c
 * (queue browsers), openwire_tx.c (local and XA transactions),
 * openwire_dest.c (temporary destinations), openwire_advisory.c
 * (advisories as JMS clients read them), openwire_cluster.c (what failover
 * clients are told of the cluster).
 */
#ifndef TANDEM_OPENWIRE_CONN_H
#define TANDEM_OPENWIRE_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "conn_limit.h"
#include "message.h"
#include "strmap.h"
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
/* ActiveMQ's refusal of a consumer or producer past the connector's
 * maximum (TransportConnection.processAddConsumer): the client throws a
 * JMSException with its message. */
#define EX_STATE "java.lang.IllegalStateException"

struct conn;
struct consumer;
struct producer;
struct ow_sub;
struct ow_tx;
struct qentry;
struct store;
struct ow_dests;
struct ow_held_producer;
struct ow_browse;

struct ow_conn {
	struct conn *conn;
	struct ow_frame_reader *reader;
	struct ow_format fmt;
	bool negotiated;	/* the client's WireFormatInfo was read */
	bool connected;		/* its ConnectionInfo was accepted */
	bool holds_client_id;	/* conn->client_id is filed as in use (openwire.c) */
	int64_t max_frame;	/* negotiated wireFormat.maxFrameSize */
	int64_t inactivity;	/* negotiated maxInactivityDuration; 0 off */
	uint64_t ka_timer;
	int32_t next_command_id;
	bool fault_tolerant;	/* its ConnectionInfo says: a failover URL */
	/* Its ConnectionInfo's ConnectionId as sent (a failover client sends
	 * the same one again on its new connection): the message ids that are
	 * its own (openwire_send.c). NULL before the login. */
	char *connection_id;
	uint32_t connection_id_len;
	struct ow_sub *subs;	/* openwire_consumer.c */
	struct strmap subs_by_id;	/* the same, by consumer id */
	struct ow_tx *txs;	/* its local transactions (openwire_tx.c) */
	struct ow_dests *dests;	/* openwire_dest.c */
	/* Its producers (openwire_producer.c), and the same by id. */
	struct ow_held_producer *producers;
	struct strmap producers_by_id;
	struct ow_browse *browses;	/* browses waiting for the output to drain */
	/* Another broker's network bridge: its name and BrokerId, from its
	 * BrokerInfo (openwire_network.c); NULL for a client. */
	char *peer_name, *peer_id;
	/* Its BrokerInfo asked for duplex (with its options), and the bridge
	 * this broker runs back over the connection once it logged in
	 * (openwire_network.c); NULL: none. */
	char *duplex_props;
	bool duplex_asked;
	struct bridge *duplex;
	/* This broker dialled the connection for duplex bridge `duplex`: it
	 * serves the remote's bridge back (openwire_dial_duplex()). */
	bool dialled;
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

/* The connection's client id is free for another (its RemoveInfo, or
 * its end). */
void ow_release_client_id(struct ow_conn *oc);

/* What conn_limit_check() says of one more consumer or producer
 * (conn_limit.h) beside `have`, the connection named by its ConnectionId:
 * 0, or -1 with the refusal answered. */
int ow_limit_check(struct ow_conn *oc, const struct ow_command *cmd, enum conn_holding what,
		   long have, const struct ow_destination *dest);

/* A string field as a NUL-terminated UTF-8 copy; NULL for Java's null or
 * when memory runs out (*oom then says which). */
char *ow_utf8_of(const struct ow_str *s, bool *oom);

/* A destination of the client's as a core one: 0, or -1 with the reason
 * answered when it is none the core serves. *name is malloc'ed. */
int ow_dest_of(struct ow_conn *oc, const struct ow_command *cmd,
	       const struct ow_destination *d, enum dest_type *type, char **name);
/* A core destination as the client's; NULL when memory runs out. */
struct ow_destination *ow_destination_of(enum dest_type type, const char *name);

/* openwire_producer.c: ProducerInfo (counted against
 * maximumProducersAllowedPerConnection, its window, then its advisory);
 * the producers of a producer, session or connection id (NULL: all)
 * forgotten; the ProducerAck a one-way send of a producer with a window
 * is owed. */
ow_handler ow_on_producer;
/* RemoveInfo: the producers it names forgotten, then
 * openwire_consumer.c's. */
ow_handler ow_on_remove;
void ow_producers_forget(struct ow_conn *oc, const struct ow_obj *id);
void ow_producer_ack(struct ow_conn *oc, const struct ow_message *om);

/* openwire_send.c */
ow_handler ow_on_message;
/* The Response to `correlation` once everything queued for the store now
 * is durable: 0, or -1 out of memory. */
int ow_answer_after_commit(struct ow_conn *oc, int32_t correlation);

/* openwire_consumer.c */
ow_handler ow_on_consumer_info;
ow_handler ow_on_ack;
ow_handler ow_on_remove_info;
ow_handler ow_on_remove_subscription;
ow_handler ow_on_message_pull;
ow_handler ow_on_consumer_control;
void ow_consumers_close(struct ow_conn *oc);
void ow_consumers_wakeup(struct ow_conn *oc);
bool ow_same_consumer(const struct ow_consumer_id *a, const struct ow_consumer_id *b);
/* The in-flight entry an ack names (its last message), with its
 * consumer; NULL when there is none. */
struct qentry *ow_ack_entry(struct ow_conn *oc, const struct ow_message_ack *a,
			    struct consumer **c);
/* An ack takes effect now. */
void ow_ack_apply(struct ow_conn *oc, const struct ow_message_ack *a);

/* openwire_tx.c */
ow_handler ow_on_transaction_info;
/* A send in the transaction om names: 0, or a PUBLISH_* refusal with the
 * reason in err. */
int ow_tx_send(struct ow_conn *oc, const struct ow_message *om, const struct producer *p,
	       struct message *m, char *err, size_t errlen);
/* An ack in its transaction: 0, or -1 refused (answered). */
int ow_tx_ack(struct ow_conn *oc, struct ow_message_ack *a);
/* The connection ends: its transactions roll back, but for prepared XA
 * ones. */
void ow_tx_close(struct ow_conn *oc);
/* openwire_proto's load and stop: the prepared XA transactions of the
 * store come back; they are forgotten (in memory) when the broker stops
 * serving. */
int ow_tx_load(struct store *st);
void ow_tx_stop(void);
/* Sends om (taken, whatever the outcome) to consumer id in a
 * MessageDispatch: 0 or -1. */
int ow_dispatch(struct ow_conn *oc, struct ow_consumer_id *id, struct ow_message *om);
/* A MessageDispatch without a message: ActiveMQ's end of a browse, and
 * its answer to a pull that found nothing. 0 or -1. */
int ow_dispatch_end(struct ow_conn *oc, struct ow_consumer_id *id,
		    const struct ow_destination *dest);

/* openwire_browse.c: a QueueBrowser's ConsumerInfo on the queue(s) dest
 * names (type, dest), with selector (NULL or "" for none): answered, every
 * waiting message dispatched, then the end. 1 (answered), or -1 refused
 * (answered). */
int ow_browse(struct ow_conn *oc, const struct ow_consumer_info *ci, enum dest_type type,
	      const char *dest, const char *selector);
/* The connection's output drained: its browses send on. */
void ow_browse_resume(struct ow_conn *oc);
/* Ends the browse of consumer id (NULL: every browse) without its end. */
void ow_browse_stop(struct ow_conn *oc, const struct ow_consumer_id *id);

/* openwire_advisory.c */
/* A producer (session:value) on dest came or went: counted, and told on
 * ActiveMQ.Advisory.Producer.Queue.NAME (or .Topic.NAME). */
void ow_producer_advisory(struct ow_conn *oc, int64_t session, int64_t value,
			  enum dest_type type, const char *dest, bool added);
/* The connection logged in (added) or went: ActiveMQ.Advisory.Connection. */
void ow_advisory_connection(struct ow_conn *oc, bool added);
/* A core advisory that names its subject (advisory.h) as the client
 * reads it: an ActiveMQMessage with the dataStructure and properties.
 * 0 (also for any other message), or -1 when memory ran out. */
int ow_advisory_apply(struct ow_message *om, const struct message *m);

/* openwire_dest.c */
ow_handler ow_on_destination_info;
/* 1 with *type when d is a temporary destination, else 0. */
int ow_dest_temp_of(const struct ow_destination *d, enum dest_type *type);
/* What ow_dest_of() checks of every destination a command names: 0, or
 * -1 with the refusal answered (another connection's temporary one). */
int ow_dest_check(struct ow_conn *oc, const struct ow_command *cmd, enum dest_type type,
		  const char *name);
/* Called with each command about to be sent: a message naming a
 * temporary destination the client was not told of is preceded by the
 * advisory that tells it. */
void ow_dest_before_send(struct ow_conn *oc, const struct ow_obj *o);
void ow_dest_conn_gone(struct ow_conn *oc);
/* JMSReplyTo as the reply-to header ("/queue/X", "/remote-temp-queue/X",
 * ...), malloc'ed; NULL for none (or *oom). And back: NULL for none or
 * when memory ran out. */
char *ow_reply_to_header(const struct ow_destination *d, bool *oom);
struct ow_destination *ow_reply_to_of(const char *header);

/* openwire_cluster.c */
/* After ci's login: the ConnectionControl ActiveMQ sends a manageable
 * client, with the cluster's URIs when the connector updates clients. */
void ow_cluster_logged_in(struct ow_conn *oc, const struct ow_connection_info *ci);
/* Tells clients of the bridges as they come and go; once. */
void ow_cluster_watch(void);

#endif
