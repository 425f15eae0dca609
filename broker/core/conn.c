/*
 * conn.c - client connections (see conn.h).
 *
 * Reading happens in the fd callback; writing is batched: protocols append
 * to c->out during the iteration and conn_flush_all() writes every touched
 * connection once before the loop sleeps. Closing is two-step (mark, then
 * reap) so that no callback ever runs on freed memory.
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "connector.h"
#include "flow.h"
#include "log.h"
#include "loop.h"
#include "memtrim.h"
#include "proto.h"

/* One read; bytes are read here and appended to c->in, so that c->in holds
 * only what is waiting, not a whole chunk per connection. One less than a
 * power of two: appended to an empty c->in it takes 64 KiB, not 128. */
#define READ_CHUNK 65535
/* An empty output buffer larger than this is freed (write_out). */
#define OUT_KEEP (2 * CONN_OUT_HIGH)
/* How long a closing connection may take to read our last frame. */
#define LINGER_MS 2000
/* Bytes a tcp:// connection may send before we must know its protocol. */
#define DETECT_MAX 64

/* A connection that held this much input when it closed had the heap
 * grow for it: malloc_trim() gives the free pages back to the system.
 * Without it, 40 logged-in connections that each held a SEND of 999
 * header lines of 10 KB left 380 MB resident after they closed (glibc
 * keeps freed heap memory); with it, 8 MB, as before they came. */
#define TRIM_AFTER (1 << 20)
/* A connection that held this many subscriptions had the heap grow by
 * more than a megabyte for them (memtrim.h). */
#define TRIM_AFTER_CONSUMERS 1000

static char scratch[READ_CHUNK];
static struct conn *all_conns;
static struct conn *flush_list;
static struct conn *graveyard;
static uint64_t next_conn_id = 1;

static void conn_io(struct loop *l, int fd, int events, void *ctx);

/* The login deadline passed: the client connected and then did not say
 * which protocol it speaks, or did not complete CONNECT. */
static void login_expired(struct loop *l, void *ctx)
{
	(void)l;
	struct conn *c = ctx;
	c->login_timer = 0;
	const struct conf_connector *conf = c->connector->conf;
	char why[160];
	if (c->proto)
		snprintf(why, sizeof why, "no %s CONNECT within transport.connectAttemptTimeout "
			 "(%ld ms)", c->proto->label, conf->connect_attempt_timeout_ms);
	else
		snprintf(why, sizeof why, "no protocol recognised within protocolDetectionTimeOut "
			 "(%ld ms)", conf->protocol_detection_timeout_ms);
	connector_login_expired(c->connector, c->peer, why);
	conn_close(c, why);
}

static void start_login_timer(struct conn *c, long ms)
{
	if (c->login_timer)
		loop_del_timer(c->loop, c->login_timer);
	c->login_timer = ms > 0 ? loop_add_timer(c->loop, ms, login_expired, c) : 0;
}

struct conn *conn_first(void)
{
	return all_conns;
}

static void detach(struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (all_conns == c)
		all_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

struct conn *conn_new(struct loop *l, struct connector *ct, int fd,
		      const char *peer, const struct proto *proto)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return NULL;
	}
	c->id = next_conn_id++;
	c->fd = fd;
	c->refs = 1;
	c->loop = l;
	c->connector = ct;
	c->last_read = c->last_write = loop_now(l);
	c->since_ms = wall_ms();
	snprintf(c->peer, sizeof c->peer, "%s", peer);
	if (loop_add_fd(l, fd, LOOP_READ, conn_io, c) < 0) {
		log_error("transport", "cannot watch connection from %s: %s",
			  peer, strerror(errno));
		close(fd);
		free(c);
		return NULL;
	}
	c->next = all_conns;
	if (all_conns)
		all_conns->prev = c;
	all_conns = c;
	if (ct)
		start_login_timer(c, proto ? ct->conf->connect_attempt_timeout_ms
				      : ct->conf->protocol_detection_timeout_ms);
	if (proto) {
		c->proto = proto;
		if (proto->open(c) < 0)
			conn_close(c, "out of memory");
	}
	return c;
}

void conn_logged_in(struct conn *c)
{
	c->logged_in = true;
	if (c->login_timer) {
		loop_del_timer(c->loop, c->login_timer);
		c->login_timer = 0;
	}
}

size_t conn_frame_max(const struct conn *c, size_t fallback)
{
	size_t max = c->connector ? (size_t)c->connector->conf->max_frame_size : fallback;
	if (c->connector && !c->logged_in && max > CONN_LOGIN_FRAME_MAX)
		max = CONN_LOGIN_FRAME_MAX;
	return max;
}

void conn_account_input(struct conn *c)
{
	long long now = (long long)c->in.cap;
	if (c->proto && c->proto->buffered && c->state)
		now += (long long)c->proto->buffered(c);
	flow_charge_input(now - c->input_charged);
	c->input_charged = now;
	if (now > c->input_peak)
		c->input_peak = now;
}

