// Transactions through Debian's ActiveMQ JMS client (libactivemq-java),
// unchanged, driven by t/29-openwire-tx.t. Each command is one scenario
// and prints what it saw, one line a step:
//   java JmsTx URL USER PASS local QUEUE       sends and acks, commit and rollback
//   java JmsTx URL USER PASS halt QUEUE        a send and an ack in a transaction,
//                                              then the JVM halts (as kill -9)
//   java JmsTx URL USER PASS close QUEUE       the same, then close() without commit
//   java JmsTx URL USER PASS check QUEUE       what halt/close left: QUEUE.acks's message
//                                              redelivered, nothing on QUEUE
//   java JmsTx URL USER PASS commit QUEUE N    N sends in one transaction, committed
//   java JmsTx URL USER PASS unknown QUEUE     commits of transactions never begun
//   java JmsTx URL USER PASS xa QUEUE          XA: prepare, commit, rollback, recover...
//   java JmsTx URL USER PASS fill QUEUE N SIZE N sends in a transaction, then commit
//   java JmsTx URL USER PASS big QUEUE N       N messages received in one transaction
//                                              (more than the prefetch), committed
//   java JmsTx URL USER PASS xaprepare QUEUE N XID N: two sends to QUEUE and an ack
//                                              of QUEUE.acks's message, prepared; the
//                                              JVM halts
//   java JmsTx URL USER PASS xacheck QUEUE     what RECOVER lists, what QUEUE and
//                                              QUEUE.acks give
//   java JmsTx URL USER PASS xaend QUEUE commit|rollback N  ends XID N from a new
//                                              connection, then xacheck
// A JMSException nobody expected is printed as "exception CLASS: MESSAGE"
// and exits 3. -Dwait=MS: how long a receive that should get a message
// waits (default 20000); one that should not waits 1000 ms.
import javax.jms.*;
import javax.transaction.xa.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQXAConnectionFactory;
import org.apache.activemq.command.LocalTransactionId;
import org.apache.activemq.command.TransactionInfo;

public class JmsTx {
    static final long WAIT = Long.getLong("wait", 20000);
    static final long NONE = 1000;
    static String url, user, pass;

