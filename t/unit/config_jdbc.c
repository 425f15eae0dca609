/* A JDBC data source into libpq's connection string (broker/config/
 * config_jdbc.c): pgjdbc's urls, the two bean shapes' properties, libpq's
 * quoting, and the password only where asked for. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

static const struct {
	const char *url;
	const char *conninfo;	/* with the password; NULL: refused */
} urls[] = {
	{ "jdbc:postgresql://db1:5433/activemq",
	  "host='db1' port='5433' dbname='activemq'" },
	{ "jdbc:postgresql://db1/activemq", "host='db1' port='5432' dbname='activemq'" },
	{ "jdbc:postgresql://db1,db2:6000/amq?user=broker&password=p%27w%5C&sslmode=require&x=1",
	  "host='db1,db2' port='5432,6000' dbname='amq' user='broker' password='p\\'w\\\\' "
	  "sslmode='require'" },
	{ "jdbc:postgresql://[::1]:5555/q", "host='::1' port='5555' dbname='q'" },
	{ "jdbc:postgresql:amq", "host='localhost' port='5432' dbname='amq'" },
	{ "jdbc:postgresql://db1:0/amq", NULL },
	{ "jdbc:postgresql://db1:x/amq", NULL },
	{ "jdbc:postgresql:///amq", "host='localhost' port='5432' dbname='amq'" },
	{ "jdbc:postgresql://db1/a%zz", NULL },
	{ "jdbc:mysql://db1/amq", NULL },
	{ "postgresql://db1/amq", NULL },
};

static void test_urls(void)
{
	for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
		struct conf_jdbc *j = calloc(1, sizeof *j);
		char why[160] = "", *ci = NULL;
		int rc = config_jdbc_url(j, urls[i].url, why, sizeof why);
		if (urls[i].conninfo) {
			ci = config_jdbc_conninfo(j, true);
			ok(rc == 0 && ci && !strcmp(ci, urls[i].conninfo), urls[i].url);
			if (ci && strcmp(ci, urls[i].conninfo))
				diag("got %s", ci);
		} else {
			ok(rc < 0 && *why && !strstr(why, "db1"), urls[i].url);
		}
		free(ci);
		config_jdbc_free(j);
	}
}

static void test_properties(void)
{
	struct conf_jdbc *j = calloc(1, sizeof *j);
	char why[160];
	is(config_jdbc_set(j, false, "serverName", "pg.example", why, sizeof why), 0,
	   "PGPoolingDataSource serverName is read");
	is(config_jdbc_set(j, false, "portNumber", "6543", why, sizeof why), 0, "portNumber too");
	is(config_jdbc_set(j, false, "portNumber", "65536", why, sizeof why), -1,
	   "a port past 65535 is refused");
	is(config_jdbc_set(j, false, "user", "amq", why, sizeof why), 0, "user");
	is(config_jdbc_set(j, false, "password", "se'cret", why, sizeof why), 0, "password");
	is(config_jdbc_set(j, false, "databaseName", "broker", why, sizeof why), 0, "databaseName");
	is(config_jdbc_set(j, false, "maxConnections", "10", why, sizeof why), 1,
	   "a pool setting is ignored");
	is(config_jdbc_set(j, false, "username", "x", why, sizeof why), 1,
	   "username is dbcp's, not PostgreSQL's data sources'");
	char *with = config_jdbc_conninfo(j, true), *without = config_jdbc_conninfo(j, false);
	is_str(with, "host='pg.example' port='6543' dbname='broker' user='amq' password='se\\'cret'",
	       "the conninfo with the password, quoted");
	is_str(without, "host='pg.example' port='6543' dbname='broker' user='amq'",
	       "and without it, as --check prints it");
	free(with);
	free(without);
	is(config_jdbc_set(j, true, "driverClassName", "org.postgresql.Driver", why, sizeof why), 0,
	   "dbcp's driverClassName org.postgresql.Driver is taken");
	is(config_jdbc_set(j, true, "driverClassName", "com.mysql.cj.jdbc.Driver", why, sizeof why),
	   -1, "another driver is refused");
	is(config_jdbc_set(j, true, "url", "jdbc:postgresql://h/d?password=zz9", why, sizeof why), 0,
	   "dbcp's url");
	ok(!strstr(why, "zz9"), "no message quotes the url's password");
	is(config_jdbc_set(j, true, "url", "jdbc:oracle:thin:@h:1521:zz9", why, sizeof why), -1,
	   "a url of another database is refused");
	ok(!strstr(why, "zz9"), "without quoting the url");
	config_jdbc_free(j);
}

int main(void)
{
	test_urls();
	test_properties();
	return done_testing();
}
