// Fills an ActiveMQ broker's KahaDB store for t/36-kahadb-import.t with
// Debian's ActiveMQ JMS client:
//   java KahaFill URL
// queue "jms": one persistent message of each JMS type (Message, Text,
// Bytes, Map, Stream, Object), priorities 0..5, the Text one with a
// 1-hour expiry; a local transaction committed (queue "tx", "committed")
// and one left open ("open", never committed); topic "news" with the
// durable subscription kf:sub, which takes and acknowledges "news 0" of
// "news 0".."news 2". Prints "filled" when done.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

public class KahaFill {
    public static void main(String[] a) throws Exception {
        ConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        Connection c = f.createConnection();
        c.setClientID("kf");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("jms"));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        Message[] ms = {
            s.createMessage(), s.createTextMessage("text body"), s.createBytesMessage(),
            s.createMapMessage(), s.createStreamMessage(), s.createObjectMessage("object body"),
        };
        ((BytesMessage) ms[2]).writeBytes(new byte[] { 1, 2, 3 });
        ((MapMessage) ms[3]).setString("k", "v");
        ((StreamMessage) ms[4]).writeString("stream body");
        for (int i = 0; i < ms.length; i++) {
            ms[i].setStringProperty("kind", "jms-" + i);
            p.send(ms[i], DeliveryMode.PERSISTENT, i, i == 1 ? 3600000 : 0);
        }

        Session t = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer tp = t.createProducer(t.createQueue("tx"));
        tp.send(t.createTextMessage("committed"));
        t.commit();
        tp.send(t.createTextMessage("open"));

        Topic news = s.createTopic("news");
        MessageConsumer sub = s.createDurableSubscriber(news, "sub");
        MessageProducer np = s.createProducer(news);
        np.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (int i = 0; i < 3; i++)
            np.send(s.createTextMessage("news " + i));
        Message first = sub.receive(20000);
        System.out.println(first == null ? "no news" : "took " + ((TextMessage) first).getText());
        sub.close();
        System.out.println("filled");
        System.out.flush();
        // Killed here, the open transaction still open.
        Thread.sleep(600000);
    }
}
