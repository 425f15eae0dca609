import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;
public class Cap {
    public static void main(String[] a) throws Exception {
        ConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        Connection c = f.createConnection("capuser", "cappass");
        c.setClientID("cap-client");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("q.cap"));
        TextMessage t = s.createTextMessage("hello openwire");
        t.setStringProperty("colour", "blue");
        t.setIntProperty("n", 7);
        t.setJMSCorrelationID("corr-1");
        p.send(t);
        BytesMessage b = s.createBytesMessage();
        b.writeBytes(new byte[] {1, 2, 3, 0, (byte) 0xff});
        p.send(b);
        MessageConsumer mc = s.createConsumer(s.createTopic("t.cap"), "colour = 'blue'");
        mc.close();
        p.close();
        s.close();
        c.close();
    }
}
