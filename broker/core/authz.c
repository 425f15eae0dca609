/*
 * authz.c - destination authorization (see authz.h).
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "broker.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "temp_dest.h"
#include "topic.h"
#include "wildcard.h"

/* The groups of a user, comma-separated; "" for none (or no such user). */
static const char *groups_of(const char *user)
{
	const struct config *cfg = broker.cfg;
	for (size_t i = 0; user && i < cfg->nusers; i++)
		if (!strcmp(cfg->users[i].username, user))
			return cfg->users[i].groups ? cfg->users[i].groups : "";
	return "";
}

/* Is one of `have` (comma-separated) in `allowed` (comma-separated, "*"
 * for everyone)? Blanks around names do not count. */
static bool any_group(const char *have, const char *allowed)
{
	for (const char *a = allowed; a && *a;) {
		a += strspn(a, " ");
		size_t alen = strcspn(a, ",");
		while (alen && a[alen - 1] == ' ')
			alen--;
		if (alen == 1 && *a == '*')
			return true;
		for (const char *h = have; *h;) {
			h += strspn(h, " ");
			size_t hlen = strcspn(h, ",");
			while (hlen && h[hlen - 1] == ' ')
				hlen--;
			if (hlen && hlen == alen && !strncmp(a, h, alen))
				return true;
			h += strcspn(h, ",");
			h += *h == ',';
		}
		a += strcspn(a, ",");
		a += *a == ',';
	}
	return false;
}

static const char *acl_of(const struct conf_authz_entry *e, enum authz_op op)
{
	return op == AUTHZ_READ ? e->read : op == AUTHZ_WRITE ? e->write : e->admin;
}

/* A name is granted by an entry that matches it and names one of the
 * groups. A wildcard subscription reads every destination it matches,
 * so it is granted only by an entry matching all of them: "a.*" matched
 * "a.>" as a name (its '*' takes the element ">"), and a guest allowed
 * a.x read a.b.c that way. The defaultEntry decides for a wildcard no
 * entry reaches into. ActiveMQ asks again of each destination a wildcard
 * consumer meets (AuthorizationDestinationFilter); asked once here, a
 * wildcard only part of which is granted is refused whole. */
static bool granted(const char *groups, enum authz_op op, enum dest_type type, const char *name)
{
	const struct config *cfg = broker.cfg;
	if (temp_dest_is_temp(name))
		return !cfg->authz_temp || any_group(groups, acl_of(cfg->authz_temp, op));
	bool wild = dest_has_wildcard(name), matched = false;
	for (size_t i = 0; i < cfg->nauthz; i++) {
		const struct conf_authz_entry *e = &cfg->authz[i];
		if (e->topic != (type == DEST_TOPIC) ||
		    !(wild ? dest_overlap(e->pattern, name) : dest_match(e->pattern, name)))
			continue;
		matched = true;
		if ((!wild || dest_covers(e->pattern, name)) && any_group(groups, acl_of(e, op)))
			return true;
	}
	return !matched && cfg->authz_default && any_group(groups, acl_of(cfg->authz_default, op));
}

/* At most REFUSALS_LOGGED refusals a second are logged; the others are
 * counted, and said in one line a second later: a stranger repeating a
 * refused request (3,000 in one bulk line) must not fill the disk. */
#define REFUSALS_LOGGED 20

static struct {
	int64_t second;
	long logged, unlogged;
} refusals;

static void refusals_summary(struct loop *l, void *ctx)
{
	(void)ctx;
	log_warn("security", "%ld more refusals in the last second were not logged",
		 refusals.unlogged);
	refusals.unlogged = refusals.logged = 0;
	refusals.second = loop_now(l) / 1000;
}

static bool refusal_logged(void)
{
	int64_t now = broker.loop ? loop_now(broker.loop) / 1000 : 0;
	if (now != refusals.second && (!refusals.unlogged || !broker.loop)) {
		refusals.second = now;
		refusals.logged = 0;
	}
	if (refusals.logged < REFUSALS_LOGGED) {
		refusals.logged++;
		return true;
	}
	/* The first one not logged sets the summary going. */
	if (!refusals.unlogged++ && broker.loop &&
	    !loop_add_timer(broker.loop, 1000, refusals_summary, NULL))
		refusals.unlogged = 0;
	return false;
}

/* Says why not in err, in ActiveMQ's words (never more than names: no
 * message body). */
static void refusal_words(const char *user, const char *verb, const char *what, char *err,
			  size_t errlen)
{
	snprintf(err, errlen, "User %s is not authorized to %s: %s", user ? user : "(anonymous)",
		 verb, what);
}

/* Says why not in err and logs it; false. */
static bool refuse(const char *user, const char *verb, const char *what, const char *peer,
		   char *err, size_t errlen)
{
	refusal_words(user, verb, what, err, errlen);
	if (refusal_logged())
		log_warn("security", "%s (from %s)", err, peer ? peer : "?");
	return false;
}

