/*
 * kahadb_replay.c - replays KahaDB's journal commands into what is still
 * pending (see kahadb_replay.h). Start at kahadb_replay_cmd(): a table of
 * what each command type does, with or without a transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kahadb_journal.h"
#include "kahadb_replay.h"
#include "strmap.h"

/* A field absent from its command reads as empty (p NULL, len 0). */
static char *dup_bytes(const struct kahadb_bytes *b)
{
	char *s = malloc(b->len + 1);
	if (s) {
		if (b->len)
			memcpy(s, b->p, b->len);
		s[b->len] = '\0';
	}
	return s;
}

static void msg_unref(struct kahadb_msg *m)
{
	if (m && --m->refs == 0) {
		free(m->id);
		free(m->data);
		free(m);
	}
}

/* The message an add or update holds: where it is, when the journal is
 * read from its files, else a copy of its bytes. */
static struct kahadb_msg *msg_new(const struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	struct kahadb_msg *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->refs = 1;
	m->id = dup_bytes(&c->message_id);
	m->len = c->message.len;
	m->priority = c->priority;
	m->file_id = r->rec_file;
	m->offset = r->rec_offset;
	if (!r->dir && (m->data = malloc(m->len ? m->len : 1)) && m->len)
		memcpy(m->data, c->message.p, m->len);
	if (!m->id || (!r->dir && !m->data)) {
		msg_unref(m);
		return NULL;
	}
	return m;
}

static struct kahadb_container *find(struct kahadb_replay *r, const char *name)
{
	return r->by_name ? strmap_get(r->by_name, name) : NULL;
}

/* The container called name, made at the end of the list if new. */
static struct kahadb_container *get(struct kahadb_replay *r, const char *name,
				    const char *topic)
{
	struct kahadb_container *c = find(r, name);
	if (c)
		return c;
	if (!r->by_name && !(r->by_name = calloc(1, sizeof(struct strmap))))
		return NULL;
	c = calloc(1, sizeof *c);
	if (!c || !(c->name = strdup(name)) || !(c->by_id = calloc(1, sizeof(struct strmap))) ||
	    (topic && !(c->topic = strdup(topic))) || strmap_put(r->by_name, c->name, c) < 0) {
		if (c) {
			free(c->name);
			free(c->topic);
			free(c->by_id);
			free(c);
		}
		return NULL;
	}
	if (r->containers_tail)
		r->containers_tail->next = c;
	else
		r->containers = c;
	r->containers_tail = c;
	return c;
}

struct kahadb_msg *kahadb_replay_find(const struct kahadb_replay *r, const char *name,
				      const char *id)
{
	const struct kahadb_container *c = r->by_name ? strmap_get(r->by_name, name) : NULL;
	const struct kahadb_entry *e = c ? strmap_get(c->by_id, id) : NULL;
	return e ? e->msg : NULL;
}

static void entry_unlink(struct kahadb_container *c, struct kahadb_entry *e)
{
	strmap_del(c->by_id, e->msg->id);
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	c->count--;
	msg_unref(e->msg);
	free(e);
}

static void container_empty(struct kahadb_container *c)
{
	while (c->head)
		entry_unlink(c, c->head);
}

/* Appends m (one more reference); a message id already held is an update:
 * the newer copy replaces the older in place, as KahaDB's update does. */
static int container_add(struct kahadb_container *c, struct kahadb_msg *m)
{
	struct kahadb_entry *e = strmap_get(c->by_id, m->id);
	if (e) {
		strmap_del(c->by_id, e->msg->id);
		msg_unref(e->msg);
		e->msg = m;
		m->refs++;
		return strmap_put(c->by_id, m->id, e);
	}
	e = calloc(1, sizeof *e);
	if (!e || strmap_put(c->by_id, m->id, e) < 0) {
		free(e);
		return -1;
	}
	e->msg = m;
	m->refs++;
	e->prev = c->tail;
	if (c->tail)
		c->tail->next = e;
	else
		c->head = e;
	c->tail = e;
	c->count++;
	return 0;
}

static void name_of(char *out, size_t len, const char *scheme, const char *name)
{
	snprintf(out, len, "%s://%s", scheme, name);
}

