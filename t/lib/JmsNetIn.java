// A JMS application on a Tandem that an ActiveMQ's networkConnector
// dials (t/80-network-activemq-in.t), with Debian's ActiveMQ JMS client:
//   java JmsNetIn URL consume N SPEC...   consumers for each SPEC, then
//                                          "ready"; each message as
//                                          "SPEC TEXT" (probes too) until N
//                                          that are no probe came
//   java JmsNetIn URL advisories N         "ready", then each consumer
//                                          advisory's ConsumerInfo as
//                                          "DEST prio=P selector=S sub=S
//                                          client=S network=B path=N:ID,..."
//                                          until N came
// SPEC is queue:NAME, topic:NAME or durable:CLIENTID:SUBSCRIPTION:TOPIC
// (one durable per run: it names the connection's client id). A probe is
// a message whose text starts "probe". -Dwait=MS: how long to wait for
// the next (default 30000); exits 1 when it does not come.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQMessage;
import org.apache.activemq.command.BrokerId;
import org.apache.activemq.command.ConsumerInfo;

public class JmsNetIn {
    static final long WAIT = Long.getLong("wait", 30000);

    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        int n = Integer.parseInt(a[2]);
        String client = null;
        for (int i = 3; i < a.length; i++)
            if (a[i].startsWith("durable:"))
                client = a[i].split(":")[1];
        Connection c = f.createConnection();
        if (client != null)
            c.setClientID(client);
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        java.util.List<MessageConsumer> cons = new java.util.ArrayList<>();
        java.util.List<String> specs = new java.util.ArrayList<>();
        if (a[1].equals("advisories")) {
            cons.add(s.createConsumer(s.createTopic(
                "ActiveMQ.Advisory.Consumer.Queue.>,ActiveMQ.Advisory.Consumer.Topic.>")));
            specs.add("advisory");
        } else {
            for (int i = 3; i < a.length; i++) {
                String[] p = a[i].split(":");
                if (p[0].equals("queue"))
                    cons.add(s.createConsumer(s.createQueue(p[1])));
                else if (p[0].equals("topic"))
                    cons.add(s.createConsumer(s.createTopic(p[1])));
                else
                    cons.add(s.createDurableSubscriber(s.createTopic(p[3]), p[2]));
                specs.add(a[i]);
            }
        }
        System.out.println("ready");
        System.out.flush();
        int got = 0;
        long deadline = System.currentTimeMillis() + WAIT;
        while (got < n) {
            boolean any = false;
            for (int i = 0; i < cons.size(); i++) {
                Message m = cons.get(i).receive(20);
                if (m == null)
                    continue;
                any = true;
                if (a[1].equals("advisories")) {
                    Object ds = ((ActiveMQMessage) m).getDataStructure();
                    if (ds instanceof ConsumerInfo) {
                        System.out.println(describe((ConsumerInfo) ds));
                        got++;
                    }
                } else {
                    String text = text(m);
                    System.out.println(specs.get(i) + " " + text);
                    if (!text.startsWith("probe"))
                        got++;
                }
                System.out.flush();
            }
            if (any)
                deadline = System.currentTimeMillis() + WAIT;
            else if (System.currentTimeMillis() > deadline) {
                System.out.println("timeout after " + got);
                c.close();
                System.exit(1);
            }
        }
        c.close();
    }

    // A STOMP producer's message with a content-length is a BytesMessage.
    static String text(Message m) throws JMSException {
        if (m instanceof TextMessage)
            return ((TextMessage) m).getText();
        if (m instanceof BytesMessage) {
            BytesMessage b = (BytesMessage) m;
            byte[] d = new byte[(int) b.getBodyLength()];
            b.readBytes(d);
            return new String(d, java.nio.charset.StandardCharsets.UTF_8);
        }
        return m.getClass().getSimpleName();
    }

    static String describe(ConsumerInfo ci) {
        StringBuilder path = new StringBuilder();
        BrokerId[] p = ci.getBrokerPath();
        for (int i = 0; p != null && i < p.length; i++)
            path.append(i > 0 ? "," : "").append(p[i].getValue());
        return ci.getDestination().getQualifiedName() + " prio=" + ci.getPriority()
            + " selector=" + ci.getSelector() + " sub=" + ci.getSubscriptionName()
            + " client=" + ci.getClientId() + " network=" + ci.isNetworkSubscription()
            + " path=" + (p == null ? 0 : p.length) + ":" + path;
    }
}
