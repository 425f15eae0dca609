# ttmux.sh - tandemtop's screen in tmux, for the t/9x tandemtop tests
# (sourced after test-lib.sh). The tmux server is the test's own, on a
# socket in its trash: it goes with the brokers, however the test ends.
# The session the tests start is named "top".
TMUX_SOCK=$TRASH/tmux.sock
trap 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; test_cleanup' EXIT
tm() { tmux -S "$TMUX_SOCK" "$@"; }
keys() { tm send-keys -t =top: "$@"; }
# screen_shows 'ERE'...: until the pane has a line matching each (15 s);
# the pane is left in pane.txt, and shown when it never matched.
screen_shows() {
	for i in $(seq 75); do
		tm capture-pane -p -t =top: >pane.txt 2>/dev/null || return 1
		ok=1
		for re in "$@"; do
			grep -Eq -- "$re" pane.txt || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.2
	done
	echo "the screen never showed: $*"
	cat pane.txt
	return 1
}
# screen_lacks 'ERE': until no line of the pane matches it (15 s): a key
# such as Escape may take ncurses' escape delay to act.
screen_lacks() {
	for i in $(seq 75); do
		tm capture-pane -p -t =top: >pane.txt 2>/dev/null || return 1
		grep -Eq -- "$1" pane.txt || return 0
		sleep 0.2
	done
	echo "the screen kept showing: $1"
	cat pane.txt
	return 1
}
