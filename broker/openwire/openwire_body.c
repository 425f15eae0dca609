/*
 * openwire_body.c - JMS bodies as core bodies and back
 * (openwire_body.h). The layouts are ActiveMQ's (activemq-client,
 * command/ActiveMQ*Message.java): a TextMessage's content is
 * MarshallingSupport.writeUTF8 (a 32-bit length, -1 for null, and
 * modified UTF-8); compressed, it and the Map, Object and Stream
 * contents are one zlib stream, while a BytesMessage's is the 32-bit
 * length of the plain bytes followed by the zlib stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "message_jms.h"
#include "openwire_body.h"

static const struct {
	uint8_t type;
	char kind;
} kinds[] = {
	{ OW_MESSAGE, JMS_MESSAGE }, { OW_TEXT_MESSAGE, JMS_TEXT },
	{ OW_BYTES_MESSAGE, JMS_BYTES }, { OW_MAP_MESSAGE, JMS_MAP },
	{ OW_OBJECT_MESSAGE, JMS_OBJECT }, { OW_STREAM_MESSAGE, JMS_STREAM },
};

char ow_body_kind(uint8_t type)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].type == type)
			return kinds[i].kind;
	return 0;
}

static uint8_t type_of_kind(char kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].type;
	return OW_BYTES_MESSAGE;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- from the client ---- */

/* Inflates the zlib stream p[0, n) into out, refusing more than max
 * bytes (a small frame may inflate to gigabytes), or with `upto` only its
 * first max bytes. 0, or -1 with err. */
static int inflate_all(const uint8_t *p, size_t n, size_t max, bool upto, struct buf *out,
		       bool *oom, char *err, size_t errlen)
{
	z_stream z = { 0 };
	if (inflateInit(&z) != Z_OK) {
		*oom = true;
		snprintf(err, errlen, "The broker is out of memory");
		return -1;
	}
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	int zr = Z_OK;
	while (zr == Z_OK) {
		size_t room = 64 * 1024;
		char *dst = buf_space(out, room);
		if (!dst) {
			*oom = true;
			break;
		}
		z.next_out = (Bytef *)dst;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		buf_commit(out, room - z.avail_out);
		if (buf_len(out) > max)
			break;
		if (zr == Z_BUF_ERROR && z.avail_in == 0)
			break;	/* the stream ended early */
	}
	inflateEnd(&z);
	if (upto && buf_len(out) >= max) {
		buf_truncate(out, max);
		return 0;
	}
	if (zr == Z_STREAM_END && buf_len(out) <= max)
		return 0;
	if (*oom)
		snprintf(err, errlen, "The broker is out of memory");
	else if (buf_len(out) > max)
		snprintf(err, errlen, "The compressed body inflates past %zu bytes, the "
			 "connection's wireFormat.maxFrameSize", max);
	else
		snprintf(err, errlen, "The compressed body is malformed: %s",
			 z.msg ? z.msg : "it ends early");
	return -1;
}

/* The content as sent, inflated into plain when compressed. */
static int plain_content(const struct ow_message *om, size_t max, struct buf *plain,
			 bool *oom, char *err, size_t errlen)
{
	const uint8_t *p = om->content.data;
	size_t n = p ? om->content.len : 0;
	if (!om->compressed)
		return buf_append(plain, p ? (const char *)p : "", n) < 0 ? (*oom = true, -1) : 0;
	if (om->c.h.type != OW_BYTES_MESSAGE)
		return n ? inflate_all(p, n, max, false, plain, oom, err, errlen) : 0;
	if (n < 4) {
		if (!n)
			return 0;
		snprintf(err, errlen, "The compressed BytesMessage's body is malformed");
		return -1;
	}
	/* The client deflates its whole buffer, which may be longer than the
	 * bytes written (ActiveMQBytesMessage.doCompress): the length says how
	 * many of the inflated bytes are the body. */
	size_t want = get_u32(p);
	if (want > max) {
		snprintf(err, errlen, "The compressed body inflates past %zu bytes, the "
			 "connection's wireFormat.maxFrameSize", max);
		return -1;
	}
	if (inflate_all(p + 4, n - 4, want, true, plain, oom, err, errlen) < 0)
		return -1;
	if (buf_len(plain) != want) {
		snprintf(err, errlen, "The compressed BytesMessage's body inflates to %zu bytes, "
			 "not the %zu it says", buf_len(plain), want);
		return -1;
	}
	return 0;
}

