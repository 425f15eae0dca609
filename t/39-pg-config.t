#!/bin/sh
# <jdbcPersistenceAdapter> on PostgreSQL (issue 24): the data source as
# ActiveMQ users write it (a Spring bean of pgjdbc or commons-dbcp2, its
# password from credentials.properties), read by tandemd --check into a
# connection that a real PostgreSQL accepts; bad parts refused with the
# element and line; the password nowhere in what the broker prints or logs.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_ROOT/t/lib/tpg.sh"
pg_start || exit 1

printf 'pg.user=%s\npg.password=%s\n' "$PG_USER" "$PG_PASSWORD" >credentials.properties

# jdbc_config FILE BEAN [ADAPTER-ATTRIBUTES]: a broker on the data source BEAN.
jdbc_config() {
	ds=${3:-'dataSource="#postgres-ds"'}
	cat >"$1" <<-EOF
	<beans xmlns="http://www.springframework.org/schema/beans">
	  <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
	    <property name="locations"><value>file:$TRASH/credentials.properties</value></property>
	  </bean>
	  $2
	  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="pg1" dataDirectory="$TRASH/data-$1">
	    <persistenceAdapter>
	      <jdbcPersistenceAdapter $ds lockKeepAlivePeriod="5000" createTablesOnStartup="true" tablePrefix="PAIR1_">
	        <locker><lease-database-locker lockAcquireSleepInterval="2000" leaseHolderId="node-a" maxAllowableDiffFromDBTime="1000"/></locker>
	      </jdbcPersistenceAdapter>
	    </persistenceAdapter>
	  </broker>
	</beans>
	EOF
}

# connects FILE: --check accepts FILE, and the connection it prints (with
# the test's password, which it never prints) reaches the test's database.
connects() {
	"$TANDEMD" -c "$1" --check >"$1.out" 2>"$1.err" &&
	cat "$1.out" &&
	ci=$(sed -n 's/^  connection: \(.*\) password=(set, not shown)$/\1/p' "$1.out") &&
	[ -n "$ci" ] &&
	PGPASSWORD=$PG_PASSWORD psql -X -At "$ci" -c "select current_user || '@' || current_database()" >"$1.who" &&
	grep -x "$PG_USER@$PG_DB" "$1.who" &&
	! grep -F -e "$PG_PASSWORD" "$1.out" "$1.err"
}

test_expect_success 'a PGPoolingDataSource bean, password from credentials.properties: --check prints a connection PostgreSQL accepts' '
	jdbc_config pooling.xml "<bean id=\"postgres-ds\" class=\"org.postgresql.ds.PGPoolingDataSource\">
	    <property name=\"serverName\" value=\"$PG_HOST\"/>
	    <property name=\"portNumber\" value=\"$PG_PORT\"/>
	    <property name=\"databaseName\" value=\"$PG_DB\"/>
	    <property name=\"user\" value=\"\${pg.user}\"/>
	    <property name=\"password\" value=\"\${pg.password}\"/>
	    <property name=\"maxConnections\" value=\"10\"/>
	  </bean>" &&
	connects pooling.xml &&
	grep "store: PostgreSQL (jdbcPersistenceAdapter, dataSource #postgres-ds)" pooling.xml.out &&
	grep -x "  tablePrefix: PAIR1_" pooling.xml.out &&
	grep -x "  lockKeepAlivePeriod: 5000" pooling.xml.out &&
	grep -x "  lockAcquireSleepInterval: 2000" pooling.xml.out &&
	grep -x "  leaseHolderId: node-a" pooling.xml.out &&
	grep -x "  maxAllowableDiffFromDBTime: 1000" pooling.xml.out &&
	! grep "kahadb" pooling.xml.out
'

test_expect_success 'a commons-dbcp2 BasicDataSource with a jdbc:postgresql:// url: the same database' '
	jdbc_config dbcp.xml "<bean id=\"pg-dbcp\" class=\"org.apache.commons.dbcp2.BasicDataSource\" destroy-method=\"close\">
	    <property name=\"driverClassName\" value=\"org.postgresql.Driver\"/>
	    <property name=\"url\" value=\"jdbc:postgresql://$PG_HOST:$PG_PORT/$PG_DB\"/>
	    <property name=\"username\" value=\"\${pg.user}\"/>
	    <property name=\"password\"><value>\${pg.password}</value></property>
	    <property name=\"maxTotal\" value=\"8\"/>
	    <property name=\"poolPreparedStatements\" value=\"true\"/>
	  </bean>" "dataSource=\"#pg-dbcp\"" &&
	connects dbcp.xml
'

