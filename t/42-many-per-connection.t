#!/bin/sh
# One connection may hold as many subscriptions and open transactions as
# memory allows (ActiveMQ sets no limit either), but each costs the
# broker the same whatever the number before it: adding a consumer to a
# queue that has 100,000 already, or a transaction beside 100,000 others,
# is one step, not a walk over all of them. Both were walks: 100,000
# SUBSCRIBEs to one queue held the event loop, so every client, for
# minutes (20,000 took 10 s; 20,000 BEGINs 3 s). Found by sending them.
# So did OpenWire's consumers, looked up by walking them for every
# ConsumerInfo, ack and pull (80,000 ConsumerInfos took 69 s), and its
# transactions, local and XA, looked up by walking them for every
# TransactionInfo, send and ack (100,000 BEGINs held the loop for more
# than 300 s), and its producers, whose advisory counted the producers of
# the destination over every producer of the broker as each came and
# went (100,000 ProducerInfos held it for minutes).
. "$(dirname "$0")/test-lib.sh"

start_broker t || exit 1

# The deadline (TSTOMP_WAIT, 15 s by default) is for the answer to the
# last frame of each batch, sent after the batch.
test_expect_success 'a connection with 100,000 subscriptions to one queue and 100,000 open transactions gets each batch answered, and a message still reaches one of them' '
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	from tframes import Raw
	N = 100000
	s = Raw(port(), b"CONNECT\naccept-version:1.2\n\n\0")
	s.send(b"".join(b"SUBSCRIBE\ndestination:/queue/many.q\nid:%d\n\n\0" % i for i in range(N)))
	s.receipted(b"SUBSCRIBE\ndestination:/queue/many.q\nid:last\nreceipt:subs\n\n\0", "subs")
	s.send(b"".join(b"BEGIN\ntransaction:t%d\n\n\0" % i for i in range(N)))
	s.receipted(b"BEGIN\ntransaction:last\nreceipt:txs\n\n\0", "txs")
	s.receipted(b"COMMIT\ntransaction:t%d\nreceipt:commit\n\n\0" % (N // 2), "commit")
	p = client()
	send_on(p, "/queue/many.q", "to one of them")
	f = s.expect("MESSAGE")
	check(f.body == b"to one of them", f)
	s.close()
	EOF
'

# The same for OpenWire: the JMS program's answer comes once every
# ConsumerInfo before it was served; timeout(1) is the deadline.
test_expect_success 'an OpenWire connection with 100,000 consumers gets them all served' '
	jms_compile JmsManyConsumers.java &&
	timeout 60 java -cp "$TRASH/jms:$JAVA_CP" JmsManyConsumers \
		"tcp://127.0.0.1:$(broker_port t)" 100000 >many.out 2>&1 &&
	cat many.out && grep -x "100000 consumers" many.out
'

test_expect_success 'an OpenWire connection with 100,000 open local transactions, and one with 100,000 open XA ones, get them all served' '
	jms_compile JmsManyTransactions.java &&
	for kind in local xa; do
		timeout 120 java -cp "$TRASH/jms:$JAVA_CP" JmsManyTransactions \
			"tcp://127.0.0.1:$(broker_port t)" 100000 $kind >tx-$kind.out 2>&1
		cat tx-$kind.out && grep -x "100000 transactions" tx-$kind.out || exit 1
	done
'

test_expect_success 'an OpenWire connection with 100,000 producers gets them all served, and once it closes the broker answers at once' '
	jms_compile JmsManyProducers.java &&
	timeout 120 java -cp "$TRASH/jms:$JAVA_CP" JmsManyProducers \
		"tcp://127.0.0.1:$(broker_port t)" 100000 >producers.out 2>&1
	cat producers.out && grep -x "100000 producers" producers.out &&
	PORT=$(broker_port t) stomp_py <<-\EOF
	from tstomp import *
	send(port(), "/queue/after.producers", "answered")
	EOF
'

test_done
