/*
 * config.c - fuzz harness: the configuration loader (broker/config*.c),
 * ActiveMQ's XML as an operator might write it, and `tandemd --check`'s
 * printing of what was understood.
 *
 * The input is written as broker.xml into a directory of its own, beside
 * a jetty.xml and a credentials.properties it may import (as the seed's
 * configurations do). The loader reads whatever files a configuration
 * names; inputs that name device or kernel files, or climb out of the
 * directory, are skipped: a configuration that points at /dev/zero is the
 * operator's choice, not something a parser can refuse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fixture.h"

/* A load takes about 1 ms under the sanitizers: fewer inputs in make
 * check (driver.c) than for the other parsers. */
unsigned long fuzz_check_mutations = 3000;

static char dir[64];
static char path[96];
static FILE *devnull;

static void write_file(const char *name, const void *data, size_t len)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(p);
		exit(1);
	}
}

static void cleanup(void)
{
	static const char *const files[] = { "broker.xml", "jetty.xml", "credentials.properties" };
	char p[128];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void setup(void)
{
	static const char jetty[] =
		"<beans xmlns=\"http://www.springframework.org/schema/beans\">\n"
		"  <bean id=\"securityLoginService\" class=\"org.eclipse.jetty.security.HashLoginService\">\n"
		"    <property name=\"name\" value=\"ActiveMQRealm\"/>\n"
		"    <property name=\"config\" value=\"${activemq.conf}/jetty-realm.properties\"/>\n"
		"  </bean>\n"
		"  <bean id=\"jettyPort\" class=\"org.apache.activemq.web.WebConsolePort\" init-method=\"start\">\n"
		"    <property name=\"host\" value=\"127.0.0.1\"/>\n"
		"    <property name=\"port\" value=\"8161\"/>\n"
		"  </bean>\n"
		"</beans>\n";
	static const char credentials[] =
		"activemq.username=system\nactivemq.password=manager\nguest.password=password\n";
	fixture_quiet_log();
	/* In memory where there is such a place: a file rewritten for every
	 * input took 4 ms on /tmp's disk, 0.06 ms on /dev/shm. */
	snprintf(dir, sizeof dir, "%s/tandem-fuzz-config-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(cleanup);
	snprintf(path, sizeof path, "%s/broker.xml", dir);
	write_file("jetty.xml", jetty, sizeof jetty - 1);
	write_file("credentials.properties", credentials, sizeof credentials - 1);
	devnull = fopen("/dev/null", "w");
	/* Nothing an input names may wait for a terminal. */
	if (!freopen("/dev/null", "r", stdin) || !devnull) {
		perror("/dev/null");
		exit(1);
	}
}

static bool names_outside(const uint8_t *data, size_t size)
{
	static const char *const outside[] = { "/dev/", "/proc/", "/sys/", "/run/", "..", "~" };
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
		if (memmem(data, size, outside[i], strlen(outside[i])))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		setup();
		ready = true;
	}
	if (names_outside(data, size))
		return 0;
	write_file("broker.xml", data, size);
	static const struct conf_define defs[] = { { "activemq.base", "/tmp" } };
	struct config cfg;
	if (config_load(&cfg, path, defs, 1) == 0) {
		config_print(&cfg, devnull);
		config_free(&cfg);
	}
	return 0;
}
