// A JMS application nobody here wrote the client of: Debian's ActiveMQ
// JMS client (libactivemq-java), unchanged, driven by t/29-openwire.t.
//   java Jms URL USER PASS send QUEUE TEXT...        one TextMessage each
//   java Jms URL USER PASS recv QUEUE N [ack]        N messages, one per line
//   java Jms URL USER PASS sendrecv QUEUE N          N sent, N received back
//   java Jms URL USER PASS fill QUEUE N SIZE         N of SIZE bytes: "sent K"
//   java Jms URL USER PASS spread QUEUE N            "cache=B" (the marshal cache
//       as negotiated), then N messages, the i-th to QUEUE.(i % (N/2)) from
//       one of two producers in turn, taken by one consumer of QUEUE.>:
//       "DEST TEXT" each, as received
// -Dwait=MS: how long a receive waits (default 20000); -Didle=MS: sleeps
// that long once connected, before the work (keep-alive tests).
// USER "-" connects without a login. Prints the text of what it receives
// (with JMSCorrelationID when set: "text|corr"); a JMSException is printed
// as "exception CLASS: MESSAGE" and exits 3.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

public class Jms {
    static final long WAIT = Long.getLong("wait", 20000);

    public static void main(String[] a) throws Exception {
        ConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        Connection c = null;
        try {
            c = a[1].equals("-") ? f.createConnection() : f.createConnection(a[1], a[2]);
            c.start();
            Thread.sleep(Long.getLong("idle", 0));
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(a[4]);
            switch (a[3]) {
            case "send":
                send(s, q, java.util.Arrays.copyOfRange(a, 5, a.length));
                break;
            case "recv":
                recv(s, q, Integer.parseInt(a[5]));
                break;
            case "sendrecv": {
                int n = Integer.parseInt(a[5]);
                String[] texts = new String[n];
                for (int i = 0; i < n; i++)
                    texts[i] = "message " + i;
                send(s, q, texts);
                recv(s, q, n);
                break;
            }
            case "spread":
                spread(c, s, a[4], Integer.parseInt(a[5]));
                break;
            case "fill":
                fill(s, q, Integer.parseInt(a[5]), Integer.parseInt(a[6]));
                break;
            default:
                throw new IllegalArgumentException(a[3]);
            }
            c.close();
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }

    static void send(Session s, Queue q, String[] texts) throws JMSException {
        MessageProducer p = s.createProducer(q);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (String t : texts) {
            TextMessage m = s.createTextMessage(t);
            m.setJMSCorrelationID("corr-" + t.length());
            p.send(m);
        }
        p.close();
    }

    // Many destinations and ids through the marshal caches of both ends.
    static void spread(Connection c, Session s, String base, int n) throws JMSException {
        org.apache.activemq.openwire.OpenWireFormat wf = (org.apache.activemq.openwire.OpenWireFormat)
            ((org.apache.activemq.ActiveMQConnection) c).getTransport()
                .narrow(org.apache.activemq.transport.tcp.TcpTransport.class).getWireFormat();
        System.out.println("cache=" + wf.isCacheEnabled());
        MessageProducer[] p = { s.createProducer(null), s.createProducer(null) };
        for (int i = 0; i < n; i++) {
            Queue q = s.createQueue(base + "." + i % Math.max(1, n / 2));
            p[i % 2].send(q, s.createTextMessage("to " + q.getQueueName() + " #" + i));
        }
        MessageConsumer mc = s.createConsumer(s.createQueue(base + ".>"));
        for (int i = 0; i < n; i++) {
            Message m = mc.receive(WAIT);
            if (m == null) {
                System.out.println("timeout after " + i);
                System.exit(4);
            }
            System.out.println(((Queue) m.getJMSDestination()).getQueueName() + " " + ((TextMessage) m).getText());
        }
        mc.close();
    }

    static void fill(Session s, Queue q, int n, int size) throws JMSException {
        MessageProducer p = s.createProducer(q);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        String body = new String(new char[size]).replace('\0', 'x');
        int i = 0;
        try {
            for (; i < n; i++)
                p.send(s.createTextMessage(body));
        } finally {
            System.out.println("sent " + i);
        }
    }

    static void recv(Session s, Queue q, int n) throws JMSException {
        MessageConsumer mc = s.createConsumer(q);
        for (int i = 0; i < n; i++) {
            Message m = mc.receive(WAIT);
            if (m == null) {
                System.out.println("timeout after " + i);
                System.exit(4);
            }
            String corr = m.getJMSCorrelationID();
            String body = m instanceof TextMessage ? ((TextMessage) m).getText()
                : m.getClass().getSimpleName();
            System.out.println(body + (corr != null ? "|" + corr : ""));
        }
        mc.close();
    }
}
