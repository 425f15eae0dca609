# Records what an ActiveMQ JMS client sends (t/data/openwire/README.md):
#   python3 record.py PORT TIGHT(true|false) OUT
# Listens on 127.0.0.1:PORT for one connection, sends a WireFormatInfo
# (tight as asked, no cache, no stack traces, no inactivity check),
# answers every command that asks for a response with a Response, stops at
# ShutdownInfo and writes every byte the client sent to OUT.
import socket, struct, sys
port, tight, out = int(sys.argv[1]), sys.argv[2] == 'true', sys.argv[3]
def utf(s): b = s.encode(); return struct.pack('>H', len(b)) + b
def prop_bool(k, v): return utf(k) + b'\x01' + (b'\x01' if v else b'\x00')
def prop_long(k, v): return utf(k) + b'\x06' + struct.pack('>q', v)
props = [prop_bool('TightEncodingEnabled', tight), prop_bool('CacheEnabled', False),
         prop_bool('SizePrefixDisabled', False), prop_bool('StackTraceEnabled', False),
         prop_long('MaxInactivityDuration', 0)]
m = struct.pack('>i', len(props)) + b''.join(props)
body = b'\x01' + b'ActiveMQ' + struct.pack('>i', 12) + b'\x01' + struct.pack('>i', len(m)) + m
wfi = struct.pack('>i', len(body)) + body
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', port)); ls.listen(1); ls.settimeout(30)
c, _ = ls.accept(); c.settimeout(10)
c.sendall(wfi)
rec = b''; buf = b''; cid = 1000
def response(corr):
    global cid; cid += 1
    if use_tight:
        b = b'\x1e' + b'\x01\x00' + struct.pack('>i', cid) + struct.pack('>i', corr)
    else:
        b = b'\x1e' + struct.pack('>i', cid) + b'\x00' + struct.pack('>i', corr)
    return struct.pack('>i', len(b)) + b
use_tight = False; first_done = False
try:
    while True:
        d = c.recv(65536)
        if not d: break
        rec += d; buf += d
        while len(buf) >= 4:
            n = struct.unpack('>i', buf[:4])[0]
            if len(buf) < 4 + n: break
            f = buf[4:4 + n]; buf = buf[4 + n:]
            if f[0] == 1:
                use_tight = tight; first_done = True; continue
            if use_tight:
                nb = f[1]; bits = f[2:2 + nb]; rr = nb > 0 and bits[0] & 1
                cmd = struct.unpack('>i', f[2 + nb:6 + nb])[0]
            else:
                cmd = struct.unpack('>i', f[1:5])[0]; rr = f[5]
            if rr: c.sendall(response(cmd))
            if f[0] == 11: raise EOFError
except (EOFError, socket.timeout, ConnectionResetError):
    pass
open(out, 'wb').write(rec)
