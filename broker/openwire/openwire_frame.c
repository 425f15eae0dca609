/*
 * openwire_frame.c - size-prefixed frames (see openwire_frame.h).
 *
 * Two states: the four size bytes (kept in `head` when they arrive split),
 * then the body. A body that is wholly in the bytes fed is handed out
 * where it lies; otherwise it is gathered in `body`, allocated once the
 * size has been checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openwire_frame.h"

struct ow_frame_reader {
	uint64_t max;
	uint8_t head[4];
	size_t head_got;
	uint32_t size;		/* of the frame being gathered; 0 in the size state */
	uint8_t *body;
	size_t got;
};

struct ow_frame_reader *ow_frame_reader_new(uint64_t max_frame)
{
	struct ow_frame_reader *r = calloc(1, sizeof *r);
	if (r)
		r->max = max_frame;
	return r;
}

void ow_frame_reader_free(struct ow_frame_reader *r)
{
	if (!r)
		return;
	free(r->body);
	free(r);
}

void ow_frame_reader_set_max(struct ow_frame_reader *r, uint64_t max_frame)
{
	r->max = max_frame;
}

size_t ow_frame_reader_held(const struct ow_frame_reader *r)
{
	return r->body ? r->size : r->head_got;
}

/* What Java's OpenWireFormat refuses, and an empty frame, which has no
 * type byte to read. */
static int check_size(const struct ow_frame_reader *r, int32_t size, char err[OW_ERR_MAX])
{
	if (size < 0)
		snprintf(err, OW_ERR_MAX, "frame size %d is negative", (int)size);
	else if (size == 0)
		snprintf(err, OW_ERR_MAX, "empty frame");
	else if ((uint64_t)size > r->max)
		snprintf(err, OW_ERR_MAX, "frame of %d bytes is larger than wireFormat.maxFrameSize %llu",
			 (int)size, (unsigned long long)r->max);
	else
		return 0;
	return -1;
}

ssize_t ow_frame_feed(struct ow_frame_reader *r, const uint8_t *data, size_t len,
		      const uint8_t **frame, size_t *flen, char err[OW_ERR_MAX])
{
	size_t used = 0;
	*frame = NULL;
	*flen = 0;
	if (r->body && r->got == r->size) {	/* handed out last time */
		free(r->body);
		r->body = NULL;
		r->size = 0;
	}
	if (!r->body) {
		size_t n = len < 4 - r->head_got ? len : 4 - r->head_got;
		memcpy(r->head + r->head_got, data, n);
		r->head_got += n;
		used += n;
		if (r->head_got < 4)
			return (ssize_t)used;
		int32_t size = (int32_t)((uint32_t)r->head[0] << 24 | (uint32_t)r->head[1] << 16 |
					 (uint32_t)r->head[2] << 8 | r->head[3]);
		if (check_size(r, size, err) < 0)
			return -1;
		r->head_got = 0;
		if (len - used >= (size_t)size) {
			*frame = data + used;
			*flen = (size_t)size;
			return (ssize_t)(used + (size_t)size);
		}
		r->body = malloc((size_t)size);
		if (!r->body) {
			snprintf(err, OW_ERR_MAX, "out of memory for a frame of %d bytes", (int)size);
			return -1;
		}
		r->size = (uint32_t)size;
		r->got = 0;
	}
	size_t n = len - used < r->size - r->got ? len - used : r->size - r->got;
	memcpy(r->body + r->got, data + used, n);
	r->got += n;
	used += n;
	if (r->got == r->size) {
		*frame = r->body;
		*flen = r->size;
	}
	return (ssize_t)used;
}
