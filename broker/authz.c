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

static bool granted(const char *groups, enum authz_op op, enum dest_type type, const char *name)
{
	const struct config *cfg = broker.cfg;
	if (temp_dest_is_temp(name))
		return !cfg->authz_temp || any_group(groups, acl_of(cfg->authz_temp, op));
	bool matched = false;
	for (size_t i = 0; i < cfg->nauthz; i++) {
		const struct conf_authz_entry *e = &cfg->authz[i];
		if (e->topic != (type == DEST_TOPIC) || !dest_match(e->pattern, name))
			continue;
		matched = true;
		if (any_group(groups, acl_of(e, op)))
			return true;
	}
	return !matched && cfg->authz_default && any_group(groups, acl_of(cfg->authz_default, op));
}

bool authz_allows(const struct conn *c, bool bridge, enum authz_op op, enum dest_type type,
		  const char *name, char *err, size_t errlen)
{
	const struct config *cfg = broker.cfg;
	if (!cfg->authorization || c->trusted)
		return true;
	/* Demand travels on advisories: no ACL may cut a bridge off them. */
	if (bridge && op == AUTHZ_READ && type == DEST_TOPIC &&
	    !strncmp(name, "ActiveMQ.Advisory.", 18))
		return true;
	if (granted(groups_of(c->user), op, type, name))
		return true;
	static const char *const verbs[] = { "read from", "write to", "create" };
	snprintf(err, errlen, "User %s is not authorized to %s: %s://%s",
		 c->user ? c->user : "(anonymous)", verbs[op],
		 type == DEST_QUEUE ? "queue" : "topic", name);
	log_warn("security", "%s (from %s)", err, c->peer);
	return false;
}

bool authz_allows_use(const struct conn *c, bool bridge, enum authz_op op, enum dest_type type,
		      const char *name, char *err, size_t errlen)
{
	if (!broker.cfg->authorization || c->trusted)
		return true;
	if (!authz_allows(c, bridge, op, type, name, err, errlen))
		return false;
	bool exists = strpbrk(name, "*>") || (type == DEST_QUEUE ? broker_queue(name, false) != NULL
						 : topic_get(name, false) != NULL);
	return exists || authz_allows(c, bridge, AUTHZ_ADMIN, type, name, err, errlen);
}
