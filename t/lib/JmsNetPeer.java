// A broker's network bridge as ActiveMQ's DemandForwardingBridge talks to
// its remote, played with Debian's ActiveMQ JMS client for
// t/29-openwire-network.t:
//   java JmsNetPeer URL NAME QUEUE
// says it is broker NAME's network connection (a BrokerInfo with
// networkConnection=true and the BrokerId ID:NAME), then sends three
// persistent messages to QUEUE, each with a brokerPath, as a bridge
// forwards them: "one hop" from NAME, "looped" with the remote's own
// BrokerId in its path (it went through the remote before), "two hops"
// from ID:elsewhere and NAME; and two to the topic QUEUE.t: "topic one
// hop" and "topic looped"; "back on the bridge": a queue message with the
// remote's id in its path and the MessageId of "one hop". Then, on a
// second connection that sends no
// BrokerInfo (as ActiveMQ's bridge after its failover transport moved to
// the other node of a pair), "came back": a queue message with the
// remote's id in its path and the MessageId of "one hop". Prints the
// remote's BrokerId.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQDestination;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ActiveMQTopic;
import org.apache.activemq.command.ActiveMQTextMessage;
import org.apache.activemq.command.BrokerId;
import org.apache.activemq.command.BrokerInfo;
import org.apache.activemq.command.MessageId;
import org.apache.activemq.command.ProducerId;

public class JmsNetPeer {
    public static void main(String[] a) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(a[0]);
        ActiveMQConnection c = (ActiveMQConnection) f.createConnection();
        BrokerInfo bi = new BrokerInfo();
        BrokerId me = new BrokerId("ID:" + a[1]);
        bi.setBrokerId(me);
        bi.setBrokerName(a[1]);
        bi.setNetworkConnection(true);
        c.getTransportChannel().oneway(bi);
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        for (int i = 0; i < 100 && c.getBrokerInfo() == null; i++)
            Thread.sleep(50);
        BrokerId remote = c.getBrokerInfo().getBrokerId();
        System.out.println("remote " + remote.getValue());
        // The session's send clears a message's brokerPath (only a bridge
        // sets one): the messages go straight to the transport, as the
        // bridge's do.
        ProducerId pid = new ProducerId(c.getConnectionInfo().getConnectionId().getValue()
                                        + ":1:1");
        ActiveMQQueue q = new ActiveMQQueue(a[2]);
        send(c, pid, q, 1, "one hop", new BrokerId[] { me });
        send(c, pid, q, 2, "looped", new BrokerId[] { remote, me });
        send(c, pid, q, 3, "two hops", new BrokerId[] { new BrokerId("ID:elsewhere"), me });
        ActiveMQTopic t = new ActiveMQTopic(a[2] + ".t");
        send(c, pid, t, 4, "topic one hop", new BrokerId[] { me });
        send(c, pid, t, 5, "topic looped", new BrokerId[] { remote, me });
        send(c, pid, q, 1, "back on the bridge", new BrokerId[] { remote, me });
        c.close();
        ActiveMQConnection plain = (ActiveMQConnection) f.createConnection();
        plain.start();
        send(plain, pid, q, 1, "came back", new BrokerId[] { remote, me });
        plain.close();
    }

    static void send(ActiveMQConnection c, ProducerId pid, ActiveMQDestination q, long seq,
                     String text, BrokerId[] path) throws JMSException {
        ActiveMQTextMessage m = new ActiveMQTextMessage();
        m.setText(text);
        m.setMessageId(new MessageId(pid, seq));
        m.setProducerId(pid);
        m.setDestination(q);
        m.setPersistent(true);
        m.setBrokerPath(path);
        m.setResponseRequired(true);
        c.syncSendPacket(m);
    }
}
