// Consumers, acks and connections of an unchanged JMS application
// (Debian's ActiveMQ JMS client), one scenario per run, driven by
// t/29-openwire-consumers.t:
//   java JmsConsumers URL SCENARIO ARGS...
// Each scenario prints what the application saw, one line per step, for
// the test to compare; a JMSException it did not expect is printed as
// "exception CLASS: MESSAGE" and exits 3. A watchdog ends a run that
// hangs (a receive the broker never answers) with "hung" and status 5.
import java.io.File;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQMessageConsumer;
import org.apache.activemq.command.ActiveMQMessage;
import org.apache.activemq.command.ConsumerControl;
import org.apache.activemq.command.MessageAck;

public class JmsConsumers {
    static String url;

    public static void main(String[] a) throws Exception {
        url = a[0];
        Thread dog = new Thread(() -> {
            try {
                Thread.sleep(Long.getLong("watchdog", 60000));
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("hung");
            System.out.flush();
            Runtime.getRuntime().halt(5);
        });
        dog.setDaemon(true);
        dog.start();
        try {
            run(a[1], java.util.Arrays.copyOfRange(a, 2, a.length));
        } catch (JMSException e) {
            say("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.out.flush();
        System.exit(0);
    }

    static void say(String s) {
        System.out.println(s);
    }

    static Connection connect(String options, String clientId) throws JMSException {
        String u = options.isEmpty() ? url : url + (url.contains("?") ? "&" : "?") + options;
        Connection c = new ActiveMQConnectionFactory(u).createConnection("app", "secret");
        if (clientId != null)
            c.setClientID(clientId);
        c.start();
        return c;
    }

    static void send(Destination d, String... texts) throws JMSException {
        Connection c = connect("", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(d);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (String t : texts)
            p.send(s.createTextMessage(t));
        c.close();
    }

    static String text(Message m) throws JMSException {
        return m == null ? "null" : ((TextMessage) m).getText();
    }

    static String flags(Message m) throws JMSException {
        return text(m) + " redelivered=" + m.getJMSRedelivered() + " count="
            + m.getIntProperty("JMSXDeliveryCount");
    }

    static void run(String what, String[] a) throws Exception {
        switch (what) {
        case "clientid": clientId(a[0]); break;
        case "hold": hold(a[0]); break;
        case "connect": connectAs(a[0]); break;
        case "watch": watch(a[0]); break;
        case "pull": pull(a[0]); break;
        case "clientack": clientAck(a[0], Integer.parseInt(a[1])); break;
        case "recover": recover(a[0]); break;
        case "poison": poison(a[0]); break;
        case "expired": expired(a[0]); break;
        case "acks": acks(a[0]); break;
        case "browse": browse(a[0]); break;
        case "durable-make": durableMake(a[0], a[1]); break;
        case "durable-read": durableRead(a[0], a[1]); break;
        case "browse-all": browseAll(a[0]); break;
        case "nolocal": noLocal(a[0]); break;
        case "nolocal-offline": noLocalOffline(a[0]); break;
        case "exclusive": exclusive(a[0]); break;
        case "priority": priority(a[0]); break;
        case "control": control(a[0]); break;
        case "selector": selector(a[0]); break;
        case "defaults": defaults(a[0], a[1], a[2]); break;
        default: throw new IllegalArgumentException(what);
        }
    }

    // 1. A client id is the broker's to one connection at a time.
    static void clientId(String id) throws JMSException {
        Connection first = connect("", id);
        say("first: connected");
        try {
            connect("", id);
            say("second: connected");
        } catch (InvalidClientIDException e) {
            say("second: " + e.getClass().getName() + ": " + e.getMessage());
        }
        first.close();
        connect("", id).close();
        say("after close: connected");
    }

    static void hold(String id) throws Exception {
        connect("", id);
        say("holding");
        System.out.flush();
        Thread.sleep(120000);
    }

    // Client ids across protocols: "connected", or the refusal.
    static void connectAs(String id) throws JMSException {
        try {
            connect("", id).close();
            say("connected");
        } catch (InvalidClientIDException e) {
            say(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    // Holds id until the broker closes the connection: "lost".
    static void watch(String id) throws Exception {
        Connection c = connect("", id);
        c.setExceptionListener(e -> {
            say("lost");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        });
        say("holding");
        System.out.flush();
        Thread.sleep(30000);
    }

    // 2. Prefetch 0: a message per pull, null when none comes.
    static void pull(String q) throws JMSException {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        Connection c = connect("jms.prefetchPolicy.all=0", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(dest);
        say("receive(500) on nothing: " + text(mc.receive(500)));
        say("receiveNoWait() on nothing: " + text(mc.receiveNoWait()));
        send(dest, "p1", "p2", "p3", "p4");
        say("receive(5000): " + text(mc.receive(5000)));
        say("receiveNoWait(): " + text(mc.receiveNoWait()));
        // What it did not pull is another consumer's.
        Connection other = connect("", null);
        MessageConsumer oc = other.createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createConsumer(dest);
        say("another consumer: " + text(oc.receive(5000)) + " " + text(oc.receive(5000)));
        other.close();
        new Thread(() -> {
            try {
                Thread.sleep(300);
                send(dest, "p5");
            } catch (Exception e) {
                e.printStackTrace();
            }
        }).start();
        say("receive() waits: " + text(mc.receive()));
        c.close();
    }

    // 3. CLIENT_ACKNOWLEDGE with a small prefetch: more than the prefetch
    // received unacknowledged (the client's delivered acks widen the
    // window), then one acknowledge() for all of them and for what the
    // session's other consumer received.
    static void clientAck(String q, int n) throws JMSException {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        String[] texts = new String[n];
        for (int i = 0; i < n; i++)
            texts[i] = "m" + i;
        send(dest, texts);
        Queue other = new org.apache.activemq.command.ActiveMQQueue(q + ".other");
        send(other, "o1");
        Connection c = connect("jms.prefetchPolicy.queuePrefetch=10", null);
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(dest);
        say("another consumer of the session: " + text(s.createConsumer(other).receive(5000)));
        Message last = null;
        int got = 0;
        for (Message m; got < n && (m = mc.receive(3000)) != null; got++)
            last = m;
        say("received unacknowledged: " + got);
        if (last != null)
            last.acknowledge();
        c.close();
        c = connect("", null);
        Session t = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        say("left after acknowledge: " + text(t.createConsumer(dest).receive(1000)) + " "
            + text(t.createConsumer(other).receive(500)));
        c.close();
    }

    // Session.recover(): redelivered with its count, then acknowledged.
    static void recover(String q) throws JMSException {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        send(dest, "r1", "r2");
        Connection c = connect("", null);
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(dest);
        say("first: " + flags(mc.receive(5000)) + ", " + flags(mc.receive(5000)));
        s.recover();
        Message m1 = mc.receive(5000), m2 = mc.receive(5000);
        say("after recover: " + flags(m1) + ", " + flags(m2));
        m1.acknowledge();
        mc.close();
        // Left unacknowledged by a consumer that went: the broker's
        // redelivery.
        send(dest, "r3");
        mc = s.createConsumer(dest);
        say("taken: " + flags(mc.receive(5000)));
        mc.close();
        mc = s.createConsumer(dest);
        Message m3 = mc.receive(5000);
        say("given back: " + flags(m3));
        m3.acknowledge();
        say("then: " + text(mc.receive(500)));
        c.close();
    }

    // Past maximumRedeliveries the client sends a poison ack: the DLQ.
    static void poison(String q) throws JMSException {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        send(dest, "bad");
        Connection c = connect("jms.redeliveryPolicy.maximumRedeliveries=1"
                               + "&jms.redeliveryPolicy.initialRedeliveryDelay=0", null);
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(dest);
        say("first: " + text(mc.receive(5000)));
        s.recover();
        say("again: " + text(mc.receive(5000)));
        s.recover();
        say("then: " + text(mc.receive(500)));
        c.close();
    }

    // A message that expires in the client's prefetch: its expired ack.
    static void expired(String q) throws Exception {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        Connection c = connect("", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(dest);
        MessageProducer p = s.createProducer(dest);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        p.setTimeToLive(1000);
        p.send(s.createTextMessage("short-lived"));
        Thread.sleep(2000);
        say("receive after expiry: " + text(mc.receive(1000)));
        MessageConsumer dlq = s.createConsumer(s.createQueue("ActiveMQ.DLQ"));
        say("in the DLQ while its consumer is open: " + text(dlq.receive(5000)));
        c.close();
    }

    // The ack types a JMS application does not send by itself, each
    // answered, and what stays in flight stays.
    static void acks(String q) throws JMSException {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        send(dest, "a1", "a2");
        ActiveMQConnection c = (ActiveMQConnection) connect("", null);
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        ActiveMQMessageConsumer mc = (ActiveMQMessageConsumer) s.createConsumer(dest);
        ActiveMQMessage m1 = (ActiveMQMessage) mc.receive(5000);
        ActiveMQMessage m2 = (ActiveMQMessage) mc.receive(5000);
        byte[] types = { MessageAck.REDELIVERED_ACK_TYPE, MessageAck.UNMATCHED_ACK_TYPE,
                         MessageAck.DELIVERED_ACK_TYPE };
        String[] names = { "redelivered", "unmatched", "delivered" };
        for (int i = 0; i < types.length; i++) {
            MessageAck ack = new MessageAck(m1, types[i], 1);
            ack.setConsumerId(mc.getConsumerId());
            say(names[i] + " ack: " + c.syncSendPacket(ack).getClass().getSimpleName());
        }
        MessageAck ack = new MessageAck(m2, MessageAck.INDIVIDUAL_ACK_TYPE, 1);
        ack.setConsumerId(mc.getConsumerId());
        say("individual ack of a2: " + c.syncSendPacket(ack).getClass().getSimpleName());
        c.close();
        Connection d = connect("", null);
        MessageConsumer next = d.createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createConsumer(dest);
        say("next consumer: " + flags(next.receive(5000)) + ", then " + text(next.receive(500)));
        d.close();
    }

    // 4. QueueBrowser, with and without a selector: nothing consumed.
    static void browse(String q) throws JMSException {
        Connection c = connect("", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue dest = s.createQueue(q);
        MessageProducer p = s.createProducer(dest);
        for (int i = 0; i < 5; i++) {
            TextMessage m = s.createTextMessage("b" + i);
            m.setJMSType(i % 2 == 0 ? "even" : "odd");
            p.send(m);
        }
        for (String sel : new String[] { null, "JMSType = 'odd'" })
            say("browse" + (sel == null ? "" : " " + sel) + ":" + browsed(s, dest, sel));
        // Held unacknowledged by a consumer: still there to browse.
        Session held = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer holder = held.createConsumer(dest);
        say("a consumer holds " + text(holder.receive(5000)) + "; browse:"
            + browsed(s, dest, null));
        holder.close();
        MessageConsumer mc = s.createConsumer(dest);
        StringBuilder got = new StringBuilder();
        for (Message m; (m = mc.receive(1000)) != null;)
            got.append(" ").append(text(m));
        say("then consumed:" + got);
        QueueBrowser b = s.createBrowser(dest);
        say("browse of an empty queue ends: " + b.getEnumeration().hasMoreElements());
        c.close();
    }

    // Every message a browser sees (BytesMessages), one a line, then how many a second
    // browse with a selector sees.
    static void browseAll(String q) throws JMSException {
        Connection c = connect("", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue dest = s.createQueue(q);
        java.util.Enumeration<?> en = s.createBrowser(dest).getEnumeration();
        while (en.hasMoreElements()) {
            BytesMessage m = (BytesMessage) en.nextElement();	// a STOMP SEND with content-length
            byte[] b = new byte[(int) m.getBodyLength()];
            m.readBytes(b);
            say(new String(b, java.nio.charset.StandardCharsets.UTF_8));
        }
        int n = 0;
        en = s.createBrowser(dest, "JMSPriority = 9").getEnumeration();
        for (; en.hasMoreElements(); en.nextElement())
            n++;
        say("priority 9: " + n);
        c.close();
    }

    static String browsed(Session s, Queue dest, String sel) throws JMSException {
        QueueBrowser b = sel == null ? s.createBrowser(dest) : s.createBrowser(dest, sel);
        StringBuilder seen = new StringBuilder();
        for (java.util.Enumeration<?> e = b.getEnumeration(); e.hasMoreElements();)
            seen.append(" ").append(text((Message) e.nextElement()));
        b.close();
        return seen.toString();
    }

    // 5. A durable subscription made, then left while messages come.
    static void durableMake(String topic, String id) throws JMSException {
        Connection c = connect("", id);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic(topic);
        s.createDurableSubscriber(t, "sub").close();
        c.close();
        c = connect("", null);
        s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(t);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (String x : new String[] { "d1", "d2", "d3" })
            p.send(s.createTextMessage(x));
        c.close();
        say("made, 3 sent while offline");
    }

    static void durableRead(String topic, String id) throws JMSException {
        Connection c = connect("", id);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic(topic);
        TopicSubscriber sub = s.createDurableSubscriber(t, "sub");
        say("kept: " + text(sub.receive(5000)) + " " + text(sub.receive(5000)) + " "
            + text(sub.receive(5000)));
        try {
            s.unsubscribe("sub");
            say("unsubscribe while active: done");
        } catch (JMSException e) {
            say("unsubscribe while active: " + e.getClass().getName() + ": " + e.getMessage());
        }
        sub.close();
        s.unsubscribe("sub");
        say("unsubscribe: done");
        try {
            s.unsubscribe("sub");
            say("unsubscribe again: done");
        } catch (JMSException e) {
            say("unsubscribe again: " + e.getClass().getName() + ": " + e.getMessage());
        }
        c.close();
        send(t, "after");
        c = connect("", id);
        s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        sub = s.createDurableSubscriber(t, "sub");
        say("a new subscription: " + text(sub.receive(500)));
        sub.close();
        s.unsubscribe("sub");
        c.close();
    }

    // noLocal: not what its own connection published.
    static void noLocal(String topic) throws JMSException {
        Connection c = connect("", "app-nolocal");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic(topic);
        MessageConsumer local = s.createConsumer(t, null, true);
        MessageConsumer durable = s.createDurableSubscriber(t, "nl", null, true);
        MessageConsumer all = s.createConsumer(t);
        s.createProducer(t).send(s.createTextMessage("mine"));
        send(t, "theirs");
        say("noLocal: " + text(local.receive(5000)) + " " + text(local.receive(500)));
        say("durable noLocal: " + text(durable.receive(5000)) + " " + text(durable.receive(500)));
        say("plain: " + text(all.receive(5000)) + " " + text(all.receive(5000)));
        durable.close();
        s.unsubscribe("nl");
        c.close();
    }

    // A durable noLocal subscriber's own messages are its connection's at
    // delivery, as ActiveMQ's (the connection it comes back on).
    static void noLocalOffline(String topic) throws JMSException {
        Connection c = connect("", "app-nlo");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic(topic);
        s.createDurableSubscriber(t, "nlo", null, true).close();
        s.createProducer(t).send(s.createTextMessage("mine-offline"));
        send(t, "theirs-offline");
        MessageConsumer d = s.createDurableSubscriber(t, "nlo", null, true);
        say("back on the same connection: " + text(d.receive(5000)) + " " + text(d.receive(500)));
        d.close();
        s.createProducer(t).send(s.createTextMessage("mine-2"));
        send(t, "theirs-2");
        c.close();
        Connection c2 = connect("", "app-nlo");
        Session s2 = c2.createSession(false, Session.AUTO_ACKNOWLEDGE);
        d = s2.createDurableSubscriber(t, "nlo", null, true);
        say("back on a new connection: " + text(d.receive(5000)) + " " + text(d.receive(5000)) + " "
            + text(d.receive(500)));
        d.close();
        s2.unsubscribe("nlo");
        c2.close();
    }

    static int drain(MessageConsumer mc, long wait) throws JMSException {
        int n = 0;
        while (mc.receive(wait) != null)
            n++;
        return n;
    }

    // Two consumers on q, with destination options a and b (the first
    // made first), each on its own session.
    static MessageConsumer[] two(Connection c, String q, String a, String b)
        throws JMSException {
        Session s1 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Session s2 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        return new MessageConsumer[] { s1.createConsumer(s1.createQueue(q + "?" + a)),
                                       s2.createConsumer(s2.createQueue(q + "?" + b)) };
    }

    // consumer.exclusive=true: the first gets all while it is there.
    static void exclusive(String q) throws JMSException {
        Connection c = connect("", null);
        MessageConsumer[] m = two(c, q, "consumer.exclusive=true", "consumer.exclusive=true");
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        send(dest, "1", "2", "3", "4", "5", "6");
        say("first: " + drain(m[0], 1000) + ", second: " + drain(m[1], 300));
        m[0].close();
        send(dest, "7", "8");
        say("after the first left, second: " + drain(m[1], 1000));
        c.close();
    }

    // consumer.priority: the higher gets what it has room for.
    static void priority(String q) throws JMSException {
        Connection c = connect("", null);
        MessageConsumer[] m = two(c, q, "consumer.priority=1", "consumer.priority=5");
        send(new org.apache.activemq.command.ActiveMQQueue(q), "1", "2", "3", "4", "5", "6");
        say("priority 5: " + drain(m[1], 1000) + ", priority 1: " + drain(m[0], 300));
        c.close();
    }

    // A client's ConsumerControl is accepted and applied.
    static void control(String q) throws JMSException {
        Queue dest = new org.apache.activemq.command.ActiveMQQueue(q);
        ActiveMQConnection c = (ActiveMQConnection) connect("", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        ActiveMQMessageConsumer mc = (ActiveMQMessageConsumer) s.createConsumer(dest);
        ConsumerControl cc = new ConsumerControl();
        cc.setConsumerId(mc.getConsumerId());
        cc.setDestination((org.apache.activemq.command.ActiveMQDestination) dest);
        cc.setPrefetch(5);
        say("ConsumerControl prefetch 5: " + c.syncSendPacket(cc).getClass().getSimpleName());
        send(dest, "c1");
        say("still consuming: " + text(mc.receive(5000)));
        cc = new ConsumerControl();
        cc.setConsumerId(mc.getConsumerId());
        cc.setClose(true);
        say("ConsumerControl close: " + c.syncSendPacket(cc).getClass().getSimpleName());
        send(dest, "c2");
        MessageConsumer other = s.createConsumer(dest);
        say("closed: the next consumer gets " + text(other.receive(5000)));
        c.close();
    }

    // 6. A malformed selector.
    static void selector(String q) throws JMSException {
        Connection c = connect("", null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        for (String sel : new String[] { "colour = = 'x'", "a IN (" }) {
            try {
                s.createConsumer(s.createQueue(q), sel);
                say("consumer: created");
            } catch (InvalidSelectorException e) {
                say("consumer: " + e.getClass().getName());
            }
            try {
                s.createBrowser(s.createQueue(q), sel).getEnumeration();
                say("browser: created");
            } catch (InvalidSelectorException e) {
                say("browser: " + e.getClass().getName());
            }
        }
        c.close();
    }

    // Consumers with the client's default prefetches (a durable one in an
    // auto-acknowledged session and one in a client-acknowledged), held open until
    // the file `done` exists (the test reads them over management).
    static void defaults(String q, String topic, String done) throws Exception {
        Connection c = connect("", "defaults");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        s.createConsumer(s.createQueue(q));
        s.createConsumer(s.createTopic(topic));
        s.createDurableSubscriber(s.createTopic(topic), "dsub");
        Session ca = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        ca.createDurableSubscriber(ca.createTopic(topic), "dsub-client");
        say("ready");
        System.out.flush();
        for (int i = 0; i < 300 && !new File(done).exists(); i++)
            Thread.sleep(100);
        c.close();
    }
}
