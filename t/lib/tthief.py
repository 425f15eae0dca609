"""tthief - another process takes a store directory's lock behind the
master's back: it locks a new file and renames it over DIR/lock (fencing
tests), touches READY, and holds that lock until GO exists or SECONDS have
passed (default 5).

    python3 t/lib/tthief.py DIR READY [GO [SECONDS]]
"""
import fcntl
import os
import sys
import time


def main(d, ready, go=None, seconds="5"):
    f = open(d + "/lock.new", "w")
    fcntl.lockf(f, fcntl.LOCK_EX)
    f.write("thief on nowhere pid 1 since 1970-01-01T00:00:00Z\n")
    f.flush()
    os.rename(d + "/lock.new", d + "/lock")
    open(ready, "w").close()
    end = time.time() + float(seconds)
    while time.time() < end and not (go and os.path.exists(go)):
        time.sleep(0.05)


if __name__ == "__main__":
    main(*sys.argv[1:])
