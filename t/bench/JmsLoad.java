// The JMS rows' load (t/bench/jms): Debian's ActiveMQ JMS client, the same
// against Tandem and ActiveMQ. Compiled by t/bench/jms at run time.
//   java JmsLoad produce URL DEST COUNT SIZE persistent|non sync|async PRODUCERS
//       PRODUCERS connections each send COUNT TextMessages of SIZE
//       bytes; prints "msgs/s=R" (all of them over the time from the first
//       send to the last send returning) and "cpu_us=C", the JVM's CPU
//       time per message over that time (every thread: the client's, JIT,
//       GC), so a run says what the client spends whatever the machine's
//       load.
//   java JmsLoad consume URL DEST COUNT CONSUMERS READYFILE auto|dups
//       CONSUMERS connections each receive COUNT messages (through a
//       MessageListener, AUTO_ACKNOWLEDGE or DUPS_OK_ACKNOWLEDGE: the
//       client acks in batches); READYFILE is made once all are
//       subscribed; prints
//       "msgs/s=R" (each consumer's rate from its first message to its
//       last, the mean) and "p50_us= p99_us=" (send time, at the start of
//       the text, to arrival: the body, because Tandem does not carry JMS
//       properties yet).
// Exits 1 on any failure (the client's threads would keep the JVM).
// DEST is queue:NAME or topic:NAME.
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.*;
import java.util.concurrent.*;
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;

public class JmsLoad {
    static Destination dest(Session s, String d) throws JMSException {
        return d.startsWith("topic:") ? s.createTopic(d.substring(6)) : s.createQueue(d.substring(6));
    }

    // The JVM's CPU time so far, ns (utime+stime of every thread).
    static long cpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    public static void main(String[] a) throws Exception {
        int rc = 1;
        try {
            rc = a[0].equals("produce") ? produce(a) : consume(a);
        } catch (Exception e) {
            System.err.println("JmsLoad " + a[0] + ": " + e);
        }
        System.exit(rc);
    }

    static int produce(String[] a) throws Exception {
        String url = a[1], d = a[2];
        int count = Integer.parseInt(a[3]), size = Integer.parseInt(a[4]);
        boolean persistent = a[5].equals("persistent"), async = a[6].equals("async");
        int producers = Integer.parseInt(a[7]);
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
        f.setUseAsyncSend(async);
        char[] fill = new char[Math.max(0, size - 20)];
        Arrays.fill(fill, 'x');
        String body = "|" + new String(fill);
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        List<Future<long[]>> done = new ArrayList<>();
        long cpu0 = cpuNs();
        for (int p = 0; p < producers; p++)
            done.add(pool.submit(() -> {
                Connection c = f.createConnection();
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer mp = s.createProducer(dest(s, d));
                mp.setDeliveryMode(persistent ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
                long t0 = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    mp.send(s.createTextMessage(String.format("%019d", System.nanoTime()) + body));
                }
                long t1 = System.nanoTime();
                c.close();	// an async producer's close waits for what it sent
                return new long[] { t0, t1 };
            }));
        long first = Long.MAX_VALUE, last = 0;
        for (Future<long[]> x : done) {
            long[] t = x.get();
            first = Math.min(first, t[0]);
            last = Math.max(last, t[1]);
        }
        long cpu1 = cpuNs();
        pool.shutdown();
        System.out.printf("msgs/s=%.0f cpu_us=%.2f%n", (double) count * producers * 1e9 / Math.max(1, last - first),
                          (cpu1 - cpu0) / 1e3 / ((double) count * producers));
        return 0;
    }

    // One consumer's tally, filled by its listener on the client's thread.
    static class Tally implements MessageListener {
        final long[] lat;
        final CountDownLatch done = new CountDownLatch(1);
        volatile int n;	// read by the main thread to see progress
        long t0, t1, cpu0, cpu1;
        volatile String error;

        Tally(int count) {
            lat = new long[count];
        }

        public void onMessage(Message m) {
            if (n >= lat.length)
                return;	// a duplicate DUPS_OK allows; counted once
            try {
                t1 = System.nanoTime();
                if (n == 0) {
                    t0 = t1;
                    cpu0 = cpuNs();
                }
                String text = ((TextMessage) m).getText();
                lat[n++] = (t1 - Long.parseLong(text.substring(0, 19))) / 1000;
            } catch (Exception e) {
                error = e.toString();
                done.countDown();
            }
            if (n == lat.length) {
                cpu1 = cpuNs();
                done.countDown();
            }
        }
    }

    static int consume(String[] a) throws Exception {
        String url = a[1], d = a[2];
        int count = Integer.parseInt(a[3]), consumers = Integer.parseInt(a[4]);
        int ack = a.length > 6 && a[6].equals("dups") ? Session.DUPS_OK_ACKNOWLEDGE
                                                      : Session.AUTO_ACKNOWLEDGE;
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
        List<Connection> conns = new ArrayList<>();
        List<Tally> tallies = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Connection c = f.createConnection();
            Session s = c.createSession(false, ack);
            Tally t = new Tally(count);
            s.createConsumer(dest(s, d)).setMessageListener(t);
            tallies.add(t);
            conns.add(c);
            c.start();
        }
        new File(a[5]).createNewFile();
        double rate = 0, p50 = 0, p99 = 0;
        long cpu0 = Long.MAX_VALUE, cpu1 = 0;
        for (Tally t : tallies) {
            // two minutes without a message is a failure, whatever the count
            int seen = -1;
            while (!t.done.await(120, TimeUnit.SECONDS)) {
                if (t.n == seen)
                    throw new RuntimeException("got " + t.n + " of " + count);
                seen = t.n;
            }
            if (t.error != null)
                throw new RuntimeException(t.error);
            Arrays.sort(t.lat);
            cpu0 = Math.min(cpu0, t.cpu0);
            cpu1 = Math.max(cpu1, t.cpu1);
            rate += (count > 1 ? (count - 1) * 1e9 / Math.max(1, t.t1 - t.t0) : 0) / consumers;
            p50 = Math.max(p50, t.lat[count / 2]);
            p99 = Math.max(p99, t.lat[Math.min(count - 1, count * 99 / 100)]);
        }
        for (Connection c : conns)
            c.close();
        // CPU per message taken, over every consumer of this JVM
        System.out.printf("msgs/s=%.0f p50_us=%.0f p99_us=%.0f cpu_us=%.2f%n", rate, p50, p99,
                          count > 1 ? (cpu1 - cpu0) / 1e3 / ((double) (count - 1) * consumers) : 0.0);
        return 0;
    }
}
