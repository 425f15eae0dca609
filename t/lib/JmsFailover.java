// A JMS application with a failover URL, driven by t/29-openwire-failover.t
// through kill -9 of the broker it is connected to. Debian's ActiveMQ JMS
// client (libactivemq-java), unchanged.
//   java JmsFailover stream URL QUEUE N AT KILL
//       a consumer and a producer of N persistent TextMessages (sync
//       sends), each on its own connection; after the AT-th send returned,
//       runs the shell command KILL. Prints "sent N", "distinct D",
//       "again A" (deliveries of a text already received) and "again
//       unmarked U" (those without JMSRedelivered); exits 1 when a text
//       never came.
//   java JmsFailover resend URL QUEUE PRODUCER SEQ...
//       one TextMessage per SEQ with the MessageId PRODUCER:SEQ, as the
//       failover transport resends an in-flight send (on a connection
//       with the ConnectionId PRODUCER names): "sent SEQ" each.
//   java JmsFailover hold URL QUEUE N KILL
//       a client-acknowledge consumer takes N messages without acking
//       them, runs KILL, then takes N again from the broker it fails over
//       to: "TEXT redelivered=BOOL count=JMSXDeliveryCount" for each of
//       the second N, then acks.
//   java JmsFailover drain URL QUEUE [N]
//       every message (N at most) until none comes for -Dquiet=MS
//       (default 3000): "TEXT|JMSCorrelationID" each.
//   java JmsFailover send URL QUEUE TEXT CORRELATION
//       one persistent TextMessage with that JMSCorrelationID.
//   java JmsFailover broker URL KILL
//       connects, prints "broker NAME" (the broker it reached), runs KILL,
//       then sends one message to force a reconnect and prints "broker
//       NAME" again.
//   java JmsFailover moved URL MS
//       connects and prints "broker NAME"; then, should the broker send
//       it elsewhere within MS ms (rebalanceClusterClients), "broker
//       NAME" of the new one.
//   java JmsFailover cluster URL N KILL
//       connects and prints "brokers LIST" for each ConnectionControl
//       (its connectedBrokers); once one lists N URIs, runs KILL and
//       waits for one that lists fewer. Exits 1 when none came.
// -Dwait=MS: how long a receive waits (default 30000); -Duser=U
// -Dpassword=P: log in; -DclientId=ID: the connection's client id. A JMSException is
// printed as "exception CLASS: MESSAGE" and exits 3.
import java.util.*;
import java.util.concurrent.*;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ActiveMQTextMessage;
import org.apache.activemq.command.BrokerInfo;
import org.apache.activemq.command.ConnectionControl;
import org.apache.activemq.command.ConnectionId;
import org.apache.activemq.command.MessageId;
import org.apache.activemq.command.ProducerId;
import org.apache.activemq.transport.DefaultTransportListener;

public class JmsFailover {
    static final long WAIT = Long.getLong("wait", 30000);

