#!/bin/sh
# BEGIN / COMMIT / ABORT: transactional sends and acks.
. "$(dirname "$0")/test-lib.sh"

start_broker node1 || exit 1

test_expect_success 'sends in a transaction are delivered at COMMIT, not before' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.subscribe("/queue/tx", id="1")
	c.sync()
	p = client()
	p.conn.begin(transaction="t1")
	p.conn.send("/queue/tx", "one", transaction="t1")
	p.conn.send("/queue/tx", "two", transaction="t1")
	p.sync()
	c.sync()
	check(not c.messages, "nothing before COMMIT: %r" % [m.body for m in c.messages])
	p.conn.commit(transaction="t1", receipt="c1")
	p.wait_receipt("c1")
	check(c.wait_bodies(2) == ["one", "two"], "both after COMMIT, in order")
	EOF
'

test_expect_success 'ABORT drops the transaction s sends' '
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	p.conn.begin(transaction="t2")
	p.conn.send("/queue/txa", "lost", transaction="t2")
	p.conn.abort(transaction="t2", receipt="a")
	p.wait_receipt("a")
	send_on(p, "/queue/txa", "kept")
	c = client()
	c.conn.subscribe("/queue/txa", id="1")
	check(c.wait_bodies(1) == ["kept"], "only the message outside the transaction")
	c.sync()
	check(not c.messages, "nothing else")
	EOF
'

test_expect_success 'acks in a committed transaction consume the messages' '
	stomp_py <<-\EOF
	from tstomp import *
	for i in range(2):
	    send(port(), "/queue/txack", "m%d" % i)
	c = client()
	c.conn.subscribe("/queue/txack", id="1", ack="client-individual")
	ms = c.wait(2)
	c.conn.begin(transaction="t")
	for m in ms:
	    c.conn.ack(m.headers["ack"], transaction="t")
	c.conn.commit(transaction="t", receipt="c")
	c.wait_receipt("c")
	c.close()
	send(port(), "/queue/txack", "after")
	d = client()
	d.conn.subscribe("/queue/txack", id="1")
	check(d.wait_bodies(1) == ["after"], "acked messages are gone")
	EOF
'

test_expect_success 'acks in an aborted transaction leave the messages unacked' '
	stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/txabort", "m")
	c = client()
	c.conn.subscribe("/queue/txabort", id="1", ack="client-individual")
	m = c.wait(1)[0]
	c.conn.begin(transaction="t")
	c.conn.ack(m.headers["ack"], transaction="t")
	c.conn.abort(transaction="t", receipt="a")
	c.wait_receipt("a")
	c.close()
	d = client()
	d.conn.subscribe("/queue/txabort", id="1")
	m = d.wait(1)[0]
	check(m.body == "m" and m.headers.get("redelivered") == "true", "redelivered: %r" % m.headers)
	EOF
'

test_expect_success 'COMMIT of an unknown transaction is an ERROR' '
	stomp_py <<-\EOF
	from tstomp import *
	c = client()
	c.conn.commit(transaction="nope")
	e = c.wait_error()
	check("nope" in e.headers.get("message", "") + e.body, "%r" % e.headers)
	EOF
'

test_expect_success 'a transaction left open when the client goes away is aborted' '
	stomp_py <<-\EOF
	from tstomp import *
	p = client()
	p.conn.begin(transaction="t")
	p.conn.send("/queue/txgone", "never", transaction="t")
	p.sync()
	p.close()
	send(port(), "/queue/txgone", "marker")
	c = client()
	c.conn.subscribe("/queue/txgone", id="1")
	check(c.wait_bodies(1) == ["marker"], "the open transaction was dropped")
	EOF
'

test_done