/* A TextMessage's content (plain) as UTF-8 in out. */
static int text_body(struct buf *plain, struct buf *out, bool *null_text, bool *oom,
		     char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)buf_data(plain);
	size_t n = buf_len(plain);
	int64_t tlen = n >= 4 ? (int32_t)get_u32(p) : -1;
	if (n && (n < 4 || tlen < -1 || tlen > (int64_t)n - 4)) {
		snprintf(err, errlen, "The TextMessage's body is malformed");
		return -1;
	}
	*null_text = tlen < 0;
	struct ow_str text = { (char *)(n ? p + 4 : NULL), tlen > 0 ? (uint32_t)tlen : 0 };
	if (ow_str_to_utf8(&text, out) < 0) {
		*oom = true;
		return -1;
	}
	return 0;
}

int ow_body_to_core(const struct ow_message *om, size_t max, char **body, size_t *len,
		    bool *null_text, bool *oom, char *err, size_t errlen)
{
	struct buf plain = BUF_INIT, text = BUF_INIT;
	*null_text = false;
	*body = NULL;
	int rc = plain_content(om, max, &plain, oom, err, errlen);
	struct buf *out = &plain;
	if (rc == 0 && om->c.h.type == OW_TEXT_MESSAGE) {
		rc = text_body(&plain, &text, null_text, oom, err, errlen);
		out = &text;
	}
	if (rc == 0 && om->c.h.type == OW_MESSAGE)
		buf_reset(out);	/* a plain Message has no body */
	if (rc == 0 && (buf_append(out, "", 0) < 0 || !(*body = buf_steal(out, len))))
		*oom = true, rc = -1;
	if (rc < 0 && *oom)
		snprintf(err, errlen, "The broker is out of memory");
	buf_free(&plain);
	buf_free(&text);
	return rc;
}

/* ---- to the client ---- */

/* Which JMS type m goes as: its kind, or what ActiveMQ would make of it. */
static char kind_of(const struct message *m)
{
	char k = message_jms_kind(m);
	if (k)
		return (char)(k & ~0x20);	/* upper case */
	if (message_header(m, "ActiveMQ.MQTT.QoS"))
		return JMS_BYTES;
	return JMS_TEXT;
}

static int text_content(struct ow_message *om, const struct message *m)
{
	struct ow_str s = { 0 };
	if (ow_str_from_utf8(&s, m->body, m->body_len) < 0)
		return 1;	/* no UTF-8: it goes as bytes */
	om->content.data = malloc((size_t)s.len + 5);
	if (!om->content.data) {
		ow_str_clear(&s);
		return -1;
	}
	put_u32(om->content.data, s.len);
	memcpy(om->content.data + 4, s.s, s.len);
	om->content.data[4 + s.len] = 0;
	om->content.len = s.len + 4;
	ow_str_clear(&s);
	return 0;
}

int ow_body_from_core(struct ow_message *om, const struct message *m)
{
	char kind = kind_of(m);
	om->c.h.type = type_of_kind(kind);
	if (kind == JMS_MESSAGE)
		return 0;
	if (kind == JMS_TEXT) {
		const char *b;
		size_t n, pos = 0;
		char code;
		const char *v = message_jms(m);
		while (v && message_jms_next(v, &pos, &code, &b, &n) == 1)
			if (code == JMS_ENTRY_NULL_TEXT)
				return 0;
		int rc = text_content(om, m);
		if (rc <= 0)
			return rc;
		om->c.h.type = OW_BYTES_MESSAGE;
	}
	om->content.data = malloc(m->body_len + 1);
	if (!om->content.data)
		return -1;
	memcpy(om->content.data, m->body, m->body_len + 1);
	om->content.len = (uint32_t)m->body_len;
	return 0;
}
