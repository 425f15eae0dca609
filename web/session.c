/*
 * session.c - the console's sessions (see session.h): a small table,
 * searched linearly (a console has a handful of operators), entries
 * expiring after SESSION_IDLE_MS without a request. Basic requests used
 * to open a session each: 256 of them pushed every operator out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "session.h"

#define SESSIONS_MAX 256
#define SESSION_IDLE_MS (30 * 60 * 1000)

static struct web_session sessions[SESSIONS_MAX];

/* web_session_basic's, one per user name that logged in with Basic (so
 * no more than the users there are). */
static struct web_session **basics;
static size_t nbasics;

static int random_hex(char out[WEB_TOKEN_HEX + 1])
{
	unsigned char raw[WEB_TOKEN_HEX / 2];
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return -1;
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

struct web_session *web_session_new(const char *user, int64_t now_ms)
{
	struct web_session *s = &sessions[0];
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		if (!sessions[i].id[0]) {
			s = &sessions[i];
			break;
		}
		if (sessions[i].last_ms < s->last_ms)
			s = &sessions[i];
	}
	memset(s, 0, sizeof *s);
	if (random_hex(s->id) < 0 || random_hex(s->csrf) < 0) {
		memset(s, 0, sizeof *s);
		return NULL;
	}
	snprintf(s->user, sizeof s->user, "%s", user);
	s->last_ms = now_ms;
	return s;
}

struct web_session *web_session_find(const char *id, int64_t now_ms)
{
	if (!id || strlen(id) != WEB_TOKEN_HEX)
		return NULL;
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct web_session *s = &sessions[i];
		if (!s->id[0] || !web_secret_equal(s->id, id))
			continue;
		if (now_ms - s->last_ms > SESSION_IDLE_MS) {
			web_session_end(s);
			return NULL;
		}
		s->last_ms = now_ms;
		return s;
	}
	return NULL;
}

void web_session_end(struct web_session *s)
{
	memset(s, 0, sizeof *s);
}

struct web_session *web_session_basic(const char *user)
{
	for (size_t i = 0; i < nbasics; i++)
		if (!strncmp(basics[i]->user, user, sizeof basics[i]->user - 1))
			return basics[i];
	struct web_session **more = realloc(basics, (nbasics + 1) * sizeof *more);
	if (!more)
		return NULL;
	basics = more;
	struct web_session *s = calloc(1, sizeof *s);
	if (!s || random_hex(s->csrf) < 0) {
		free(s);
		return NULL;
	}
	snprintf(s->user, sizeof s->user, "%s", user);
	s->basic = true;
	basics[nbasics++] = s;
	return s;
}

void web_sessions_free(void)
{
	memset(sessions, 0, sizeof sessions);
	for (size_t i = 0; i < nbasics; i++)
		free(basics[i]);
	free(basics);
	basics = NULL;
	nbasics = 0;
}

bool web_secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return !d && lb;
}
