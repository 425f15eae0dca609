// Temporary destinations, request/reply and advisories as an unchanged
// JMS application sees them (Debian's ActiveMQ JMS client), driven by
// t/29-openwire-temp.t:
//   java JmsTemp local URL            request/reply on one broker, and the rules
//   java JmsTemp hold URL             a temporary queue with a message; prints
//                                     "name NAME", closes at end of input
//   java JmsTemp request URL QUEUE N  N requests with a temporary queue as
//                                     JMSReplyTo; prints the replies, sorted
//   java JmsTemp respond URL QUEUE N  answers N requests to their JMSReplyTo
//   java JmsTemp advisories URL       what a watcher reads on the advisory
//                                     topics while another connection works
//   java JmsTemp late URL             what a watcher that comes late is told
//   java JmsTemp create URL           creates a temporary queue
//   java JmsTemp sendtemp URL NAME    sends to temporary queue NAME
// -Dwait=MS: how long a receive waits (default 20000). A JMSException is
// printed as "exception CLASS: MESSAGE" and exits 3; a wait that runs out
// exits 4.
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.advisory.AdvisorySupport;
import org.apache.activemq.command.ActiveMQDestination;
import org.apache.activemq.command.ActiveMQMessage;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ActiveMQTempQueue;
import org.apache.activemq.command.ConnectionInfo;
import org.apache.activemq.command.ConsumerInfo;
import org.apache.activemq.command.DataStructure;
import org.apache.activemq.command.DestinationInfo;
import org.apache.activemq.command.ProducerInfo;
import org.apache.activemq.command.RemoveInfo;

