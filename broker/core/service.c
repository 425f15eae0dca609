/*
 * service.c - readiness and status for systemd (see service.h), through
 * libsystemd's sd_notify(). The role is read once per loop iteration: a
 * slave that takes the lock, or a master that loses it, is a change that
 * the unit's status shows without the broker core knowing of systemd.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "broker.h"
#include "config.h"
#include "locker.h"
#include "loop.h"
#include "log.h"
#include "service.h"

static int said_serving = -1;	/* the role last told: -1 none, 0 slave, 1 master */

static void say_role(const char *first)
{
	bool serving = broker_serving();
	char status[512];
	if (serving) {
		snprintf(status, sizeof status, "%sSTATUS=master: %s serves clients",
			 first, broker.cfg->broker_name);
	} else {
		struct locker_state st;
		locker_state(&st);
		snprintf(status, sizeof status, "%sSTATUS=slave: %s waits for the lock %s (held by %s)",
			 first, broker.cfg->broker_name, st.path ? st.path : "",
			 st.holder[0] ? st.holder : "unknown");
	}
	said_serving = serving;
	int r = sd_notify(0, status);
	if (r < 0)
		log_warn("broker", "Could not tell systemd (NOTIFY_SOCKET): %s", strerror(-r));
}

static void watch_role(struct loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	if (said_serving != (int)broker_serving())
		say_role("");
}

int service_ready(struct loop *l)
{
	say_role("READY=1\n");
	return loop_add_hook(l, watch_role, NULL);
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