test_expect_success 'a PGSimpleDataSource whose url carries the user and password: the same database, no password shown' '
	jdbc_config simple.xml "<bean id=\"postgres-ds\" class=\"org.postgresql.ds.PGSimpleDataSource\">
	    <property name=\"url\" value=\"jdbc:postgresql://$PG_HOST:$PG_PORT/$PG_DB?user=$PG_USER&amp;password=$PG_PASSWORD&amp;prepareThreshold=3\"/>
	  </bean>" &&
	connects simple.xml
'

test_expect_success 'tandemd on the PostgreSQL store takes its lease, makes no local store, logs no password' '
	mkdir -p run &&
	{ "$TANDEMD" -c pooling.xml -l run/log >run/out 2>&1 & pid=$!; } &&
	for i in $(seq 200); do
		grep -q "Lease on .* acquired as node-a" run/log 2>/dev/null && break
		sleep 0.1
	done;
	kill $pid; wait $pid; rc=$?
	cat run/log run/out;
	[ "$rc" = 0 ] &&
	grep "Lease on $PG_HOST:$PG_PORT/$PG_DB (PAIR1_TANDEM_LOCK) acquired as node-a" run/log &&
	[ ! -e "$TRASH/data-pooling.xml/kahadb/store.db" ] &&
	! grep -F -e "$PG_PASSWORD" run/log run/out
'

# refused FILE PATTERN: --check exits 78 with an ERROR matching PATTERN,
# and the password appears nowhere.
refused() {
	"$TANDEMD" -c "$1" --check >"$1.out" 2>"$1.err"; rc=$?
	cat "$1.err"
	[ "$rc" = 78 ] && grep "ERROR.*$1:[0-9]*: $2" "$1.err" &&
	! grep -F -e "$PG_PASSWORD" "$1.out" "$1.err"
}

pooling_bean() {
	echo "<bean id=\"postgres-ds\" class=\"$1\">
	    <property name=\"serverName\" value=\"$PG_HOST\"/>
	    <property name=\"portNumber\" value=\"$2\"/>
	    <property name=\"user\" value=\"$3\"/>
	    <property name=\"password\" value=\"\${pg.password}\"/>
	  </bean>"
}

test_expect_success 'bad data sources are refused by --check, naming the element and line, never quoting the password' '
	jdbc_config no-ds.xml "" "useLock=\"true\"" &&
	refused no-ds.xml "invalid dataSource=\"\" on <jdbcPersistenceAdapter>: expected #id" &&
	jdbc_config missing.xml "" &&
	refused missing.xml "<jdbcPersistenceAdapter> dataSource=\"#postgres-ds\": there is no <bean id=\"postgres-ds\">" &&
	jdbc_config mysql.xml "$(pooling_bean com.mysql.cj.jdbc.MysqlDataSource 5432 u)" &&
	refused mysql.xml "the data source bean postgres-ds: expected the class org.postgresql" &&
	jdbc_config port.xml "$(pooling_bean org.postgresql.ds.PGPoolingDataSource 99999 u)" &&
	refused port.xml "invalid property portNumber of the data source bean postgres-ds: expected a port" &&
	jdbc_config nouser.xml "$(pooling_bean org.postgresql.ds.PGSimpleDataSource 5432 "")" &&
	refused nouser.xml "invalid property user of the data source bean postgres-ds" &&
	jdbc_config url.xml "<bean id=\"postgres-ds\" class=\"org.apache.commons.dbcp2.BasicDataSource\">
	    <property name=\"url\" value=\"jdbc:mysql://$PG_HOST/x?user=u&amp;password=$PG_PASSWORD\"/>
	    <property name=\"username\" value=\"u\"/>
	  </bean>" &&
	refused url.xml "invalid property url of the data source bean postgres-ds: expected a url that starts with jdbc:postgresql:" &&
	jdbc_config driver.xml "<bean id=\"postgres-ds\" class=\"org.apache.commons.dbcp2.BasicDataSource\">
	    <property name=\"driverClassName\" value=\"com.mysql.cj.jdbc.Driver\"/>
	    <property name=\"url\" value=\"jdbc:postgresql://$PG_HOST/x\"/>
	  </bean>" &&
	refused driver.xml "invalid property driverClassName of the data source bean postgres-ds: expected org.postgresql.Driver" &&
	refused driver.xml "the data source bean postgres-ds names no database user (property username"
'

test_expect_success 'kahaDB and jdbcPersistenceAdapter together are refused: a broker has one store' '
	jdbc_config both.xml "$(pooling_bean org.postgresql.ds.PGPoolingDataSource 5432 u)" &&
	sed "s|<persistenceAdapter>|<persistenceAdapter><kahaDB directory=\"$TRASH/kdb\"/>|" both.xml >both2.xml &&
	grep "<kahaDB" both2.xml &&
	refused both2.xml "<persistenceAdapter> holds <kahaDB> and <jdbcPersistenceAdapter>: a broker has one store"
'

test_done
