/*
 * tandemctl.c - the operator's command-line tool: main, the global
 * options, the node list and the command table.
 *
 *   tandemctl [--node ADDR]... [--cluster FILE] [--user U --password P]
 *             [--json] [--timeout SEC] COMMAND [ARGS]
 *
 * Every command runs against every node given (default 127.0.0.1:1099),
 * each row labelled with its node. The commands live in ctl_*.c, one
 * group a file; start reading at ctl.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "version.h"

const struct ctl_command *const ctl_commands[] = {
	&ctl_cmd_query, &ctl_cmd_bstat, &ctl_cmd_dstat, &ctl_cmd_list, &ctl_cmd_connections,
	&ctl_cmd_check,
	&ctl_cmd_ha, &ctl_cmd_network, &ctl_cmd_browse, &ctl_cmd_purge, &ctl_cmd_send,
	&ctl_cmd_consume, &ctl_cmd_stop, &ctl_cmd_producer, &ctl_cmd_consumer, &ctl_cmd_import,
	NULL,
};

/* The global options, for --help; getopt's table below follows it. */
static const struct ctl_option global_options[] = {
	{ "node", true, "ADDR", "a node's management socket HOST:PORT or /PATH (unix), or web console http://HOST:PORT (repeatable; default " MGMT_DEFAULT_ADDR ")" },
	{ "cluster", true, "FILE", "nodes from FILE, one \"HOST:PORT [PAIRNAME]\" a line" },
	{ "user", true, "U", "log in as U (when the brokers have users)" },
	{ "password", true, "P", "the password of --user" },
	{ "json", false, NULL, "print JSON for scripts instead of tables" },
	{ "timeout", true, "SEC", "give up on a node that does not answer within SEC seconds (default 5)" },
	{ "version", false, NULL, "print tandemctl's version" },
	{ "help", false, NULL, "this help; COMMAND --help for a command's options" },
	{ NULL, false, NULL, NULL },
};

static void help(FILE *out)
{
	fputs("usage: tandemctl [--node ADDR]... [--cluster FILE] [--user U --password P]\n"
	      "                 [--json] [--timeout SEC] COMMAND [ARGS]\n\noptions:\n", out);
	for (const struct ctl_option *o = global_options; o->name; o++) {
		char left[40];
		snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-20s %s\n", left, o->help);
	}
	fputs("\ncommands:\n", out);
	for (const struct ctl_command *const *c = ctl_commands; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->help);
	fputs("\nexit status: 0 ok, 1 an operation or check failed, 2 usage, 3 a node unreachable,\n"
	      "             4 a node is a slave (the message names its master)\n", out);
}

static int add_node(struct ctl *ctl, const char *addr, const char *pair)
{
	struct ctl_node *nodes = realloc(ctl->nodes, (ctl->nnodes + 1) * sizeof *nodes);
	if (!nodes)
		return -1;
	ctl->nodes = nodes;
	struct ctl_node *n = &nodes[ctl->nnodes];
	memset(n, 0, sizeof *n);
	n->addr = strdup(addr);
	n->pair = pair ? strdup(pair) : NULL;
	ctl->nnodes++;
	return n->addr && (!pair || n->pair) ? 0 : -1;
}

/* --node ADDR: an address that cannot be one is a usage error. */
static int add_given_node(struct ctl *ctl, const char *addr)
{
	char why[256];
	if (mgmt_client_check_addr(addr, why, sizeof why) < 0) {
		fprintf(stderr, "tandemctl: --node %s: %s (see tandemctl --help)\n", addr, why);
		return -1;
	}
	return add_node(ctl, addr, NULL);
}

static int add_cluster_node(void *ctl, const char *addr, const char *pair)
{
	return add_node(ctl, addr, pair);
}

static int read_cluster(struct ctl *ctl, const char *file)
{
	char err[1200];
	if (mgmt_cluster_read(file, add_cluster_node, ctl, err, sizeof err) < 0) {
		fprintf(stderr, "tandemctl: %s\n", err);
		return -1;
	}
	return 0;
}

