// Every JMS message type, property type and header through Tandem, with
// Debian's ActiveMQ JMS client (libactivemq-java) unchanged; driven by
// t/29-openwire-messages.t.
//   java JmsMessages URL USER PASS send DEST          the set below, sent
//   java JmsMessages URL USER PASS recv DEST N        N received
//   java JmsMessages URL USER PASS send-props DEST    one TextMessage with
//                                                     properties and headers
//   java JmsMessages URL USER PASS send-text DEST TEXT  (\\uXXXX: a character)
//   java JmsMessages URL USER PASS listen DEST N      "ready" once
//                                                     subscribed, then N
//   java JmsMessages URL USER PASS select DEST <SELS  each selector (a line
//                                                     each) over the selector set
//   java JmsMessages URL USER PASS redeliver DEST     recover, close unacked
//   java JmsMessages URL USER PASS send-nul DEST      a String property,
//                                                     JMSCorrelationID and
//                                                     JMSType holding U+0000
//   java JmsMessages URL USER PASS send-bad DEST      malformed compressed
//                                                     bodies and properties
// DEST is a queue name, or topic:NAME. Each message is printed as one line
// (describe()): its type and body, its properties sorted with their Java
// classes, its headers; send prints what it sent after the send (with the
// JMSMessageID and JMSTimestamp the client gave it), so the test compares
// what went out with what came back. -Dwait=MS: how long a receive waits.
// A JMSException is printed as "exception CLASS: MESSAGE" and exits 3.
import java.io.Serializable;
import java.util.*;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

public class JmsMessages {
    static final long WAIT = Long.getLong("wait", 20000);

