/*
 * web_server.c - libmicrohttpd inside the broker's event loop (see web.h), and
 * the life of one request (http.h).
 *
 * The daemon runs in "external epoll" mode: it keeps its own epoll set of
 * the listening socket, its connections and the pipe that wakes it when a
 * suspended request resumes, and the broker's loop watches that one epoll
 * fd. Whenever it is readable, or when the timeout libmicrohttpd asks for
 * (MHD_get_timeout: connection timeouts, and 0 when work is left over)
 * comes, the loop calls MHD_run, which runs the handlers in this thread.
 *
 * A request is called back several times: once with its headers (the
 * route and the login are checked then, before any body is read), once
 * per piece of body, once at the end (the handler runs), and once more
 * after a suspended request is resumed (its resume() answers).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "auth.h"
#include "config.h"
#include "cluster_poll.h"
#include "deadline.h"
#include "http.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "model.h"
#include "session.h"
#include "throttle.h"
#include "web.h"

#define CONNS_MAX 512
#define CONNS_PER_IP 64
#define TIMEOUT_MS_DEFAULT 30000	/* Jetty's idleTimeout */
#define TIMER_MAX_MS 60000

static struct {
	struct loop *loop;
	const struct config *cfg;
	struct MHD_Daemon *d;
	int epfd;
	int port;
	uint64_t timer;
	struct web_req *holding;	/* requests that hold broker state */
	bool stopping;
} web = { .epfd = -1 };

/* ---- the loop's side ---- */

static void on_timer(struct loop *l, void *ctx);

/* Asks libmicrohttpd again when it next wants to run. */
static void schedule(void)
{
	if (web.timer)
		loop_del_timer(web.loop, web.timer);
	web.timer = 0;
	MHD_UNSIGNED_LONG_LONG ms;
	if (web.d && MHD_get_timeout(web.d, &ms) == MHD_YES)
		web.timer = loop_add_timer(web.loop, ms > TIMER_MAX_MS ? TIMER_MAX_MS : (int64_t)ms,
					   on_timer, NULL);
}

static unsigned connections(void)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(web.d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info ? info->num_connections : 0;
}

/* A run that closed connections is followed by another at once: at the
 * connection limit libmicrohttpd takes its listening socket out of its
 * epoll set, and puts it back only at the start of a run, while it closes
 * connections at the end of one. Without the second run nothing woke the
 * server again when the last connections of a flood were closed by their
 * timeout (no event, no timeout left), and it never accepted again.
 * (Those connections were stuck at all because libmicrohttpd 0.9.75
 * takes a short read for a drained socket: a connection accepted late,
 * with its bytes and the client's FIN both queued, never reads the FIN;
 * deadline.c shuts such connections, which wakes it.) */
static void run(void)
{
	if (!web.d)
		return;
	unsigned before = connections();
	if (MHD_run(web.d) != MHD_YES)
		log_warn("web", "The web server's event processing failed: %s", strerror(errno));
	if (connections() < before) {
		if (web.timer)
			loop_del_timer(web.loop, web.timer);
		web.timer = loop_add_timer(web.loop, 0, on_timer, NULL);
		return;
	}
	schedule();
}

static void on_timer(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	web.timer = 0;
	run();
}

static void on_epoll(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)fd;
	(void)events;
	(void)ctx;
	run();
}

/* ---- requests ---- */

static void peer_of(struct web_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		r->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		r->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
			(IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
	}
	snprintf(r->peer, sizeof r->peer, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

/* libmicrohttpd shows the request target here first, before it cuts the
 * query off and decodes the path in place: the request is born here, to
 * keep the target as it came (framing.h). */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *mc)
{
	(void)cls;
	(void)mc;
	struct web_req *r = calloc(1, sizeof *r);
	if (r)
		web_target_seen(&r->target, uri);
	return r;
}

/* Fills in r (from on_target) with the headers' call. On failure r stays
 * for on_completed to free. */
static int req_init(struct web_req *r, struct MHD_Connection *mc, const char *url,
		    const char *method)
{
	r->mc = mc;
	r->method = strdup(method);
	r->path = strndup(url, strcspn(url, "?"));
	if (!r->method || !r->path)
		return -1;
	peer_of(r);
	return 0;
}

/* 400, and the connection closes: what follows on it cannot be trusted
 * to be the next request. */
static int refuse_framing(struct web_req *r, const char *why)
{
	log_warn("web", "Refused a request from %s: %s", r->peer, why);
	web_add_header(r, "Connection", "close");
	return web_text(r, 400, "Bad request: %s", why);
}

static void unhold(struct web_req *r)
{
	if (!r->holding)
		return;
	if (r->hold_prev)
		r->hold_prev->hold_next = r->hold_next;
	else
		web.holding = r->hold_next;
	if (r->hold_next)
		r->hold_next->hold_prev = r->hold_prev;
	r->hold_next = r->hold_prev = NULL;
	r->holding = false;
}

static void req_free(struct web_req *r, bool ok)
{
	unhold(r);
	if (r->wake_timer)
		loop_del_timer(web.loop, r->wake_timer);
	if (r->done)
		r->done(r, ok);
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	buf_free(&r->body);
	json_decref(r->form);
	free(r->user);
	free(r->method);
	free(r->path);
	free(r);
}

static struct web_deadline *deadline_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	struct web_req *r = *con_cls;
	*con_cls = NULL;
	if (r)
		req_free(r, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	web_deadline_again(deadline_of(mc));
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		web_deadline_end(*socket_context);
		*socket_context = NULL;
		return;
	}
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	*socket_context = ci ? web_deadline_start(ci->connect_fd) : NULL;
}

