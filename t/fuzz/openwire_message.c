/*
 * openwire_message.c - fuzz harness: a JMS message into a core message and
 * back (broker/openwire/openwire_message.c, openwire_body.c,
 * openwire_props.c, openwire_nested.c), and a core message whose headers
 * (the reserved one of broker/core/message_jms.h among them) came from a
 * network peer or a damaged store, to a JMS consumer.
 *
 * Input: a byte (bits 0-2 the JMS type, bit 3 compressed), then parts cut
 * at 0xff 0x00: the content, the marshalled properties, then for the
 * second half a body and NAME=VALUE headers. What goes into the core must
 * come back out and in again without a crash, and a refusal must say why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "message_jms.h"
#include "openwire_codec.h"
#include "openwire_message.h"

static const uint8_t types[] = {
	OW_MESSAGE, OW_TEXT_MESSAGE, OW_BYTES_MESSAGE, OW_MAP_MESSAGE, OW_OBJECT_MESSAGE,
	OW_STREAM_MESSAGE, OW_TEXT_MESSAGE, OW_BYTES_MESSAGE,
};

/* The next part of p[0, n) from *off, up to 0xff 0x00 or the end. */
static size_t part(const uint8_t *p, size_t n, size_t *off, const uint8_t **out)
{
	size_t start = *off, i = start;
	while (i + 1 < n && !(p[i] == 0xff && p[i + 1] == 0))
		i++;
	if (i + 1 >= n)
		i = n;
	*out = p + start;
	*off = i + 2 > n ? n : i + 2;
	return i - start;
}

static void set_bytes(struct ow_bytes *b, const uint8_t *p, size_t n)
{
	b->data = malloc(n + 1);
	memcpy(b->data, p, n);
	b->data[n] = 0;
	b->len = (uint32_t)n;
}

static void out_and_back(struct message *m)
{
	struct ow_message *om = ow_message_from_core(m, 1, 0);
	if (!om)
		return;
	char err[300];
	bool oom;
	struct message *again = ow_message_to_core(om, m->dest_type, strdup(m->dest), 1 << 20,
						   &oom, err, sizeof err);
	ow_obj_free(&om->c.h);
	message_unref(again);
}

/* A core message of headers NAME=VALUE (lines) and a body, as a bridge
 * would hand one over. */
static void from_peer(const uint8_t *body, size_t blen, const uint8_t *hdrs, size_t hlen)
{
	char *text = strndup((const char *)hdrs, hlen);
	struct header *h = calloc(64, sizeof *h);
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < 64;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = 0;
		h[n].name = strdup(line);
		h[n++].value = strdup(eq + 1);
	}
	free(text);
	char *b = malloc(blen + 1);
	memcpy(b, body, blen);
	b[blen] = 0;
	struct message *m = message_new_take(strdup("ID:peer:1:2:3:4"), DEST_QUEUE, strdup("q"), h,
					     n, b, blen);
	if (m) {
		out_and_back(m);
		message_unref(m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t off = 1;
	const uint8_t *content, *props, *body, *hdrs;
	size_t clen = part(data, size, &off, &content);
	size_t plen = part(data, size, &off, &props);
	size_t blen = part(data, size, &off, &body);
	size_t hlen = part(data, size, &off, &hdrs);
	struct ow_message *om = (void *)ow_obj_new(types[data[0] & 7]);
	om->compressed = data[0] & 8;
	if (clen)
		set_bytes(&om->content, content, clen);
	if (plen)
		set_bytes(&om->marshalled_properties, props, plen);
	om->timestamp = 1796653066771;
	char err[300];
	bool oom;
	struct message *m = ow_message_to_core(om, DEST_QUEUE, strdup("q"), 1 << 20, &oom, err,
					       sizeof err);
	if (m) {
		out_and_back(m);
		message_unref(m);
	} else if (!err[0]) {
		abort();	/* a refusal always says why */
	}
	ow_obj_free(&om->c.h);
	from_peer(body, blen, hdrs, hlen);
	return 0;
}
