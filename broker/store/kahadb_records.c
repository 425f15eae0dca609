/*
 * kahadb_records.c - a small protobuf reader for KahaDB's journal
 * commands (see kahadb_records.h). Each message is a table of the fields
 * kept, {number, where in the struct, how to read it}; fields not in the
 * table are skipped, as protobuf wants. Start at kahadb_cmd_decode().
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kahadb_records.h"

enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_BYTES = 2, WT_FIXED32 = 5 };

struct pb {
	const uint8_t *p, *end;
};

static int pb_varint(struct pb *b, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (b->p == b->end)
			return -1;
		uint8_t c = *b->p++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

static int pb_bytes(struct pb *b, struct kahadb_bytes *out)
{
	uint64_t n;
	if (pb_varint(b, &n) < 0 || n > (uint64_t)(b->end - b->p))
		return -1;
	out->p = b->p;
	out->len = (size_t)n;
	b->p += n;
	return 0;
}

static int pb_skip(struct pb *b, int wt)
{
	uint64_t v;
	struct kahadb_bytes s;
	size_t fixed = wt == WT_FIXED64 ? 8 : 4;
	switch (wt) {
	case WT_VARINT:
		return pb_varint(b, &v);
	case WT_BYTES:
		return pb_bytes(b, &s);
	case WT_FIXED64:
	case WT_FIXED32:
		if ((size_t)(b->end - b->p) < fixed)
			return -1;
		b->p += fixed;
		return 0;
	}
	return -1;	/* groups (3, 4) are not used by KahaDB */
}

/* How a kept field is read into its struct. */
enum kind { K_BYTES, K_INT, K_I64, K_TXN, K_DEST, K_LOCAL, K_XA, K_ADD };

struct field {
	uint32_t num;
	enum kind kind;
	size_t off;
};

#define END_FIELDS { 0, 0, 0 }

static int pb_message(const struct kahadb_bytes *msg, const struct field *fields, void *out);

#define CMD(field) offsetof(struct kahadb_cmd, field)

/* KahaAddMessageCommand, and what KahaUpdateMessageCommand holds. */
static const struct field add_fields[] = {
	{ 1, K_TXN, CMD(txn) },
	{ 2, K_DEST, 0 },
	{ 3, K_BYTES, CMD(message_id) },
	{ 4, K_BYTES, CMD(message) },
	{ 5, K_INT, CMD(priority) },
	END_FIELDS,
};

static int read_field(struct pb *b, int wt, const struct field *f, void *out)
{
	char *at = (char *)out + f->off;
	uint64_t v;
	struct kahadb_bytes s;
	if (f->kind == K_INT || f->kind == K_I64) {
		if (wt != WT_VARINT || pb_varint(b, &v) < 0)
			return -1;
		if (f->kind == K_INT)
			*(int *)at = (int)(int32_t)v;
		else
			*(int64_t *)at = (int64_t)v;
		return 0;
	}
	if (wt != WT_BYTES || pb_bytes(b, &s) < 0)
		return -1;
	switch (f->kind) {
	case K_BYTES:
		*(struct kahadb_bytes *)at = s;
		return 0;
	default:
		break;
	}
	static const struct field txn_fields[] = {
		{ 1, K_LOCAL, 0 },
		{ 2, K_XA, 0 },
		END_FIELDS,
	};
	static const struct field dest_fields[] = {
		{ 1, K_INT, offsetof(struct kahadb_cmd, dest_type) },
		{ 2, K_BYTES, offsetof(struct kahadb_cmd, dest_name) },
		END_FIELDS,
	};
	static const struct field local_fields[] = {
		{ 1, K_BYTES, offsetof(struct kahadb_txn, connection_id) },
		{ 1, K_I64, offsetof(struct kahadb_txn, local_id) },
		END_FIELDS,
	};
	static const struct field xa_fields[] = {
		{ 1, K_INT, offsetof(struct kahadb_txn, format_id) },
		{ 2, K_BYTES, offsetof(struct kahadb_txn, branch) },
		{ 3, K_BYTES, offsetof(struct kahadb_txn, global_id) },
		END_FIELDS,
	};
	struct kahadb_txn *t = (struct kahadb_txn *)at;
	switch (f->kind) {
	case K_TXN:
		return pb_message(&s, txn_fields, at);
	case K_LOCAL:
		t->kind = KAHADB_LOCAL_TXN;
		return pb_message(&s, local_fields, at);
	case K_XA:
		t->kind = KAHADB_XA_TXN;
		return pb_message(&s, xa_fields, at);
	case K_DEST:
		((struct kahadb_cmd *)out)->has_dest = 1;
		return pb_message(&s, dest_fields, out);
	case K_ADD:
		return pb_message(&s, add_fields, out);
	default:
		return -1;
	}
}

