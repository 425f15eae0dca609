/* MQTT names as broker destinations: '/' and '.' swap, '+' and '#' are
 * the broker's '*' and '>' in filters and a literal '*' and '>' its plain
 * '+' and '#', names come back unchanged, and wildcard filters skip
 * $-topics. */
#include <stdlib.h>

#include "mqtt_topic.h"
#include "tap.h"
#include "wildcard.h"

static void maps(const char *mqtt, const char *dest)
{
	char *d = mqtt_topic_to_dest(mqtt);
	char name[200];
	snprintf(name, sizeof name, "%s is the broker's %s", mqtt, dest);
	is_str(d, dest, name);
	free(d);
}

static void back(const char *dest, const char *mqtt)
{
	char *t = mqtt_topic_from_dest(dest);
	char name[200];
	snprintf(name, sizeof name, "the broker's %s is MQTT's %s", dest, mqtt);
	is_str(t, mqtt, name);
	free(t);
}

/* filter matches topic through the broker's wildcards and the $ rule. */
static int matches(const char *filter, const char *topic)
{
	char *p = mqtt_topic_to_dest(filter), *n = mqtt_topic_to_dest(topic);
	int r = dest_match(p, n) && !mqtt_topic_dollar_excluded(filter, n);
	free(p);
	free(n);
	return r;
}

int main(void)
{
	maps("a/b/c", "a.b.c");
	maps("a/+/c", "a.*.c");
	maps("a/#", "a.>");
	maps("#", ">");
	maps("sensor/temp.1", "sensor.temp/1");
	maps("/lead//trail/", ".lead..trail.");
	back("a.b.c", "a/b/c");
	back("sensor.temp/1", "sensor/temp.1");
	maps("lit/*", "lit.+");
	maps("lit/>", "lit.#");
	maps("lit/a*b>", "lit.a+b#");
	back("lit.+.#", "lit/*/>");
	back("odd.*.>", "odd/+/#");

	ok(matches("a/+/c", "a/b/c") && !matches("a/+/c", "a/b/d"), "+ is one level");
	ok(matches("a/#", "a") && matches("a/#", "a/b/c"), "# is the parent and every level below");
	ok(matches("+/+", "/x") && matches("+", "x") && !matches("+", "/x"), "empty levels count");
	ok(matches("#", "a/b") && !matches("#", "$SYS/x") && !matches("+/x", "$SYS/x"),
	   "a leading wildcard skips $-topics");
	ok(!matches("lit/*", "lit/x") && !matches("lit/*", "lit/a.b") && matches("lit/*", "lit/*"),
	   "a literal * matches only itself");
	ok(!matches("lit/>", "lit/x") && !matches("lit/>", "lit/x/y") && matches("lit/>", "lit/>"),
	   "a literal > matches only itself");
	ok(matches("lit/+", "lit/*") && matches("lit/#", "lit/>/x"), "and is matched as any level");
	ok(matches("$SYS/#", "$SYS/x") && matches("$SYS/+", "$SYS/x"), "a $ filter matches them");
	return done_testing();
}
