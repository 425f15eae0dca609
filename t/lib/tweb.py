"""Helpers for the web tests: compare what /api/jolokia answers (fetched
by curl into files) with what the management socket answers."""
import json

from tstomp import check


def load(path):
    with open(path) as f:
        return json.load(f)


def same_answers(http, sock, what):
    """A response (or bulk of them) from each side: the same status and
    value (timestamps aside)."""
    if isinstance(http, list) or isinstance(sock, list):
        check(isinstance(http, list) and isinstance(sock, list) and len(http) == len(sock),
              "%s: bulk answers differ in shape: %r / %r" % (what, http, sock))
        for i, (h, s) in enumerate(zip(http, sock)):
            same_answers(h, s, "%s[%d]" % (what, i))
        return
    for key in ("status", "value", "error_type", "total"):
        check(http.get(key) == sock.get(key), "%s: %s differs:\n http: %r\n sock: %r"
              % (what, key, http.get(key), sock.get(key)))
