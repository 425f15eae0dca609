/*
 * ctl_args.c - a command's options, parsed from its table.
 *
 * Each command declares its options once (struct ctl_option); getopt's
 * tables, `tandemctl COMMAND --help` and the check that the man page
 * documents every option all come from that declaration.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static size_t count_options(const struct ctl_command *cmd)
{
	size_t n = 0;
	while (cmd->options && cmd->options[n].name)
		n++;
	return n;
}

void ctl_command_help(const struct ctl_command *cmd, FILE *out)
{
	fprintf(out, "usage: tandemctl [GLOBAL OPTIONS] %s%s%s\n\n%s\n", cmd->name,
		*cmd->synopsis ? " " : "", cmd->synopsis, cmd->help);
	size_t n = count_options(cmd);
	if (n)
		fputs("\noptions:\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct ctl_option *o = &cmd->options[i];
		char left[64];
		bool shrt = strlen(o->name) == 1;
		snprintf(left, sizeof left, "%s%s%s%s", shrt ? "-" : "--", o->name,
			 o->arg && !shrt ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-24s %s\n", left, o->help);
	}
}

int ctl_usage(const struct ctl_args *a, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tandemctl %s: ", a->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see tandemctl %s --help)\n", a->cmd->name);
	return -1;
}

static int add_value(struct ctl_args *a, size_t i, const char *v)
{
	const char **vals = realloc(a->values[i], (a->nvalues[i] + 1) * sizeof *vals);
	if (!vals)
		return -1;
	vals[a->nvalues[i]++] = v;
	a->values[i] = vals;
	return 0;
}

/* The row of a one-letter option. */
static size_t short_index(const struct ctl_command *cmd, size_t n, int letter)
{
	size_t i = 0;
	while (i < n && (strlen(cmd->options[i].name) != 1 || cmd->options[i].name[0] != letter))
		i++;
	return i;
}

/* The option getopt refused, named as the user wrote it: optopt is the
 * letter of a short option (argv may hold several, "-vx"); for a long
 * one, the word given, without its "=VALUE". */
static void option_error(const struct ctl_args *a, int kind, const char *word)
{
	char name[64];
	if (optopt && optopt < 256)
		snprintf(name, sizeof name, "-%c", optopt);
	else
		snprintf(name, sizeof name, "%.*s", (int)strcspn(word, "="), word);
	if (kind == ':')
		ctl_usage(a, "option %s wants a value", name);
	else
		ctl_usage(a, "unknown option %s", name);
}

int ctl_args_parse(const struct ctl_command *cmd, int argc, char **argv, struct ctl_args *a)
{
	struct option longs[CTL_MAX_OPTIONS + 2];
	char shorts[2 * CTL_MAX_OPTIONS + 2];
	/* A leading ':' makes getopt tell a missing value (':') from an
	 * unknown option ('?'), so that the error can say which it was. */
	size_t n = count_options(cmd), ns = 1, nl = 0;
	shorts[0] = ':';
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	for (size_t i = 0; i < n && i < CTL_MAX_OPTIONS; i++) {
		const struct ctl_option *o = &cmd->options[i];
		if (strlen(o->name) == 1) {
			shorts[ns++] = o->name[0];
			if (o->has_arg)
				shorts[ns++] = ':';
		} else {
			longs[nl++] = (struct option){ o->name, o->has_arg ? required_argument : no_argument,
						       NULL, 256 + (int)i };
		}
	}
	shorts[ns] = '\0';
	longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0;	/* getopt starts afresh on the command's arguments */
	opterr = 0;
	int o;
	while ((o = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (o == 'h') {
			ctl_command_help(cmd, stdout);
			return 1;
		}
		if (o == '?' || o == ':') {
			option_error(a, o, argv[optind - 1]);
			return CTL_USAGE;
		}
		size_t i = o >= 256 ? (size_t)(o - 256) : short_index(cmd, n, o);
		if (add_value(a, i, optarg ? optarg : "") < 0) {
			fprintf(stderr, "tandemctl: out of memory\n");
			return CTL_USAGE;
		}
	}
	a->argv = argv + optind;
	a->argc = argc - optind;
	return 0;
}

void ctl_args_free(struct ctl_args *a)
{
	for (size_t i = 0; i < CTL_MAX_OPTIONS; i++)
		free(a->values[i]);
}

static ssize_t option_index(const struct ctl_args *a, const char *name)
{
	size_t n = count_options(a->cmd);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a->cmd->options[i].name, name))
			return (ssize_t)i;
	return -1;
}

size_t ctl_opt_all(const struct ctl_args *a, const char *name, const char ***values)
{
	ssize_t i = option_index(a, name);
	*values = i < 0 ? NULL : a->values[i];
	return i < 0 ? 0 : a->nvalues[i];
}

const char *ctl_opt(const struct ctl_args *a, const char *name)
{
	const char **vals;
	size_t n = ctl_opt_all(a, name, &vals);
	return n ? vals[n - 1] : NULL;
}

int ctl_opt_long(const struct ctl_args *a, const char *name, long def, long min,
		 long max, long *out)
{
	const char *v = ctl_opt(a, name);
	char *end;
	*out = def;
	if (!v)
		return 0;
	long x = strtol(v, &end, 10);
	if (!*v || *end || x < min || x > max)
		return ctl_usage(a, "--%s wants a number from %ld to %ld, not \"%s\"", name, min, max, v);
	*out = x;
	return 0;
}