    public static void main(String[] a) throws Exception {
        url = a[0];
        user = a[1];
        pass = a[2];
        String q = a[4];
        try {
            switch (a[3]) {
            case "local": local(q); break;
            case "halt": abandon(q, true); break;
            case "close": abandon(q, false); break;
            case "check": check(q); break;
            case "commit": commit(q, Integer.parseInt(a[5])); break;
            case "unknown": unknown(q); break;
            case "xa": xa(q); break;
            case "fill": fill(q, Integer.parseInt(a[5]), Integer.parseInt(a[6])); break;
            case "big": big(q, Integer.parseInt(a[5])); break;
            case "xaprepare": xaPrepare(q, Integer.parseInt(a[5])); break;
            case "xacheck": xaCheck(q); break;
            case "xaend": xaEnd(q, a[5], Integer.parseInt(a[6])); break;
            default: throw new IllegalArgumentException(a[3]);
            }
        } catch (JMSException e) {
            System.out.println("exception " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }

    static Connection connect() throws JMSException {
        Connection c = new ActiveMQConnectionFactory(url).createConnection(user, pass);
        c.start();
        return c;
    }

    static void send(Session s, String q, String... texts) throws JMSException {
        MessageProducer p = s.createProducer(s.createQueue(q));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (String t : texts)
            p.send(s.createTextMessage(t));
        p.close();
    }

    static String describe(Message m) throws JMSException {
        if (m == null)
            return "none";
        return ((TextMessage) m).getText() + (m.getJMSRedelivered() ? " redelivered" : "")
            + " count=" + m.getIntProperty("JMSXDeliveryCount");
    }

    // What a consumer gets: n messages, then whether one more is there.
    static String drain(Session s, String q, int n) throws JMSException {
        MessageConsumer mc = s.createConsumer(s.createQueue(q));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Message m = mc.receive(WAIT);
            b.append(i > 0 ? ", " : "").append(describe(m));
        }
        Message extra = mc.receive(NONE);
        b.append(n > 0 ? "; then " : "").append(describe(extra));
        mc.close();
        return b.toString();
    }

    static void local(String q) throws JMSException {
        Connection c = connect();
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        send(tx, q, "a", "b", "c");
        System.out.println("before commit: " + drain(plain, q, 0));
        tx.commit();
        System.out.println("after commit: " + drain(plain, q, 3));
        send(tx, q, "d");
        tx.rollback();
        System.out.println("after rollback: " + drain(plain, q, 0));

        send(plain, q, "x", "y");
        MessageConsumer mc = tx.createConsumer(tx.createQueue(q));
        System.out.println("received: " + describe(mc.receive(WAIT)) + ", " + describe(mc.receive(WAIT)));
        tx.rollback();
        System.out.println("after rollback: " + describe(mc.receive(WAIT)) + ", " + describe(mc.receive(WAIT)));
        tx.commit();
        mc.close();
        System.out.println("after commit: " + drain(plain, q, 0));
        c.close();
    }

    static void abandon(String q, boolean halt) throws JMSException {
        Connection c = connect();
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        send(plain, q + ".acks", "acked in a transaction");
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        send(tx, q, "never committed");
        MessageConsumer mc = tx.createConsumer(tx.createQueue(q + ".acks"));
        System.out.println("received: " + describe(mc.receive(WAIT)));
        // The client sends its acks at the commit: this one is sent in the
        // transaction now, as a commit would, but the commit never comes.
        ((org.apache.activemq.ActiveMQMessageConsumer) mc).acknowledge();
        System.out.flush();
        if (halt)
            Runtime.getRuntime().halt(0);
        c.close();
    }

    static void check(String q) throws JMSException {
        Connection c = connect();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println("acked: " + drain(s, q + ".acks", 1));
        System.out.println("sent: " + drain(s, q, 0));
        c.close();
    }

    static void commit(String q, int n) throws JMSException {
        Connection c = connect();
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        String[] texts = new String[n];
        for (int i = 0; i < n; i++)
            texts[i] = "tx " + i;
        send(tx, q, texts);
        tx.commit();
        System.out.println("committed " + n);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static void fill(String q, int n, int size) throws JMSException {
        Connection c = connect();
        c.setExceptionListener(e -> {
            System.out.println("told " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
        });
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer p = tx.createProducer(tx.createQueue(q));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        String body = new String(new char[size]).replace('\0', 'x');
        for (int i = 0; i < n; i++)
            p.send(tx.createTextMessage(body));
        try {
            tx.commit();
            System.out.println("committed");
        } catch (JMSException e) {
            System.out.println("commit: " + e.getClass().getName() + ": " + e.getMessage());
        }
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            System.out.println("then: " + drain(plain, q, 0));
        } catch (JMSException e) {
            System.out.println("then: " + e.getClass().getName());
        }
        c.close();
    }

    static void unknown(String q) throws Exception {
        ActiveMQConnection c = (ActiveMQConnection) connect();
        try {
            c.syncSendPacket(new TransactionInfo(c.getConnectionInfo().getConnectionId(),
                new LocalTransactionId(c.getConnectionInfo().getConnectionId(), 999),
                TransactionInfo.COMMIT_ONE_PHASE));
            System.out.println("local: committed");
        } catch (JMSException e) {
            System.out.println("local: " + e.getClass().getName() + ": " + e.getMessage());
        }
        c.close();
        XAConnection xc = new ActiveMQXAConnectionFactory(url).createXAConnection(user, pass);
        XAResource r = xc.createXASession().getXAResource();
        try {
            r.commit(xid(99), false);
            System.out.println("xa: committed");
        } catch (XAException e) {
            System.out.println("xa: XAException " + e.errorCode);
        }
        xc.close();
    }

    static Xid xid(final int n) {
        return new Xid() {
            public int getFormatId() { return 4242; }
            public byte[] getGlobalTransactionId() { return new byte[] { 1, 2, (byte) n }; }
            public byte[] getBranchQualifier() { return new byte[] { 9, (byte) n }; }
        };
    }

    static String recovered(XAResource r) throws XAException {
        StringBuilder b = new StringBuilder();
        for (Xid x : r.recover(XAResource.TMSTARTRSCAN))
            b.append(b.length() > 0 ? " " : "").append(x.getFormatId()).append(":")
                .append(x.getGlobalTransactionId()[2]);
        return b.length() > 0 ? b.toString() : "none";
    }

    static void xa(String q) throws Exception {
        XAConnection xc = new ActiveMQXAConnectionFactory(url).createXAConnection(user, pass);
        // A one-way command refused (a BEGIN) would be told here.
        xc.setExceptionListener(e -> System.out.println("told " + e.getMessage()));
        xc.start();
        XASession xs = xc.createXASession();
        XAResource r = xs.getXAResource();
        Connection c = connect();
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);

        r.start(xid(1), XAResource.TMNOFLAGS);
        send(xs, q, "xa1", "xa2");
        r.end(xid(1), XAResource.TMSUCCESS);
        System.out.println("ended: " + drain(plain, q, 0));
        System.out.println("prepare: " + r.prepare(xid(1)));
        System.out.println("prepared: " + drain(plain, q, 0) + "; recover: " + recovered(r));
        r.commit(xid(1), false);
        System.out.println("two-phase commit: " + drain(plain, q, 2) + "; recover: " + recovered(r));

        r.start(xid(2), XAResource.TMNOFLAGS);
        send(xs, q, "xa3");
        r.end(xid(2), XAResource.TMSUCCESS);
        r.commit(xid(2), true);
        System.out.println("one-phase commit: " + drain(plain, q, 1));

        r.start(xid(3), XAResource.TMNOFLAGS);
        send(xs, q, "xa4");
        r.end(xid(3), XAResource.TMSUCCESS);
        r.prepare(xid(3));
        r.rollback(xid(3));
        System.out.println("rolled back: " + drain(plain, q, 0) + "; recover: " + recovered(r));

        r.start(xid(4), XAResource.TMNOFLAGS);
        r.end(xid(4), XAResource.TMSUCCESS);
        System.out.println("prepare of nothing: " + r.prepare(xid(4)) + "; recover: " + recovered(r));

        r.start(xid(5), XAResource.TMNOFLAGS);
        send(xs, q, "xa5");
        r.end(xid(5), XAResource.TMSUCCESS);
        try {
            r.commit(xid(5), false);
            System.out.println("two-phase commit unprepared: committed");
        } catch (XAException e) {
            System.out.println("two-phase commit unprepared: XAException " + e.errorCode);
        }
        r.rollback(xid(5));

        r.start(xid(6), XAResource.TMNOFLAGS);
        send(xs, q, "xa6");
        r.end(xid(6), XAResource.TMSUCCESS);
        r.prepare(xid(6));
        r.forget(xid(6));
        System.out.println("forgotten: " + drain(plain, q, 0) + "; recover: " + recovered(r));

        XASession xs2 = xc.createXASession();
        XAResource r2 = xs2.getXAResource();
        r.start(xid(8), XAResource.TMNOFLAGS);
        send(xs, q, "j1");
        r.end(xid(8), XAResource.TMSUCCESS);
        r2.start(xid(8), XAResource.TMJOIN);
        send(xs2, q, "j2");
        r2.end(xid(8), XAResource.TMSUCCESS);
        r.commit(xid(8), true);
        System.out.println("joined: " + drain(plain, q, 2));

        send(plain, q, "to ack");
        MessageConsumer mc = xs.createConsumer(xs.createQueue(q));
        r.start(xid(7), XAResource.TMNOFLAGS);
        System.out.println("xa received: " + describe(mc.receive(WAIT)));
        r.end(xid(7), XAResource.TMSUCCESS);
        r.prepare(xid(7));
        r.commit(xid(7), false);
        mc.close();
        System.out.println("acked: " + drain(plain, q, 0));
        xc.close();
        c.close();
    }

    static void xaPrepare(String q, int n) throws Exception {
        Connection c = connect();
        send(c.createSession(false, Session.AUTO_ACKNOWLEDGE), q + ".acks", "acked by " + n);
        XAConnection xc = new ActiveMQXAConnectionFactory(url).createXAConnection(user, pass);
        xc.start();
        XASession xs = xc.createXASession();
        XAResource r = xs.getXAResource();
        MessageConsumer mc = xs.createConsumer(xs.createQueue(q + ".acks"));
        r.start(xid(n), XAResource.TMNOFLAGS);
        send(xs, q, "sent by " + n + " #1", "sent by " + n + " #2");
        System.out.println("xa received: " + describe(mc.receive(WAIT)));
        r.end(xid(n), XAResource.TMSUCCESS);
        System.out.println("prepare: " + r.prepare(xid(n)));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static void xaCheck(String q) throws Exception {
        XAConnection xc = new ActiveMQXAConnectionFactory(url).createXAConnection(user, pass);
        xc.start();
        String[] ids = recovered(xc.createXASession().getXAResource()).split(" ");
        java.util.Arrays.sort(ids);
        System.out.println("recover: " + String.join(" ", ids));
        xc.close();
        Connection c = connect();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println("sent: " + drain(s, q, 0));
        System.out.println("acked: " + drain(s, q + ".acks", 0));
        c.close();
    }

    static void xaEnd(String q, String how, int n) throws Exception {
        XAConnection xc = new ActiveMQXAConnectionFactory(url).createXAConnection(user, pass);
        xc.start();
        XAResource r = xc.createXASession().getXAResource();
        if (how.equals("commit"))
            r.commit(xid(n), false);
        else
            r.rollback(xid(n));
        xc.close();
        Connection c = connect();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println(how + " " + n + ": sent: " + drain(s, q, how.equals("commit") ? 2 : 0));
        System.out.println(how + " " + n + ": acked: " + drain(s, q + ".acks", how.equals("commit") ? 0 : 1));
        c.close();
    }

    static void big(String q, int n) throws JMSException {
        Connection c = connect();
        Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = plain.createProducer(plain.createQueue(q));
        p.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        for (int i = 0; i < n; i++)
            p.send(plain.createTextMessage("m" + i));
        Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer mc = tx.createConsumer(tx.createQueue(q));
        int got = 0;
        while (got < n && mc.receive(WAIT) != null)
            got++;
        tx.commit();
        mc.close();
        System.out.println("received " + got + " in one transaction; then: " + drain(plain, q, 0));
        c.close();
    }
}
