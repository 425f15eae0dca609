/*
 * ctl.h - what tandemctl's commands share: the nodes, the options, the
 * command table, per-node requests that report their own errors, and the
 * output (aligned tables, or JSON with --json).
 *
 * A command is one row of ctl_commands[] (tandemctl.c): its name, its
 * options (a table, from which getopt, `COMMAND --help` and the man page
 * test are all derived) and a run function. run() calls ctl_each_node()
 * with a function for one node; errors are reported once, where they are
 * met, by ctl_fail() and friends, which also raise the exit code.
 */
#ifndef TANDEM_CTL_H
#define TANDEM_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "client.h"
#include "cluster.h"

/* Exit codes (tandemctl(1), EXIT STATUS). A run ends with the worst it
 * met: unreachable (3) > a slave was asked (4) > failed (1) > ok (0). */
enum { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2, CTL_UNREACHABLE = 3, CTL_SLAVE = 4 };

struct ctl_node {
	char *addr;		/* HOST:PORT of the management socket */
	char *pair;		/* PAIRNAME from the cluster file, or NULL */
	struct mgmt_client *client;
	char *broker;		/* brokerName, looked up once (ctl_broker) */
	char *broker_id;	/* BrokerId (ctl_merge_nodes) */
	int connect_rc;		/* a failed connect of ctl_merge_nodes, said later */
};

struct ctl {
	struct ctl_node *nodes;
	size_t nnodes;
	const char *user, *password;	/* --user/--password; borrowed from argv */
	bool json;
	int slave;		/* the command's slave (ctl_node_open) */
	int timeout_ms;
	int exit_code;
};

/* One option of a command. has_arg as getopt's; arg names the value in
 * the help ("N"), NULL for a flag. */
struct ctl_option {
	const char *name;	/* long name without "--"; a one-letter name is a short option */
	bool has_arg;
	const char *arg;
	const char *help;
};

#define CTL_MAX_OPTIONS 16

/* A command's parsed arguments. Values point into argv. */
struct ctl_args {
	const struct ctl_command *cmd;
	const char **values[CTL_MAX_OPTIONS];	/* per option, every value given */
	size_t nvalues[CTL_MAX_OPTIONS];
	char **argv;				/* the positional arguments */
	int argc;
};

/* What a command makes of a slave (a node waiting for its store's lock):
 * it holds no destinations and serves no clients. */
enum ctl_slave {
	CTL_SLAVE_REFUSED = 0,	/* said (naming the master), exit 4, not asked */
	CTL_SLAVE_SAID,		/* said, exit 4, and asked too (query: a slave's own
				 * objects, its Locker, are worth showing) */
	CTL_SLAVE_ANSWERS,	/* its answer is what the command shows (bstat,
				 * ha, check, network: the role is in the rows) */
};

struct ctl_command {
	const char *name;
	int (*run)(struct ctl *ctl, struct ctl_args *args);
	const char *synopsis;	/* what follows the name in the usage line */
	const char *help;
	const struct ctl_option *options;	/* ends with a NULL name */
	enum ctl_slave slave;
};

/* The commands, each defined in its ctl_*.c file and listed, in the
 * order --help shows them, in ctl_commands (NULL-terminated). */
extern const struct ctl_command ctl_cmd_query, ctl_cmd_bstat, ctl_cmd_dstat,
	ctl_cmd_list, ctl_cmd_check, ctl_cmd_browse, ctl_cmd_purge, ctl_cmd_send,
	ctl_cmd_consume, ctl_cmd_stop, ctl_cmd_producer, ctl_cmd_consumer, ctl_cmd_ha,
	ctl_cmd_network, ctl_cmd_connections, ctl_cmd_import;
extern const struct ctl_command *const ctl_commands[];

/* Parses a command's arguments (argv[0] is the command's name) into *a:
 * 0, 1 when --help was asked and printed, or CTL_USAGE after reporting
 * the mistake. ctl_args_free releases what the parse allocated. */
int ctl_args_parse(const struct ctl_command *cmd, int argc, char **argv, struct ctl_args *a);
void ctl_args_free(struct ctl_args *a);
/* The usage of a command with its options, on `out`. */
void ctl_command_help(const struct ctl_command *cmd, FILE *out);

/* Options. ctl_opt: the last value given (for a flag: "" when given),
 * or NULL. ctl_opt_all: every value, in order. ctl_opt_long: the number
 * given, def when absent; a value that is not a number from min to max
 * is a usage error (reported; returns -1). */
const char *ctl_opt(const struct ctl_args *a, const char *name);
size_t ctl_opt_all(const struct ctl_args *a, const char *name, const char ***values);
int ctl_opt_long(const struct ctl_args *a, const char *name, long def, long min,
		 long max, long *out);