/* KahaLocalTransactionId numbers both its fields 1, a string and an
 * int64, so a field is known by its number and its wire type together. */
static int wire_type(enum kind k)
{
	return k == K_INT || k == K_I64 ? WT_VARINT : WT_BYTES;
}

static int pb_message(const struct kahadb_bytes *msg, const struct field *fields, void *out)
{
	struct pb b = { msg->p, msg->p + msg->len };
	while (b.p < b.end) {
		uint64_t key;
		if (pb_varint(&b, &key) < 0)
			return -1;
		uint32_t num = (uint32_t)(key >> 3);
		int wt = (int)(key & 7);
		const struct field *f = fields;
		while (f->num && !(f->num == num && wire_type(f->kind) == wt))
			f++;
		if ((f->num ? read_field(&b, wt, f, out) : pb_skip(&b, wt)) < 0)
			return -1;
	}
	return 0;
}

static const struct field remove_fields[] = {
	{ 1, K_TXN, CMD(txn) },
	{ 2, K_DEST, 0 },
	{ 3, K_BYTES, CMD(message_id) },
	{ 5, K_BYTES, CMD(sub_key) },
	END_FIELDS,
};
static const struct field txn_only_fields[] = {
	{ 1, K_TXN, CMD(txn) },
	END_FIELDS,
};
static const struct field dest_only_fields[] = {
	{ 1, K_DEST, 0 },
	END_FIELDS,
};
static const struct field sub_fields[] = {
	{ 1, K_DEST, 0 },
	{ 2, K_BYTES, CMD(sub_key) },
	{ 4, K_BYTES, CMD(sub_info) },
	END_FIELDS,
};
static const struct field update_fields[] = {
	{ 1, K_ADD, 0 },
	END_FIELDS,
};
static const struct field no_fields[] = { END_FIELDS };

/* Every KahaEntryType of the message journal, by number; NULL for the
 * scheduler's, which have a journal of their own (job_types below). */
struct cmd_type {
	const char *name;
	const struct field *fields;
};

static const struct cmd_type types[] = {
	[KAHADB_TRACE] = { "trace", no_fields },
	[KAHADB_ADD_MESSAGE] = { "add message", add_fields },
	[KAHADB_REMOVE_MESSAGE] = { "remove message", remove_fields },
	[KAHADB_PREPARE] = { "prepare", txn_only_fields },
	[KAHADB_COMMIT] = { "commit", txn_only_fields },
	[KAHADB_ROLLBACK] = { "rollback", txn_only_fields },
	[KAHADB_REMOVE_DESTINATION] = { "remove destination", dest_only_fields },
	[KAHADB_SUBSCRIPTION] = { "subscription", sub_fields },
	[KAHADB_PRODUCER_AUDIT] = { "producer audit", no_fields },
	[KAHADB_ACK_FILE_MAP] = { "ack file map", no_fields },
	[KAHADB_UPDATE_MESSAGE] = { "update message", update_fields },
	[KAHADB_REWRITTEN_DATA_FILE] = { "rewritten data file", no_fields },
};

/* A record's type byte, then its command as a length-prefixed message,
 * read by the row of that type in table into out: the type, or -1 with
 * why in err. what: "command", "scheduler command". */
static int decode_record(const struct cmd_type *table, size_t ntypes, const char *what,
			 const uint8_t *data, size_t len, void *out, char *err, size_t errlen)
{
	if (len < 1) {
		snprintf(err, errlen, "an empty record");
		return -1;
	}
	uint8_t type = data[0];
	if (type >= ntypes || !table[type].fields) {
		snprintf(err, errlen, "unknown %s type %u", what, type);
		return -1;
	}
	struct pb b = { data + 1, data + len };
	struct kahadb_bytes msg;
	if (pb_bytes(&b, &msg) < 0 || b.p != b.end ||
	    pb_message(&msg, table[type].fields, out) < 0) {
		snprintf(err, errlen, "a malformed %s command", table[type].name);
		return -1;
	}
	return type;
}