    // An application class the broker never sees but as bytes.
    public static class Payload implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final int[] values;
        Payload(String name, int[] values) { this.name = name; this.values = values; }
        public String toString() { return "Payload(" + name + "," + Arrays.toString(values) + ")"; }
    }

    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        f.setTrustAllPackages(true);	// the consumer reads Payload
        Connection c = null;
        try {
            c = f.createConnection(a[1], a[2]);
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination d = a[4].startsWith("topic:") ? s.createTopic(a[4].substring(6))
                : s.createQueue(a[4]);
            switch (a[3]) {
            case "send": send(s, d); break;
            case "recv": recv(s, s.createConsumer(d), Integer.parseInt(a[5])); break;
            case "send-props": sendProps(s, d); break;
            case "send-nul": {
                TextMessage m = s.createTextMessage("nul");
                m.setStringProperty("pNul", "a\u0000b\u0000c");
                m.setJMSCorrelationID("c\u0000d");
                m.setJMSType("t\u0000");
                s.createProducer(d).send(m);
                System.out.println(describe(m));
                break;
            }
            case "send-text": {
                MessageProducer p = s.createProducer(d);
                p.send(s.createTextMessage(unescape(a[5])));
                break;
            }
            case "listen": {
                MessageConsumer mc = s.createConsumer(d);
                System.out.println("ready");
                System.out.flush();
                recv(s, mc, Integer.parseInt(a[5]));
                break;
            }
            case "select": {
                List<String> sels = new ArrayList<>();
                Scanner in = new Scanner(System.in, "UTF-8");
                while (in.hasNextLine())
                    sels.add(in.nextLine());
                select(s, a[4], sels.toArray(new String[0]));
                break;
            }
            case "redeliver": redeliver(c, s, d); break;
            case "send-bad": sendBad(s, d); break;
            default: throw new IllegalArgumentException(a[3]);
            }
            c.close();
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }

    // Properties of every type ActiveMQ's client allows, with values whose
    // string forms Java writes in each of its ways.
    static void setProps(Message m, int i) throws JMSException {
        m.setBooleanProperty("pBool", i % 2 == 0);
        m.setByteProperty("pByte", (byte) (-128 + i));
        m.setShortProperty("pShort", (short) (-300 * i));
        m.setIntProperty("pInt", Integer.MAX_VALUE - i);
        m.setLongProperty("pLong", Long.MIN_VALUE + i);
        m.setFloatProperty("pFloat", 0.1f * (i + 1));
        m.setDoubleProperty("pDouble", 1.0E-5 / (i + 1));
        m.setDoubleProperty("pBig", 12345678.9 * (i + 1));
        m.setStringProperty("pString", "caf\u00e9 \u2603 \uD83D\uDE00 " + i);
        m.setStringProperty("pNumeric", "" + (10 + i));
        m.setObjectProperty("pChar", Character.valueOf((char) ('a' + i)));
        // nestedMapAndListEnabled, the client's default
        Map<String, Object> map = new HashMap<>();
        map.put("a", i);
        map.put("b", "x" + i);
        m.setObjectProperty("pMap", map);
        m.setObjectProperty("pList", new ArrayList<Object>(Arrays.asList(1, "two", 3.5, true)));
    }

    // The six types (and a plain Message), with headers set.
    static List<Message> build(Session s) throws JMSException {
        List<Message> l = new ArrayList<>();
        l.add(s.createMessage());
        l.add(s.createTextMessage("text \u00e9\u00e8 \uD83D\uDE00 and \u0000 a NUL"));
        BytesMessage b = s.createBytesMessage();
        b.writeBytes(new byte[] { 0, 1, 2, (byte) 0xff, 0, (byte) 0x80, 'x' });
        b.writeInt(42);
        b.writeUTF("utf");
        l.add(b);
        MapMessage mm = s.createMapMessage();
        mm.setString("s", "map string");
        mm.setInt("i", 7);
        mm.setDouble("d", 2.5);
        mm.setBoolean("z", true);
        mm.setBytes("bytes", new byte[] { 9, 0, 8 });
        mm.setLong("l", 1L << 40);
        l.add(mm);
        l.add(s.createObjectMessage(new Payload("object", new int[] { 1, 2, 3 })));
        StreamMessage sm = s.createStreamMessage();
        sm.writeString("stream");
        sm.writeInt(-1);
        sm.writeDouble(0.25);
        sm.writeBoolean(false);
        sm.writeBytes(new byte[] { 4, 5 });
        sm.writeChar('q');
        l.add(sm);
        TextMessage nul = s.createTextMessage();	// null text
        l.add(nul);
        TextMessage big = s.createTextMessage(String.join("", Collections.nCopies(2000, "compressible ")));
        l.add(big);
        for (int i = 0; i < l.size(); i++) {
            Message m = l.get(i);
            setProps(m, i);
            m.setJMSCorrelationID("corr-" + i);
            m.setJMSType("type-" + i);
            m.setStringProperty("JMSXGroupID", "group-" + (i % 2));
            m.setIntProperty("JMSXGroupSeq", i + 1);
        }
        l.get(1).setJMSReplyTo(s.createQueue("replies"));
        l.get(2).setJMSReplyTo(s.createTopic("replies.topic"));
        // temporary ones as another connection's requester names them
        l.get(3).setJMSReplyTo(new org.apache.activemq.command.ActiveMQTempQueue("ID:requester-1:1:1"));
        l.get(4).setJMSReplyTo(new org.apache.activemq.command.ActiveMQTempTopic("ID:requester-1:1:2"));
        return l;
    }

    static void send(Session s, Destination d) throws JMSException {
        MessageProducer p = s.createProducer(d);
        List<Message> l = build(s);
        for (int i = 0; i < l.size(); i++) {
            Message m = l.get(i);
            p.send(m, i % 2 == 0 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT, i, i == 1 ? 3600000 : 0);
            if (m instanceof BytesMessage)
                ((BytesMessage) m).reset();
            if (m instanceof StreamMessage)
                ((StreamMessage) m).reset();
            System.out.println(describe(m));
        }
    }

    static void sendProps(Session s, Destination d) throws JMSException {
        MessageProducer p = s.createProducer(d);
        TextMessage m = s.createTextMessage("with properties");
        setProps(m, 0);
        m.setJMSCorrelationID("corr-props");
        m.setJMSType("props");
        m.setJMSReplyTo(s.createQueue("replies"));
        m.setStringProperty("JMSXGroupID", "g1");
        m.setIntProperty("JMSXGroupSeq", 3);
        p.send(m);
        System.out.println(m.getJMSMessageID() + " " + m.getJMSTimestamp());
    }

    // Messages no JMS application sends, made with ActiveMQ's own classes:
    // each refused as a JMSException (printed), then a plain send works.
    static void sendBad(Session s, Destination d) throws Exception {
        MessageProducer p = s.createProducer(d);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);	// a send that waits for its answer
        java.util.zip.Deflater z = new java.util.zip.Deflater();
        z.setInput(new byte[4 << 20]);	// 4 MiB of zeros, a few KiB deflated
        z.finish();
        byte[] bomb = new byte[1 << 20];
        int n = z.deflate(bomb);
        org.apache.activemq.command.ActiveMQTextMessage[] bad = {
            new org.apache.activemq.command.ActiveMQTextMessage(),
            new org.apache.activemq.command.ActiveMQTextMessage(),
            new org.apache.activemq.command.ActiveMQTextMessage(),
        };
        bad[0].setContent(new org.apache.activemq.util.ByteSequence(new byte[] { 1, 2, 3, 4, 5 }));
        bad[0].setCompressed(true);
        bad[1].setContent(new org.apache.activemq.util.ByteSequence(Arrays.copyOf(bomb, n)));
        bad[1].setCompressed(true);
        bad[2].setText("properties");
        bad[2].setMarshalledProperties(new org.apache.activemq.util.ByteSequence(new byte[] { 0, 0, 0, 9, 1 }));
        for (Message m : bad) {
            try {
                p.send(m);
                System.out.println("sent");
            } catch (JMSException e) {
                System.out.println("refused " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        p.send(s.createTextMessage("after"));
        System.out.println("sent after");
    }

    static void recv(Session s, MessageConsumer mc, int n) throws JMSException {
        for (int i = 0; i < n; i++) {
            Message m = mc.receive(WAIT);
            if (m == null) {
                System.out.println("timeout after " + i);
                System.exit(4);
            }
            System.out.println(describe(m));
        }
    }

    // For selectors: five messages, labelled, with properties of each type
    // and different JMS headers; then "end", which every selector takes.
    static List<String> selectorSet(Session s, Destination d) throws Exception {
        MessageProducer p = s.createProducer(d);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Message m = s.createMessage();
            m.setStringProperty("label", "m" + i);
            m.setIntProperty("i", i * 5);
            m.setStringProperty("s", "" + (i * 5));
            m.setDoubleProperty("d", i + 0.5);
            m.setFloatProperty("f", i / 4.0f);
            m.setBooleanProperty("b", i == 1);
            m.setLongProperty("l", i * 4000000000L);
            m.setByteProperty("by", (byte) i);
            m.setShortProperty("sh", (short) (i * 100));
            m.setJMSType(i <= 2 ? "A" : "B");
            m.setJMSCorrelationID("c" + i);
            p.send(m, i % 2 == 1 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT, i, 0);
            ids.add(m.getJMSMessageID());
            ids.add("" + m.getJMSTimestamp());
            Thread.sleep(20);	// each its own JMSTimestamp
        }
        Message end = s.createMessage();	// after them all: the lowest priority
        end.setStringProperty("label", "end");
        p.send(end, DeliveryMode.PERSISTENT, 0, 0);
        return ids;
    }

    // Each selector on its own queue DEST.N: the labels it takes, in order.
    // $ID3 and $TS3 in a selector stand for message 3's JMSMessageID and
    // JMSTimestamp.
    static void select(Session s, String dest, String[] sels) throws Exception {
        for (int n = 0; n < sels.length; n++) {
            javax.jms.Queue q = s.createQueue(dest + "." + n);
            List<String> ids = selectorSet(s, q);
            String sel = sels[n];
            for (int i = 5; i >= 1; i--)
                sel = sel.replace("$ID" + i, ids.get(2 * (i - 1))).replace("$TS" + i, ids.get(2 * (i - 1) + 1));
            MessageConsumer mc = s.createConsumer(q, "(" + sel + ") OR label = 'end'");
            TreeSet<String> labels = new TreeSet<>();	// in priority order, sorted here
            for (;;) {
                Message m = mc.receive(WAIT);
                if (m == null) {
                    labels.add("timeout");
                    break;
                }
                String label = m.getStringProperty("label");
                if (label.equals("end"))
                    break;
                labels.add(label);
            }
            mc.close();
            StringBuilder out = new StringBuilder(sels[n] + ":");
            for (String l : labels)
                out.append(" " + l);
            System.out.println(out);
        }
    }

    // \\uXXXX as that character: arguments pass in the locale's charset.
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.startsWith("\\u", i) && i + 6 <= s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                b.append(s.charAt(i));
            }
        }
        return b.toString();
    }

    static String flags(String what, Message m) throws JMSException {
        return what + " redelivered=" + m.getJMSRedelivered() + " count="
            + m.getIntProperty("JMSXDeliveryCount") + " " + ((TextMessage) m).getText();
    }

    // Redelivery: after a session's recover, and to another consumer after
    // one closed without acknowledging.
    static void redeliver(Connection c, Session unused, Destination d) throws JMSException {
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(d);
        p.send(s.createTextMessage("one"));
        p.send(s.createTextMessage("two"));
        MessageConsumer mc = s.createConsumer(d);
        Message m = mc.receive(WAIT);
        System.out.println(flags("first", m));
        s.recover();
        m = mc.receive(WAIT);
        System.out.println(flags("after recover", m));
        m.acknowledge();
        m = mc.receive(WAIT);
        System.out.println(flags("first", m));
        mc.close();	// "two" not acknowledged
        Session s2 = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer mc2 = s2.createConsumer(d);
        m = mc2.receive(WAIT);
        System.out.println(flags("after close", m));
        m.acknowledge();
    }

    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++)
            sb.append(String.format("%02x", b[i]));
        return sb.toString();
    }

    static String value(Object o) {
        if (o instanceof Map)	// in name order, whatever the HashMap's
            return "Map:" + new TreeMap<Object, Object>((Map<?, ?>) o);
        if (o instanceof byte[])
            return "byte[]:" + hex((byte[]) o, ((byte[]) o).length);
        return o == null ? "null" : o.getClass().getSimpleName() + ":" + String.valueOf(o).replace("\u0000", "\\0");
    }

    static String body(Message m) throws JMSException {
        if (m instanceof TextMessage) {
            String t = ((TextMessage) m).getText();
            return "Text:" + (t == null ? "(null)" : t.length() > 100 ? t.length() + " chars " + t.hashCode()
                             : t.replace("\u0000", "\\0"));
        }
        if (m instanceof BytesMessage) {
            BytesMessage b = (BytesMessage) m;
            byte[] buf = new byte[(int) b.getBodyLength()];
            b.readBytes(buf);
            return "Bytes:" + hex(buf, buf.length);
        }
        if (m instanceof MapMessage) {
            MapMessage mm = (MapMessage) m;
            TreeMap<String, String> t = new TreeMap<>();
            for (Enumeration<?> e = mm.getMapNames(); e.hasMoreElements();) {
                String n = (String) e.nextElement();
                t.put(n, value(mm.getObject(n)));
            }
            return "Map:" + t;
        }
        if (m instanceof ObjectMessage)
            return "Object:" + value(((ObjectMessage) m).getObject());
        if (m instanceof StreamMessage) {
            StreamMessage sm = (StreamMessage) m;
            List<String> l = new ArrayList<>();
            try {
                for (;;)
                    l.add(value(sm.readObject()));
            } catch (MessageEOFException e) {
                // the end
            }
            return "Stream:" + l;
        }
        return "Message";
    }

    static String nul(String s) {
        return s == null ? null : s.replace("\u0000", "\\0");
    }

    static String describe(Message m) throws JMSException {
        TreeMap<String, String> props = new TreeMap<>();
        for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements();) {
            String n = (String) e.nextElement();
            if (!n.equals("JMSXDeliveryCount"))
                props.put(n, value(m.getObjectProperty(n)));
        }
        return body(m) + " " + props + " id=" + m.getJMSMessageID() + " corr=" + nul(m.getJMSCorrelationID())
            + " type=" + nul(m.getJMSType()) + " replyTo=" + m.getJMSReplyTo() + " prio=" + m.getJMSPriority()
            + " mode=" + m.getJMSDeliveryMode() + " exp=" + m.getJMSExpiration() + " ts=" + m.getJMSTimestamp()
            + " redelivered=" + m.getJMSRedelivered();
    }
}
