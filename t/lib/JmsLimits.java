// One connection at its connector's maximumConsumersAllowedPerConnection
// and maximumProducersAllowedPerConnection, for
// t/42-limits-per-connection.t:
//   java JmsLimits URL CONSUMERS PRODUCERS
// opens CONSUMERS consumers on queue limits.ow and PRODUCERS producers
// (one of them anonymous), then one more of each, and prints what
// createConsumer and createProducer threw ("refused consumer: CLASS:
// MESSAGE"); then shows that the connection goes on: a message sent by
// the first producer reaches one of the consumers ("received"), and once
// a consumer and a producer are closed one of each can be made again
// ("added again"). Exits 1 on anything else.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

public class JmsLimits {
    interface Make {
        void make() throws JMSException;
    }

    // Prints what making one more threw; exits 1 when it was not refused.
    static void refused(String what, Make m) {
        try {
            m.make();
        } catch (JMSException e) {
            System.out.println("refused " + what + ": " + e.getClass().getName() + ": "
                    + e.getMessage());
            return;
        }
        System.out.println("one " + what + " more was not refused");
        System.exit(1);
    }

    public static void main(String[] a) throws Exception {
        Connection c = new ActiveMQConnectionFactory(a[0]).createConnection();
        c.start();
        int nc = Integer.parseInt(a[1]), np = Integer.parseInt(a[2]);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("limits.ow");
        MessageConsumer[] cons = new MessageConsumer[nc];
        for (int i = 0; i < nc; i++)
            cons[i] = s.createConsumer(q);
        MessageProducer[] prods = new MessageProducer[np];
        for (int i = 0; i < np; i++)
            prods[i] = s.createProducer(i == np - 1 ? null : q);
        refused("consumer", () -> s.createConsumer(q));
        refused("producer", () -> s.createProducer(q));
        prods[0].send(s.createTextMessage("after the refusals"));
        Message got = null;
        for (int i = 0; got == null && i < 100; i++)
            for (MessageConsumer mc : cons)
                if (got == null)
                    got = mc.receive(100);
        if (!(got instanceof TextMessage)
                || !"after the refusals".equals(((TextMessage) got).getText())) {
            System.out.println("no consumer received the message: " + got);
            System.exit(1);
        }
        System.out.println("received");
        cons[0].close();
        prods[0].close();
        s.createConsumer(q);
        s.createProducer(q);
        System.out.println("added again");
        c.close();
        System.exit(0);
    }
}
