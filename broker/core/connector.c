/*
 * connector.c - listening sockets for <transportConnector> (see connector.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "advertise.h"
#include "config.h"
#include "conn.h"
#include "connector.h"
#include "log.h"
#include "loop.h"
#include "listener.h"
#include "proto.h"

/* One warning per connector per this many ms when refusing connections,
 * with the count of those refused in between: a connection storm must not
 * become a log storm. */
#define REFUSAL_LOG_MS 10000

/* Schemes whose protocol is fixed, and schemes that detect. */
static const struct {
	const char *scheme;
	const char *proto;	/* NULL: detect from the first bytes */
} schemes[] = {
	{ "tcp", NULL }, { "nio", NULL }, { "auto", NULL }, { "auto+nio", NULL },
	{ "stomp", "stomp" }, { "stomp+nio", "stomp" },
	{ "mqtt", "mqtt" }, { "mqtt+nio", "mqtt" },
	{ "amqp", "amqp" }, { "amqp+nio", "amqp" },
};

static void on_accept(struct loop *l, int fd, int events, void *ctx);
static void say_refusals(struct connector *ct, const struct log_tally *t);
static void say_expiries(struct connector *ct, const struct log_tally *t);

/* The URI told to others: ActiveMQ's publishable connect string. */
static void advertise_uri(struct connector *ct)
{
	char addr[300];
	advertise_addr(ct->conf->host, ct->port, addr, sizeof addr);
	snprintf(ct->advertised, sizeof ct->advertised, "%s://%s", ct->conf->scheme, addr);
}

int connector_start(struct connector *ct, struct loop *l,
		    const struct conf_connector *conf)
{
	memset(ct, 0, sizeof *ct);
	ct->conf = conf;
	ct->loop = l;
	ct->fd = -1;
	ct->refusals = (struct log_tally){ .ct = ct, .say = say_refusals };
	ct->expiries = (struct log_tally){ .ct = ct, .say = say_expiries };

	size_t i;
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strcmp(schemes[i].scheme, conf->scheme) == 0)
			break;
	if (i == sizeof schemes / sizeof schemes[0]) {
		log_error("connector", "Connector %s: scheme %s:// is not supported "
			  "(tcp, nio, auto, stomp, mqtt, amqp are)", conf->name,
			  conf->scheme);
		return -1;
	}
	if (schemes[i].proto) {
		ct->fixed = proto_find(schemes[i].proto);
		if (!ct->fixed || !ct->fixed->open) {
			log_warn("connector", "Connector %s (%s): %s is not served by "
				 "this version of Tandem yet; connector not started",
				 conf->name, conf->uri, schemes[i].proto);
			return 1;
		}
	}

	char err[256];
	int fd = net_listen(conf->host, conf->port, &ct->port, err, sizeof err);
	if (fd < 0) {
		log_error("connector", "Connector %s: cannot listen on %s: %s", conf->name,
			  conf->uri, err);
		return -1;
	}
	if (loop_add_fd(l, fd, LOOP_READ, on_accept, ct) < 0) {
		log_error("connector", "Connector %s: %s", conf->name, strerror(errno));
		close(fd);
		return -1;
	}
	ct->fd = fd;
	advertise_uri(ct);
	log_info("connector", "Listening for connections at: %s (%s)", ct->advertised,
		 ct->fixed ? ct->fixed->label : "STOMP, MQTT, OpenWire detected; AMQP recognised");
	log_info("connector", "Connector %s started", conf->name);
	return 0;
}

void connector_stop(struct connector *ct)
{
	struct log_tally *tallies[] = { &ct->refusals, &ct->expiries };
	for (size_t i = 0; i < sizeof tallies / sizeof *tallies; i++) {
		if (tallies[i]->timer)
			loop_del_timer(ct->loop, tallies[i]->timer);
		tallies[i]->timer = 0;
	}
	if (ct->fd < 0)
		return;
	loop_del_fd(ct->loop, ct->fd);
	close(ct->fd);
	ct->fd = -1;
	log_info("connector", "Connector %s stopped", ct->conf->name);
}

void connector_conn_closed(struct connector *ct)
{
	ct->current--;
}

static void tally_say(struct log_tally *t)
{
	t->say(t->ct, t);
	t->unlogged = 0;
	t->logged_at = loop_now(t->ct->loop);
}

static void tally_interval_over(struct loop *l, void *ctx)
{
	(void)l;
	struct log_tally *t = ctx;
	t->timer = 0;
	if (t->unlogged)
		tally_say(t);
}

/* One more event, `last` saying what it was. */
static void tally_count(struct log_tally *t, const char *last)
{
	int64_t now = loop_now(t->ct->loop);
	t->unlogged++;
	snprintf(t->last, sizeof t->last, "%s", last);
	if (!t->logged_at || now - t->logged_at >= REFUSAL_LOG_MS)
		tally_say(t);
	else if (!t->timer)
		t->timer = loop_add_timer(t->ct->loop, t->logged_at + REFUSAL_LOG_MS - now,
					  tally_interval_over, t);
}

static void say_refusals(struct connector *ct, const struct log_tally *t)
{
	log_warn("connector", "Reached the maximum number of allowed client "
		 "connections. Connector: %s, Limit: %ld; refused %ld connection(s), "
		 "the last from %s", ct->conf->name, ct->conf->max_connections,
		 t->unlogged, t->last);
}

static void say_expiries(struct connector *ct, const struct log_tally *t)
{
	log_warn("connector", "Connector %s: closed %ld connection(s) that did not log in "
		 "in time, the last from %s", ct->conf->name, t->unlogged, t->last);
}

static void refuse(struct connector *ct, int fd, const char *peer)
{
	close(fd);
	ct->refused++;
	tally_count(&ct->refusals, peer);
}

void connector_login_expired(struct connector *ct, const char *peer, const char *why)
{
	char last[sizeof ct->expiries.last];
	ct->login_expired++;
	snprintf(last, sizeof last, "%s: %s", peer, why);
	tally_count(&ct->expiries, last);
}

static void on_accept(struct loop *l, int lfd, int events, void *ctx)
{
	(void)events;
	struct connector *ct = ctx;
	for (int i = 0; i < 64; i++) {
		char peer[64];
		int fd = net_accept(lfd, peer, sizeof peer);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				log_error("connector", "Connector %s: cannot accept: %s",
					  ct->conf->name, strerror(errno));
			return;
		}
		if (ct->current >= ct->conf->max_connections) {
			refuse(ct, fd, peer);
			continue;
		}
		ct->current++;
		ct->accepted++;
		if (!conn_new(l, ct, fd, peer, ct->fixed))
			ct->current--;
	}
}
