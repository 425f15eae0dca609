/* Multicast discovery's URIs and datagrams, as ActiveMQ 5.17 writes and
 * reads them. */
#include <arpa/inet.h>

#include "discovery_wire.h"
#include "tap.h"

static const char *addr(const struct discovery_group *g)
{
	static char s[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &g->addr, s, sizeof s);
}

int main(void)
{
	struct discovery_group g;
	char why[256];

	ok(discovery_parse_uri("multicast://default", &g, why, sizeof why) == 0,
	   "multicast://default is read");
	is_str(g.name, "default", "its group is default");
	is_str(addr(&g), "239.255.2.3", "on ActiveMQ's address");
	is(g.port, 6155, "and port");
	is(g.keepalive_ms, 500, "a heartbeat every 500 ms");
	is(g.ttl, 1, "that stays on the local network");

	ok(discovery_parse_uri("multicast://prod", &g, why, sizeof why) == 0 &&
	   !strcmp(g.name, "prod") && !strcmp(addr(&g), "239.255.2.3"),
	   "multicast://GROUP names the group, on the default address");
	ok(discovery_parse_uri("multicast://default?group=blue&keepAliveInterval=100&timeToLive=3",
			       &g, why, sizeof why) == 0 &&
	   !strcmp(g.name, "blue") && g.keepalive_ms == 100 && g.ttl == 3,
	   "group=, keepAliveInterval= and timeToLive= are honoured");
	ok(discovery_parse_uri("multicast://239.1.2.3:7000/?networkInterface=eth1", &g, why,
			       sizeof why) == 0 &&
	   !strcmp(addr(&g), "239.1.2.3") && g.port == 7000 && !strcmp(g.name, "default") &&
	   !strcmp(g.ifname, "eth1"),
	   "an address and port override the defaults; the interface is kept");
	ok(discovery_parse_uri("multicast://default?maxReconnectDelay=1000&frobnicate=1", &g, why,
			       sizeof why) == 0 && !strcmp(g.ignored, "frobnicate"),
	   "ActiveMQ's other options are accepted, unknown ones reported");

	ok(discovery_parse_uri("multicast://10.0.0.1", &g, why, sizeof why) < 0 &&
	   strstr(why, "not a multicast address"), "a unicast address is refused");
	ok(discovery_parse_uri("multicast://default:99999", &g, why, sizeof why) < 0,
	   "a port out of range is refused");
	ok(discovery_parse_uri("multicast://default?timeToLive=300", &g, why, sizeof why) < 0 &&
	   strstr(why, "timeToLive"), "a time to live out of range is refused");
	ok(discovery_parse_uri("multicast://default?group", &g, why, sizeof why) < 0,
	   "an option without a value is refused");
	ok(discovery_parse_uri("static:(tcp://h:1)", &g, why, sizeof why) < 0,
	   "another scheme is refused");

	char text[DISCOVERY_DATAGRAM_MAX];
	int n = discovery_format(text, sizeof text, "default", true, "b1", "tcp://10.0.0.1:61616");
	is_str(text, "default.ActiveMQ-4.alive.%b1%tcp://10.0.0.1:61616", "an alive datagram");
	is(n, (long long)strlen(text), "its length");
	discovery_format(text, sizeof text, "default", false, "50%", "tcp://h:1");
	is_str(text, "default.ActiveMQ-4.dead.%localhost%tcp://h:1",
	       "a dead one; a name with '%' is sent as ActiveMQ's localhost");
	ok(discovery_format(text, 10, "default", true, "b", "tcp://h:1") < 0, "too long: -1");

	struct discovery_news news;
	const char *amq = "default.ActiveMQ-4.alive.%localhost%tcp://host1:61616?a=1";
	ok(discovery_parse(amq, strlen(amq), "default", &news) == 0 && news.alive &&
	   !strcmp(news.broker, "localhost") && !strcmp(news.service, "tcp://host1:61616?a=1"),
	   "ActiveMQ's heartbeat is read");
	const char *dead = "default.ActiveMQ-4.dead.%b2%tcp://h:2";
	ok(discovery_parse(dead, strlen(dead), "default", &news) == 0 && !news.alive &&
	   !strcmp(news.broker, "b2") && !strcmp(news.service, "tcp://h:2"), "a dead one too");
	ok(discovery_parse(amq, strlen(amq), "other", &news) < 0, "another group's is ignored");
	ok(discovery_parse(amq, strlen(amq), "defaul", &news) < 0,
	   "a group whose name starts like ours is another group");
	const char *bad[] = {
		"default.ActiveMQ-4.sleepy.%b%tcp://h:1", "default.ActiveMQ-4.alive.b%tcp://h:1",
		"default.ActiveMQ-4.alive.%b%", "default.ActiveMQ-4.alive.%btcp://h:1", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(discovery_parse(bad[i], strlen(bad[i]), "default", &news) < 0, bad[i]);
	ok(discovery_parse("default.ActiveMQ-4.alive.%b%t\0x", 32, "default", &news) < 0,
	   "a NUL inside is not a datagram of ours");

	return done_testing();
}
