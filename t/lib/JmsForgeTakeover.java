// Another's MessageId stored before a takeover, with Debian's ActiveMQ
// JMS client, for t/29-openwire-forged-takeover.t:
//   java JmsForgeTakeover takeover URL QUEUE STOMP_PORT KILL
//       a JMS producer P on URL (a failover URL) sends "p1"; a connection
//       with P's ConnectionId, logged in as -Dimpostor=USER:PASSWORD,
//       sends "impostor" with P's next MessageId, and P sends "p2" with
//       it. A second JMS connection sends "forged" with P's next
//       MessageId, and a STOMP connection to STOMP_PORT that says it is a
//       network bridge (tandem-network-bridge) "stomp forged" with the
//       one after (tandem-message-id); then KILL runs (sh -c), and P, once
//       its failover transport is on the new master, sends "p1 resent"
//       and "p2 resent" with the MessageIds of "p1" and "p2" (as the
//       transport resends a send it had no answer to), then "p3" and "p4"
//       from its producer: the MessageIds the others sent first. Prints
//       "sent".
//   java JmsForgeTakeover ids URL QUEUE WHO PRODUCER SEQ:TEXT...
//       on a connection WHO (JmsForge's: client or bridge, then
//       :USER:PASSWORD), one persistent TextMessage TEXT with the MessageId
//       PRODUCER:SEQ for each SEQ:TEXT, as a network bridge forwards the
//       messages of another broker's producer. Prints "sent".
// The connections log in with -Duser and -Dpassword (takeover: P and the
// JMS forger; the STOMP forger too).
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQMessage;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ConnectionId;
import org.apache.activemq.command.MessageId;
import org.apache.activemq.command.ProducerId;

public class JmsForgeTakeover {
    static final String USER = System.getProperty("user", "");
    static final String PASSWORD = System.getProperty("password", "");

    public static void main(String[] a) {
        try {
            if (a[0].equals("takeover"))
                takeover(a[1], a[2], Integer.parseInt(a[3]), a[4]);
            else
                ids(a[1], a[2], a[3], a[4], java.util.Arrays.copyOfRange(a, 5, a.length));
            System.out.println("sent");
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);	// the transport's threads would keep the JVM up
        }
    }

    static ActiveMQConnection connect(String url) throws JMSException {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(url)
            .createConnection(USER, PASSWORD);
        c.start();
        return c;
    }

    static void takeover(String url, String queue, int stompPort, String kill) throws Exception {
        ActiveMQConnection p = connect(url);
        Session s = p.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = s.createProducer(s.createQueue(queue));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        TextMessage first = s.createTextMessage("p1");
        producer.send(first);
        MessageId sent = ((ActiveMQMessage) first).getMessageId();
        ProducerId pid = sent.getProducerId();
        long seq = sent.getProducerSequenceId();
        ActiveMQQueue q = new ActiveMQQueue(queue);

        String[] imp = System.getProperty("impostor").split(":");
        ActiveMQConnection impostor = (ActiveMQConnection) new ActiveMQConnectionFactory(url)
            .createConnection(imp[0], imp[1]);
        impostor.getConnectionInfo().setConnectionId(new ConnectionId(pid.getConnectionId()));
        impostor.start();
        JmsNetPeer.send(impostor, pid, q, seq + 1, "impostor", null);
        impostor.close();
        producer.send(s.createTextMessage("p2"));

        ActiveMQConnection forger = connect(url);
        JmsNetPeer.send(forger, pid, q, seq + 2, "forged", null);
        forger.close();
        stompSend(stompPort, queue, pid + ":" + (seq + 3), "stomp forged");

        Process k = new ProcessBuilder("sh", "-c", kill).inheritIO().start();
        if (k.waitFor() != 0)
            throw new RuntimeException("KILL failed: " + kill);
        JmsNetPeer.send(p, pid, q, seq, "p1 resent", null);
        JmsNetPeer.send(p, pid, q, seq + 1, "p2 resent", null);
        producer.send(s.createTextMessage("p3"));
        producer.send(s.createTextMessage("p4"));
        p.close();
    }

    // A persistent SEND with the MessageId id, from a STOMP connection
    // that says it is broker "evil"'s network bridge; waits for its
    // RECEIPT.
    static void stompSend(int port, String queue, String id, String text) throws Exception {
        try (Socket so = new Socket("127.0.0.1", port)) {
            OutputStream out = so.getOutputStream();
            String frames = "CONNECT\naccept-version:1.2\nhost:/\nlogin:" + USER + "\npasscode:"
                + PASSWORD + "\ntandem-network-bridge:evil\ntandem-broker-id:ID:evil\n\n\0"
                + "SEND\ndestination:/queue/" + queue + "\npersistent:true\ntandem-message-id:"
                + id + "\nreceipt:forged\n\n" + text + "\0";
            out.write(frames.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = so.getInputStream();
            StringBuilder got = new StringBuilder();
            for (int b; got.indexOf("RECEIPT") < 0 && got.indexOf("ERROR") < 0; got.append((char) b))
                if ((b = in.read()) < 0)
                    break;
            if (got.indexOf("RECEIPT") < 0)
                throw new RuntimeException("STOMP: no RECEIPT: " + got);
        }
    }

    static void ids(String url, String queue, String who, String producer, String[] sends)
            throws Exception {
        ActiveMQConnection c = JmsForge.open(new ActiveMQConnectionFactory(url), who, "ids");
        ProducerId pid = new ProducerId(producer);
        ActiveMQQueue q = new ActiveMQQueue(queue);
        for (String st : sends) {
            int colon = st.indexOf(':');
            JmsNetPeer.send(c, pid, q, Long.parseLong(st.substring(0, colon)),
                            st.substring(colon + 1), null);
        }
        c.close();
    }
}
