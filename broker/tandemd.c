/*
 * tandemd.c - tandemd: command line, signals, and the event loop.
 *
 *   tandemd -c FILE [-D NAME=VALUE]... [-l LOGFILE] [--check]
 *
 * Under systemd (Type=notify, conf/tandemd@.service) it says READY=1 once
 * it serves as master or waits as slave (core/service.c), and its log goes
 * to the journal; elsewhere -l writes the log to a file that SIGHUP opens
 * again.
 *
 * Exit status: 0 after a clean stop (SIGTERM, SIGINT), 78 (EX_CONFIG) when
 * the configuration is invalid (the store is never touched then), 1 when
 * the broker cannot start (port in use, store unusable); with
 * --import-kahadb, 65 (EX_DATAERR) when the KahaDB store cannot be
 * imported and 75 (EX_TEMPFAIL) when a broker holds its directory.
 */
#include <errno.h>
#include <getopt.h>
#include <sysexits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "broker.h"
#include "config.h"
#include "connector.h"
#include "history.h"
#include "log.h"
#include "loop.h"
#include "kahadb.h"
#include "kahadb_import.h"
#include "kahadb_offline.h"
#include "mgmt_server.h"
#include "neighbour.h"
#include "service.h"
#include "web.h"
#include "version.h"

#define MAX_DEFINES 64
#define MAX_DEFINE_NAME 256

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tandemd -c FILE [-D NAME=VALUE]... [-l LOGFILE] [--check]\n"
		"\n"
		"Runs a Tandem broker in the foreground from an ActiveMQ broker XML file.\n"
		"\n"
		"  -c, --config FILE     the broker configuration (ActiveMQ XML)\n"
		"  -D NAME=VALUE         defines ${NAME} for the file, e.g.\n"
		"                        -D activemq.data=/var/lib/tandem\n"
		"                        (activemq.base, activemq.conf, activemq.data)\n"
		"  -l, --log-file FILE   log to FILE (appended) instead of standard error;\n"
		"                        SIGHUP opens it again (after logrotate moved it)\n"
		"      --check           load and validate only; print what was understood\n"
		"                        and exit 0, or 78 when the file is invalid\n"
		"      --import-kahadb DIR [--dry-run]\n"
		"                        import the ActiveMQ KahaDB store in the store\n"
		"                        directory DIR into Tandem's store there, with no\n"
		"                        broker running (the one a master would import);\n"
		"                        --dry-run: only print what would be imported, per\n"
		"                        queue and durable subscription. Exit 0, 65 when it\n"
		"                        cannot be imported (why on standard error), 75 when\n"
		"                        a broker holds DIR's lock; no -c needed\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Logs go to standard error (the journal under systemd) unless -l says\n"
		"otherwise. SIGTERM or SIGINT stops the broker cleanly.\n");
}

/* SIGHUP: logrotate moved the file of -l; lines go on to the old file
 * until this opens the new one, and when that fails they still do. */
static void reopen_log(void)
{
	if (!log_file())
		return;
	if (log_reopen() < 0)
		log_error("broker", "Cannot open the log file %s again: %s (logging on to the "
			  "file as it was)", log_file(), strerror(errno));
	else
		log_info("broker", "Received signal Hangup: log file %s opened again", log_file());
}

static void on_signal(struct loop *l, int fd, int events, void *ctx)
{
	(void)events;
	(void)ctx;
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof si) != (ssize_t)sizeof si)
		return;
	if (si.ssi_signo == SIGHUP) {
		reopen_log();
		return;
	}
	log_info("broker", "Received signal %s: stopping", strsignal((int)si.ssi_signo));
	loop_stop(l);
}

/* Descriptors the configured limits may take: every connector's
 * maximumConnections, the web console's 512, the management socket's 64
 * and some for the store, the listeners and the bridges. */
static rlim_t fds_wanted(const struct config *cfg)
{
	rlim_t n = 512 + 64 + 128;
	for (size_t i = 0; i < cfg->nconnectors; i++)
		n += (rlim_t)cfg->connectors[i].max_connections;
	return n;
}

/* Debian's soft limit of 1024 open files is below the default limits
 * (1000 clients per connector and 512 web connections): past it accept()
 * fails while the configuration still lets clients in. The soft limit is
 * raised as far as the hard one, which is the operator's to set. */
static void raise_fd_limit(const struct config *cfg)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		return;
	rlim_t want = fds_wanted(cfg);
	if (r.rlim_cur < want && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = want < r.rlim_max ? want : r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0 || getrlimit(RLIMIT_NOFILE, &r) < 0)
			return;
	}
	if (r.rlim_cur < want)
		log_warn("broker", "The open files limit is %llu, below the %llu that the "
			 "configured connection limits may take: raise it (ulimit -n, LimitNOFILE=) "
			 "or lower maximumConnections", (unsigned long long)r.rlim_cur,
			 (unsigned long long)want);
}

