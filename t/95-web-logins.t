#!/bin/sh
# Web logins under password guessing and many API clients (issue 16,
# point 11): failures are counted per user name and address together and
# slow that pair down with growing delays, never lock it out; Basic
# requests take no session slot, so they cannot push operators out.
. "$(dirname "$0")/test-lib.sh"

WEB_PORT=auto BROKER_EXTRA='<plugins><simpleAuthenticationPlugin><users>
  <authenticationUser username="alice" password="alice-pw" groups="admins"/>
  <authenticationUser username="bob" password="bob-pw" groups="admins"/>
</users></simpleAuthenticationPlugin></plugins>' broker_config node1
start_broker node1 || exit 1
W="http://127.0.0.1:$(broker_web_port node1)"

# basic USER:PASSWORD [PATH]: the status of a Basic GET (a 60 s deadline).
basic() { curl -s -m 60 -o /dev/null -w '%{http_code}' -u "$1" "$W${2:-/api/jolokia/version}"; }
# login JAR USER PASSWORD: through the login form; the code of the post.
login() {
	rm -f "$1"
	curl -s -c "$1" -o login.html "$W/login" &&
	token=$(sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' login.html) &&
	curl -s -m 60 -b "$1" -c "$1" -o /dev/null -w '%{http_code}' --data-urlencode "user=$2" \
		--data-urlencode "password=$3" -d "token=$token" "$W/login"
}

test_expect_success 'behind one address, a user mistyping and a guesser trying names lock out no other user' '
	test "$(basic alice:guess1)" = 401 &&
	test "$(basic alice:guess2)" = 401 &&
	test "$(login jar alice form-guess)" = 401 &&
	for i in $(seq 7); do
		test "$(basic mallory$i:guess)" = 401 || exit 1
	done &&
	test "$(basic bob:bob-pw)" = 200 &&
	test "$(login jar bob bob-pw)" = 303 &&
	test "$(curl -s -b jar -o /dev/null -w "%{http_code}" "$W/queues")" = 200 &&
	log_contains node1 "3 failed logins of user \[alice\] from 127.0.0.1: each further attempt of theirs waits longer"
'

test_expect_success 'a failing user gets slower answers that still come, and the right password still gets in' '
	start=$(date +%s%N) &&
	test "$(basic alice:yet-another-guess)" = 401 &&
	test "$(login jar alice still-wrong)" = 401 &&
	elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 )) &&
	echo "two more failures took $elapsed_ms ms (the second waits 500 after the first)" &&
	test "$elapsed_ms" -ge 500 &&
	test "$(basic alice:alice-pw)" = 200 &&
	test "$(login jar alice alice-pw)" = 303 &&
	test "$(basic alice:wrong-again)" = 401
'

test_expect_success '300 Basic GETs of the console, then a logged-in operator'"'"'s session still works' '
	test "$(login op bob bob-pw)" = 303 &&
	for i in $(seq 300); do
		echo "url = \"$W/queues\""
		echo "user = \"alice:alice-pw\""
		echo "output = /dev/null"
		echo "write-out = \"%{http_code}\\n\""
	done >many.curl &&
	curl -s -K many.curl >codes &&
	test "$(grep -c "^200$" codes)" = 300 &&
	test "$(curl -s -b op -o page.html -w "%{http_code}" "$W/queues")" = 200 &&
	grep -q "name=\"csrf\"" page.html
'

test_expect_success 'a Basic request has no session cookie, and its console forms carry a token that works' '
	curl -s -u bob:bob-pw -D hdr -o page.html "$W/queues" &&
	! grep -qi "^Set-Cookie: TANDEMSESSION" hdr &&
	t=$(sed -n "s/.*name=\"csrf\" value=\"\([0-9a-f]*\)\".*/\1/p" page.html | head -1) &&
	test -n "$t" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u bob:bob-pw -d "csrf=$t&name=made.by.basic" \
		"$W/queues/create")" = 303 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -u alice:alice-pw -d "csrf=$t&name=other" \
		"$W/queues/create")" = 403
'

test_expect_success 'logins waiting their turn do not hold up the broker stopping' '
	for i in 1 2 3 4; do
		test "$(basic carol:guess$i)" = 401 || exit 1
	done
	{ basic carol:guess5 >late1 & } &&
	{ login late carol guess6 >late2 & } &&
	sleep 0.3 &&
	stop_broker node1 &&
	wait &&
	echo "waiting logins were answered: $(cat late1) $(cat late2)" &&
	! grep -q "Sanitizer\|runtime error" "$TRASH/node1/log"
'

test_done