static const char *const verbs[] = { "read from", "write to", "create" };

/* "queue://NAME", as ActiveMQ names a destination in its refusals. */
static const char *dest_text(enum dest_type type, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s://%s", type == DEST_QUEUE ? "queue" : "topic", name);
	return out;
}

static bool refuse_dest(const char *user, const char *verb, enum dest_type type,
			const char *name, const char *peer, char *err, size_t errlen)
{
	char what[600];
	return refuse(user, verb, dest_text(type, name, what, sizeof what), peer, err, errlen);
}

bool authz_allows(const struct conn *c, enum authz_op op, enum dest_type type,
		  const char *name, char *err, size_t errlen)
{
	const struct config *cfg = broker.cfg;
	if (!cfg->authorization)
		return true;
	if (granted(groups_of(c->user), op, type, name))
		return true;
	return refuse_dest(c->user, verbs[op], type, name, c->peer, err, errlen);
}

static bool dest_exists(enum dest_type type, const char *name)
{
	return strpbrk(name, "*>") || (type == DEST_QUEUE ? broker_queue(name, false) != NULL
						: topic_get(name, false) != NULL);
}

bool authz_allows_use(const struct conn *c, enum authz_op op, enum dest_type type,
		      const char *name, char *err, size_t errlen)
{
	if (!broker.cfg->authorization)
		return true;
	if (!authz_allows(c, op, type, name, err, errlen))
		return false;
	return dest_exists(type, name) || authz_allows(c, AUTHZ_ADMIN, type, name, err, errlen);
}

enum authz_answer authz_user_may_use(const char *user, enum authz_op op, enum dest_type type,
				     const char *name, char *err, size_t errlen)
{
	if (!broker.cfg->authorization)
		return AUTHZ_YES;
	const char *groups = groups_of(user);
	char what[600];
	dest_text(type, name, what, sizeof what);
	if (!granted(groups, op, type, name)) {
		refusal_words(user, verbs[op], what, err, errlen);
		return AUTHZ_NO;
	}
	if (!dest_exists(type, name) && !granted(groups, AUTHZ_ADMIN, type, name)) {
		refusal_words(user, verbs[AUTHZ_ADMIN], what, err, errlen);
		return AUTHZ_NOT_TO_CREATE;
	}
	return AUTHZ_YES;
}

/* A read-only user's refusal also says how to get more. */
static bool refuse_read_only(const struct authz_who *who, const char *verb, const char *what,
			     char *err, size_t errlen)
{
	char why[700];
	snprintf(why, sizeof why, "%s (read-only access%s%s)", what, who->hint ? ": " : "",
		 who->hint ? who->hint : "");
	return refuse(who->user, verb, why, who->peer, err, errlen);
}

/* May who do anything at all, without looking? */
static bool unrestricted(const struct authz_who *who)
{
	return who->level == AUTHZ_ALL ||
	       (who->level == AUTHZ_GROUPS && !broker.cfg->authorization);
}

bool authz_who_allows(const struct authz_who *who, enum authz_op op, enum dest_type type,
		      const char *name, char *err, size_t errlen)
{
	if (unrestricted(who))
		return true;
	/* Admin on a destination that exists is about administering it;
	 * ActiveMQ's "create" is kept for the first use. */
	bool exists = dest_exists(type, name);
	const char *verb = op == AUTHZ_ADMIN && exists ? "administer" : verbs[op];
	if (who->level == AUTHZ_READ_ONLY) {
		char what[600];
		return refuse_read_only(who, verb, dest_text(type, name, what, sizeof what), err,
					errlen);
	}
	const char *groups = groups_of(who->user);
	if (!granted(groups, op, type, name))
		return refuse_dest(who->user, verb, type, name, who->peer, err, errlen);
	if (!exists && !granted(groups, AUTHZ_ADMIN, type, name))
		return refuse_dest(who->user, "create", type, name, who->peer, err, errlen);
	return true;
}

/* The groups named in the admin of the entry for every queue (">"). */
static const char *broker_admins(void)
{
	const struct config *cfg = broker.cfg;
	for (size_t i = 0; i < cfg->nauthz; i++)
		if (!cfg->authz[i].topic && !strcmp(cfg->authz[i].pattern, ">"))
			return cfg->authz[i].admin;
	return NULL;
}

bool authz_who_broker_admin(const struct authz_who *who, const char *what, char *err,
			    size_t errlen)
{
	if (unrestricted(who))
		return true;
	if (who->level == AUTHZ_READ_ONLY)
		return refuse_read_only(who, what, "a broker administrator's operation", err,
					errlen);
	if (any_group(groups_of(who->user), broker_admins()))
		return true;
	return refuse(who->user, what, "it takes a broker administrator (a group named in the "
		      "admin of the authorizationEntry queue=\">\")", who->peer, err, errlen);
}