/* Tells a person at a terminal how to talk to the broker (--demo-banner). */
static void print_banner(void)
{
	printf("\nTandem broker \"%s\" is running.\n", broker.cfg->broker_name);
	for (size_t i = 0; i < broker.nconnectors; i++) {
		const struct connector *ct = &broker.connectors[i];
		printf("  %-8s %s://%s:%d\n", ct->conf->name, ct->conf->scheme,
		       ct->conf->host, ct->port);
	}
	int port = broker.nconnectors ? broker.connectors[0].port : 61613;
	printf("\nTry it with Debian's STOMP client (python3-stomp), in another terminal:\n"
	       "  stomp -H 127.0.0.1 -P %d          then type:\n"
	       "    subscribe /queue/demo\n"
	       "    send /queue/demo hello\n"
	       "Stop the broker with Ctrl-C.\n\n", port);
	fflush(stdout);
}

/* The observers first: a slave reports its wait on the management
 * socket. The broker core knows neither them nor their headers: it is
 * told the management address and calls the web console back when it
 * stops serving. */
static int start(struct loop *l, const struct config *cfg)
{
	if (mgmt_start(l, cfg) < 0 || neighbour_start(cfg) < 0 || history_start(l) < 0 ||
	    web_start(l, cfg) < 0 ||
	    broker_observe_stop_serving(web_stop_serving) < 0)
		return -1;
	snprintf(broker.management_address, sizeof broker.management_address, "%s",
		 mgmt_address());
	return broker_start(l, cfg);
}

/* --import-kahadb DIR [--dry-run] (kahadb_import.h, kahadb_offline.h). */
static int import_offline(const char *dir, bool dry_run)
{
	char err[768];
	int rc = dry_run ? kahadb_dry_run(dir, stdout, err, sizeof err) :
		 kahadb_import_offline(dir, err, sizeof err);
	if (rc == 1)
		printf("No ActiveMQ KahaDB store in %s: nothing to import\n", dir);
	if (rc >= 0)
		return 0;
	fprintf(stderr, "tandemd: cannot import the ActiveMQ KahaDB store in %s: %s\n", dir, err);
	return rc == KAHADB_OFFLINE_LOCKED ? EX_TEMPFAIL : KAHADB_EXIT_FOUND;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "import-kahadb", required_argument, NULL, 'i' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "demo-banner", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *log_path = NULL;
	bool check = false, banner = false, dry_run = false;
	const char *import_dir = NULL;
	struct conf_define defs[MAX_DEFINES];
	/* The names are copied out, not cut off in argv with a NUL: that
	 * showed `-D activemq.data /path` in ps and /proc/PID/cmdline. */
	static char names[MAX_DEFINES][MAX_DEFINE_NAME];
	size_t ndefs = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:D:l:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case 'D': {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || eq - optarg >= MAX_DEFINE_NAME ||
			    ndefs == MAX_DEFINES) {
				fprintf(stderr, "tandemd: -D wants NAME=VALUE, not '%s'\n", optarg);
				return 2;
			}
			memcpy(names[ndefs], optarg, (size_t)(eq - optarg));
			names[ndefs][eq - optarg] = '\0';
			defs[ndefs] = (struct conf_define){ names[ndefs], eq + 1 };
			ndefs++;
			break;
		}
		case 'l':
			log_path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'i':
			import_dir = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'b':
			banner = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tandemd %s\n", TANDEM_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (import_dir || dry_run) {
		if (!import_dir || file || optind != argc) {
			fprintf(stderr, "tandemd: --dry-run goes with --import-kahadb DIR, and "
				"--import-kahadb DIR with no configuration\n");
			return 2;
		}
		return import_offline(import_dir, dry_run);
	}
	if (!file || optind != argc) {
		usage(stderr);
		return 2;
	}

	if (log_path && log_to_file(log_path) < 0) {
		fprintf(stderr, "tandemd: cannot open the log file %s: %s\n", log_path,
			strerror(errno));
		return 1;
	}

	struct config cfg;
	if (config_load(&cfg, file, defs, ndefs) < 0) {
		fprintf(stderr, "tandemd: %s is not a valid configuration (see above)\n", file);
		return CONFIG_EXIT_INVALID;
	}
	if (check) {
		config_print(&cfg, stdout);
		config_free(&cfg);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	struct loop *l = loop_new();
	if (!l || sfd < 0 || loop_add_fd(l, sfd, LOOP_READ, on_signal, NULL) < 0) {
		fprintf(stderr, "tandemd: cannot set up the event loop: %s\n", strerror(errno));
		return 1;
	}
	raise_fd_limit(&cfg);
	int status = 0;
	if (start(l, &cfg) < 0) {
		log_error("broker", "Tandem broker %s could not start (see above)",
			  cfg.broker_name);
		status = 1;
	} else {
		if (banner)
			print_banner();
		if (service_ready(l) < 0 || loop_run(l) < 0) {
			log_error("broker", "event loop failed: %s", strerror(errno));
			status = 1;
		}
	}
	service_stopping();
	mgmt_stop();
	neighbour_stop();
	history_stop();
	web_stop();
	broker_stop();
	if (broker.exit_status)
		status = broker.exit_status;
	loop_free(l);
	close(sfd);
	config_free(&cfg);
	return status;
}
