/*
 * kahadb_records.h - the commands in KahaDB's journal records, decoded.
 *
 * A user record (kahadb_journal.h) holds one byte, the command's
 * KahaEntryType, then the command as a length-prefixed protobuf message
 * (activemq-kahadb-store's journal-data.proto). This is a small protobuf
 * reader of its own for the few messages that matter here; the fields
 * point into the record and live as long as it does.
 *
 * Commands that describe no message (trace, producer audit, ack file map,
 * rewritten data file) decode to their type alone. A type this reader
 * does not know (the scheduler's commands belong to another journal) is
 * an error, as is a malformed message.
 */
#ifndef TANDEM_KAHADB_RECORDS_H
#define TANDEM_KAHADB_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* KahaEntryType. */
enum kahadb_type {
	KAHADB_TRACE = 0,
	KAHADB_ADD_MESSAGE = 1,
	KAHADB_REMOVE_MESSAGE = 2,
	KAHADB_PREPARE = 3,
	KAHADB_COMMIT = 4,
	KAHADB_ROLLBACK = 5,
	KAHADB_REMOVE_DESTINATION = 6,
	KAHADB_SUBSCRIPTION = 7,
	KAHADB_PRODUCER_AUDIT = 8,
	KAHADB_ACK_FILE_MAP = 9,
	KAHADB_UPDATE_MESSAGE = 10,
	/* the scheduler's journal (kahadb_scheduler.h) */
	KAHADB_ADD_JOB = 11,
	KAHADB_RESCHEDULE_JOB = 12,
	KAHADB_REMOVE_JOB = 13,
	KAHADB_REMOVE_JOBS = 14,
	KAHADB_DESTROY_SCHEDULER = 15,
	KAHADB_REWRITTEN_DATA_FILE = 16,
};

/* KahaDestination.DestinationType. */
enum kahadb_dest_type { KAHADB_QUEUE, KAHADB_TOPIC, KAHADB_TEMP_QUEUE, KAHADB_TEMP_TOPIC };

struct kahadb_bytes {
	const uint8_t *p;
	size_t len;
};

enum kahadb_txn_kind { KAHADB_NO_TXN, KAHADB_LOCAL_TXN, KAHADB_XA_TXN };

struct kahadb_txn {
	enum kahadb_txn_kind kind;
	struct kahadb_bytes connection_id;	/* local */
	int64_t local_id;
	int32_t format_id;			/* XA */
	struct kahadb_bytes global_id, branch;
};

struct kahadb_cmd {
	enum kahadb_type type;
	struct kahadb_txn txn;
	int has_dest;
	enum kahadb_dest_type dest_type;
	struct kahadb_bytes dest_name;
	struct kahadb_bytes message_id;
	struct kahadb_bytes message;	/* add: the OpenWire-marshalled message */
	int priority;			/* add: 4 unless given */
	struct kahadb_bytes sub_key;	/* remove (a topic ack), subscription */
	/* subscription: an OpenWire SubscriptionInfo; p is NULL when the
	 * field is absent, which means the subscription was removed */
	struct kahadb_bytes sub_info;
};

/* Decodes the payload of a user record. 0, or -1 with a reason in err. */
int kahadb_cmd_decode(const uint8_t *data, size_t len, struct kahadb_cmd *cmd, char *err,
		      size_t errlen);

/* A command of ActiveMQ's scheduler journal (schedulerSupport: messages
 * sent with AMQ_SCHEDULED_DELAY, _PERIOD or _CRON wait there as jobs). */
struct kahadb_job_cmd {
	enum kahadb_type type;		/* KAHADB_TRACE, _ADD_JOB .. _DESTROY_SCHEDULER */
	struct kahadb_bytes scheduler, job_id;
	int64_t next_time;		/* add, reschedule: when it runs next (ms) */
	int64_t start_time, end_time;	/* remove jobs: those due in this span */
};

/* Decodes the payload of a user record of the scheduler's journal. 0, or
 * -1 with a reason in err (a type of the message journal is one). */
int kahadb_job_decode(const uint8_t *data, size_t len, struct kahadb_job_cmd *cmd, char *err,
		      size_t errlen);

/* "queue", "topic", ...: for logs. */
const char *kahadb_dest_type_name(enum kahadb_dest_type t);

/* A transaction's id as ActiveMQ prints it, which names it uniquely and
 * is the key OpenWire's prepared transactions have in Tandem's store
 * ("TX:CONNECTION:N", "XID:[FORMAT,globalId=HEX,branchId=HEX]"), cut to
 * outlen. */
void kahadb_txn_key(const struct kahadb_txn *t, char *out, size_t outlen);

#endif
