#!/bin/sh
# Running tandemd as a service: the systemd unit that make install puts in
# place, readiness told to systemd (sd_notify over NOTIFY_SOCKET) when the
# broker serves as master or waits as slave, its log in the journal's
# shape, a log file of its own (-l) opened again on SIGHUP, and a command
# line that ps shows as it was given.
. "$(dirname "$0")/test-lib.sh"

SHARED=$TRASH/shared/kahadb

# notify_listen FILE: systemd's side of NOTIFY_SOCKET, a datagram socket
# at $TRASH/notify; each message received is appended to FILE, then a
# line "--". It stops on a message "EXIT=1", or after 120 s.
notify_listen() {
	rm -f "$TRASH/notify"
	"$PYTHON" - "$TRASH/notify" "$1" <<-\EOF &
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sys.argv[1])
	s.settimeout(1)
	end = time.time() + 120
	with open(sys.argv[2], "a") as out:
	    while time.time() < end:
	        try:
	            m = s.recv(4096).decode()
	        except socket.timeout:
	            continue
	        if m == "EXIT=1":
	            break
	        out.write(m + "\n--\n")
	        out.flush()
	EOF
	for i in $(seq 100); do [ -S "$TRASH/notify" ] && return 0; sleep 0.1; done
	return 1
}

notify_stop() {
	"$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"EXIT=1", sys.argv[1])' "$TRASH/notify"
}

# said FILE PATTERN: FILE (what a broker told systemd) has a line matching
# PATTERN, within 10 s.
said() {
	for i in $(seq 100); do
		grep -q -e "$2" "$1" && return 0
		sleep 0.1
	done
	echo "no line matching $2 in $1:"
	cat "$1"
	return 1
}

test_expect_success 'make install puts a systemd unit for one broker per config (tandemd@NAME)' '
	make -s -C "$TEST_ROOT" install PREFIX="$TRASH/usr" >make.out 2>&1 || { cat make.out; false; }
	unit=usr/lib/systemd/system/tandemd@.service &&
	[ -f $unit ] &&
	grep -q "^Type=notify$" $unit &&
	grep -q "^ExecStart=$TRASH/usr/bin/tandemd -c /etc/tandem/%i.xml " $unit &&
	! grep -q "@PREFIX@" $unit &&
	if command -v systemd-analyze >/dev/null; then
		# It says what it ignores (a misspelt Type=) and still exits 0.
		systemd-analyze verify --man=no "$PWD/$unit" >verify.err 2>&1
		cat verify.err
		test ! -s verify.err
	fi
'

test_expect_success 'ps shows -D NAME=VALUE as it was given' '
	broker_config p &&
	printf "#!/bin/sh\nexec %s -D activemq.data=%s \"\$@\"\n" "$TANDEMD" "$TRASH/p/d" >p/tandemd &&
	chmod +x p/tandemd &&
	TANDEMD=$TRASH/p/tandemd start_broker p &&
	tr "\0" " " </proc/$(cat p/pid)/cmdline >cmdline &&
	cat cmdline && echo &&
	grep -q -- "-D activemq.data=$TRASH/p/d -c " cmdline &&
	ps -o args= -p $(cat p/pid) | grep -q -- "-D activemq.data=$TRASH/p/d -c "
'

test_expect_success 'a master tells systemd READY=1 once it serves, with its role in STATUS' '
	notify_listen "$TRASH/a.notify" &&
	NOTIFY_SOCKET=$TRASH/notify STORE_DIR=$SHARED start_broker a &&
	said a.notify "^READY=1$" &&
	said a.notify "^STATUS=master: a serves clients$" &&
	port_open "$(broker_stomp_port a)"
'

test_expect_success 'a slave tells READY=1 while it waits for the lock, then STATUS=master when it takes over' '
	notify_stop && sleep 0.2 &&
	notify_listen "$TRASH/b.notify" &&
	NOTIFY_SOCKET=$TRASH/notify STORE_DIR=$SHARED start_slave b &&
	said b.notify "^READY=1$" &&
	said b.notify "^STATUS=slave: b waits for the lock $SHARED/lock (held by a " &&
	! port_open "$(broker_stomp_port b)" &&
	stop_broker a &&
	said b.notify "^STATUS=master: b serves clients$" &&
	stop_broker b &&
	said b.notify "^STOPPING=1$" &&
	notify_stop
'

test_expect_success 'under systemd the log goes to the journal with each line'"'"'s priority, without the time' '
	broker_config j &&
	: >j/log &&
	JOURNAL_STREAM=$(stat -c %d:%i j/log) start_broker j &&
	grep -q "^<6>INFO  | Tandem broker j is starting | broker$" j/log &&
	! grep -q "^20[0-9][0-9]-" j/log
'

test_expect_success 'with -l FILE the log goes to FILE; SIGHUP opens it again after it was moved' '
	broker_config h &&
	printf "#!/bin/sh\nexec %s -l %s \"\$@\"\n" "$TANDEMD" "$TRASH/h/broker.log" >h/tandemd &&
	chmod +x h/tandemd &&
	TANDEMD=$TRASH/h/tandemd start_broker h &&
	grep -q "| INFO  | Tandem broker h is starting | broker$" h/broker.log &&
	! grep -q "is starting" h/log &&
	mv h/broker.log h/broker.log.1 &&
	kill -HUP $(cat h/pid) &&
	for i in $(seq 100); do [ -s h/broker.log ] && break; sleep 0.1; done &&
	grep -q "log file $TRASH/h/broker.log opened again" h/broker.log &&
	process_alive $(cat h/pid) &&
	signal_broker h TERM &&
	grep -q "Tandem broker h stopped" h/broker.log &&
	! grep -q "stopped" h/broker.log.1
'

test_expect_success 'a log file that cannot be opened is an error at start, exit status 1' '
	"$TANDEMD" -c "$TRASH/h/broker.xml" -l "$TRASH/no/such/dir/log" 2>err;
	test $? = 1 &&
	grep -q "tandemd: cannot open the log file $TRASH/no/such/dir/log: No such file or directory" err
'

test_done
