// JMS ends of the network tests (t/80-network-activemq.t), with Debian's
// ActiveMQ JMS client, unchanged:
//   java JmsNet URL consume N DEST...   subscribes to every DEST, prints
//       "ready", then "DEST TEXT" for each message until N came (or
//       -Dwait=MS, default 30000, passed with none), then "done"
//   java JmsNet URL send DEST N PREFIX  N persistent TextMessages
//       PREFIX0, PREFIX1, ...; prints "sent N"
// DEST is queue:NAME, topic:NAME or durable:CLIENT:SUBSCRIPTION:TOPIC (the
// connection takes the first CLIENT as its client id). A JMSException is
// printed as "exception CLASS: MESSAGE" and exits 3.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

public class JmsNet {
    static final long WAIT = Long.getLong("wait", 30000);

    static Destination dest(Session s, String d) throws JMSException {
        String[] p = d.split(":");
        if (p[0].equals("queue"))
            return s.createQueue(p[1]);
        return s.createTopic(p[p.length - 1]);
    }

    // A STOMP message with a content-length, and an MQTT one, is a
    // BytesMessage (as ActiveMQ makes them): its bytes as UTF-8.
    static String text(Message m) throws JMSException {
        if (m instanceof TextMessage)
            return ((TextMessage) m).getText();
        BytesMessage b = (BytesMessage) m;
        byte[] v = new byte[(int) b.getBodyLength()];
        b.readBytes(v);
        return new String(v, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void main(String[] a) throws Exception {
        ConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        Connection c = null;
        try {
            c = f.createConnection();
            if (a[1].equals("consume"))
                for (int i = 3; i < a.length; i++)
                    if (a[i].startsWith("durable:")) {
                        c.setClientID(a[i].split(":")[1]);
                        break;
                    }
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            if (a[1].equals("send")) {
                MessageProducer p = s.createProducer(dest(s, a[2]));
                p.setDeliveryMode(DeliveryMode.PERSISTENT);
                int n = Integer.parseInt(a[3]);
                for (int i = 0; i < n; i++)
                    p.send(s.createTextMessage(a[4] + i));
                System.out.println("sent " + n);
                return;
            }
            int n = Integer.parseInt(a[2]);
            final java.util.concurrent.LinkedBlockingQueue<String> got =
                new java.util.concurrent.LinkedBlockingQueue<>();
            for (int i = 3; i < a.length; i++) {
                final String name = a[i];
                String[] p = name.split(":");
                MessageConsumer mc = name.startsWith("durable:")
                    ? s.createDurableSubscriber((Topic) dest(s, name), p[2])
                    : s.createConsumer(dest(s, name));
                mc.setMessageListener(m -> {
                    try {
                        got.add(name + " " + text(m));
                    } catch (JMSException e) {
                        got.add(name + " exception " + e);
                    }
                });
            }
            System.out.println("ready");
            System.out.flush();
            for (int i = 0; i < n; i++) {
                String m = got.poll(WAIT, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (m == null)
                    break;
                System.out.println(m);
                System.out.flush();
            }
            System.out.println("done");
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.exit(3);
        } finally {
            if (c != null)
                c.close();
        }
    }
}
