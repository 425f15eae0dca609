"""The scenario of the bridge read-rights tests (t/89-authorization-bridge-
reads.t, t/80-network-activemq-out-authz.t): broker `here` has an
authorizationPlugin and a bridge to `remote` whose user may read
shared.>, not secret."""
from tstomp import client, send_on, check, port
from tmgmt import until, log_has


def secret_stays_here(far_port, here, remote):
    """A consumer on the remote (far_port) of secret and shared.q:
    shared.q crosses, secret stays here, where a local consumer gets it."""
    far = client(far_port)
    far.conn.subscribe("/queue/secret", id="1", ack="auto")
    far.conn.subscribe("/queue/shared.q", id="2", ack="auto")
    far.sync()
    until("%s saw the demand for secret and shared.q" % here,
          lambda: log_has(here, "consumer(s) of queue://shared.q on %s: forwarding" % remote) and
          (log_has(here, "queue://secret on %s: forwarding" % remote) or
           log_has(here, "not forwarding queue://secret to %s" % remote)))
    app = client(port(here), login="app", passcode="b")
    send_on(app, "/queue/secret", "s1", headers={"persistent": "true"})
    send_on(app, "/queue/shared.q", "h1", headers={"persistent": "true"})
    until("shared.q crossed", lambda: "h1" in [m.body for m in far.messages])
    # A message is in one place: still here, it never went to the remote.
    near = client(port(here), login="app", passcode="b")
    near.conn.subscribe("/queue/secret", id="1", ack="auto")
    check(near.wait_bodies(1) == ["s1"], "secret stayed on %s" % here)
    far.sync()
    check([m.body for m in far.messages] == ["h1"],
          "%s got %r" % (remote, [m.body for m in far.messages]))