static bool allowed(const struct web_route *route, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = route->methods; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		if (strcspn(p, ",") == n && !strncmp(p, method, n))
			return true;
	return false;
}

/* The headers are in: route, method, size and login are checked before
 * any body is read. */
static int start(struct web_req *r, bool *answered)
{
	*answered = true;
	r->route = web_route_find(r->path);
	if (!r->route)
		return web_text(r, 404, "No such page: %s", r->path);
	if (!allowed(r->route, r->method)) {
		web_add_header(r, "Allow", r->route->methods);
		return web_text(r, 405, "%s takes %s, not %s", r->path, r->route->methods, r->method);
	}
	const char *len = web_header(r, "Content-Length");
	if (len && strtoull(len, NULL, 10) > WEB_BODY_MAX)
		return web_text(r, 413, "A request body is at most %u bytes", WEB_BODY_MAX);
	return web_route_admit(r, answered);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	struct web_req *r = *con_cls;
	if (!r || !r->method) {
		if (!r && !(r = *con_cls = calloc(1, sizeof *r)))
			return MHD_NO;
		if (req_init(r, mc, url, method) < 0)
			return MHD_NO;
		const char *why = web_framing_error(mc, &r->target, url, version);
		if (why)
			return (enum MHD_Result)refuse_framing(r, why);
		bool answered;
		int rc = start(r, &answered);
		return answered ? (enum MHD_Result)rc : MHD_YES;
	}
	if (r->readmit) {
		/* Its login waited (throttle.h): checked now, still before
		 * any body is read. */
		r->readmit = false;
		web_deadline_again(deadline_of(mc));
		bool answered;
		int rc = web_route_admit(r, &answered);
		return answered ? (enum MHD_Result)rc : MHD_YES;
	}
	if (*upload_data_size) {
		/* The body, in pieces; too much of it is answered at the end. */
		if (!r->too_big && buf_len(&r->body) + *upload_data_size <= WEB_BODY_MAX) {
			if (buf_append(&r->body, upload_data, *upload_data_size) < 0)
				return MHD_NO;
		} else {
			r->too_big = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	if (r->dispatched) {
		/* Resumed: the handler's resume() answers now. */
		return r->resume ? (enum MHD_Result)r->resume(r) : MHD_NO;
	}
	r->dispatched = true;
	web_deadline_met(deadline_of(mc));
	if (r->too_big)
		return (enum MHD_Result)web_text(r, 413, "A request body is at most %u bytes",
						 WEB_BODY_MAX);
	bool answered;
	int rc = web_route_check_csrf(r, &answered);
	if (answered)
		return (enum MHD_Result)rc;
	return (enum MHD_Result)r->route->fn(r);
}

/* At most MHD_LOG_BURST of libmicrohttpd's lines per MHD_LOG_WINDOW_MS,
 * then how many were left out: it says one line per client that closed
 * early, and a flood of slow clients wrote 1,000 of them in 15 s. */
#define MHD_LOG_BURST 10
#define MHD_LOG_WINDOW_MS 10000

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	static int64_t window_ms;
	static unsigned said, left_out;
	int64_t now = loop_now(web.loop);
	if (now - window_ms >= MHD_LOG_WINDOW_MS) {
		if (left_out)
			log_warn("web", "libmicrohttpd: %u more messages in %d s not shown", left_out,
				 MHD_LOG_WINDOW_MS / 1000);
		window_ms = now;
		said = left_out = 0;
	}
	if (said++ >= MHD_LOG_BURST) {
		left_out++;
		return;
	}
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("web", "libmicrohttpd: %s", msg);
}

/* ---- suspending ---- */

void web_hold(struct web_req *r)
{
	if (r->holding)
		return;
	r->holding = true;
	r->hold_next = web.holding;
	if (web.holding)
		web.holding->hold_prev = r;
	web.holding = r;
}

int web_suspend(struct web_req *r)
{
	web_deadline_met(deadline_of(r->mc));
	MHD_suspend_connection(r->mc);
	r->suspended = true;
	return MHD_YES;
}

void web_resume(struct web_req *r)
{
	if (!r->suspended)
		return;
	r->suspended = false;
	MHD_resume_connection(r->mc);
	/* The resumption is only looked at by the next MHD_run (its wake-up
	 * pipe does not make the epoll fd readable in external mode). */
	if (web.timer)
		loop_del_timer(web.loop, web.timer);
	web.timer = loop_add_timer(web.loop, 0, on_timer, NULL);
}

static void on_wake(struct loop *l, void *ctx)
{
	(void)l;
	struct web_req *r = ctx;
	r->wake_timer = 0;
	unhold(r);
	web_resume(r);
}

bool web_suspend_for(struct web_req *r, int64_t ms)
{
	if (web.stopping)
		return false;
	if (r->wake_timer)
		loop_del_timer(web.loop, r->wake_timer);
	r->wake_timer = loop_add_timer(web.loop, ms, on_wake, r);
	if (!r->wake_timer)
		return false;
	/* Held, so that stopping wakes it before the daemon goes. */
	web_hold(r);
	web_suspend(r);
	return true;
}

void web_stop_serving(void)
{
	while (web.holding) {
		struct web_req *r = web.holding;
		unhold(r);
		if (r->cancel)
			r->cancel(r);
		web_resume(r);
	}
}

/* ---- start and stop ---- */

/* Records this console's URL with the pair's roster, so the other node's
 * cluster page links here. A wildcard host is told as the host's name. */
static void advertise(const char *host)
{
	char name[256] = "localhost", url[400];
	if (!*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "::")) {
		gethostname(name, sizeof name - 1);
		host = name;
	}
	snprintf(url, sizeof url, strchr(host, ':') ? "http://[%s]:%d/" : "http://%s:%d/", host,
		 web.port);
	model_roster_register_in(web.cfg, "web", url);
}

