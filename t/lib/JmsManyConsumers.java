// Many consumers on one OpenWire connection, for t/42-many-per-connection.t:
//   java JmsManyConsumers URL N
// sends N ConsumerInfos on one session without waiting for their answers
// (to the queues many.ow.0 to many.ow.9), then opens a session, whose
// answer comes after all of them; prints "N consumers".
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ConsumerId;
import org.apache.activemq.command.ConsumerInfo;
import org.apache.activemq.command.SessionId;
import org.apache.activemq.command.SessionInfo;

public class JmsManyConsumers {
    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        ActiveMQConnection c = (ActiveMQConnection) f.createConnection();
        c.start();
        int n = Integer.parseInt(a[1]);
        SessionInfo si = new SessionInfo(c.getConnectionInfo(), 99);
        c.getTransportChannel().oneway(si);
        for (int i = 0; i < n; i++) {
            ConsumerInfo ci = new ConsumerInfo(new ConsumerId(si.getSessionId(), i));
            ci.setDestination(new ActiveMQQueue("many.ow." + (i % 10)));
            ci.setPrefetchSize(1);
            c.getTransportChannel().oneway(ci);
        }
        c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println(n + " consumers");
        System.exit(0);	// the transport's thread would keep the JVM up
    }
}
