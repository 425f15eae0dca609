#!/bin/sh
# The build: make install puts the programs, man pages and example configs
# where PREFIX says, and the installed broker runs.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'make install PREFIX=... installs tandemd, its man pages and configs' '
	make -s -C "$TEST_ROOT" install PREFIX="$TRASH/usr" >make.out 2>&1 || { cat make.out; false; }
	[ -x usr/bin/tandemd ] &&
	[ -f usr/share/man/man8/tandemd.8 ] &&
	[ -f usr/share/man/man5/tandem.xml.5 ] &&
	[ -f usr/share/man/man7/tandem-mgmt.7 ] &&
	[ -x usr/bin/tandemtop ] && [ -f usr/share/man/man1/tandemtop.1 ] &&
	[ -f usr/share/tandem/conf/activemq-node1.xml ] &&
	[ -f usr/share/tandem/conf/tandem.xml ]
'

test_expect_success 'the installed tandemd checks the installed demo configuration' '
	usr/bin/tandemd -c usr/share/tandem/conf/tandem.xml --check \
		-D activemq.data="$TRASH/data" >out 2>err &&
	grep "brokerName: tandem-demo" out
'

test_expect_success 'the man pages are well-formed and render without warnings' '
	for page in usr/share/man/man*/*; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >page.out 2>page.err ||
			{ cat page.err; exit 1; }
		groff -ww -z -man "$page" 2>>page.err
		[ ! -s page.err ] || { echo "$page:"; cat page.err; exit 1; }
		grep -q "EXIT STATUS\|DESCRIPTION" page.out || exit 1
	done
'

test_expect_success 'make demo installs what conf/demo runs (python3) when it is missing' '
	grep -q python3 "$TEST_ROOT/conf/demo" &&
	make -n -C "$TEST_ROOT" demo >demo.n 2>&1 &&
	grep -q "for p in python3;" demo.n
'

# see_also PAGE: the pages its SEE ALSO names, "name.section" a line.
see_also() {
	sed -n '/^\.SH SEE ALSO/,/^\.SH/s/^\.BR \([^ ]*\) (\([0-9]\)).*/\1.\2/p' "$1" | sed 's/\\-/-/g'
}

test_expect_success 'tandemd(8) and tandem.xml(5) SEE ALSO name the other Tandem pages' '
	for page in tandemd.8 tandem.xml.5; do
		see_also "$TEST_ROOT/man/$page" >seen &&
		for other in $(cd "$TEST_ROOT/man" && ls *.[1-8]); do
			[ "$other" = "$page" ] && continue
			grep -qx "$other" seen || { echo "$page: SEE ALSO lacks $other"; exit 1; }
		done
	done
'

test_expect_success 'tandem.xml(5) FILES names every example configuration, and only files that exist' '
	sed -n "/^\.SH FILES/,/^\.SH/p" "$TEST_ROOT/man/tandem.xml.5" | sed "s/\\\\-/-/g" |
		grep -o "conf/[A-Za-z0-9.-]*" | sort -u >named &&
	for f in $(cat named); do
		[ -e "$TEST_ROOT/$f" ] || { echo "FILES names $f, which does not exist"; exit 1; }
	done &&
	for f in $(cd "$TEST_ROOT" && ls conf/*.xml conf/*.properties conf/demo); do
		grep -qx "$f" named || { echo "FILES does not name $f"; exit 1; }
	done
'

test_done