void conn_ref(struct conn *c)
{
	c->refs++;
}

/* Counts the output c's client has not taken yet in memoryUsage
 * (flow.h), once per write: output is only appended within an iteration
 * before it. The room an empty buffer keeps (OUT_KEEP at most) is not
 * counted: it is the connection's own fixed cost, and counted it held a
 * producer of a 1 MB memoryUsage after a consumer had drained. */
static void account_output(struct conn *c)
{
	long long now = (long long)buf_len(&c->out);
	flow_charge_output(now - c->output_charged);
	c->output_charged = now;
}

static void conn_free(struct conn *c)
{
	buf_free(&c->in);
	buf_free(&c->out);
	account_output(c);
	free(c->client_id);
	free(c->user);
	free(c->network_broker);
	free(c->network_broker_id);
	free(c->producer_dest);
	free(c);
}

void conn_unref(struct conn *c)
{
	if (--c->refs > 0)
		return;
	conn_free(c);
}

static void release_fd(struct conn *c)
{
	if (c->fd < 0)
		return;
	loop_del_fd(c->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	if (c->linger_timer) {
		loop_del_timer(c->loop, c->linger_timer);
		c->linger_timer = 0;
	}
	if (c->login_timer) {
		loop_del_timer(c->loop, c->login_timer);
		c->login_timer = 0;
	}
}

void conn_close(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = true;
	if (why)
		log_debug("transport", "closing connection %llu from %s: %s",
			  (unsigned long long)c->id, c->peer, why);
	release_fd(c);
	detach(c);
	c->next = graveyard;
	graveyard = c;
}

static void linger_expired(struct loop *l, void *ctx)
{
	(void)l;
	struct conn *c = ctx;
	c->linger_timer = 0;
	conn_close(c, "linger time over");
}

/* Output is out: half-close so the client reads our last frame, and wait
 * for its end of the stream (or the linger time) before closing. Closing
 * at once would reset the connection if unread input were pending, and the
 * client could lose the ERROR frame that says why. */
static int read_mask(const struct conn *c)
{
	return c->read_paused ? 0 : LOOP_READ;
}

static void start_linger(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->read_paused = false;	/* lingering reads to see the client's end */
	loop_set_mask(c->loop, c->fd, LOOP_READ);
	if (!c->linger_timer)
		c->linger_timer = loop_add_timer(c->loop, LINGER_MS, linger_expired, c);
}

void conn_close_after_flush(struct conn *c)
{
	if (c->dead || c->closing)
		return;
	c->closing = true;
	conn_flush_later(c);
}

bool conn_writable(const struct conn *c)
{
	return !c->dead && !c->closing && buf_len(&c->out) < CONN_OUT_HIGH;
}

void conn_flush_later(struct conn *c)
{
	if (c->flush_queued || c->dead)
		return;
	c->flush_queued = true;
	c->next_flush = flush_list;
	flush_list = c;
	conn_ref(c);
}

/* Writes what the kernel takes. Returns -1 when the connection broke. */
static int write_out(struct conn *c)
{
	/* Dispatch stopped when the output reached the high mark; note it
	 * before writing, or a buffer that drains in one go never says so. */
	if (buf_len(&c->out) >= CONN_OUT_HIGH)
		c->above_high = true;
	while (buf_len(&c->out) > 0) {
		ssize_t n = write(c->fd, buf_data(&c->out), buf_len(&c->out));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c, strerror(errno));
			return -1;
		}
		buf_consume(&c->out, (size_t)n);
		c->last_write = loop_now(c->loop);
	}
	/* A big message grew the buffer past what steady output needs: give
	 * it back once written, or a consumer that took one 40 MB message
	 * kept 40 MB more resident for as long as it stayed. */
	if (buf_len(&c->out) == 0 && c->out.cap > OUT_KEEP)
		buf_free(&c->out);
	account_output(c);
	if (buf_len(&c->out) > 0) {
		loop_set_mask(c->loop, c->fd, read_mask(c) | LOOP_WRITE);
	} else if (c->closing) {
		start_linger(c);
	} else {
		loop_set_mask(c->loop, c->fd, read_mask(c));
	}
	if (c->above_high && buf_len(&c->out) < CONN_OUT_HIGH / 2) {
		c->above_high = false;
		if (c->proto && c->proto->on_drain && !c->closing)
			c->proto->on_drain(c);
	} else if (buf_len(&c->out) >= CONN_OUT_HIGH) {
		c->above_high = true;
	}
	return 0;
}

void conn_flush_all(void)
{
	while (flush_list) {
		struct conn *c = flush_list;
		flush_list = c->next_flush;
		c->flush_queued = false;
		if (!c->dead)
			write_out(c);
		conn_unref(c);
	}
}