    public static void main(String[] a) throws Exception {
        int rc;
        try {
            switch (a[0]) {
            case "stream": rc = stream(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]), a[5]); break;
            case "resend": rc = resend(a[1], a[2], a[3], Arrays.copyOfRange(a, 4, a.length)); break;
            case "hold": rc = hold(a[1], a[2], Integer.parseInt(a[3]), a[4]); break;
            case "drain": rc = drain(a[1], a[2], a.length > 3 ? Integer.parseInt(a[3]) : -1); break;
            case "send": rc = send(a[1], a[2], a[3], a[4]); break;
            case "broker": rc = broker(a[1], a[2]); break;
            case "moved": rc = moved(a[1], Long.parseLong(a[2])); break;
            case "cluster": rc = cluster(a[1], Integer.parseInt(a[2]), a[3]); break;
            default: throw new IllegalArgumentException(a[0]);
            }
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            rc = 3;
        } catch (Exception e) {
            System.out.println("failed: " + e);
            rc = 1;
        }
        System.out.flush();
        System.exit(rc);	// the failover transport's threads would keep the JVM
    }

    static ActiveMQConnection connect(String url) throws JMSException {
        ActiveMQConnection c = open(url);
        c.start();
        return c;
    }

    // Not started: its ConnectionInfo is sent by start().
    static ActiveMQConnection open(String url) throws JMSException {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
        String user = System.getProperty("user");
        ActiveMQConnection c = (ActiveMQConnection) (user == null ? f.createConnection()
            : f.createConnection(user, System.getProperty("password", "")));
        if (System.getProperty("clientId") != null)
            c.setClientID(System.getProperty("clientId"));
        return c;
    }

    static void run(String cmd) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", cmd).inheritIO().start();
        if (p.waitFor() != 0)
            throw new RuntimeException(cmd + ": exit " + p.exitValue());
    }

    static int stream(String url, String queue, int n, int at, String kill) throws Exception {
        ActiveMQConnection cc = connect(url), pc = connect(url);
        Session cs = cc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = cs.createConsumer(cs.createQueue(queue));
        Map<String, Integer> got = Collections.synchronizedMap(new HashMap<>());
        int[] again = new int[2];
        Thread t = new Thread(() -> {
            try {
                while (got.size() < n) {
                    Message m = consumer.receive(WAIT);
                    if (m == null)
                        break;
                    String text = ((TextMessage) m).getText();
                    if (got.merge(text, 1, Integer::sum) > 1) {
                        again[0]++;
                        if (!m.getJMSRedelivered())
                            again[1]++;
                    }
                }
            } catch (JMSException e) {
                System.out.println("consumer exception " + e);
            }
        });
        t.start();
        Session ps = pc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = ps.createProducer(ps.createQueue(queue));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        int sent = 0;
        for (int i = 0; i < n; i++) {
            p.send(ps.createTextMessage("m" + i));
            sent++;
            if (sent == at)
                run(kill);
        }
        t.join();
        System.out.println("sent " + sent);
        System.out.println("distinct " + got.size());
        System.out.println("again " + again[0]);
        System.out.println("again unmarked " + again[1]);
        for (int i = 0; i < n; i++)
            if (!got.containsKey("m" + i))
                System.out.println("missing m" + i);
        cc.close();
        pc.close();
        return got.size() == n ? 0 : 1;
    }

    static int resend(String url, String queue, String producer, String[] seqs) throws Exception {
        ActiveMQConnection c = open(url);
        ProducerId pid = new ProducerId(producer);
        // As the failover transport resends: on a connection with the
        // producer's own ConnectionId (its ConnectionInfo sent again).
        c.getConnectionInfo().setConnectionId(new ConnectionId(pid.getConnectionId()));
        c.start();
        for (String seq : seqs) {
            ActiveMQTextMessage m = new ActiveMQTextMessage();
            m.setDestination(new ActiveMQQueue(queue));
            m.setMessageId(new MessageId(pid, Long.parseLong(seq)));
            m.setProducerId(pid);
            m.setPersistent(true);
            m.setText("r" + seq);
            m.setResponseRequired(true);
            c.syncSendPacket(m);
            System.out.println("sent " + seq);
        }
        c.close();
        return 0;
    }

    static int hold(String url, String queue, int n, String kill) throws Exception {
        ActiveMQConnection c = connect(url);
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
        for (int i = 0; i < n; i++)
            if (consumer.receive(WAIT) == null)
                throw new RuntimeException("only " + i + " before the kill");
        run(kill);
        Message last = null;
        for (int i = 0; i < n; i++) {
            Message m = consumer.receive(WAIT);
            if (m == null)
                throw new RuntimeException("only " + i + " after the kill");
            System.out.println(((TextMessage) m).getText() + " redelivered=" + m.getJMSRedelivered()
                               + " count=" + m.getIntProperty("JMSXDeliveryCount"));
            last = m;
        }
        last.acknowledge();
        c.close();
        return 0;
    }

    static int drain(String url, String queue, int n) throws Exception {
        ActiveMQConnection c = connect(url);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
        long quiet = Long.getLong("quiet", 3000);
        for (Message m; n-- != 0 && (m = consumer.receive(quiet)) != null; )
            System.out.println(((TextMessage) m).getText() + "|" + m.getJMSCorrelationID());
        c.close();
        return 0;
    }

    static int send(String url, String queue, String text, String corr) throws Exception {
        ActiveMQConnection c = connect(url);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue(queue));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        TextMessage m = s.createTextMessage(text);
        m.setJMSCorrelationID(corr);
        p.send(m);
        c.close();
        return 0;
    }

    static int moved(String url, long ms) throws Exception {
        ActiveMQConnection c = connect(url);
        String first = c.getBrokerName();	// waits for the BrokerInfo
        System.out.println("broker " + first);
        for (long t = 0; t < ms; t += 100) {
            Thread.sleep(100);
            BrokerInfo now = c.getBrokerInfo();
            if (now != null && !now.getBrokerName().equals(first)) {
                System.out.println("broker " + now.getBrokerName());
                break;
            }
        }
        c.close();
        return 0;
    }

    static int cluster(String url, int n, String kill) throws Exception {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(url).createConnection();
        BlockingQueue<String> lists = new LinkedBlockingQueue<>();
        c.addTransportListener(new DefaultTransportListener() {
            @Override
            public void onCommand(Object o) {
                if (o instanceof ConnectionControl)
                    lists.add(String.valueOf(((ConnectionControl) o).getConnectedBrokers()));
            }
        });
        c.start();
        boolean killed = false;
        for (String l; (l = lists.poll(WAIT, TimeUnit.MILLISECONDS)) != null; ) {
            System.out.println("brokers " + l);
            int count = l.isEmpty() || l.equals("null") ? 0 : l.split(",").length;
            if (killed && count < n) {
                c.close();
                return 0;
            }
            if (!killed && count == n) {
                run(kill);
                killed = true;
            }
        }
        c.close();
        return 1;
    }

    static int broker(String url, String kill) throws Exception {
        ActiveMQConnection c = connect(url);
        System.out.println("broker " + c.getBrokerName());
        run(kill);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("follow"));
        p.send(s.createTextMessage("after"));
        System.out.println("broker " + c.getBrokerInfo().getBrokerName());
        c.close();
        return 0;
    }
}