int web_start(struct loop *l, const struct config *cfg)
{
	web.loop = l;
	web.cfg = cfg;
	if (!cfg->web_port) {
		log_info("web", "No web console (no WebConsolePort in jetty.xml, no "
			 "managementContext@webConsolePort)");
		return 0;
	}
	const char *host = cfg->web_host ? cfg->web_host : "127.0.0.1";
	if (web_auth_load(cfg) < 0)
		return -1;
	char err[256];
	int fd = net_listen(host, cfg->web_port, &web.port, err, sizeof err);
	if (fd < 0) {
		log_error("web", "Cannot open the web console on %s:%d: %s", host, cfg->web_port, err);
		return -1;
	}
	int timeout_ms = cfg->web_timeout_ms ? cfg->web_timeout_ms : TIMEOUT_MS_DEFAULT;
	web_deadline_init(l, timeout_ms, CONNS_MAX);
	web.d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
				 NULL, NULL, on_request, NULL,
				 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				 MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				 MHD_OPTION_URI_LOG_CALLBACK, on_target, NULL,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNS_MAX,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CONNS_PER_IP,
				 MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(timeout_ms + 999) / 1000,
				 MHD_OPTION_END);
	const union MHD_DaemonInfo *info = web.d ? MHD_get_daemon_info(web.d, MHD_DAEMON_INFO_EPOLL_FD)
						 : NULL;
	if (!info || loop_add_fd(l, info->epoll_fd, LOOP_READ, on_epoll, NULL) < 0) {
		log_error("web", "Cannot start the web server on %s:%d: %s", host, web.port,
			  web.d ? strerror(errno) : "libmicrohttpd refused to start");
		if (web.d)
			MHD_stop_daemon(web.d);
		else
			close(fd);
		web.d = NULL;
		web.port = 0;
		return -1;
	}
	web.epfd = info->epoll_fd;
	schedule();
	advertise(host);
	log_info("web", "Web console at http://%s:%d/ (API: /api/jolokia, /api/message, /metrics, "
		 "/health)%s", host, web.port, web_auth_default_admin()
		 ? "; ActiveMQ's default admin/admin login is on, from loopback only: "
		   "configure users" : "");
	return 0;
}

void web_stop(void)
{
	if (!web.d)
		return;
	web.stopping = true;
	cluster_poll_stop();
	web_stop_serving();
	/* Requests resumed just now answer (503) before the connections go. */
	for (int i = 0; i < 3; i++)
		MHD_run(web.d);
	loop_del_fd(web.loop, web.epfd);
	if (web.timer)
		loop_del_timer(web.loop, web.timer);
	web.timer = 0;
	/* Closes the listening socket and every connection; each request's
	 * done() runs. */
	MHD_stop_daemon(web.d);
	web_deadline_stop();
	web.stopping = false;
	web.d = NULL;
	web.epfd = -1;
	web.port = 0;
	web_auth_free();
	web_sessions_free();
	web_throttle_clear();
}

int web_port(void)
{
	return web.port;
}