void conn_reap(void)
{
	bool trim = false;
	while (graveyard) {
		struct conn *c = graveyard;
		graveyard = c->next;
		memtrim_conn_closed(c->consumers >= TRIM_AFTER_CONSUMERS);
		if (c->proto && c->proto->close)
			c->proto->close(c);
		c->state = NULL;
		/* Its input is given back now, not when the last reference
		 * (a commit waiting to answer it) goes. */
		buf_free(&c->in);
		conn_account_input(c);
		trim |= c->input_peak >= TRIM_AFTER;
		if (c->gone)
			c->gone(c, c->gone_ctx);
		if (c->connector)
			connector_conn_closed(c->connector);
		conn_unref(c);
	}
	if (trim)
		malloc_trim(0);
}

/* The connections with output still queued: how many, into a new array
 * (NULL and 0 when none or out of memory). */
static struct conn **with_output(size_t *n)
{
	*n = 0;
	for (struct conn *c = all_conns; c; c = c->next)
		*n += !c->dead && buf_len(&c->out) > 0;
	struct conn **a = *n ? calloc(*n, sizeof *a) : NULL;
	if (!a) {
		*n = 0;
		return NULL;
	}
	size_t i = 0;
	for (struct conn *c = all_conns; c && i < *n; c = c->next)
		if (!c->dead && buf_len(&c->out) > 0)
			a[i++] = c;
	return a;
}

void conn_drain_all(long ms)
{
	int64_t deadline = mono_us() + (int64_t)ms * 1000;
	conn_flush_all();
	for (;;) {
		size_t n;
		struct conn **a = with_output(&n);
		struct pollfd *p = n ? calloc(n, sizeof *p) : NULL;
		long left = (long)((deadline - mono_us()) / 1000);
		if (!p || left <= 0) {
			free(a);
			free(p);
			return;
		}
		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = a[i]->fd, .events = POLLOUT };
		if (poll(p, n, (int)left) < 0 && errno != EINTR)
			n = 0;
		for (size_t i = 0; i < n; i++)
			if (p[i].revents && !a[i]->dead)
				write_out(a[i]);
		free(a);
		free(p);
	}
}

void conn_close_all(const char *why)
{
	while (all_conns)
		conn_close(all_conns, why);
}

static void detect_protocol(struct conn *c)
{
	bool undecided = false;
	for (size_t i = 0; protocols[i]; i++) {
		int r = protocols[i]->detect(buf_data(&c->in), buf_len(&c->in));
		if (r == 1) {
			const struct proto *p = protocols[i];
			if (!p->open) {
				log_warn("transport", "%s client from %s refused: %s is "
					 "not served by this version of Tandem yet",
					 p->label, c->peer, p->label);
				conn_close(c, "protocol not served");
				return;
			}
			c->proto = p;
			start_login_timer(c, c->connector->conf->connect_attempt_timeout_ms);
			if (p->open(c) < 0)
				conn_close(c, "out of memory");
			return;
		}
		if (r < 0)
			undecided = true;
	}
	if (!undecided || buf_len(&c->in) >= DETECT_MAX) {
		log_warn("transport", "connection from %s closed: the first bytes "
			 "are no protocol this connector speaks", c->peer);
		conn_close(c, "unknown protocol");
	}
}

/* Hands what c->in holds to the protocol, then frees c->in if that took
 * it all: an idle connection holds no input buffer. */
static void take_input(struct conn *c)
{
	if (!c->proto)
		detect_protocol(c);
	if (!c->dead && c->proto)
		c->proto->on_data(c);
	if (buf_len(&c->in) == 0)
		buf_free(&c->in);
	conn_account_input(c);
}

static void read_in(struct conn *c)
{
	for (int rounds = 0; rounds < 4; rounds++) {
		ssize_t n = read(c->fd, scratch, READ_CHUNK);
		if (n == 0) {
			conn_close(c, "closed by peer");
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c, strerror(errno));
			return;
		}
		c->last_read = loop_now(c->loop);
		if (c->closing)		/* lingering: input is discarded */
			continue;
		if (buf_append(&c->in, scratch, (size_t)n) < 0) {
			conn_close(c, "out of memory");
			return;
		}
		take_input(c);
		if (c->dead || c->closing || (size_t)n < READ_CHUNK)
			return;
	}
}

void conn_pause_read(struct conn *c)
{
	if (c->dead || c->closing || c->read_paused)
		return;
	c->read_paused = true;
	loop_set_mask(c->loop, c->fd, buf_len(&c->out) ? LOOP_WRITE : 0);
}

void conn_resume_read(struct conn *c)
{
	if (c->dead || !c->read_paused)
		return;
	c->read_paused = false;
	c->last_read = loop_now(c->loop);	/* held is not silent */
	if (c->closing)
		return;
	loop_set_mask(c->loop, c->fd, LOOP_READ | (buf_len(&c->out) ? LOOP_WRITE : 0));
	if (buf_len(&c->in) > 0 && c->proto && c->proto->on_data)
		take_input(c);
}

static void conn_io(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)fd;
	struct conn *c = ctx;
	if (events & LOOP_WRITE)
		write_out(c);
	if (!c->dead && (events & LOOP_READ))
		read_in(c);
}