/* Reports a usage error of the command (with a pointer to --help). */
int ctl_usage(const struct ctl_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Connects to a node for the command: 0 when it may be asked; else
 * reported and skipped: MGMT_EDOWN or MGMT_EFAIL (exit code 3 or 1), or
 * 1 when its broker is a slave that the command refuses. A slave is said
 * (exit code 4; the message names the master of its pair and the
 * master's address) unless the command shows slaves (enum ctl_slave). */
int ctl_node_open(struct ctl *ctl, struct ctl_node *n);
/* Two addresses of one broker (the same BrokerId: 127.0.0.1 and the
 * host's name of a broker bound to 0.0.0.0) are one node: the later goes,
 * said on stderr. Before the command, when more than one node is given. */
void ctl_merge_nodes(struct ctl *ctl);
/* Frees what a node holds (not the node itself). */
void ctl_node_release(struct ctl_node *n);

/* Runs fn on every node that ctl_node_open() opens; fn reports its own
 * failures. */
void ctl_each_node(struct ctl *ctl, void (*fn)(struct ctl *, struct ctl_node *, void *),
		   void *arg);

/* Reports "tandemctl: WHERE: why" on stderr (WHERE: a node's address)
 * and raises the exit code to `code`. ctl_fail_client reports the client's last error, as 3 when the
 * node went away (rc MGMT_EDOWN), else as 1. */
void ctl_fail(struct ctl *ctl, const char *where, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ctl_fail_client(struct ctl *ctl, const struct ctl_node *n, int rc);
void ctl_raise(struct ctl *ctl, int code);

/* One request (taken: freed here) whose value is wanted, in *value (a new
 * reference). Failures are reported. */
int ctl_call_take(struct ctl *ctl, struct ctl_node *n, json_t *req, json_t **value);
/* A bulk request (an array, taken); *resps is the array of responses,
 * one per request, whose statuses the caller looks at. */
int ctl_bulk_take(struct ctl *ctl, struct ctl_node *n, json_t *reqs, json_t **resps);

/* The objects of a pattern read's response (borrowed): a new reference
 * to an object of object name to attributes. A pattern that matched
 * nothing (404, InstanceNotFoundException) is an empty object; other
 * errors are reported and give NULL. */
json_t *ctl_matched(struct ctl *ctl, struct ctl_node *n, json_t *resp);
/* A read request for mbean (a pattern or a name) with the attributes in
 * attrs (a NULL-terminated list; NULL: all) and a "config" member when
 * config is non-NULL (taken). NULL on ENOMEM. */
json_t *ctl_read_request(const char *mbean, const char *const *attrs, json_t *config);

/* The node's brokerName (cached), or NULL after reporting why. */
const char *ctl_broker(struct ctl *ctl, struct ctl_node *n);
/* Object names (malloc'ed). type is "Queue" or "Topic". */
char *ctl_broker_mbean(const char *broker);
char *ctl_dest_mbean(const char *broker, const char *type, const char *dest);
/* Parses queue://NAME, topic://NAME or NAME (a queue): *type "Queue" or
 * "Topic", *name points into dest. */
void ctl_parse_dest(const char *dest, const char **type, const char **name);

/* --msgsel as ActiveMQ's browse and purge read it (conditions separated
 * by commas, all of which must hold; NAME='TEXT' with * or ? a pattern)
 * as one JMS selector (malloc'ed; NULL on ENOMEM). A plain selector comes
 * back unchanged. ctl_msgsel.c. */
char *ctl_msgsel_selector(const char *msgsel);

/* DEST as a STOMP destination ("/queue/NAME"), malloc'ed. */
char *ctl_stomp_dest(const char *dest);

/* The --stomp option, checked: *uri is its value (NULL when not given);
 * a URI that does not parse (failover.h) is a usage error, reported. */
int ctl_stomp_option(const struct ctl_args *a, const char **uri);

/* Runs fn once per STOMP address: the `given` one (--stomp, a URI:
 * HOST:PORT or a failover: list, see failover.h) alone, without asking
 * any node; else each node's: the node's host and the port of its
 * broker's first stomp:// connector, else tcp:// one (from
 * TransportConnectors). label is what rows show as the node. */
void ctl_each_stomp(struct ctl *ctl, const char *given,
		    void (*fn)(struct ctl *, const char *label, const char *addr, void *), void *arg);

/* Output: a table is a list of columns and rows that are JSON objects.
 * Printed aligned (only the columns), or with --json as one array of the
 * whole rows (which may hold more than the columns show). */
struct ctl_column {
	const char *key;	/* member of the row */
	const char *title;
	bool right;		/* numbers are right-aligned */
	size_t max;		/* longer text is cut, with "..."; 0: no limit */
};

struct ctl_table {
	const struct ctl_column *cols;
	size_t ncols;
	json_t *rows;
};

void ctl_table_init(struct ctl_table *t, const struct ctl_column *cols, size_t ncols);
/* A new row for node n: "node" (its address), "pair" (from a cluster
 * file, when given), then the members of attrs (may be NULL) copied. */
json_t *ctl_row(const struct ctl_node *n, json_t *attrs);
/* Adds a row (taken); its "node" member should be the node's address. */
void ctl_table_add(struct ctl_table *t, json_t *row);
/* The row of a node that cannot be reached: its "node" and "pair", role
 * "down" (bstat, ha). */
void ctl_table_add_down(struct ctl_table *t, const struct ctl_node *n);
/* Prints the table (no output for an empty table, unless --json) and
 * frees its rows. */
void ctl_table_print(struct ctl_table *t, bool json);

/* The common shape of a command: a table filled by fn on every node and
 * printed. fn gets arg, or the table itself when arg is NULL.
 * ctl_table_command also refuses positional arguments (a usage error,
 * -1), for commands that take none. */
void ctl_each_node_table(struct ctl *ctl, struct ctl_table *t, const struct ctl_column *cols,
			 size_t ncols, void (*fn)(struct ctl *, struct ctl_node *, void *), void *arg);
int ctl_table_command(struct ctl *ctl, struct ctl_args *a, const struct ctl_column *cols,
		      size_t ncols, void (*fn)(struct ctl *, struct ctl_node *, void *));

#endif
