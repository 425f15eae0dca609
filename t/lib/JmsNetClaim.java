// A client that claims to be another broker's network bridge, for
// t/89-authorization-bridges.t:
//   java JmsNetClaim URL USER PASSWORD TOPIC
// logs in as USER, sends a BrokerInfo with networkConnection=true (what
// ActiveMQ's DemandForwardingBridge sends first), then subscribes to
// TOPIC (an advisory topic, say). Prints "subscribed" or "refused: WHY"
// and exits 0 either way; any other failure exits 1. The URL should turn
// the client's own advisory consumer off (jms.watchTopicAdvisories=false).
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.BrokerId;
import org.apache.activemq.command.BrokerInfo;

public class JmsNetClaim {
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
        ActiveMQConnection c = (ActiveMQConnection) f.createConnection(a[1], a[2]);
        BrokerInfo bi = new BrokerInfo();
        bi.setBrokerId(new BrokerId("ID:claimed"));
        bi.setBrokerName("claimed");
        bi.setNetworkConnection(true);
        c.getTransportChannel().oneway(bi);
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            s.createConsumer(s.createTopic(a[3]));
            System.out.println("subscribed");
        } catch (JMSSecurityException e) {
            System.out.println("refused: " + e.getMessage());
        }
        c.close();
    }
}