int kahadb_cmd_decode(const uint8_t *data, size_t len, struct kahadb_cmd *cmd, char *err,
		      size_t errlen)
{
	memset(cmd, 0, sizeof *cmd);
	cmd->priority = 4;
	int type = decode_record(types, sizeof types / sizeof *types, "command", data, len, cmd,
				 err, errlen);
	if (type < 0)
		return -1;
	cmd->type = (enum kahadb_type)type;
	if ((type == KAHADB_ADD_MESSAGE || type == KAHADB_UPDATE_MESSAGE ||
	     type == KAHADB_REMOVE_MESSAGE) && (!cmd->has_dest || !cmd->message_id.len)) {
		snprintf(err, errlen, "a %s command without its destination or message id",
			 types[type].name);
		return -1;
	}
	return 0;
}

#define JOB(field) offsetof(struct kahadb_job_cmd, field)

static const struct field add_job_fields[] = {
	{ 1, K_BYTES, JOB(scheduler) },
	{ 2, K_BYTES, JOB(job_id) },
	{ 9, K_I64, JOB(next_time) },
	END_FIELDS,
};
static const struct field reschedule_fields[] = {
	{ 1, K_BYTES, JOB(scheduler) },
	{ 2, K_BYTES, JOB(job_id) },
	{ 4, K_I64, JOB(next_time) },
	END_FIELDS,
};
static const struct field remove_job_fields[] = {
	{ 1, K_BYTES, JOB(scheduler) },
	{ 2, K_BYTES, JOB(job_id) },
	END_FIELDS,
};
static const struct field remove_jobs_fields[] = {
	{ 1, K_BYTES, JOB(scheduler) },
	{ 2, K_I64, JOB(start_time) },
	{ 3, K_I64, JOB(end_time) },
	END_FIELDS,
};
static const struct field destroy_fields[] = {
	{ 1, K_BYTES, JOB(scheduler) },
	END_FIELDS,
};

/* The scheduler journal's commands (JobSchedulerStoreImpl), by number. */
static const struct cmd_type job_types[] = {
	[KAHADB_TRACE] = { "trace", no_fields },
	[KAHADB_ADD_JOB] = { "add scheduled job", add_job_fields },
	[KAHADB_RESCHEDULE_JOB] = { "reschedule job", reschedule_fields },
	[KAHADB_REMOVE_JOB] = { "remove scheduled job", remove_job_fields },
	[KAHADB_REMOVE_JOBS] = { "remove scheduled jobs", remove_jobs_fields },
	[KAHADB_DESTROY_SCHEDULER] = { "destroy scheduler", destroy_fields },
	[KAHADB_REWRITTEN_DATA_FILE] = { "rewritten data file", no_fields },
};

int kahadb_job_decode(const uint8_t *data, size_t len, struct kahadb_job_cmd *cmd, char *err,
		      size_t errlen)
{
	memset(cmd, 0, sizeof *cmd);
	int type = decode_record(job_types, sizeof job_types / sizeof *job_types,
				 "scheduler command", data, len, cmd, err, errlen);
	if (type < 0)
		return -1;
	cmd->type = (enum kahadb_type)type;
	return 0;
}

const char *kahadb_dest_type_name(enum kahadb_dest_type t)
{
	static const char *const names[] = { "queue", "topic", "temp-queue", "temp-topic" };
	return (unsigned)t < sizeof names / sizeof *names ? names[t] : "unknown";
}

static size_t put_hex(char *out, size_t outlen, size_t used, const struct kahadb_bytes *b)
{
	for (size_t i = 0; i < b->len && used + 3 < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%02x", b->p[i]);
	return used;
}

void kahadb_txn_key(const struct kahadb_txn *t, char *out, size_t outlen)
{
	if (t->kind == KAHADB_LOCAL_TXN) {
		snprintf(out, outlen, "TX:%.*s:%lld", (int)t->connection_id.len,
			 (const char *)t->connection_id.p, (long long)t->local_id);
		return;
	}
	int n = snprintf(out, outlen, "XID:[%d,globalId=", (int)t->format_id);
	if (n < 0 || (size_t)n >= outlen)
		return;
	size_t used = put_hex(out, outlen, (size_t)n, &t->global_id);
	used += (size_t)snprintf(out + used, outlen - used, ",branchId=");
	used = put_hex(out, outlen, used < outlen ? used : outlen - 1, &t->branch);
	snprintf(out + used, outlen - used, "]");
}
