/* What Debian's ActiveMQ JMS client (libactivemq-java 5.17) really sends,
 * read by Tandem's OpenWire decoder: t/data/openwire/jms-{tight,loose}.bin
 * are the bytes one client wrote to a recording socket (t/data/openwire/
 * README.md says how they were made) for: connect as capuser with client
 * id cap-client, a session, a producer on queue q.cap sending a
 * TextMessage and a BytesMessage, a consumer with a selector on topic
 * t.cap, then close. Each stream is cut into frames in several chunkings,
 * the first frame is the client's WireFormatInfo and sets the format as
 * the broker would negotiate it, every later frame decodes, says what the
 * client sent, and encodes back to exactly the client's bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_codec.h"
#include "openwire_frame.h"
#include "openwire_map.h"
#include "openwire_wireformat.h"
#include "tap.h"

#define MAX_FRAMES 64

struct capture {
	uint8_t *data;
	size_t len;
	struct ow_obj *cmd[MAX_FRAMES];
	size_t n;
	bool same_bytes;	/* every frame re-encoded to the client's bytes */
	char err[OW_ERR_MAX];
};

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d = NULL;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		rewind(f);
		d = n > 0 ? malloc((size_t)n) : NULL;
		if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
			free(d);
			d = NULL;
		}
		*len = d ? (size_t)n : 0;
	}
	fclose(f);
	return d;
}

/* One frame: decoded, the format negotiated after the WireFormatInfo,
 * re-encoded and compared. */
static int take_frame(struct capture *c, struct ow_format *fmt, const uint8_t *frame, size_t flen)
{
	struct ow_obj *o;
	if (ow_decode(fmt, frame, flen, &o, c->err) < 0 || c->n == MAX_FRAMES)
		return -1;
	struct buf again = BUF_INIT;
	if (ow_encode(fmt, o, &again) < 0 || buf_len(&again) != flen + 4 ||
	    memcmp(buf_data(&again) + 4, frame, flen)) {
		c->same_bytes = false;
		diag("frame %zu (type %u) encodes differently", c->n, o->type);
	}
	buf_free(&again);
	c->cmd[c->n++] = o;
	if (o->type != OW_WIREFORMAT_INFO)
		return 0;
	struct ow_wire_options theirs, ours, agreed;
	if (ow_wireformat_read((struct ow_wireformat_info *)o, &theirs, c->err) < 0)
		return -1;
	ow_wireformat_broker(&ours, 104857600, 30000);
	ours.cache = false;	/* as the broker the captures were made against did */
	ow_wireformat_negotiate(&ours, &theirs, &agreed);
	ow_wire_options_release(&theirs);
	return ow_wireformat_apply(fmt, &agreed);
}

static int read_capture(struct capture *c, size_t chunk)
{
	struct ow_frame_reader *r = ow_frame_reader_new(104857600);
	struct ow_format fmt;
	ow_format_init(&fmt);
	c->n = 0;
	c->same_bytes = true;
	int rc = 0;
	for (size_t off = 0; off < c->len && rc == 0;) {
		size_t avail = chunk && c->len - off > chunk ? chunk : c->len - off;
		size_t pos = 0;
		while (pos < avail && rc == 0) {
			const uint8_t *frame;
			size_t flen;
			ssize_t used = ow_frame_feed(r, c->data + off + pos, avail - pos, &frame, &flen,
						     c->err);
			if (used < 0)
				rc = -1;
			else
				pos += (size_t)used;
			if (rc == 0 && frame)
				rc = take_frame(c, &fmt, frame, flen);
		}
		off += avail;
	}
	ow_frame_reader_free(r);
	ow_format_release(&fmt);
	return rc;
}

static void drop(struct capture *c)
{
	for (size_t i = 0; i < c->n; i++)
		ow_obj_free(c->cmd[i]);
	c->n = 0;
}

static bool str_is(const struct ow_str *s, const char *want)
{
	return s->s && !strcmp(s->s, want);
}

static struct ow_obj *find(struct capture *c, uint8_t type, int nth)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->cmd[i]->type == type && nth-- == 0)
			return c->cmd[i];
	return NULL;
}

static bool has(const struct ow_bytes *b, const char *needle)
{
	return b->data && memmem(b->data, b->len, needle, strlen(needle));
}

