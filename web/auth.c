/*
 * auth.c - the console's users (see auth.h).
 *
 * A jetty-realm.properties line is "name: password[, role...]" (or
 * "name=..."); "#" starts a comment. Role admin may do everything, any
 * other role only look (web_auth_who), as ActiveMQ's console gives role
 * user read-only access. Jetty's obfuscated and hashed
 * passwords (OBF:, MD5:, CRYPT:) are not understood: such users are left
 * out, with a warning, rather than let in with the wrong check.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "broker.h"
#include "config.h"
#include "log.h"
#include "session.h"

struct user {
	char *name, *password;
	char *roles;		/* the realm's, comma-separated; NULL for broker users */
};

static struct {
	struct user *users;
	size_t n;
	const char *source;
	char source_text[300];
	bool realm;		/* the users are a realm file's: roles decide */
	char hint[400];		/* how a read-only user gets more */
} auth;

static int add_user(const char *name, const char *password, const char *roles)
{
	struct user *u = realloc(auth.users, (auth.n + 1) * sizeof *u);
	if (!u)
		return -1;
	auth.users = u;
	u[auth.n].name = strdup(name);
	u[auth.n].password = strdup(password);
	u[auth.n].roles = roles ? strdup(roles) : NULL;
	if (!u[auth.n].name || !u[auth.n].password || (roles && !u[auth.n].roles)) {
		free(u[auth.n].name);
		free(u[auth.n].password);
		free(u[auth.n].roles);
		return -1;
	}
	auth.n++;
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int load_realm(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("web", "Cannot read the web console's users from %s: %s", path,
			  strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#' || *s == '!')
			continue;
		size_t k = strcspn(s, ":=");
		if (!s[k]) {
			log_warn("web", "%s:%d: not \"name: password[, role...]\": ignored", path, lineno);
			continue;
		}
		s[k] = '\0';
		char *name = trim(s), *password = s + k + 1;
		char *roles = password + strcspn(password, ",");
		if (*roles)
			*roles++ = '\0';
		password = trim(password);
		if (!strncmp(password, "OBF:", 4) || !strncmp(password, "MD5:", 4) ||
		    !strncmp(password, "CRYPT:", 6)) {
			log_warn("web", "%s:%d: user %s has an obfuscated or hashed password, which "
				 "Tandem does not read: left out", path, lineno, name);
			continue;
		}
		if (*name && add_user(name, password, roles) < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	snprintf(auth.source_text, sizeof auth.source_text, "%s (%zu users)", path, auth.n);
	auth.source = auth.source_text;
	auth.realm = true;
	snprintf(auth.hint, sizeof auth.hint, "only role admin in %s may change anything or "
		 "see messages", path);
	return 0;
}

int web_auth_load(const struct config *cfg)
{
	web_auth_free();
	auth.realm = false;
	if (cfg->web_realm)
		return load_realm(cfg->web_realm);
	for (size_t i = 0; i < cfg->nusers; i++)
		if (add_user(cfg->users[i].username, cfg->users[i].password, NULL) < 0)
			return -1;
	if (auth.n) {
		auth.source = "the broker's users (simpleAuthenticationPlugin)";
		return 0;
	}
	auth.source = "ActiveMQ's default admin/admin (loopback only)";
	return add_user("admin", "admin", NULL);
}

void web_auth_free(void)
{
	for (size_t i = 0; i < auth.n; i++) {
		free(auth.users[i].name);
		free(auth.users[i].password);
		free(auth.users[i].roles);
	}
	free(auth.users);
	auth.users = NULL;
	auth.n = 0;
}

static bool is_default(const char *user, const char *password)
{
	return !strcmp(user, "admin") && !strcmp(password, "admin");
}

const char *web_auth_check(const char *user, const char *password, bool loopback)
{
	if (!user || !password)
		return "no user name or password";
	for (size_t i = 0; i < auth.n; i++) {
		if (strcmp(auth.users[i].name, user))
			continue;
		if (!web_secret_equal(auth.users[i].password, password))
			return "wrong password";
		if (is_default(user, password) && !loopback)
			return "the default admin/admin is only taken from loopback";
		return NULL;
	}
	return "no such user";
}

bool web_auth_default_admin(void)
{
	for (size_t i = 0; i < auth.n; i++)
		if (is_default(auth.users[i].name, auth.users[i].password))
			return true;
	return false;
}

const char *web_auth_source(void)
{
	return auth.source ? auth.source : "none";
}

/* ---- what a user may do (roles) ---- */

/* Is `role` one of the comma-separated roles? */
static bool has_role(const char *roles, const char *role)
{
	size_t n = strlen(role);
	for (const char *p = roles; p && *p; p += strcspn(p, ","), p += *p == ',') {
		p += strspn(p, " \t");
		size_t len = strcspn(p, ",");
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == n && !strncmp(p, role, n))
			return true;
	}
	return false;
}

void web_auth_who(const char *user, const char *peer, struct authz_who *who)
{
	*who = (struct authz_who){ .user = user, .peer = peer, .level = AUTHZ_GROUPS };
	if (!auth.realm) {
		/* The broker's users answer to the authorizationPlugin; the
		 * default admin/admin (the broker has no users) to nobody. */
		if (!broker.cfg->nusers)
			who->level = AUTHZ_ALL;
		return;
	}
	who->level = AUTHZ_READ_ONLY;
	who->hint = auth.hint;
	for (size_t i = 0; user && i < auth.n; i++)
		if (!strcmp(auth.users[i].name, user) && has_role(auth.users[i].roles, "admin"))
			who->level = AUTHZ_ALL;
}
