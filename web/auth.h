/*
 * auth.h - who may use the console and the API: the users of a
 * jetty-realm.properties file (jetty.xml's HashLoginService), else the
 * broker's own (simpleAuthenticationPlugin), else ActiveMQ's default
 * admin/admin. The default password is only taken from loopback, and every
 * page says it is still in use.
 */
#ifndef TANDEM_WEB_AUTH_H
#define TANDEM_WEB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

struct config;

/* Reads the users. 0, or -1 when the realm file cannot be used (logged). */
int web_auth_load(const struct config *cfg);
void web_auth_free(void);

/* NULL when user and password are right for a client from there, else
 * why not (for the log; the client is only told "invalid"). */
const char *web_auth_check(const char *user, const char *password, bool loopback);
/* (Password guessing is slowed down by throttle.h.) */
/* ActiveMQ's default admin/admin logs in (so every page warns). */
bool web_auth_default_admin(void);
struct authz_who;
/* What user (logged in from peer; both borrowed) may do, for
 * authz_who_allows and jolokia_request: with a jetty-realm.properties,
 * role admin everything and any other role only look (no change, no
 * message body: authz.h's read-only); the broker's own users what the
 * authorizationPlugin gives their groups; the default admin/admin
 * everything. */
void web_auth_who(const char *user, const char *peer, struct authz_who *who);
/* Where the users come from, for the log and the overview. */
const char *web_auth_source(void);

#endif
