/*
 * openwire_frame.h - OpenWire's size-prefixed frames, cut out of the bytes
 * a connection reads, in any chunking.
 *
 * A frame is a 32-bit big-endian size, then that many bytes: the command's
 * type byte and its body (openwire_codec.h reads them). The size is
 * checked before anything is allocated: negative, zero, or larger than
 * wireFormat.maxFrameSize is refused as soon as its four bytes are in, and
 * a frame that arrives in pieces is gathered in a buffer of exactly its
 * size. A frame wholly inside the bytes fed is not copied.
 *
 * SizePrefixDisabled is never negotiated (openwire_wireformat.h): every
 * frame Tandem reads and writes has its size.
 */
#ifndef TANDEM_OPENWIRE_FRAME_H
#define TANDEM_OPENWIRE_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "openwire_wire.h"

struct ow_frame_reader;

/* max_frame: the largest size accepted (wireFormat.maxFrameSize). NULL on
 * ENOMEM. */
struct ow_frame_reader *ow_frame_reader_new(uint64_t max_frame);
void ow_frame_reader_free(struct ow_frame_reader *r);
/* From the next frame on (the negotiated maximum may be lower). */
void ow_frame_reader_set_max(struct ow_frame_reader *r, uint64_t max_frame);
/* Bytes held for a frame arriving in pieces. */
size_t ow_frame_reader_held(const struct ow_frame_reader *r);

/* Consumes bytes from data[0, len) and returns how many it used (<= len),
 * stopping right after the first complete frame: *frame and *flen are
 * then its type byte and body (in data, or in the reader's buffer), valid
 * until the next call; *frame is NULL when more bytes are needed. On a
 * bad size returns -1 with the reason in err; the reader must not be fed
 * again (the connection is closed). */
ssize_t ow_frame_feed(struct ow_frame_reader *r, const uint8_t *data, size_t len,
		      const uint8_t **frame, size_t *flen, char err[OW_ERR_MAX]);

#endif
