#!/usr/bin/env python3
"""tjolokia.py PORT USER PASSWORD MODEFILE BROKER: a stand-in for an
ActiveMQ 5.17 web console's /api/jolokia, for tests of Tandem reading an
ActiveMQ neighbour's state (Debian's activemq package has no web console,
so no Jolokia, to run).

It answers Jolokia's POST (a request or a bulk of them) in the shapes
Jolokia's reference manual and ActiveMQ's JMX documentation give: a
pattern read answers {MBEAN: {ATTRIBUTE: VALUE}}, with the keys of each
object name in Jolokia's canonical (sorted) order; a pattern that matches
nothing answers status 404. Basic authentication as USER:PASSWORD, else
401 with WWW-Authenticate, as Jetty does. MODEFILE's first word says how
to behave now: "ok", "hang" (accept and never answer), "garbage" (an HTML
page, as a proxy's error would be). Each request's Authorization header
is appended to MODEFILE.log, so a test can see what was sent.
"""
import base64
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, USER, PASSWORD, MODEFILE, BROKER = sys.argv[1:6]
D = "org.apache.activemq:"

BROKERS = {D + "brokerName=%s,type=Broker" % BROKER: {
    "BrokerName": BROKER, "BrokerId": "ID:standin-1234-0:1", "Uptime": "2 minutes",
    "UptimeMillis": 120000, "TotalMessageCount": 17}}
QUEUES = {
    D + "brokerName=%s,destinationName=orders,destinationType=Queue,type=Broker" % BROKER: {"QueueSize": 12},
    D + "brokerName=%s,destinationName=audit,destinationType=Queue,type=Broker" % BROKER: {"QueueSize": 5},
}
BRIDGES = {D + "brokerName=%s,connector=networkConnectors,networkBridge=tcp_//127.0.0.1_61616,"
           "networkConnectorName=to-tandem,type=Broker" % BROKER: {
               "RemoteBrokerName": "t", "RemoteAddress": "tcp://127.0.0.1:61616",
               "EnqueueCounter": 20, "DequeueCounter": 20}}


def matches(pattern):
    keys = pattern.split(":", 1)[1]
    if "destinationType=Queue" in keys:
        return QUEUES
    if "connector=networkConnectors" in keys:
        return BRIDGES
    if keys == "type=Broker,brokerName=*":
        return BROKERS
    return {}


def answer(req):
    if req.get("type") != "read":
        return {"request": req, "status": 400, "error_type": "java.lang.IllegalArgumentException",
                "error": "only read in this stand-in"}
    found = matches(req.get("mbean", ""))
    if not found:
        return {"request": req, "status": 404, "error_type": "javax.management.InstanceNotFoundException",
                "error": "javax.management.InstanceNotFoundException : No MBean with pattern %s found for reading attributes" % req.get("mbean")}
    attrs = req.get("attribute")
    attrs = [attrs] if isinstance(attrs, str) else attrs
    value = {name: {a: v for a, v in obj.items() if not attrs or a in attrs} for name, obj in found.items()}
    return {"request": req, "value": value, "timestamp": int(time.time()), "status": 200}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(MODEFILE + ".log", "a") as log:
            log.write("%s %s\n" % (self.path, self.headers.get("Authorization", "-")))
        mode = open(MODEFILE).read().split()[0]
        if mode == "hang":
            time.sleep(60)
            return
        want = "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        if self.headers.get("Authorization") != want:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'basic realm="ActiveMQRealm"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "garbage":
            out, ctype = b"<html><body>502 Bad Gateway</body></html>", "text/html"
        else:
            req = json.loads(body)
            out = json.dumps([answer(r) for r in req] if isinstance(req, list) else answer(req)).encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
