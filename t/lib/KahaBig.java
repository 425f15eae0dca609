// A large KahaDB journal for t/38-kahadb-import-big.t and the figures of
// broker/store/README.md:
//   java KahaBig URL COUNT SIZE [TAKE]
// sends COUNT persistent text messages of SIZE characters to queue "big"
// ("b N " and padding; asynchronous sends, the last one synchronous, so
// all are stored when it returns), then takes and acknowledges the first
// TAKE of them (default 0), and prints "sent".
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;

public class KahaBig {
    public static void main(String[] a) throws Exception {
        int count = Integer.parseInt(a[1]), size = Integer.parseInt(a[2]);
        int take = a.length > 3 ? Integer.parseInt(a[3]) : 0;
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        f.setUseAsyncSend(true);
        ActiveMQConnection c = (ActiveMQConnection) f.createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("big");
        MessageProducer p = s.createProducer(q);
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        StringBuilder pad = new StringBuilder();
        while (pad.length() < size)
            pad.append('x');
        for (int i = 0; i < count; i++) {
            String head = "b " + i + " ";
            if (i == count - 1)
                c.setUseAsyncSend(false);
            p.send(s.createTextMessage(head + pad.substring(0, Math.max(0, size - head.length()))));
        }
        MessageConsumer r = s.createConsumer(q);
        for (int i = 0; i < take; i++)
            if (r.receive(20000) == null)
                throw new Exception("took only " + i);
        r.close();
        System.out.println("sent");
        c.close();
    }
}
