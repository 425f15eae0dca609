/*
 * kahadb_replay.h - what a KahaDB journal still holds, found by replaying
 * its commands in order (kahadb_journal.h, kahadb_records.h), as
 * ActiveMQ's own recovery does when its index is stale.
 *
 * The result is a list of containers named as Tandem's store names them
 * (store.h): `queue://NAME` for a queue's pending messages and
 * `durable://CLIENTID:SUBNAME` for what a durable subscription has not
 * acknowledged yet, each with its messages in journal order (a queue's
 * priorities are applied by the broker that takes them, as ActiveMQ's
 * store keeps them in order too). A message on a topic is one shared
 * `struct kahadb_msg` in each subscription that had it.
 *
 * Transactions: a command inside a transaction waits in it; a commit
 * applies its commands in order, a rollback drops them. At the end, a
 * prepared XA transaction is kept, with its commands, as prepared; one
 * neither prepared nor ended (the client died before its commit) is
 * dropped, as ActiveMQ drops it, and counted.
 */
#ifndef TANDEM_KAHADB_REPLAY_H
#define TANDEM_KAHADB_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "kahadb_records.h"

/* One message as the journal holds it. A journal replayed from its files
 * (kahadb_replay_dir) keeps only where each message is, not its bytes:
 * what the replay holds grows with what is pending, not with the
 * journal, and kahadb_replay_message() reads the bytes again when they
 * are wanted. */
struct kahadb_msg {
	unsigned refs;		/* entries that hold it */
	char *id;		/* its JMS message id */
	uint8_t *data;		/* OpenWire-marshalled, size prefix first; NULL: */
	size_t len;
	unsigned file_id;	/* in the record at this offset of db-N.log */
	size_t offset;
	int priority;
	uint64_t seq;		/* kahadb_import: its row in Tandem's store, 0 before */
};

struct kahadb_entry {
	struct kahadb_entry *prev, *next;
	struct kahadb_msg *msg;		/* one reference */
};

struct kahadb_container {
	struct kahadb_container *next;	/* in the order first seen */
	char *name;			/* queue://NAME, durable://KEY */
	char *topic;			/* a subscription's topic, else NULL */
	/* a subscription's OpenWire SubscriptionInfo (selector, noLocal),
	 * size prefix first, as its last subscription command had it */
	uint8_t *sub_info;
	size_t sub_info_len;
	struct kahadb_entry *head, *tail;
	size_t count;
	void *by_id;			/* private: entries by message id */
};

/* A command that waits in its transaction. */
struct kahadb_op {
	struct kahadb_op *next;
	enum kahadb_type type;		/* KAHADB_ADD_MESSAGE or _REMOVE_MESSAGE */
	enum kahadb_dest_type dest_type;
	char *dest_name;
	char *id;			/* remove: the message's id */
	char *sub_key;			/* remove: a topic ack's subscription */
	struct kahadb_msg *msg;		/* add: one reference */
};

struct kahadb_tx {
	struct kahadb_tx *next;
	char *key;			/* kahadb_txn_key() */
	int prepared;
	struct kahadb_op *ops, *ops_tail;
	size_t adds, removes;
};

struct kahadb_replay {
	struct kahadb_container *containers, *containers_tail;
	struct kahadb_tx *txs;		/* open ones, then prepared at the end */
	size_t commands;		/* journal commands read */
	size_t committed, rolled_back, dropped;	/* transactions */
	size_t unknown_removes;		/* removes of messages not held */
	unsigned last_file;		/* where the last record is: with */
	size_t last_offset;		/* commands, the journal's fingerprint */
	void *by_name;			/* private: containers by name */
	/* private: the journal's directory (NULL when replayed from memory),
	 * the record being replayed, the file kahadb_replay_message reads */
	char *dir;
	unsigned rec_file;
	size_t rec_offset;
	int fd;
	unsigned fd_file;
	uint8_t *rbuf;
	size_t rcap;
};

/* Replays every journal file of dir into *r (zeroed by the call). 0, or
 * -1 with the reason in err; *r is released either way on error. */
int kahadb_replay_dir(const char *dir, struct kahadb_replay *r, char *err, size_t errlen);

/* Replays one command (the unit tests' entry; r starts zeroed). */
int kahadb_replay_cmd(struct kahadb_replay *r, const struct kahadb_cmd *c, char *err,
		      size_t errlen);

/* m's OpenWire bytes (size prefix first) in *data and *len, valid until
 * the next call or the release: read again from its journal file when
 * the replay did not keep them. 0, or -1 with why in err (the file, the
 * offset). */
int kahadb_replay_message(struct kahadb_replay *r, const struct kahadb_msg *m,
			  const uint8_t **data, size_t *len, char *err, size_t errlen);

/* The message with this id in the container called name, or NULL. */
struct kahadb_msg *kahadb_replay_find(const struct kahadb_replay *r, const char *name,
				      const char *id);

/* Ends the replay: drops the transactions neither prepared nor ended. */
void kahadb_replay_finish(struct kahadb_replay *r);

void kahadb_replay_release(struct kahadb_replay *r);

#endif