public class JmsTemp {
    static final long WAIT = Long.getLong("wait", 20000);

    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[1]);
        try {
            switch (a[0]) {
            case "local": local(f); break;
            case "hold": hold(f); break;
            case "request": request(f, a[2], Integer.parseInt(a[3])); break;
            case "respond": respond(f, a[2], Integer.parseInt(a[3])); break;
            case "advisories": advisories(f); break;
            case "late": late(f); break;
            case "sendtemp": {
                Session s = f.createConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
                s.createProducer(new ActiveMQTempQueue(a[2])).send(s.createTextMessage("late"));
                System.out.println("sent");
                break;
            }
            case "create":
                f.createConnection().createSession(false, Session.AUTO_ACKNOWLEDGE)
                    .createTemporaryQueue();
                System.out.println("created");
                break;
            default: throw new IllegalArgumentException(a[0]);
            }
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }

    static Message get(MessageConsumer c, String what) throws JMSException {
        Message m = c.receive(WAIT);
        if (m == null) {
            System.out.println("timeout waiting for " + what);
            System.exit(4);
        }
        return m;
    }

    // The text of a TextMessage, or of a BytesMessage (what a STOMP SEND
    // with a content-length becomes, as in ActiveMQ) as UTF-8.
    static String text(Message m) throws JMSException {
        if (m instanceof TextMessage)
            return ((TextMessage) m).getText();
        if (!(m instanceof BytesMessage))
            return m.getClass().getSimpleName();
        byte[] b = new byte[(int) ((BytesMessage) m).getBodyLength()];
        ((BytesMessage) m).readBytes(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String why(JMSException e, String name, String as) {
        return e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace(name, as);
    }

    // A responder on its own connection: each request answered "re:TEXT"
    // to its JMSReplyTo, with its correlation id.
    static Connection responder(ActiveMQConnectionFactory f, String queue, List<String> log)
            throws JMSException {
        Connection c = f.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(null);
        s.createConsumer(s.createQueue(queue)).setMessageListener(m -> {
            try {
                TextMessage r = s.createTextMessage("re:" + text(m));
                r.setJMSCorrelationID(m.getJMSCorrelationID());
                // Noted first: the requester may print once the reply is in.
                synchronized (log) {
                    log.add("replied to a " + m.getJMSReplyTo().getClass().getSimpleName());
                }
                p.send(m.getJMSReplyTo(), r);
            } catch (JMSException e) {
                synchronized (log) {
                    log.add("responder: " + e.getClass().getName() + ": " + e.getMessage());
                }
            }
        });
        return c;
    }

    static void local(ActiveMQConnectionFactory f) throws Exception {
        List<String> log = new ArrayList<>();
        Connection resp = responder(f, "svc.local", log);
        Connection req = f.createConnection();
        req.start();
        Session s = req.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue tq = s.createTemporaryQueue();
        TemporaryTopic tt = s.createTemporaryTopic();
        String name = tq.getQueueName();
        System.out.println("temporary queue named by the client: " + name.startsWith("ID:"));
        MessageConsumer replies = s.createConsumer(tq);
        MessageConsumer topicReplies = s.createConsumer(tt);
        MessageProducer p = s.createProducer(s.createQueue("svc.local"));
        for (int i = 0; i < 3; i++) {
            TextMessage m = s.createTextMessage("q" + i);
            m.setJMSReplyTo(tq);
            m.setJMSCorrelationID("c" + i);
            p.send(m);
        }
        TextMessage tm = s.createTextMessage("t0");
        tm.setJMSReplyTo(tt);
        p.send(tm);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Message m = get(replies, "reply " + i);
            got.add("reply " + text(m) + " " + m.getJMSCorrelationID());
        }
        Collections.sort(got);
        got.add("topic reply " + text(get(topicReplies, "the topic reply")));
        for (String g : got)
            System.out.println(g);
        synchronized (log) {
            for (String l : new TreeSet<>(log))
                System.out.println(l);
        }

        // Another connection may not consume it, even by its name.
        Connection other = f.createConnection();
        other.start();
        Session os = other.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            os.createConsumer(new ActiveMQQueue(name));
            System.out.println("another connection consumes it");
        } catch (JMSException e) {
            System.out.println("another connection: " + why(e, name, "TQ"));
        }

        // The broker refuses to delete it while it has a consumer (the
        // client checks that itself first: this asks the broker anyway).
        ActiveMQConnection ac = (ActiveMQConnection) req;
        try {
            ac.syncSendPacket(new DestinationInfo(ac.getConnectionInfo().getConnectionId(),
                                                  DestinationInfo.REMOVE_OPERATION_TYPE,
                                                  (ActiveMQDestination) tq));
            System.out.println("deleted with a consumer");
        } catch (JMSException e) {
            System.out.println("delete with a consumer: " + why(e, name, "TQ"));
        }
        // Another connection may not delete it, nor make one of a name
        // that is no temporary destination's.
        ActiveMQConnection ao = (ActiveMQConnection) other;
        DestinationInfo[] bad = {
            new DestinationInfo(ao.getConnectionInfo().getConnectionId(),
                                DestinationInfo.REMOVE_OPERATION_TYPE, (ActiveMQDestination) tq),
            new DestinationInfo(ao.getConnectionInfo().getConnectionId(),
                                DestinationInfo.ADD_OPERATION_TYPE, new ActiveMQTempQueue("no.id")),
            new DestinationInfo(ao.getConnectionInfo().getConnectionId(),
                                DestinationInfo.ADD_OPERATION_TYPE, null),
        };
        for (DestinationInfo d : bad) {
            try {
                ao.syncSendPacket(d);
                System.out.println("another connection's DestinationInfo: done");
            } catch (JMSException e) {
                System.out.println("another connection's DestinationInfo: " + why(e, name, "TQ"));
            }
        }
        replies.close();
        tq.delete();
        System.out.println("deleted once its consumer closed");

        // The responder's connection hears of it, and refuses to send to it.
        Session rs = resp.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer rp = rs.createProducer(tq);
        long end = System.currentTimeMillis() + WAIT;
        for (;;) {
            try {
                rp.send(rs.createTextMessage("late"));
            } catch (InvalidDestinationException e) {
                System.out.println("a send to it: " + why(e, name, "TQ"));
                break;
            }
            if (System.currentTimeMillis() > end) {
                System.out.println("the responder never heard it was deleted");
                break;
            }
            Thread.sleep(50);
        }
        other.close();
        req.close();
        resp.close();
    }

    static void hold(ActiveMQConnectionFactory f) throws Exception {
        Connection c = f.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue tq = s.createTemporaryQueue();
        MessageProducer p = s.createProducer(tq);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        p.send(s.createTextMessage("left behind"));
        System.out.println("name " + tq.getQueueName());
        System.out.flush();
        while (System.in.read() >= 0)
            ;
        c.close();
    }

    static void request(ActiveMQConnectionFactory f, String queue, int n) throws Exception {
        Connection c = f.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue tq = s.createTemporaryQueue();
        MessageConsumer replies = s.createConsumer(tq);
        MessageProducer p = s.createProducer(s.createQueue(queue));
        for (int i = 0; i < n; i++) {
            TextMessage m = s.createTextMessage("q" + i);
            m.setJMSReplyTo(tq);
            p.send(m);
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++)
            got.add(text(get(replies, "reply " + i)));
        Collections.sort(got);
        for (String g : got)
            System.out.println(g);
        c.close();
    }

    static void respond(ActiveMQConnectionFactory f, String queue, int n) throws Exception {
        Connection c = f.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(s.createQueue(queue));
        MessageProducer p = s.createProducer(null);
        System.out.println("listening");
        System.out.flush();
        Set<String> kinds = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            Message m = get(mc, "request " + i);
            Destination to = m.getJMSReplyTo();
            kinds.add(to == null ? "no JMSReplyTo" : "replies to a " + to.getClass().getSimpleName());
            if (to != null)
                p.send(to, s.createTextMessage("re:" + text(m)));
        }
        for (String k : kinds)
            System.out.println(k);
        c.close();
    }

    // One advisory as a line: its data structure and the count it carries.
    static String advisory(Message m) throws JMSException {
        DataStructure d = ((ActiveMQMessage) m).getDataStructure();
        String line = d == null ? "no data structure" : d.getClass().getSimpleName();
        if (d instanceof ConsumerInfo)
            line += " " + ((ConsumerInfo) d).getDestination();
        else if (d instanceof ProducerInfo)
            line += " " + ((ProducerInfo) d).getDestination();
        else if (d instanceof DestinationInfo)
            line += (((DestinationInfo) d).isAddOperation() ? " add " : " remove ")
                + (((DestinationInfo) d).getDestination().isTemporary() ? "a temporary queue" : "?");
        else if (d instanceof ConnectionInfo)
            line += " client id " + ((ConnectionInfo) d).getClientId();
        else if (d instanceof RemoveInfo)
            line += " of a " + ((RemoveInfo) d).getObjectId().getClass().getSimpleName();
        if (m.propertyExists("consumerCount"))
            line += ", consumerCount " + m.getIntProperty("consumerCount");
        if (m.propertyExists("producerCount"))
            line += ", producerCount " + m.getIntProperty("producerCount");
        return line;
    }

    static void advisories(ActiveMQConnectionFactory f) throws Exception {
        Connection w = f.createConnection();
        w.start();
        Session ws = w.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = ws.createQueue("adv.q");
        Map<String, MessageConsumer> watch = new LinkedHashMap<>();
        watch.put("consumers", ws.createConsumer(AdvisorySupport.getConsumerAdvisoryTopic(q)));
        watch.put("producers", ws.createConsumer(AdvisorySupport.getProducerAdvisoryTopic(q)));
        watch.put("connections", ws.createConsumer(AdvisorySupport.getConnectionAdvisoryTopic()));
        watch.put("temporary queues",
                  ws.createConsumer(AdvisorySupport.TEMP_QUEUE_ADVISORY_TOPIC));
        // A producer's and a consumer's advisories go out once the
        // watcher's consumers are in place: a round trip says they are.
        ws.createProducer(ws.createQueue("adv.sync")).send(ws.createTextMessage("sync"));

        Connection c = f.createConnection();
        c.setClientID("worker");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(q);
        s.createConsumer(q);
        MessageProducer mp = s.createProducer(q);
        TemporaryQueue tq = s.createTemporaryQueue();
        mp.close();
        tq.delete();
        c.close();	// both consumers go at once

        int[] expect = { 4, 2, 2, 2 };
        int i = 0;
        for (Map.Entry<String, MessageConsumer> e : watch.entrySet()) {
            for (int k = 0; k < expect[i]; k++)
                System.out.println(e.getKey() + ": " + advisory(get(e.getValue(), e.getKey())));
            i++;
        }
        w.close();
    }

    // A consumer and a temporary queue exist before the watcher comes.
    static void late(ActiveMQConnectionFactory f) throws Exception {
        Connection c = f.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("adv.late");
        s.createConsumer(q);
        s.createTemporaryQueue();
        Connection w = f.createConnection();
        w.start();
        Session ws = w.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println("consumers: " + advisory(get(ws.createConsumer(
            AdvisorySupport.getConsumerAdvisoryTopic(q)), "the consumer")));
        System.out.println("temporary queues: " + advisory(get(ws.createConsumer(
            AdvisorySupport.TEMP_QUEUE_ADVISORY_TOPIC), "the temporary queue")));
        w.close();
        c.close();
    }
}
