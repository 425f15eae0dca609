/*
 * config_jdbc.c - a JDBC data source, as ActiveMQ users write it for
 * <jdbcPersistenceAdapter dataSource="#postgres-ds">, read into libpq's
 * connection parameters (contract in config.h).
 *
 * Two shapes of Spring bean are read: PostgreSQL's own data sources
 * (PGPoolingDataSource, PGSimpleDataSource: serverName, portNumber,
 * databaseName, user, password, or a url) and commons-dbcp2's
 * BasicDataSource (url, username, password, driverClassName). Their
 * other properties size the JVM's connection pool and mean nothing here.
 * The url is pgjdbc's: jdbc:postgresql://host[:port][,host[:port]...]
 * [/database][?user=..&password=..&sslmode=..]. The password is kept
 * apart and never put in a message: errors about a url do not quote it,
 * since it may hold one.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Replaces *slot with a copy of the n bytes at s, %XX decoded (pgjdbc
 * decodes the url's parts). -1 when out of memory or badly encoded. */
static int set_decoded(char **slot, const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned hex;
		if (s[i] == '%') {
			if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]) || sscanf(s + i + 1, "%2x", &hex) != 1) {
				free(out);
				return -1;
			}
			*o++ = (char)hex;
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	free(*slot);
	*slot = out;
	return 0;
}

