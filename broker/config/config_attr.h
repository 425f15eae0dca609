/*
 * config_attr.h - one row per configuration attribute (private to config*.c
 * and its tests).
 *
 * A row says all there is about an attribute of an element, or an option of
 * a connector's URI: its name as ActiveMQ spells it, its kind, the type of
 * its value, its default, and the field of the element's struct that holds
 * it. Everything else follows from the rows: the loader (config.c) accepts,
 * reads and defaults by them, `tandemd --check` (config_print.c) prints by
 * them, and t/unit/config_attr.c holds them against man/tandem.xml.5 both
 * ways. To add an attribute, add a row to config_schema.c and a line to the
 * man page.
 *
 * Copy of the idea: nginx's ngx_command_t, Tandem's mgmt/client/failover.c
 * opt_defs[].
 */
#ifndef TANDEM_CONFIG_ATTR_H
#define TANDEM_CONFIG_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum conf_kind {
	/* Read into the field at `offset` by its type, the default first. */
	CONF_FIELD,
	/* Read by the element's handler, because its value is checked against
	 * others or sets more than one field (uri, queue/topic); `offset`, when
	 * not CONF_NO_FIELD, still says where it is kept, for --check. */
	CONF_HANDLER,
	/* ActiveMQ's, accepted and not implemented: said once at start (INFO,
	 * file and line) and listed by --check wherever it is used. */
	CONF_NOT_IMPLEMENTED,
};

enum conf_type {
	CONF_NONE,	/* no value of its own (CONF_NOT_IMPLEMENTED, queue/topic) */
	CONF_STRING,	/* char *, owned */
	CONF_SECRET,	/* char *, owned, never printed */
	CONF_BOOL,	/* bool: true or false */
	CONF_INT,	/* int: a whole number of at least `min`, at most 10^9 */
	CONF_LONG,	/* long: a whole number of at least `min` */
	CONF_SIZE,	/* long long: a size, "64 mb", of at least `min` bytes */
	CONF_MS,	/* long: milliseconds; 0 and less: none (stored as 0) */
	CONF_PORT,	/* int: 0 to 65535 */
	CONF_PERCENT,	/* int: `min` to 100 */
};

/* When --check prints a row; conf_attr_print() takes them or'ed. */
enum conf_print {
	CONF_PRINT_NEVER = 0,
	CONF_PRINT_ALWAYS = 1,
	CONF_PRINT_IF_SET = 2,	/* when it differs from its default (strings: when set) */
};

#define CONF_NO_FIELD ((size_t)-1)

struct conf_attr {
	const char *name;	/* ActiveMQ's spelling; "prefix.*" matches the prefix */
	enum conf_kind kind;
	enum conf_type type;
	size_t offset;		/* of the field in the element's struct, or CONF_NO_FIELD */
	long min;		/* numbers and sizes */
	/* The default as the man page says it: a value of the type, or the
	 * name of an earlier row whose value it takes; NULL: none (0, false,
	 * unset). */
	const char *def;
	enum conf_print print;
};

/* Rows without a field of their own, and the end of a table. */
#define ATTR_HANDLED(name) \
	{ name, CONF_HANDLER, CONF_NONE, CONF_NO_FIELD, 0, NULL, CONF_PRINT_NEVER }
#define ATTR_NOT_IMPLEMENTED(name) \
	{ name, CONF_NOT_IMPLEMENTED, CONF_NONE, CONF_NO_FIELD, 0, NULL, CONF_PRINT_NEVER }
#define ATTR_END { NULL, 0, 0, 0, 0, NULL, 0 }

/* The rows of one element (or of its URI's options), as the man page's
 * ELEMENTS section heads its entry. */
struct conf_attr_table {
	const char *element;		/* "networkConnector" */
	const char *heading;		/* the man page's .TP tag: "<networkConnectors><networkConnector>" */
	const struct conf_attr *rows;	/* ending with a NULL name */
};

/* The tables held against the man page (config_schema.c), ending with a
 * NULL element. Every element's rows are also reachable from config.c's
 * walk; these are the ones that are complete. */
extern const struct conf_attr_table conf_attr_tables[];

extern const struct conf_attr network_connector_rows[];
extern const struct conf_attr policy_entry_rows[];
extern const struct conf_attr transport_connector_rows[];
extern const struct conf_attr connector_option_rows[];
extern const struct conf_attr pending_limit_rows[];
extern const struct conf_attr bridge_filter_rows[];
extern const struct conf_attr broker_rows[];
extern const struct conf_attr kahadb_rows[];
extern const struct conf_attr locker_rows[];
extern const struct conf_attr jdbc_rows[];
extern const struct conf_attr lease_locker_rows[];
extern const struct conf_attr management_rows[];
extern const struct conf_attr system_usage_rows[];
extern const struct conf_attr memory_usage_rows[];
extern const struct conf_attr store_usage_rows[];
extern const struct conf_attr temp_usage_rows[];
extern const struct conf_attr simple_auth_rows[];
extern const struct conf_attr user_rows[];
extern const struct conf_attr authz_map_rows[];
extern const struct conf_attr authz_entry_rows[];
extern const struct conf_attr jolokia_neighbour_rows[];

/* The row named `name` (prefix rows match what starts with their prefix),
 * or NULL. */
const struct conf_attr *conf_attr_find(const struct conf_attr *rows, const char *name);

/* Sets every CONF_FIELD row's field of obj to its literal default. */
void conf_attr_defaults(const struct conf_attr *rows, void *obj);

/* Sets the row's field of obj from `value`. Returns 0, or -1 with what
 * was expected in `expected` ("true or false") and the field unchanged. */
int conf_attr_set(const struct conf_attr *row, void *obj, const char *value,
		  char *expected, size_t len);

/* Copies the field of the row its default names into its own (networkTTL
 * into messageTTL); nothing for a row whose default is a literal. */
void conf_attr_inherit(const struct conf_attr *rows, const struct conf_attr *row, void *obj);

/* Prints "  name: value\n", in row order, for each row of obj that `when`
 * selects (CONF_PRINT_ALWAYS, CONF_PRINT_IF_SET or both or'ed). */
void conf_attr_print(FILE *out, const struct conf_attr *rows, const void *obj,
		     unsigned when);

/* "104857600 (100 mb)" for a size that is a whole number of units. */
void conf_print_size(FILE *out, const char *label, long long n);

#endif
