// The JMS applications of t/81-seed-mixed.t in one JVM (a JVM start is
// the cost here): producers and consumers of one queue, each on its own
// connection with a failover URL over one master/slave pair, with
// Debian's ActiveMQ JMS client, unchanged.
//   java JmsSeedMix DIR QUEUE STOP ROLE...
// ROLE is producer:NAME:URL or consumer:NAME:URL. A producer sends
// persistent TextMessages "NAME-0", "NAME-1"... until the file STOP
// exists, -Dpause=MS (default 5) apart, each a synchronous send (it
// returns once the broker has stored it), and writes DIR/NAME.out:
// "sent I" after each send returned, "inflight I" when its connection
// was lost while send I had not returned (the failover transport sends
// that one again), "done" at the end. A consumer writes DIR/NAME.out:
// "TEXT JMSMessageID JMSRedelivered" per message, after "ready" once
// subscribed; it takes one message at a time (prefetch 1) and works
// -Dwork=MS (default 1) on each, so that a pair's consumer leaves some to
// the bridge of the other pair. Once the producers are done and every
// text they sent came to some consumer (or -Dwait=MS, default 120000,
// passed), it waits -Dquiet=MS (default 2000) for late duplicates, prints
// "done" and exits. Prints "exception ..." and exits 3 on a JMSException
// while the clients connect.
import java.io.*;
import java.util.*;
import java.util.concurrent.*;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.transport.TransportListener;

public class JmsSeedMix {
    static final long WAIT = Long.getLong("wait", 120000);
    static final long QUIET = Long.getLong("quiet", 2000);
    static final long WORK = Long.getLong("work", 1);
    static final long PAUSE = Long.getLong("pause", 5);

    static final Set<String> sent = ConcurrentHashMap.newKeySet();
    static final Set<String> got = ConcurrentHashMap.newKeySet();
    static volatile boolean stop;

    static PrintWriter out(String dir, String name) throws IOException {
        return new PrintWriter(new FileWriter(new File(dir, name + ".out")), true);
    }

    static ActiveMQConnection connect(String url, TransportListener l) throws JMSException {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(url).createConnection();
        if (l != null)
            c.addTransportListener(l);
        c.start();
        return c;
    }

    // The send in flight, -1 between sends: what an interruption names.
    static class Producer implements Runnable, TransportListener {
        final String name, url, queue;
        final PrintWriter w;
        volatile int current = -1;

        Producer(String dir, String name, String url, String queue) throws IOException {
            this.name = name; this.url = url; this.queue = queue;
            w = out(dir, name);
        }

        public void onCommand(Object o) {}
        public void onException(IOException e) { w.println("exception " + e); }
        public void transportInterupted() {
            int i = current;
            w.println(i >= 0 ? "inflight " + i : "interrupted");
        }
        public void transportResumed() { w.println("resumed"); }

        public void run() {
            try {
                ActiveMQConnection c = connect(url, this);
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer p = s.createProducer(s.createQueue(queue));
                p.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (int i = 0; !stop; i++) {
                    String text = name + "-" + i;
                    TextMessage m = s.createTextMessage(text);
                    current = i;
                    p.send(m);
                    current = -1;
                    sent.add(text);
                    w.println("sent " + i);
                    Thread.sleep(PAUSE);
                }
                w.println("done");
                c.close();
            } catch (JMSException | InterruptedException e) {
                w.println("exception " + e);
            }
        }
    }

    static ActiveMQConnection consume(String dir, String name, String url, String queue)
            throws Exception {
        PrintWriter w = out(dir, name);
        ActiveMQConnection c = connect(url, null);
        c.getPrefetchPolicy().setQueuePrefetch(1);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(s.createQueue(queue));
        mc.setMessageListener(m -> {
            try {
                String text = ((TextMessage) m).getText();
                w.println(text + " " + m.getJMSMessageID() + " " + m.getJMSRedelivered());
                got.add(text);
                Thread.sleep(WORK);
            } catch (Exception e) {
                w.println("exception " + e);
            }
        });
        w.println("ready");
        return c;
    }

    public static void main(String[] a) throws Exception {
        String dir = a[0], queue = a[1];
        File stopFile = new File(a[2]);
        List<Thread> producers = new ArrayList<>();
        List<ActiveMQConnection> consumers = new ArrayList<>();
        try {
            for (int i = 3; i < a.length; i++) {
                String[] r = a[i].split(":", 3);
                if (r[0].equals("consumer"))
                    consumers.add(consume(dir, r[1], r[2], queue));
                else
                    producers.add(new Thread(new Producer(dir, r[1], r[2], queue)));
            }
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        for (Thread t : producers)
            t.start();
        while (!stopFile.exists())
            Thread.sleep(100);
        stop = true;
        for (Thread t : producers)
            t.join();
        long end = System.currentTimeMillis() + WAIT;
        while (!got.containsAll(sent) && System.currentTimeMillis() < end)
            Thread.sleep(100);
        Thread.sleep(QUIET);
        System.out.println("done");
        System.out.flush();
        System.exit(0);	// the failover transport's threads would keep the JVM
    }
}
