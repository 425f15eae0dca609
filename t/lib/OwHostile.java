// OpenWire commands no JMS application sends, written with ActiveMQ's own
// marshalling (activemq-client) after a normal handshake and login, for
// t/29-openwire.t: each is answered (ExceptionResponse, Response) or
// ignored, never a crash, and the connection still serves a good send.
//   java OwHostile URL USER PASS
// Prints one line per command: "NAME: Response" or "NAME: CLASS: MESSAGE".
import java.net.URI;
import org.apache.activemq.command.*;
import org.apache.activemq.transport.*;
import org.apache.activemq.util.ByteSequence;

public class OwHostile {
    static Transport t;

    static void ask(String name, Command c) throws Exception {
        c.setResponseRequired(true);
        Object r = t.request(c, 20000);
        if (r instanceof ExceptionResponse) {
            Throwable e = ((ExceptionResponse) r).getException();
            System.out.println(name + ": " + e.getClass().getName() + ": " + e.getMessage());
        } else {
            System.out.println(name + ": " + (r == null ? "no answer" : r.getClass().getSimpleName()));
        }
    }

    public static void main(String[] a) {
        int rc = 0;
        try {
            run(a);
        } catch (Exception e) {
            System.out.println("failed: " + e);
            rc = 1;
        }
        System.exit(rc);	// the transport's threads would keep the JVM
    }

    static void run(String[] a) throws Exception {
        t = TransportFactory.connect(new URI(a[0]));
        t.setTransportListener(new DefaultTransportListener() {
            public void onCommand(Object o) {
                if (o instanceof ConnectionError)
                    System.out.println("ConnectionError: " + ((ConnectionError) o).getException().getMessage());
            }
        });
        t.start();
        ConnectionId cid = new ConnectionId("ID:hostile-1");
        ConnectionInfo ci = new ConnectionInfo(cid);
        ci.setUserName(a[1]);
        ci.setPassword(a[2]);
        ask("ConnectionInfo", ci);
        SessionId sid = new SessionId(cid, 1);
        ask("SessionInfo", new SessionInfo(sid));
        ProducerId pid = new ProducerId(sid, 1);
        ask("ProducerInfo", new ProducerInfo(pid));

        ActiveMQTextMessage m = new ActiveMQTextMessage();
        m.setDestination(new ActiveMQQueue("hostile.q"));
        m.setMessageId(new MessageId(pid, 1));
        m.setContent(new ByteSequence(new byte[] {0, 0, 0, 100, 'a'}));
        ask("text longer than its body", m);

        m = new ActiveMQTextMessage();
        m.setMessageId(new MessageId(pid, 2));
        m.setText("no destination");
        ask("message without destination", m);

        ConsumerInfo bad = new ConsumerInfo(new ConsumerId(sid, 1));
        ask("consumer without destination", bad);
        ConsumerInfo sel = new ConsumerInfo(new ConsumerId(sid, 2));
        sel.setDestination(new ActiveMQQueue("hostile.q"));
        sel.setSelector("colour = = 'x'");
        ask("bad selector", sel);
        ConsumerInfo ok = new ConsumerInfo(new ConsumerId(sid, 3));
        ok.setDestination(new ActiveMQQueue("hostile.q"));
        ok.setPrefetchSize(0);
        ask("consumer", ok);
        ask("same consumer id again", ok);

        MessageAck ack = new MessageAck();
        ack.setConsumerId(new ConsumerId(sid, 99));
        ack.setAckType(MessageAck.STANDARD_ACK_TYPE);
        ack.setLastMessageId(new MessageId(pid, 77));
        ask("ack for no consumer", ack);
        ack = new MessageAck();
        ack.setConsumerId(new ConsumerId(sid, 3));
        ack.setAckType(MessageAck.INDIVIDUAL_ACK_TYPE);
        ack.setLastMessageId(new MessageId(pid, 77));
        ask("ack for nothing in flight", ack);

        TransactionInfo tx = new TransactionInfo(cid, new LocalTransactionId(cid, 1), TransactionInfo.BEGIN);
        ask("transaction", tx);
        DestinationInfo di = new DestinationInfo(cid, DestinationInfo.ADD_OPERATION_TYPE,
                                                 new ActiveMQTempQueue(cid, 1));
        ask("temporary queue", di);
        ask("remove unknown consumer", new RemoveInfo(new ConsumerId(sid, 42)));
        ask("remove consumer", new RemoveInfo(new ConsumerId(sid, 3)));

        m = new ActiveMQTextMessage();
        m.setDestination(new ActiveMQQueue("hostile.q"));
        m.setMessageId(new MessageId(pid, 4));
        m.setText("still served");
        m.setPersistent(true);
        ask("good send", m);
        t.oneway(new ShutdownInfo());
        t.stop();
    }
}
