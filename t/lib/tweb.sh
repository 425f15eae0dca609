# tweb.sh - the console driven with curl as a browser without JavaScript
# would, for t/*.t after test-lib.sh: $W is the console's base URL, the
# session is kept in the cookie jar "jar".

# get PATH: the page into page.html with the session of jar; the code out.
get() { curl -s -b jar -c jar -o page.html -w '%{http_code}' "$W$1"; }
# post PATH DATA...: a form post with the session; headers into hdr.
post() {
	p=$1
	shift
	curl -s -b jar -c jar -D hdr -o page.html -w '%{http_code}' "$@" "$W$p"
}
# The CSRF token of the last page's first form.
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' page.html | head -1; }
# login USER PASSWORD: through the login form; the code of the post out.
login() {
	rm -f jar
	curl -s -c jar -o login.html "$W/login" &&
	token=$(sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' login.html) &&
	curl -s -b jar -c jar -o /dev/null -w '%{http_code}' --data-urlencode "user=$1" \
		--data-urlencode "password=$2" -d "token=$token&next=/queues" "$W/login"
}