static int set_copy(char **slot, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static bool is_port(const char *s, size_t n)
{
	if (!n || n > 5)
		return false;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* Appends "," (after the first) and the n bytes at s to *list. */
static int append(char **list, const char *s, size_t n)
{
	size_t old = *list ? strlen(*list) : 0;
	char *bigger = realloc(*list, old + 1 + n + 1);
	if (!bigger)
		return -1;
	if (old)
		bigger[old++] = ',';
	memcpy(bigger + old, s, n);
	bigger[old + n] = '\0';
	*list = bigger;
	return 0;
}

/* "host[:port],[v6addr]:port,..." into libpq's parallel host and port lists. */
static int url_hosts(struct conf_jdbc *j, const char *s, size_t n, char *why, size_t len)
{
	char *hosts = NULL, *ports = NULL;
	for (size_t i = 0; i < n;) {
		size_t end = i;
		while (end < n && s[end] != ',')
			end++;
		const char *h = s + i, *colon = NULL;
		size_t hl = end - i;
		if (hl && h[0] == '[') {
			const char *close = memchr(h, ']', hl);
			if (close) {
				colon = close + 1 < h + hl && close[1] == ':' ? close + 1 : NULL;
				hl = (size_t)(close - h) - 1;
				h++;
			}
		} else {
			colon = memchr(h, ':', hl);
			if (colon)
				hl = (size_t)(colon - h);
		}
		const char *p = colon ? colon + 1 : "5432";
		size_t pl = colon ? (size_t)(s + end - p) : 4;
		if (!hl || !is_port(p, pl)) {
			snprintf(why, len, "a host and a port from 1 to 65535 after "
				 "jdbc:postgresql://");
			free(hosts);
			free(ports);
			return -1;
		}
		if (append(&hosts, h, hl) < 0 || append(&ports, p, pl) < 0) {
			snprintf(why, len, "memory enough to read it");
			free(hosts);
			free(ports);
			return -1;
		}
		i = end + 1;
	}
	free(j->host);
	free(j->port);
	j->host = hosts;
	j->port = ports;
	return 0;
}

/* The url's parameters that libpq has too; pgjdbc's others (prepareThreshold,
 * loggerLevel, ...) are the JVM driver's and are ignored. */
static int url_param(struct conf_jdbc *j, const char *s, size_t n)
{
	static const struct {
		const char *name;
		size_t offset;
	} params[] = {
		{ "user", offsetof(struct conf_jdbc, user) },
		{ "password", offsetof(struct conf_jdbc, password) },
		{ "sslmode", offsetof(struct conf_jdbc, sslmode) },
	};
	const char *eq = memchr(s, '=', n);
	if (!eq)
		return 0;
	for (size_t i = 0; i < sizeof params / sizeof *params; i++)
		if (strlen(params[i].name) == (size_t)(eq - s) &&
		    !strncmp(params[i].name, s, (size_t)(eq - s)))
			return set_decoded((char **)((char *)j + params[i].offset), eq + 1,
					   (size_t)(s + n - eq - 1));
	return 0;
}

int config_jdbc_url(struct conf_jdbc *j, const char *url, char *why, size_t len)
{
	static const char scheme[] = "jdbc:postgresql:";
	if (strncmp(url, scheme, sizeof scheme - 1)) {
		snprintf(why, len, "a url that starts with jdbc:postgresql: (PostgreSQL is the "
			 "only database Tandem stores in)");
		return -1;
	}
	const char *s = url + sizeof scheme - 1;
	if (!strncmp(s, "//", 2)) {
		s += 2;
		size_t hl = strcspn(s, "/?");
		if (url_hosts(j, s, hl, why, len) < 0)
			return -1;
		s += hl;
		if (*s == '/')
			s++;
	}
	size_t dl = strcspn(s, "?");
	if (dl && set_decoded(&j->dbname, s, dl) < 0) {
		snprintf(why, len, "a database name with valid %%XX escapes");
		return -1;
	}
	for (s += dl; *s == '?' || *s == '&';) {
		s++;
		size_t pl = strcspn(s, "&");
		if (url_param(j, s, pl) < 0) {
			snprintf(why, len, "url parameters with valid %%XX escapes");
			return -1;
		}
		s += pl;
	}
	return 0;
}

/* A data source property Tandem reads, and the class it belongs to. */
struct ds_property {
	const char *name;
	bool dbcp;			/* BasicDataSource's, else PostgreSQL's data sources' */
	int (*set)(struct conf_jdbc *j, const char *value, char *why, size_t len);
};

/* A property that must not be empty: *slot takes a copy of it. */
static int set_nonempty(char **slot, const char *v, const char *what, char *why, size_t len)
{
	if (*v && !set_copy(slot, v))
		return 0;
	snprintf(why, len, "%s", what);
	return -1;
}

static int set_host(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	return set_nonempty(&j->host, v, "a host name or address", why, len);
}

static int set_port(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	if (is_port(v, strlen(v)) && !set_copy(&j->port, v))
		return 0;
	snprintf(why, len, "a port number from 1 to 65535");
	return -1;
}

static int set_dbname(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	return set_nonempty(&j->dbname, v, "a database name", why, len);
}

static int set_user(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	return set_nonempty(&j->user, v, "a user name", why, len);
}

static int set_password(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	if (!set_copy(&j->password, v))
		return 0;
	snprintf(why, len, "memory enough to keep it");
	return -1;
}

static int set_url(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	return config_jdbc_url(j, v, why, len);
}

static int check_driver(struct conf_jdbc *j, const char *v, char *why, size_t len)
{
	(void)j;
	if (!strcmp(v, "org.postgresql.Driver"))
		return 0;
	snprintf(why, len, "org.postgresql.Driver (PostgreSQL is the only database Tandem "
		 "stores in)");
	return -1;
}

static const struct ds_property ds_properties[] = {
	{ "serverName", false, set_host },
	{ "portNumber", false, set_port },
	{ "databaseName", false, set_dbname },
	{ "user", false, set_user },
	{ "password", false, set_password },
	{ "url", false, set_url },
	{ "url", true, set_url },
	{ "username", true, set_user },
	{ "password", true, set_password },
	{ "driverClassName", true, check_driver },
};

int config_jdbc_set(struct conf_jdbc *j, bool dbcp, const char *name, const char *value,
		    char *why, size_t len)
{
	for (size_t i = 0; i < sizeof ds_properties / sizeof *ds_properties; i++) {
		const struct ds_property *p = &ds_properties[i];
		if (p->dbcp == dbcp && !strcmp(p->name, name))
			return p->set(j, value, why, len) < 0 ? -1 : 0;
	}
	return 1;
}

/* Appends " key='value'" with libpq's quoting (\\ and \'). */
static void conninfo_add(FILE *out, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(out, "%s%s='", ftell(out) ? " " : "", key);
	for (const char *s = value; *s; s++) {
		if (*s == '\\' || *s == '\'')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('\'', out);
}

char *config_jdbc_conninfo(const struct conf_jdbc *j, bool with_password)
{
	char *s = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&s, &n);
	if (!out)
		return NULL;
	conninfo_add(out, "host", j->host ? j->host : "localhost");	/* pgjdbc's default */
	conninfo_add(out, "port", j->port ? j->port : "5432");
	conninfo_add(out, "dbname", j->dbname);
	conninfo_add(out, "user", j->user);
	if (with_password)
		conninfo_add(out, "password", j->password);
	conninfo_add(out, "sslmode", j->sslmode);
	if (fclose(out) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void config_jdbc_free(struct conf_jdbc *j)
{
	if (!j)
		return;
	free(j->data_source);
	free(j->host);
	free(j->port);
	free(j->dbname);
	free(j->user);
	free(j->password);
	free(j->sslmode);
	free(j->table_prefix);
	free(j->lease_holder_id);
	free(j);
}
