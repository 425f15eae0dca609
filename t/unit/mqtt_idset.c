/* MQTT packet id sets (broker/mqtt/mqtt_idset.c): ids in and out, at
 * page edges and at both ends of the range, and nothing held once the
 * last id is gone. */
#include "mqtt_idset.h"
#include <stdio.h>

#include "tap.h"

/* ok() with a formatted name. */
#define okf(cond, fmt, ...) do { \
	char name_[80]; \
	snprintf(name_, sizeof name_, fmt, __VA_ARGS__); \
	ok(cond, name_); \
} while (0)

int main(void)
{
	struct mqtt_idset s = MQTT_IDSET_INIT;
	static const uint16_t ids[] = { 1, 2047, 2048, 2049, 4095, 30000, 65534, 65535 };
	const size_t n = sizeof ids / sizeof ids[0];
	ok(!mqtt_idset_has(&s, 1) && !s.pages, "an empty set holds nothing and has no pages");
	for (size_t i = 0; i < n; i++)
		okf(mqtt_idset_add(&s, ids[i]) == 0, "id %u added", ids[i]);
	is(s.count, n, "each id counted once");
	ok(mqtt_idset_add(&s, 2048) == 0 && s.count == n, "an id added again is counted once");
	for (size_t i = 0; i < n; i++)
		okf(mqtt_idset_has(&s, ids[i]), "id %u is in", ids[i]);
	static const uint16_t absent[] = { 0, 3, 2046, 2050, 4094, 4096, 29999, 65533 };
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		okf(!mqtt_idset_has(&s, absent[i]), "id %u is not", absent[i]);
	mqtt_idset_del(&s, 3);
	is(s.count, n, "removing an id not in it changes nothing");
	for (size_t i = 0; i < n; i++) {
		mqtt_idset_del(&s, ids[i]);
		okf(!mqtt_idset_has(&s, ids[i]), "id %u removed", ids[i]);
		if (i + 1 < n)
			okf(mqtt_idset_has(&s, ids[i + 1]), "id %u still in", ids[i + 1]);
	}
	ok(s.count == 0 && !s.pages, "the last id gone, the set holds no memory");
	ok(mqtt_idset_add(&s, 500) == 0 && mqtt_idset_has(&s, 500), "an emptied set takes ids again");
	mqtt_idset_clear(&s);
	ok(s.count == 0 && !s.pages && !mqtt_idset_has(&s, 500), "clear empties it");
	return done_testing();
}
