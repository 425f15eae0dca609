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

test_done
