"""Fills queue "stomp" of an ActiveMQ broker for t/36-kahadb-import.t:
20 persistent messages "s 0".."s 19" (priority i % 10) and one
non-persistent, then takes and acknowledges "s 0".."s 4"."""
import os
import time

import stomp

port = int(os.environ["PORT"])
c = stomp.Connection([("127.0.0.1", port)])
c.connect(wait=True)
for i in range(20):
    c.send("/queue/stomp", "s %d" % i, headers={"persistent": "true", "priority": str(i % 10)})
c.send("/queue/stomp", "not kept", headers={"persistent": "false"})


class Got(stomp.ConnectionListener):
    def __init__(self):
        self.frames = []

    def on_message(self, frame):
        self.frames.append(frame)


got = Got()
r = stomp.Connection([("127.0.0.1", port)])
r.set_listener("got", got)
r.connect(wait=True)
r.subscribe("/queue/stomp", id="1", ack="client-individual",
            headers={"activemq.prefetchSize": "5"})
deadline = time.time() + 20
while len(got.frames) < 5 and time.time() < deadline:
    time.sleep(0.05)
for f in got.frames[:5]:
    r.ack(f.headers["message-id"], "1")
r.disconnect(receipt="bye")
c.disconnect()
print("took", " ".join(f.body for f in got.frames[:5]))