static void check_commands(struct capture *c, const char *label)
{
	char name[160];
#define NAME(what) (snprintf(name, sizeof name, "%s: %s", label, what), name)
	struct ow_wire_options wf;
	ok(c->cmd[0]->type == OW_WIREFORMAT_INFO &&
	   ow_wireformat_read((struct ow_wireformat_info *)c->cmd[0], &wf, c->err) == 0,
	   NAME("the first frame is the client's WireFormatInfo"));
	is(wf.version, 12, NAME("the client speaks OpenWire 12"));
	ok(wf.cache && wf.cache_size == 1024 && wf.stack_trace && wf.tcp_no_delay &&
	   !wf.size_prefix_disabled && wf.max_frame_size == INT64_MAX &&
	   wf.max_inactivity_initial_delay == 10000 && str_is(&wf.provider_name, "ActiveMQ"),
	   NAME("its options are ActiveMQ's defaults"));
	ow_wire_options_release(&wf);

	struct ow_connection_info *ci = (void *)find(c, OW_CONNECTION_INFO, 0);
	ok(ci && str_is(&ci->client_id, "cap-client") && str_is(&ci->user_name, "capuser") &&
	   str_is(&ci->password, "cappass") && ci->connection_id &&
	   ci->connection_id->value.s && ci->c.response_required,
	   NAME("ConnectionInfo: client id, user, password, connection id, response required"));

	struct ow_session_info *si = (void *)find(c, OW_SESSION_INFO, 0);
	ok(si && si->session_id && ci && ci->connection_id &&
	   !strcmp(si->session_id->connection_id.s, ci->connection_id->value.s),
	   NAME("SessionInfo: a session of that connection"));

	struct ow_producer_info *pi = (void *)find(c, OW_PRODUCER_INFO, 0);
	ok(pi && pi->destination && pi->destination->h.type == OW_QUEUE &&
	   str_is(&pi->destination->physical_name, "q.cap"), NAME("ProducerInfo: queue q.cap"));

	struct ow_message *tm = (void *)find(c, OW_TEXT_MESSAGE, 0);
	ok(tm && tm->destination && str_is(&tm->destination->physical_name, "q.cap") &&
	   str_is(&tm->correlation_id, "corr-1") && tm->persistent && tm->priority == 4 &&
	   has(&tm->content, "hello openwire") && tm->message_id && tm->message_id->producer_id,
	   NAME("ActiveMQTextMessage: destination, correlation id, persistent, text, id"));
	struct ow_map *props = NULL;
	char err[OW_ERR_MAX];
	const struct ow_map_limits any = { 1 << 20, 1 << 20, 4 };
	ok(tm && ow_map_decode(tm->marshalled_properties.data, tm->marshalled_properties.len, &any,
			       &props, err) == 0 && props &&
	   ow_map_get(props, "colour") && ow_map_get(props, "colour")->type == OWP_STRING &&
	   !strcmp((char *)ow_map_get(props, "colour")->v.bytes.data, "blue") &&
	   ow_map_get(props, "n") && ow_map_get(props, "n")->v.i32 == 7,
	   NAME("its properties: colour=blue (string), n=7 (int)"));
	ow_map_free(props);

	struct ow_message *bm = (void *)find(c, OW_BYTES_MESSAGE, 0);
	static const uint8_t body[] = { 1, 2, 3, 0, 0xff };
	ok(bm && bm->content.len == sizeof body && !memcmp(bm->content.data, body, sizeof body),
	   NAME("ActiveMQBytesMessage: the five bytes written"));

	struct ow_consumer_info *cons = NULL;
	for (int i = 0; (cons = (void *)find(c, OW_CONSUMER_INFO, i)); i++)
		if (cons->destination && cons->destination->h.type == OW_TOPIC &&
		    str_is(&cons->destination->physical_name, "t.cap"))
			break;
	ok(cons && str_is(&cons->selector, "colour = 'blue'") && cons->prefetch_size == 32767,
	   NAME("ConsumerInfo: topic t.cap, the selector, the topic prefetch"));
	struct ow_consumer_info *adv = (void *)find(c, OW_CONSUMER_INFO, 0);
	ok(adv && adv->destination && adv->destination->h.type == OW_TOPIC &&
	   str_is(&adv->destination->physical_name,
		  "ActiveMQ.Advisory.TempQueue,ActiveMQ.Advisory.TempTopic"),
	   NAME("the client watches the temporary destination advisories first"));

	struct ow_remove_info *ri = (void *)find(c, OW_REMOVE_INFO, 0);
	ok(ri && ri->object_id, NAME("RemoveInfo: names what it removes"));
	ok(c->cmd[c->n - 1]->type == OW_SHUTDOWN_INFO, NAME("ShutdownInfo comes last"));
#undef NAME
}

static void one_capture(const char *path, const char *label)
{
	struct capture c = { 0 };
	c.data = slurp(path, &c.len);
	if (!ok(c.data != NULL, label)) {
		diag("cannot read %s", path);
		return;
	}
	static const size_t chunks[] = { 0, 1, 7, 1000 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		char name[160];
		snprintf(name, sizeof name, "%s: every frame decodes (chunks of %zu)", label, chunks[i]);
		int rc = read_capture(&c, chunks[i]);
		if (!ok(rc == 0 && c.n > 10, name))
			diag("after %zu frames: %s", c.n, c.err);
		snprintf(name, sizeof name, "%s: every frame encodes back to the client's bytes (chunks of %zu)",
			 label, chunks[i]);
		ok(rc == 0 && c.same_bytes, name);
		if (i == 0 && rc == 0)
			check_commands(&c, label);
		drop(&c);
	}
	free(c.data);
}

int main(void)
{
	one_capture("t/data/openwire/jms-tight.bin", "tight (the client's default)");
	one_capture("t/data/openwire/jms-loose.bin", "loose (tightEncodingEnabled=false)");
	return done_testing();
}