static int apply_add(struct kahadb_replay *r, enum kahadb_dest_type t, const char *dest,
		     struct kahadb_msg *m)
{
	char name[1024];
	if (t == KAHADB_QUEUE) {
		name_of(name, sizeof name, "queue", dest);
		struct kahadb_container *c = get(r, name, NULL);
		return c ? container_add(c, m) : -1;
	}
	if (t != KAHADB_TOPIC)
		return 0;	/* temporary destinations do not outlive a broker */
	for (struct kahadb_container *c = r->containers; c; c = c->next)
		if (c->topic && strcmp(c->topic, dest) == 0 && container_add(c, m) < 0)
			return -1;
	return 0;
}

static void apply_remove(struct kahadb_replay *r, enum kahadb_dest_type t, const char *dest,
			 const char *id, const char *sub_key)
{
	char name[1024];
	if (t == KAHADB_QUEUE)
		name_of(name, sizeof name, "queue", dest);
	else if (t == KAHADB_TOPIC && sub_key)
		name_of(name, sizeof name, "durable", sub_key);
	else
		return;
	struct kahadb_container *c = find(r, name);
	struct kahadb_entry *e = c ? strmap_get(c->by_id, id) : NULL;
	if (e)
		entry_unlink(c, e);
	else
		r->unknown_removes++;
}

static void op_free(struct kahadb_op *o)
{
	free(o->dest_name);
	free(o->id);
	free(o->sub_key);
	msg_unref(o->msg);
	free(o);
}

static int op_apply(struct kahadb_replay *r, const struct kahadb_op *o)
{
	if (o->type == KAHADB_REMOVE_MESSAGE) {
		apply_remove(r, o->dest_type, o->dest_name, o->id, o->sub_key);
		return 0;
	}
	return apply_add(r, o->dest_type, o->dest_name, o->msg);
}

static struct kahadb_tx *tx_find(struct kahadb_replay *r, const char *key, struct kahadb_tx ***at)
{
	struct kahadb_tx **p = &r->txs;
	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->next;
	if (at)
		*at = p;
	return *p;
}

static struct kahadb_tx *tx_get(struct kahadb_replay *r, const struct kahadb_txn *t)
{
	char key[512];
	kahadb_txn_key(t, key, sizeof key);
	struct kahadb_tx **at, *tx = tx_find(r, key, &at);
	if (tx)
		return tx;
	tx = calloc(1, sizeof *tx);
	if (!tx || !(tx->key = strdup(key))) {
		free(tx);
		return NULL;
	}
	*at = tx;
	return tx;
}

static void tx_free(struct kahadb_tx *tx)
{
	while (tx->ops) {
		struct kahadb_op *o = tx->ops;
		tx->ops = o->next;
		op_free(o);
	}
	free(tx->key);
	free(tx);
}

/* Takes the transaction named by c out of the list: NULL if none. */
static struct kahadb_tx *tx_take(struct kahadb_replay *r, const struct kahadb_txn *t)
{
	char key[512];
	kahadb_txn_key(t, key, sizeof key);
	struct kahadb_tx **at, *tx = tx_find(r, key, &at);
	if (tx)
		*at = tx->next;
	return tx;
}

static struct kahadb_op *op_new(const struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	struct kahadb_op *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->type = c->type == KAHADB_REMOVE_MESSAGE ? KAHADB_REMOVE_MESSAGE : KAHADB_ADD_MESSAGE;
	o->dest_type = c->dest_type;
	o->dest_name = dup_bytes(&c->dest_name);
	if (o->type == KAHADB_REMOVE_MESSAGE) {
		o->id = dup_bytes(&c->message_id);
		o->sub_key = c->sub_key.p ? dup_bytes(&c->sub_key) : NULL;
		if (!o->id || (c->sub_key.p && !o->sub_key)) {
			op_free(o);
			return NULL;
		}
	} else if (!(o->msg = msg_new(r, c))) {
		op_free(o);
		return NULL;
	}
	if (!o->dest_name) {
		op_free(o);
		return NULL;
	}
	return o;
}

/* An add, update or remove: applied now, or held by its transaction. */
static int on_message_cmd(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	struct kahadb_op *o = op_new(r, c);
	if (!o)
		return -1;
	if (c->txn.kind == KAHADB_NO_TXN) {
		int rc = op_apply(r, o);
		op_free(o);
		return rc;
	}
	struct kahadb_tx *tx = tx_get(r, &c->txn);
	if (!tx) {
		op_free(o);
		return -1;
	}
	if (tx->ops_tail)
		tx->ops_tail->next = o;
	else
		tx->ops = o;
	tx->ops_tail = o;
	if (o->type == KAHADB_REMOVE_MESSAGE)
		tx->removes++;
	else
		tx->adds++;
	return 0;
}