static const struct ctl_command *find_command(const char *name)
{
	for (const struct ctl_command *const *c = ctl_commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

static void global_option_error(int kind, const char *word)
{
	int len = (int)strcspn(word, "=");
	if (optopt && optopt < 128 && kind == '?')
		fprintf(stderr, "tandemctl: unknown option -%c (see tandemctl --help)\n", optopt);
	else
		fprintf(stderr, "tandemctl: %soption %.*s%s (see tandemctl --help)\n",
			kind == ':' ? "" : "unknown ", len, word, kind == ':' ? " wants a value" : "");
}

/* The global options; returns the index of the command in argv, or -1
 * after printing help (*code 0) or a usage error (*code 2). */
static int parse_globals(struct ctl *ctl, int argc, char **argv, int *code)
{
	static const struct option longs[] = {
		{ "node", required_argument, NULL, 'n' }, { "cluster", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' }, { "password", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' }, { "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	char *end;
	*code = CTL_USAGE;
	opterr = 0;	/* the error below names the option as given */
	while ((o = getopt_long(argc, argv, "+:h", longs, NULL)) != -1) {
		switch (o) {
		case 'n': if (add_given_node(ctl, optarg) < 0) return -1; break;
		case 'c': if (read_cluster(ctl, optarg) < 0) return -1; break;
		case 'u': ctl->user = optarg; break;
		case 'p': ctl->password = optarg; break;
		case 'j': ctl->json = true; break;
		case 't':
			ctl->timeout_ms = (int)(strtod(optarg, &end) * 1000);
			if (*end || !*optarg || ctl->timeout_ms <= 0 || ctl->timeout_ms > 3600000) {
				fprintf(stderr, "tandemctl: --timeout wants seconds, not \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'V': printf("tandemctl %s\n", TANDEM_VERSION); *code = CTL_OK; return -1;
		case 'h': help(stdout); *code = CTL_OK; return -1;
		default: global_option_error(o, argv[optind - 1]); return -1;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return -1;
	}
	if (ctl->password && !ctl->user) {
		fputs("tandemctl: --password goes with --user\n", stderr);
		return -1;
	}
	return optind;
}

static int make_clients(struct ctl *ctl)
{
	if (!ctl->nnodes && add_node(ctl, MGMT_DEFAULT_ADDR, NULL) < 0)
		return -1;
	for (size_t i = 0; i < ctl->nnodes; i++) {
		ctl->nodes[i].client = mgmt_client_new(ctl->nodes[i].addr, ctl->timeout_ms);
		if (!ctl->nodes[i].client)
			return -1;
		if (ctl->user)
			mgmt_client_set_login(ctl->nodes[i].client, ctl->user, ctl->password);
	}
	return 0;
}

void ctl_node_release(struct ctl_node *n)
{
	mgmt_client_free(n->client);
	free(n->addr);
	free(n->pair);
	free(n->broker);
	free(n->broker_id);
}

static void free_nodes(struct ctl *ctl)
{
	for (size_t i = 0; i < ctl->nnodes; i++)
		ctl_node_release(&ctl->nodes[i]);
	free(ctl->nodes);
}

static int run(struct ctl *ctl, int argc, char **argv)
{
	int code, first = parse_globals(ctl, argc, argv, &code);
	if (first < 0)
		return code;
	const struct ctl_command *cmd = find_command(argv[first]);
	if (!cmd) {
		fprintf(stderr, "tandemctl: no command \"%s\" (see tandemctl --help)\n", argv[first]);
		return CTL_USAGE;
	}
	struct ctl_args args;
	int r = ctl_args_parse(cmd, argc - first, argv + first, &args);
	if (r == 0 && make_clients(ctl) < 0) {
		fputs("tandemctl: out of memory\n", stderr);
		r = CTL_FAILED;
	} else if (r == 0) {
		ctl_merge_nodes(ctl);
		ctl->slave = cmd->slave;
		r = cmd->run(ctl, &args) < 0 ? CTL_USAGE : ctl->exit_code;
	} else {
		r = r == 1 ? CTL_OK : r;
	}
	ctl_args_free(&args);
	return r;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { .timeout_ms = 5000 };
	int code = run(&ctl, argc, argv);
	free_nodes(&ctl);
	return code;
}
