// What a JMS client sees of a KahaDB store, for t/37-kahadb-import-jms.t:
//   java KahaJms URL fill
// fills an ActiveMQ broker (persistJMSRedelivered on every queue): queue
// "redo" with "r 0".."r 2", of which a consumer (prefetch 1, client
// acknowledge) takes "r 0" and never acknowledges it; client id "kj" with
// the durable subscription "sel" on topic "alerts" (selector
// level = 'high', noLocal), closed, then "a 0".."a 3" published by
// another connection, levels high and low in turn, and "own" by the
// subscription's own connection; scheduled messages when the broker
// has schedulerSupport ("later" on queue "later", an hour from now).
// Prints "filled", then waits to be killed with the consumer open.
//   java KahaJms URL read
// takes what is there as a client of that store would, and prints one line
// per message: the destination, the text, JMSRedelivered and
// JMSXDeliveryCount; the durable subscription is taken with the
// definition it was made with.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ScheduledMessage;

public class KahaJms {
    static void print(String where, Message m) throws JMSException {
        System.out.println(where + ": " + ((TextMessage) m).getText() + " redelivered="
            + m.getJMSRedelivered() + " deliveryCount=" + m.getIntProperty("JMSXDeliveryCount"));
    }

    static void drain(String where, MessageConsumer c) throws JMSException {
        Message m;
        while ((m = c.receive(1500)) != null) {
            print(where, m);
            m.acknowledge();
        }
    }

    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        if (a[1].equals("read")) {
            Connection c = f.createConnection();
            c.setClientID("kj");
            c.start();
            Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            drain("redo", s.createConsumer(s.createQueue("redo")));
            drain("sel", s.createDurableSubscriber(s.createTopic("alerts"), "sel",
                                                   "level = 'high'", true));
            drain("later", s.createConsumer(s.createQueue("later")));
            System.out.println("read");
            c.close();
            return;
        }
        Connection c = f.createConnection();
        c.setClientID("kj");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("redo"));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (int i = 0; i < 3; i++)
            p.send(s.createTextMessage("r " + i));

        Topic alerts = s.createTopic("alerts");
        s.createDurableSubscriber(alerts, "sel", "level = 'high'", true).close();
        Connection other = f.createConnection();
        other.start();
        Session os = other.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer ap = os.createProducer(alerts);
        ap.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (int i = 0; i < 4; i++) {
            TextMessage m = os.createTextMessage("a " + i);
            m.setStringProperty("level", i % 2 == 0 ? "high" : "low");
            ap.send(m);
        }
        MessageProducer own = s.createProducer(alerts);
        own.setDeliveryMode(DeliveryMode.PERSISTENT);
        TextMessage o = s.createTextMessage("own");
        o.setStringProperty("level", "high");
        own.send(o);

        try {
            MessageProducer lp = s.createProducer(s.createQueue("later"));
            lp.setDeliveryMode(DeliveryMode.PERSISTENT);
            TextMessage l = s.createTextMessage("later");
            l.setLongProperty(ScheduledMessage.AMQ_SCHEDULED_DELAY, 3600000L);
            lp.send(l);
        } catch (JMSException e) {
            System.out.println("no scheduler: " + e.getMessage());
        }

        ActiveMQConnectionFactory one = new ActiveMQConnectionFactory(a[0]);
        one.getPrefetchPolicy().setQueuePrefetch(1);
        Connection taker = one.createConnection();
        taker.start();
        Session ts = taker.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Message got = ts.createConsumer(ts.createQueue("redo")).receive(20000);
        System.out.println(got == null ? "no r 0" : "took " + ((TextMessage) got).getText());
        System.out.println("filled");
        System.out.flush();
        Thread.sleep(600000);
    }
}