static int on_prepare(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	struct kahadb_tx *tx = tx_get(r, &c->txn);
	if (!tx)
		return -1;
	tx->prepared = 1;
	return 0;
}

static int on_commit(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	struct kahadb_tx *tx = tx_take(r, &c->txn);
	int rc = 0;
	if (!tx)
		return 0;	/* a transaction with no command in the journal */
	for (struct kahadb_op *o = tx->ops; o && rc == 0; o = o->next)
		rc = op_apply(r, o);
	r->committed++;
	tx_free(tx);
	return rc;
}

static int on_rollback(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	struct kahadb_tx *tx = tx_take(r, &c->txn);
	if (tx) {
		r->rolled_back++;
		tx_free(tx);
	}
	return 0;
}

static void drop_container(struct kahadb_replay *r, struct kahadb_container *c)
{
	container_empty(c);
	strmap_del(r->by_name, c->name);
	struct kahadb_container **p = &r->containers, *prev = NULL;
	while (*p != c) {
		prev = *p;
		p = &(*p)->next;
	}
	*p = c->next;
	if (r->containers_tail == c)
		r->containers_tail = prev;
	strmap_clear(c->by_id);
	free(c->by_id);
	free(c->name);
	free(c->topic);
	free(c->sub_info);
	free(c);
}

static int on_remove_destination(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	char *dest = dup_bytes(&c->dest_name), name[1024];
	if (!dest)
		return -1;
	if (c->dest_type == KAHADB_QUEUE) {
		name_of(name, sizeof name, "queue", dest);
		struct kahadb_container *q = find(r, name);
		if (q)
			drop_container(r, q);
	} else {
		for (struct kahadb_container *s = r->containers, *next; s; s = next) {
			next = s->next;
			if (s->topic && strcmp(s->topic, dest) == 0)
				drop_container(r, s);
		}
	}
	free(dest);
	return 0;
}

/* The subscription's definition, replacing what an earlier command said. */
static int keep_sub_info(struct kahadb_container *s, const struct kahadb_bytes *info)
{
	uint8_t *copy = malloc(info->len ? info->len : 1);
	if (!copy)
		return -1;
	if (info->len)
		memcpy(copy, info->p, info->len);
	free(s->sub_info);
	s->sub_info = copy;
	s->sub_info_len = info->len;
	return 0;
}

static int on_subscription(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	char *key = dup_bytes(&c->sub_key), *topic = dup_bytes(&c->dest_name), name[1024];
	int rc = 0;
	if (!key || !topic) {
		rc = -1;
	} else {
		name_of(name, sizeof name, "durable", key);
		struct kahadb_container *s = find(r, name);
		if (!c->sub_info.p && s)
			drop_container(r, s);
		else if (c->sub_info.p && (s || (s = get(r, name, topic))))
			rc = keep_sub_info(s, &c->sub_info);
		else if (c->sub_info.p)
			rc = -1;
	}
	free(key);
	free(topic);
	return rc;
}

static int on_nothing(struct kahadb_replay *r, const struct kahadb_cmd *c)
{
	(void)r;
	(void)c;
	return 0;
}

/* What each command does; a type without a row is not in the journal of
 * messages (kahadb_cmd_decode refuses it first). */
static int (*const handlers[])(struct kahadb_replay *, const struct kahadb_cmd *) = {
	[KAHADB_TRACE] = on_nothing,
	[KAHADB_ADD_MESSAGE] = on_message_cmd,
	[KAHADB_REMOVE_MESSAGE] = on_message_cmd,
	[KAHADB_PREPARE] = on_prepare,
	[KAHADB_COMMIT] = on_commit,
	[KAHADB_ROLLBACK] = on_rollback,
	[KAHADB_REMOVE_DESTINATION] = on_remove_destination,
	[KAHADB_SUBSCRIPTION] = on_subscription,
	[KAHADB_PRODUCER_AUDIT] = on_nothing,
	[KAHADB_ACK_FILE_MAP] = on_nothing,
	[KAHADB_UPDATE_MESSAGE] = on_message_cmd,
	[KAHADB_REWRITTEN_DATA_FILE] = on_nothing,
};

