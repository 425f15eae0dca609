// Fills an ActiveMQ broker's KahaDB store for t/36-kahadb-import.t with
// Debian's ActiveMQ JMS client:
//   java KahaFill URL
// queue "jms": one persistent message of each JMS type (Message, Text,
// Bytes, Map, Stream, Object), priorities 0..5, the Text one with a
// 1-hour expiry; a local transaction committed (queue "tx", "committed")
// and one left open ("open", never committed); topic "news" with the
// durable subscription kf:sub, which takes and acknowledges "news 0" of
// "news 0".."news 2"; an XA transaction prepared (format 4660, global id
// "kahafill", branch "b1") that sends "xa sent" to queue "xa" and takes
// "xa acked" from queue "xaack". Prints "filled" when done.
//   java KahaFill URL commit
// recovers the prepared XA transactions and commits them: "recovered N".
import javax.jms.*;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQXAConnectionFactory;

public class KahaFill {
    static final Xid XID = new Xid() {
        public int getFormatId() { return 4660; }
        public byte[] getGlobalTransactionId() { return "kahafill".getBytes(); }
        public byte[] getBranchQualifier() { return "b1".getBytes(); }
    };

    public static void main(String[] a) throws Exception {
        if (a.length > 1 && a[1].equals("commit")) {
            XAConnection xc = new ActiveMQXAConnectionFactory(a[0]).createXAConnection();
            xc.start();
            XAResource xr = xc.createXASession().getXAResource();
            Xid[] xids = xr.recover(XAResource.TMSTARTRSCAN);
            for (Xid x : xids)
                xr.commit(x, false);
            System.out.println("recovered " + xids.length);
            xc.close();
            return;
        }
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

        MessageProducer ap = s.createProducer(s.createQueue("xaack"));
        ap.setDeliveryMode(DeliveryMode.PERSISTENT);
        ap.send(s.createTextMessage("xa acked"));
        XAConnection xc = new ActiveMQXAConnectionFactory(a[0]).createXAConnection();
        xc.start();
        XASession xs = xc.createXASession();
        XAResource xr = xs.getXAResource();
        xr.start(XID, XAResource.TMNOFLAGS);
        MessageProducer xp = xs.getSession().createProducer(xs.createQueue("xa"));
        xp.setDeliveryMode(DeliveryMode.PERSISTENT);
        xp.send(xs.createTextMessage("xa sent"));
        Message acked = xs.getSession().createConsumer(xs.createQueue("xaack")).receive(20000);
        System.out.println(acked == null ? "no xa acked" : "took " + ((TextMessage) acked).getText());
        xr.end(XID, XAResource.TMSUCCESS);
        xr.prepare(XID);
        System.out.println("filled");
        System.out.flush();
        // Killed here, the open transaction still open.
        Thread.sleep(600000);
    }
}
