// Many open transactions on one OpenWire connection, for
// t/42-many-per-connection.t:
//   java JmsManyTransactions URL N local|xa
// begins N local (or XA) transactions without waiting for their answers
// and commits none, then opens a session, whose answer comes after all of
// them; prints "N transactions".
import javax.jms.*;
import javax.transaction.xa.Xid;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.LocalTransactionId;
import org.apache.activemq.command.TransactionId;
import org.apache.activemq.command.TransactionInfo;
import org.apache.activemq.command.XATransactionId;

public class JmsManyTransactions {
    static Xid xid(final int i) {
        return new Xid() {
            public int getFormatId() { return 7; }
            public byte[] getGlobalTransactionId() { return ("many-" + i).getBytes(); }
            public byte[] getBranchQualifier() { return new byte[] { 1 }; }
        };
    }

    public static void main(String[] a) throws Exception {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(a[0])
                .createConnection();
        c.start();
        int n = Integer.parseInt(a[1]);
        boolean xa = a[2].equals("xa");
        for (int i = 0; i < n; i++) {
            TransactionId id = xa ? new XATransactionId(xid(i))
                    : new LocalTransactionId(c.getConnectionInfo().getConnectionId(), i);
            c.getTransportChannel().oneway(new TransactionInfo(
                    c.getConnectionInfo().getConnectionId(), id, TransactionInfo.BEGIN));
        }
        c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        System.out.println(n + " transactions");
        System.exit(0);	// the transport's thread would keep the JVM up
    }
}
