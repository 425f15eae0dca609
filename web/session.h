/*
 * session.h - the console's logins: a session is a random id in a cookie
 * (HttpOnly, SameSite=Strict), the user, and the CSRF token every
 * state-changing form of that session must carry back.
 */
#ifndef TANDEM_WEB_SESSION_H
#define TANDEM_WEB_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#define WEB_SESSION_COOKIE "TANDEMSESSION"
#define WEB_TOKEN_HEX 32

struct web_session {
	char id[WEB_TOKEN_HEX + 1];
	char csrf[WEB_TOKEN_HEX + 1];
	char user[128];
	int64_t last_ms;		/* monotonic, of the last request */
	bool basic;			/* web_session_basic's: no cookie, no slot */
};

/* A new session for user (the oldest is dropped when there are too
 * many); NULL when no randomness could be had. Owned by this module. */
struct web_session *web_session_new(const char *user, int64_t now_ms);
/* The live session with this id (idle ones expire), touched; or NULL. */
struct web_session *web_session_find(const char *id, int64_t now_ms);
void web_session_end(struct web_session *s);
/* What a request with HTTP Basic gets instead of a session: the CSRF
 * token of that user's Basic requests, one per user name, with no cookie
 * and outside the table, so Basic requests (a monitoring script's every
 * 10 s) never push out an operator's session. Owned by this module; NULL
 * when memory or randomness is short. */
struct web_session *web_session_basic(const char *user);
void web_sessions_free(void);

/* Compares secrets in time that does not depend on where they differ. */
bool web_secret_equal(const char *a, const char *b);

#endif
