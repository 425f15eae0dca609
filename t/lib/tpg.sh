# t/lib/tpg.sh - a real PostgreSQL for a test, sourced after test-lib.sh:
#
#   . "$TEST_ROOT/t/lib/tpg.sh"
#   pg_start			# skips the whole test when PostgreSQL is missing
#   psql_tandem -c 'select 1'
#
# PG_MAX_CONNECTIONS: the server's max_connections (default 40).
#
# pg_start runs Debian's PostgreSQL server (the postgresql package) from
# $TRASH/pg: initdb, then pg_ctl on a free loopback port, as an
# unprivileged user (postgres when the test runs as root: the server
# refuses to run as root), with a database and a user that logs in with a
# password over TCP (scram-sha-256, as a production server would ask).
# It sets PG_HOST, PG_PORT, PG_DB, PG_USER and PG_PASSWORD, and stops the
# server when the test exits, however it exits. pg_stop stops it earlier
# (a test of a database that goes away); pg_start again restarts it on the
# same port with the same data.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PG_DIR=$TRASH/pg
PG_HOST=127.0.0.1
PG_DB=tandem
PG_USER=tandem
PG_PASSWORD=pg-Secret-7f3a	# distinctive, so tests can grep for leaks
export PG_HOST PG_DB PG_USER PG_PASSWORD

# As the server's user: postgres when we are root, else ourselves (in
# PG_NETNS when set).
pg_as() {
	if [ -n "${PG_NETNS:-}" ]; then
		ip netns exec "$PG_NETNS" runuser -u postgres -- "$@"
	elif [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_stop() {
	[ -f "$PG_DIR/data/postmaster.pid" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >>"$PG_DIR/ctl.log" 2>&1
}

# The whole test's cleanup: the server first, then test-lib.sh's.
pg_cleanup() {
	pg_stop
	[ -n "$PG_SOCKDIR" ] && rm -rf "$PG_SOCKDIR"
	test_cleanup
}

# psql as the superuser over the unix socket (trust), for the test's own setup.
psql_admin() {
	pg_as "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres \
		-d "${PSQL_DB:-postgres}" "$@"
}

# psql as the test's user over TCP with its password: what the broker does.
psql_tandem() {
	PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" \
		-U "$PG_USER" -d "$PG_DB" "$@"
}

pg_init() {
	command -v runuser >/dev/null 2>&1 || [ "$(id -u)" != 0 ] ||
		skip_all "no runuser (util-linux) to run PostgreSQL unprivileged"
	[ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1 ||
		skip_all "no postgres user to run PostgreSQL as (make check installs postgresql)"
	# The socket's path must fit in sun_path (108 bytes): a short one.
	PG_SOCKDIR=$(mktemp -d /tmp/tpg.XXXXXX) || return 1
	mkdir -p "$PG_DIR/data" && chmod 700 "$PG_DIR/data" || return 1
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PG_DIR" "$PG_DIR/data" "$PG_SOCKDIR" || return 1
	fi
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --no-sync --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	PG_PORT=$(free_port) && echo "$PG_PORT" >"$PG_DIR/port" &&
	cat >>"$PG_DIR/data/postgresql.conf" <<-EOF
	listen_addresses = '${PG_LISTEN:-$PG_HOST}'
	port = $PG_PORT
	unix_socket_directories = '$PG_SOCKDIR'
	max_connections = ${PG_MAX_CONNECTIONS:-40}
	shared_buffers = 16MB
	EOF
	[ -z "${PG_ALLOW:-}" ] ||
		echo "host all all $PG_ALLOW scram-sha-256" >>"$PG_DIR/data/pg_hba.conf"
}

pg_start() {
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] ||
		skip_all "no PostgreSQL server (make check installs postgresql)"
	command -v psql >/dev/null 2>&1 || skip_all "no psql (make check installs postgresql)"
	trap 'pg_cleanup' EXIT
	first=
	if [ ! -f "$PG_DIR/port" ]; then
		pg_init || { echo "pg_start: initdb failed" >&2; return 1; }
		first=1
	fi
	PG_PORT=$(cat "$PG_DIR/port")
	export PG_PORT
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start \
		>>"$PG_DIR/ctl.log" 2>&1 || { cat "$PG_DIR/ctl.log" "$PG_DIR/log" >&2; return 1; }
	[ -z "$first" ] || psql_admin <<-EOF
	CREATE USER $PG_USER PASSWORD '$PG_PASSWORD';
	CREATE DATABASE $PG_DB OWNER $PG_USER;
	EOF
}

# pg_config NAME PREFIX: broker_config for NAME with its store in the
# test's database on tablePrefix PREFIX (a jdbcPersistenceAdapter with a
# lease-database-locker, its lockKeepAlivePeriod $KEEP and
# lockAcquireSleepInterval $ACQUIRE, 1000 and 300 unless set), the data
# source a Spring bean with the password.
pg_config() {
	PERSISTENCE_ADAPTER="<jdbcPersistenceAdapter dataSource=\"#pg\" lockKeepAlivePeriod=\"${KEEP:-1000}\" tablePrefix=\"$2\"><locker><lease-database-locker lockAcquireSleepInterval=\"${ACQUIRE:-300}\"/></locker></jdbcPersistenceAdapter>" \
	BEANS_EXTRA="<bean id=\"pg\" class=\"org.postgresql.ds.PGSimpleDataSource\">
	    <property name=\"serverName\" value=\"$PG_HOST\"/>
	    <property name=\"portNumber\" value=\"$PG_PORT\"/>
	    <property name=\"databaseName\" value=\"$PG_DB\"/>
	    <property name=\"user\" value=\"$PG_USER\"/>
	    <property name=\"password\" value=\"$PG_PASSWORD\"/>
	  </bean>" broker_config "$1"
}
