"""Fills queue "stomp" of an ActiveMQ broker for t/36-kahadb-import.t:
20 persistent messages "s 0".."s 19" (priority i % 10) and one
non-persistent, then takes and acknowledges "s 0".."s 4"; and queue
"many" with 2000 persistent messages "m 0".."m 1999", the last one
receipted (ActiveMQ stores a connection's messages in order)."""
import os
import time

import stomp



class Got(stomp.ConnectionListener):
    def __init__(self):
        self.frames = []
        self.receipts = []

    def on_message(self, frame):
        self.frames.append(frame)

    def on_receipt(self, frame):
        self.receipts.append(frame.headers.get("receipt-id"))


def wait_for(pred):
    deadline = time.time() + 30
    while not pred() and time.time() < deadline:
        time.sleep(0.05)
    if not pred():
        raise SystemExit("timed out")


port = int(os.environ["PORT"])
c = stomp.Connection([("127.0.0.1", port)])
sent = Got()
c.set_listener("sent", sent)
c.connect(wait=True)
for i in range(20):
    c.send("/queue/stomp", "s %d" % i, headers={"persistent": "true", "priority": str(i % 10)})
c.send("/queue/stomp", "not kept", headers={"persistent": "false"})
for i in range(2000):
    h = {"persistent": "true"}
    if i == 1999:
        h["receipt"] = "last"
    c.send("/queue/many", "m %d" % i, headers=h)
wait_for(lambda: "last" in sent.receipts)

got = Got()
r = stomp.Connection([("127.0.0.1", port)])
r.set_listener("got", got)
r.connect(wait=True)
r.subscribe("/queue/stomp", id="1", ack="client-individual",
            headers={"activemq.prefetchSize": "5"})
wait_for(lambda: len(got.frames) >= 5)
for f in got.frames[:5]:
    r.ack(f.headers["message-id"], "1")
r.disconnect(receipt="bye")
c.disconnect()
print("took", " ".join(f.body for f in got.frames[:5]))
