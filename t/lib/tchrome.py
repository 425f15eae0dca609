"""tchrome - Debian's chromium, headless, driven over the DevTools protocol
on a pipe (--remote-debugging-pipe: commands on fd 3, answers on fd 4,
each a JSON text ended by a NUL), so the web console's tests can log in,
click, read the DOM and take screenshots as a user's browser would,
without a driver library."""
import base64
import fcntl
import json
import os
import time

from tstomp import WAIT, fail


def _high(fd):
    """fd moved to a number of 10 or more (the original closed), so that
    putting the pipes on 3 and 4 cannot close or overwrite one."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chrome:
    def __init__(self, workdir):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        to_chrome_r, from_chrome_w = _high(to_chrome_r), _high(from_chrome_w)

        # posix_spawn puts the pipes on fds 3 and 4, not a preexec_fn: a
        # test's STOMP client has a receiver thread by then, and
        # preexec_fn is not safe with threads (chromium now and then
        # found its pipe fds not open and exited).
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--no-first-run", "--window-size=1280,900",
                "--user-data-dir=" + os.path.join(workdir, "chrome-profile"), "about:blank"]
        self.pid = os.posix_spawnp("chromium", args, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.path.join(workdir, "chrome.log"),
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_DUP2, to_chrome_r, 3),
            (os.POSIX_SPAWN_DUP2, from_chrome_w, 4)])
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)

    def _read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                fail("chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                fail("chromium exited")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=False):
        result, error = self._call(method, params, session)
        if error:
            fail("%s: %s" % (method, error))
        return result

    def _call(self, method, params, session):
        """The command's result, or its error."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + WAIT
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                return m.get("result", {}), m.get("error")
            self.events.append(m)

    def wait_event(self, method):
        deadline = time.time() + WAIT
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    del self.events[i]
                    return e
            self.events.append(self._read(deadline))

    def load(self, action):
        """Runs action (a navigation or a click) and waits for the page it
        leads to."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        action()
        self.wait_event("Page.loadEventFired")

    def goto(self, url):
        self.load(lambda: self.call("Page.navigate", {"url": url}, session=True))

    def js(self, expr):
        # A page that navigates (a reload of its own, a redirect) while a
        # script runs makes chromium answer "Inspected target navigated or
        # closed": the script runs again in the new page, as a user's
        # next look would (a test failed so, now and then).
        deadline = time.time() + WAIT
        while True:
            r, error = self._call("Runtime.evaluate",
                                  {"expression": expr, "returnByValue": True,
                                   "awaitPromise": True}, True)
            if not error:
                break
            if "navigated or closed" not in error.get("message", "") or time.time() > deadline:
                fail("Runtime.evaluate: %s" % error)
            time.sleep(0.1)
        if "exceptionDetails" in r:
            fail("script failed: %s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def until(self, what, expr, timeout=None):
        end = time.time() + (timeout or WAIT)
        while time.time() < end:
            v = self.js(expr)
            if v:
                return v
            time.sleep(0.1)
        fail("timed out waiting for %s (%s)" % (what, expr))

    def screenshot(self, path):
        png = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def close(self):
        try:
            self.call("Browser.close")
        except SystemExit:
            pass
        deadline = time.time() + WAIT
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.time() > deadline:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.05)