int kahadb_replay_cmd(struct kahadb_replay *r, const struct kahadb_cmd *c, char *err,
		      size_t errlen)
{
	if ((unsigned)c->type >= sizeof handlers / sizeof *handlers || !handlers[c->type]) {
		snprintf(err, errlen, "unknown command type %u", (unsigned)c->type);
		return -1;
	}
	r->commands++;
	if (handlers[c->type](r, c) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void kahadb_replay_finish(struct kahadb_replay *r)
{
	for (struct kahadb_tx **p = &r->txs; *p;) {
		struct kahadb_tx *tx = *p;
		if (tx->prepared) {
			p = &tx->next;
			continue;
		}
		*p = tx->next;
		r->dropped++;
		tx_free(tx);
	}
}

void kahadb_replay_release(struct kahadb_replay *r)
{
	while (r->containers)
		drop_container(r, r->containers);
	while (r->txs) {
		struct kahadb_tx *tx = r->txs;
		r->txs = tx->next;
		tx_free(tx);
	}
	if (r->by_name)
		strmap_clear(r->by_name);
	free(r->by_name);
	if (r->dir && r->fd >= 0)
		close(r->fd);
	free(r->dir);
	free(r->rbuf);
	memset(r, 0, sizeof *r);
}

/* Opens db-N.log for kahadb_replay_message, closing the one open. */
static int open_file(struct kahadb_replay *r, unsigned file_id, char *err, size_t errlen)
{
	char path[4096];
	if (r->fd >= 0 && r->fd_file == file_id)
		return 0;
	if (r->fd >= 0)
		close(r->fd);
	snprintf(path, sizeof path, "%s/db-%u.log", r->dir, file_id);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	r->fd_file = file_id;
	if (r->fd < 0)
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
	return r->fd < 0 ? -1 : 0;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int kahadb_replay_message(struct kahadb_replay *r, const struct kahadb_msg *m,
			  const uint8_t **data, size_t *len, char *err, size_t errlen)
{
	if (m->data || !r->dir) {
		*data = m->data;
		*len = m->data ? m->len : 0;
		return 0;
	}
	uint8_t head[5];
	struct kahadb_cmd c;
	char why[256] = "the file changed since it was read";
	if (open_file(r, m->file_id, err, errlen) < 0)
		return -1;
	uint32_t size = pread(r->fd, head, sizeof head, (off_t)m->offset) == sizeof head ?
			get_u32(head) : 0;
	if (size > r->rcap) {
		uint8_t *b = size >= sizeof head ? realloc(r->rbuf, size) : NULL;
		if (b) {
			r->rbuf = b;
			r->rcap = size;
		}
	}
	if (size < sizeof head || size > r->rcap ||
	    pread(r->fd, r->rbuf, size, (off_t)m->offset) != (ssize_t)size ||
	    kahadb_cmd_decode(r->rbuf + sizeof head, size - sizeof head, &c, why,
			      sizeof why) < 0 || c.message.len != m->len) {
		snprintf(err, errlen, "db-%u.log offset %zu: message %s: %s", m->file_id, m->offset,
			 m->id, why);
		return -1;
	}
	*data = c.message.p;
	*len = c.message.len;
	return 0;
}

static int on_record(const struct kahadb_record *rec, void *ctx, char *err, size_t errlen)
{
	struct kahadb_cmd c;
	char why[256];
	struct kahadb_replay *r = ctx;
	r->rec_file = rec->file_id;
	r->rec_offset = rec->offset;
	if (kahadb_cmd_decode(rec->data, rec->len, &c, why, sizeof why) < 0 ||
	    kahadb_replay_cmd(ctx, &c, why, sizeof why) < 0) {
		snprintf(err, errlen, "db-%u.log offset %zu: %s", rec->file_id, rec->offset, why);
		return -1;
	}
	r->last_file = rec->file_id;
	r->last_offset = rec->offset;
	return 0;
}

int kahadb_replay_dir(const char *dir, struct kahadb_replay *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	if (!(r->dir = strdup(dir))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kahadb_journal_read(dir, on_record, r, err, errlen) < 0) {
		kahadb_replay_release(r);
		return -1;
	}
	kahadb_replay_finish(r);
	return 0;
}
