// Many producers on one OpenWire connection, for
// t/42-many-per-connection.t:
//   java JmsManyProducers URL N
// sends N ProducerInfos on one session without waiting for their answers
// (to the queues many.pw.0 to many.pw.9), then opens a session, whose
// answer comes after all of them; prints "N producers".
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ProducerId;
import org.apache.activemq.command.ProducerInfo;
import org.apache.activemq.command.SessionInfo;

public class JmsManyProducers {
    public static void main(String[] a) throws Exception {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(a[0])
                .createConnection();
        c.start();
        int n = Integer.parseInt(a[1]);
        SessionInfo si = new SessionInfo(c.getConnectionInfo(), 99);
        c.getTransportChannel().oneway(si);
        for (int i = 0; i < n; i++) {
            ProducerInfo pi = new ProducerInfo(new ProducerId(si.getSessionId(), i));
            pi.setDestination(new ActiveMQQueue("many.pw." + (i % 10)));
            c.getTransportChannel().oneway(pi);
        }
        c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println(n + " producers");
        System.exit(0);	// the transport's thread would keep the JVM up
    }
}
