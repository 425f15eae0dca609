/*
 * client_id.c - the client ids in use, broker-wide (client_id.h).
 */
#include "client_id.h"
#include "conn.h"
#include "strmap.h"

/* id -> the struct conn holding it */
static struct strmap held = STRMAP_INIT;

struct conn *client_id_holder(const char *id)
{
	return id ? strmap_get(&held, id) : NULL;
}

int client_id_hold(struct conn *c)
{
	struct conn *h = strmap_get(&held, c->client_id);
	if (h == c)
		return 0;
	if (h)	/* taken over (MQTT): the holder is closing */
		strmap_del(&held, c->client_id);
	return strmap_put(&held, c->client_id, c);
}

void client_id_release(struct conn *c)
{
	if (c->client_id && strmap_get(&held, c->client_id) == c)
		strmap_del(&held, c->client_id);
}
