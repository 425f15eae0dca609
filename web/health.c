/*
 * health.c - GET /health: 200 when this node is the master and serving,
 * 503 otherwise, with one line saying why, for load balancers
 * (conf/haproxy.cfg) and scripts. No login: it tells nothing a port scan
 * would not.
 */
#include "broker.h"
#include "config.h"
#include "http.h"
#include "handlers.h"
#include "locker.h"

int web_health(struct web_req *r)
{
	const char *name = broker.cfg->broker_name;
	if (broker.stopping)
		return web_text(r, 503, "stopping: broker %s is shutting down", name);
	if (!broker_serving()) {
		struct locker_state st;
		locker_state(&st);
		/* A last error says why a slave cannot serve (a store it could
		 * not open, a lock file it cannot reach), a stale holder that
		 * nobody serves: worth a script's eye. */
		char stale[80] = "";
		if (st.holder_stale)
			snprintf(stale, sizeof stale, " (not refreshed for %lld s: it may be hung)",
				 (long long)st.holder_refreshed_ago_ms / 1000);
		return web_text(r, 503, "slave: broker %s waits for the lock %s%s%s%s%s%s", name,
				st.path ? st.path : "", st.holder[0] ? " held by " : "", st.holder,
				stale, st.last_error[0] ? ": " : "", st.last_error);
	}
	if (broker.cfg->nconnectors && !broker.nconnectors)
		return web_text(r, 503, "starting: broker %s has not opened its connectors", name);
	return web_text(r, 200, "master: broker %s is serving", name);
}
