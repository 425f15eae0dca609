/*
 * conn.h - one client connection: a socket, its buffers and its protocol.
 *
 * Life cycle: the connector accepts the socket and calls conn_new(); the
 * protocol is chosen from the first bytes (or by the connector's scheme)
 * and its open() runs; on_data() runs whenever bytes arrive. Protocols
 * append output to c->out and call conn_flush_later(); the loop writes all
 * pending output once per iteration.
 *
 * A connection accepted by a connector has until its login deadline to
 * complete CONNECT (the protocol calls conn_logged_in()): first the
 * connector's protocolDetectionTimeOut to say which protocol it speaks
 * (tcp://), then its transport.connectAttemptTimeout to finish CONNECT.
 * Until then its frames are held to CONN_LOGIN_FRAME_MAX, so that a
 * socket that never logs in cannot keep a slot or memory for long.
 * Connections the broker opens itself (bridges) have no deadline.
 *
 * Input waiting in c->in and in the protocol's parser counts against the
 * broker's memoryUsage (flow.h) and is given back as it is consumed and
 * when the connection goes: c->in is freed whenever it empties, and c->out
 * when it empties after a big message grew it. The output buffer counts
 * there too, after each write.
 *
 * conn_close() may be called from anywhere, including a protocol callback
 * of the same connection: it only marks the connection and stops its I/O.
 * The protocol's close() and the free happen later, from conn_reap(), when
 * no callback of this connection is on the stack. Code holding a pointer
 * across loop iterations (a store commit callback) takes a reference with
 * conn_ref() and checks c->dead.
 */
#ifndef TANDEM_CONN_H
#define TANDEM_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct connector;
struct loop;
struct proto;

/* Output above this many bytes means the client is not keeping up: stop
 * dispatching to it until on_drain(). */
#define CONN_OUT_HIGH (1u << 20)

/* The largest frame or packet a client may send before its CONNECT is
 * done, CONNECT itself included. ActiveMQ allows 1000 header lines of
 * 10 KB there, and a partial body up to wireFormat.maxFrameSize: 10 MB and
 * more held per socket before any login (issue 16). A real CONNECT needs
 * far less: a login, a client id, heart-beats, an MQTT will. */
#define CONN_LOGIN_FRAME_MAX 8192

struct conn {
	uint64_t id;
	int fd;
	int refs;
	struct loop *loop;
	struct connector *connector;
	const struct proto *proto;	/* NULL until detected */
	void *state;			/* the protocol's */
	struct buf in, out;
	char peer[64];			/* "ip:port" for logs */
	int64_t last_read;		/* loop time of the last bytes in */
	int64_t last_write;		/* loop time of the last bytes out */
	bool dead;			/* closed; waiting for conn_reap() */
	bool closing;			/* flushing output, then close */
	bool flush_queued;
	bool above_high;		/* out passed CONN_OUT_HIGH */
	bool read_paused;		/* flow control holds this producer */
	uint64_t store_watched;		/* 1 + the store batch a commit watch covers */
	/* For management; set by the protocol, freed with the conn. */
	char *client_id;		/* NULL when none */
	char *user;			/* NULL when none */
	/* The broker whose network bridge the client is (its name, its
	 * BrokerId when it said it); NULL for a client. */
	char *network_broker, *network_broker_id;
	uint64_t network_out;		/* of msgs_out, those its bridge forwards on */
	int64_t since_ms;		/* wall clock of the accept */
	uint64_t msgs_in, msgs_out;	/* messages it sent, was sent */
	long consumers;			/* its open subscriptions */
	unsigned limits_logged;		/* conn_limit.h: which were said */
	bool producer_topic;		/* producer_dest is a topic */
	char *producer_dest;		/* its latest send's destination */
	uint64_t linger_timer;
	uint64_t login_timer;		/* the login deadline; 0 when none */
	bool logged_in;			/* conn_logged_in() was called */
	long long input_charged;	/* input bytes counted in memoryUsage */
	long long input_peak;		/* the most input_charged has been */
	long long output_charged;	/* output buffer bytes counted in memoryUsage */
	/* A connection this broker opened to a peer it chose (a duplex
	 * bridge's way back): its protocol asks no login, and keeps the
	 * user it was given (the networkConnector's, bridge_duplex_login),
	 * whose rights it has. */
	bool trusted;
	/* Told once, after the protocol's close, when the connection is gone;
	 * NULL: nobody listens. */
	void (*gone)(struct conn *c, void *ctx);
	void *gone_ctx;
	struct conn *next, *prev;	/* all live connections */
	struct conn *next_flush;
};

/* Takes ownership of fd (non-blocking already). */
struct conn *conn_new(struct loop *l, struct connector *ct, int fd,
		      const char *peer, const struct proto *proto);

/* The protocol accepted the client's CONNECT: the login deadline is off
 * and the protocol may take frames up to wireFormat.maxFrameSize. */
void conn_logged_in(struct conn *c);

/* The largest frame c may send now: CONN_LOGIN_FRAME_MAX before
 * conn_logged_in() on a connector's connection, else the connector's
 * wireFormat.maxFrameSize (or `fallback` for the broker's own). */
size_t conn_frame_max(const struct conn *c, size_t fallback);

/* Counts what c holds as input now (c->in and the protocol's `buffered`)
 * in memoryUsage; protocols call it after taking frames out of band, the
 * connection does after every read. */
void conn_account_input(struct conn *c);

/* Queues a write of everything in c->out at the end of this iteration. */
void conn_flush_later(struct conn *c);
/* True while the client keeps up with its output. */
bool conn_writable(const struct conn *c);

/* Closes now (drop unsent output). */
void conn_close(struct conn *c, const char *why);
/* Sends what is queued (e.g. an ERROR frame), then closes. */
void conn_close_after_flush(struct conn *c);

/* Stops reading from c (flow control); input already read stays in c->in
 * and protocols stop taking frames from it while paused. Resuming hands
 * that input to the protocol again. */
void conn_pause_read(struct conn *c);
void conn_resume_read(struct conn *c);

void conn_ref(struct conn *c);
void conn_unref(struct conn *c);

/* Called once per loop iteration: writes queued output and frees closed
 * connections. */
void conn_flush_all(void);
void conn_reap(void);

/* A clean stop: writes what every connection has queued (the answers of
 * the last commit), waiting up to ms in all for clients that read
 * slowly; what is left then is dropped with the connection. */
void conn_drain_all(long ms);
/* Closes every connection (shutdown). */
void conn_close_all(const char *why);

/* The first live connection, for iteration via ->next. */
struct conn *conn_first(void);

#endif
