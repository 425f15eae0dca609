/*
 * client.h - a client of a node's management socket (tandem-mgmt(7)).
 *
 * One JSON value per line each way. A client holds one connection to one
 * node; tandemctl opens one per node, tandemtop keeps them open and watches.
 * Nothing here hangs: connect and every answer are bounded by the timeout
 * given to mgmt_client_new(), and a node that is down, refuses or goes
 * silent is an error with a reason in mgmt_client_error().
 *
 * Ownership: requests are borrowed (the caller keeps and frees them);
 * responses and snapshots are new references the caller json_decref()s.
 * A client is used by one thread at a time.
 */
#ifndef TANDEM_MGMT_CLIENT_H
#define TANDEM_MGMT_CLIENT_H

#include <stdbool.h>
#include <jansson.h>

#define MGMT_DEFAULT_ADDR "127.0.0.1:1099"

/* The common domain of every object name. */
#define MGMT_DOMAIN "org.apache.activemq"

/* Result of the calls below: 0 ok; MGMT_EDOWN when the node cannot be
 * reached or stopped answering (the connection is closed then); MGMT_EFAIL
 * when the node answered with an error status (the connection stays open,
 * unless the node closed it, as after a 401). */
enum { MGMT_OK = 0, MGMT_EFAIL = -1, MGMT_EDOWN = -2 };

struct mgmt_client;

/* A client for addr ("HOST:PORT", or "http://HOST:PORT" for the node's
 * web console, whose /api/jolokia then takes the requests with HTTP Basic,
 * and whose watches are polled by the client); it connects on first use. timeout_ms
 * bounds the connect and each wait for an answer. NULL only on ENOMEM. */
struct mgmt_client *mgmt_client_new(const char *addr, int timeout_ms);
void mgmt_client_free(struct mgmt_client *c);
/* Whether addr is one mgmt_client_new() can use (HOST:PORT with a valid
 * port, /PATH, http://...): 0, or -1 with why in err. A tool checks its
 * arguments with it, so that a typo is a usage error, not a node down. */
int mgmt_client_check_addr(const char *addr, char *err, size_t errlen);

const char *mgmt_client_addr(const struct mgmt_client *c);
/* Why the last call failed; valid until the next call. */
const char *mgmt_client_error(const struct mgmt_client *c);
bool mgmt_client_connected(const struct mgmt_client *c);

/* Connects now (the other calls do it when needed); with user non-NULL,
 * logs in as the first request, and again after every reconnect. */
int mgmt_client_connect(struct mgmt_client *c);
void mgmt_client_set_login(struct mgmt_client *c, const char *user, const char *password);
void mgmt_client_close(struct mgmt_client *c);

/* Sends one request (an object) or a bulk request (an array of them) and
 * returns the response line in *resp (an object, or an array for a bulk).
 * Snapshot lines of watches that arrive first are kept for
 * mgmt_client_next_snapshot(). The status inside is not looked at. */
int mgmt_client_send(struct mgmt_client *c, json_t *req, json_t **resp);

/* A single request whose value is wanted: *value is a new reference to
 * the response's value. A status other than 200 is MGMT_EFAIL with the
 * node's error text. */
int mgmt_client_call(struct mgmt_client *c, json_t *req, json_t **value);

/* The value of one response of a bulk answer (borrowed from it), or NULL
 * with the error text in the client's error. */
json_t *mgmt_response_value(struct mgmt_client *c, json_t *resp);
/* The status of a response (0 when it has none). */
int mgmt_response_status(json_t *resp);

/* Starts a watch (req is a {"type":"watch",...} object): *first is the
 * first snapshot (the response's value, a new reference) and the return is
 * the watch id (> 0), or an MGMT_E* error. */
int mgmt_client_watch(struct mgmt_client *c, json_t *req, json_t **first);
int mgmt_client_unwatch(struct mgmt_client *c, int watch_id);

/* The next snapshot line ({"watch":ID,"timestamp":..,"value":..}) waiting
 * up to timeout_ms: 0 with *snap set, 1 when none came in time, or an
 * MGMT_E* error. */
int mgmt_client_next_snapshot(struct mgmt_client *c, int timeout_ms, json_t **snap);
/* A snapshot the node cut into pages (it has "next"; tandem-mgmt(7)):
 * reads the rest into its value, as watch_req (the watch's request)
 * asks. 0, or an MGMT_E* error. mgmt_client_watch does this for the
 * first snapshot. */
int mgmt_client_snapshot_rest(struct mgmt_client *c, json_t *watch_req, json_t *snap);

/* Snapshot lines carry "watch" and no "status"; the response that starts a
 * watch carries both, so "watch" alone does not tell them apart. */
bool mgmt_is_snapshot(json_t *line);

/* The name of the node's broker (the brokerName of the first
 * type=Broker object), malloc'ed in *name. A node always has one; none is
 * MGMT_EFAIL. */
int mgmt_client_broker(struct mgmt_client *c, char **name);

/* The value of key `key` in an object name ("a:k=v,k2=v2"), quotes
 * removed; malloc'ed, NULL when absent. */
char *mgmt_name_key(const char *objname, const char *key);

/* Builds {"type":type,"mbean":mbean} (a new reference; NULL on ENOMEM). */
json_t *mgmt_request(const char *type, const char *mbean);

#endif
