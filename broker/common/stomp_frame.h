/*
 * stomp_frame.h - STOMP frames: an incremental parser and the encoder.
 *
 * The parser is a state machine fed whatever bytes arrived, in any chunking
 * (one byte at a time or many frames at once). It is bounded before it
 * allocates: a frame whose content-length exceeds the limit is refused as
 * soon as its headers are read, and a body without content-length is
 * refused as soon as it grows past the limit.
 *
 * Escaping follows the negotiated version: none in 1.0, \\ \n \c in 1.1,
 * and \r as well in 1.2. CONNECT, STOMP and CONNECTED frames are never
 * escaped. EOLs between frames (heart-beats) are skipped; lines may end in
 * LF or CR LF in every version. What ActiveMQ tolerates is tolerated too
 * (stomp_lenient.h): stray NULs before a command, blanks around it, a
 * header line without ':', 1.0 header values with blanks around them.
 */
#ifndef TANDEM_STOMP_FRAME_H
#define TANDEM_STOMP_FRAME_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "header.h"

/* Protocol versions as numbers. */
#define STOMP_V10 10
#define STOMP_V11 11
#define STOMP_V12 12

struct stomp_frame {
	char *command;
	struct header *headers;	/* unescaped, in order received */
	size_t nheaders;
	char *body;		/* NUL-terminated; may also hold NULs */
	size_t body_len;
};
/* A parsed frame and each string in it are separate malloc'ed blocks; the
 * body is never NULL (an empty body is ""). A holder may move strings out
 * and leave NULL behind: headers, a header's name or value, or the body. */

/* First header called `name` (the spec: the first occurrence wins); names
 * left NULL are skipped. */
const char *stomp_frame_header(const struct stomp_frame *f, const char *name);
/* Frees f and whatever strings are still in it; f may be NULL. */
void stomp_frame_free(struct stomp_frame *f);

struct stomp_parser;

/* max_frame_size bounds the raw bytes of command, headers and body (not
 * the final NUL). ActiveMQ's fixed limits apply too: a command line of
 * 1 KB, a header line of 10 KB, 1000 headers. NULL on ENOMEM. */
struct stomp_parser *stomp_parser_new(size_t max_frame_size);
void stomp_parser_free(struct stomp_parser *p);

/* Escaping for frames after CONNECT; STOMP_V10 until set. */
void stomp_parser_set_version(struct stomp_parser *p, int version);
/* A new max_frame_size, from the next frame on (a connection's limit grows
 * once it is logged in, see conn.h). */
void stomp_parser_set_max(struct stomp_parser *p, size_t max_frame_size);
/* Bytes the parser holds for the frame it is gathering (0 between frames
 * once its line buffer was small). */
size_t stomp_parser_held(const struct stomp_parser *p);

/* The reason stomp_parser_feed() gives for a frame over max_frame_size. */
extern const char stomp_err_too_large[];

/* Consumes bytes from data[0, len). Returns how many it used (<= len) and
 * stops right after the first complete frame, which it hands over in *frame
 * (the caller frees it with stomp_frame_free); *frame is NULL when more
 * bytes are needed. On a protocol error (bad header line, bad escape,
 * frame too large, bad content-length) returns -1 and sets *err to a
 * static human-readable reason; the parser must not be fed again. */
ssize_t stomp_parser_feed(struct stomp_parser *p, const char *data, size_t len,
			  struct stomp_frame **frame, const char **err);

/* Encoding. Appends "COMMAND\n" / "name:value\n" (escaped for `version`) /
 * "\n" + body + NUL. stomp_put_header() escapes; the command and end
 * functions write as is. All return 0, or -1 when memory runs out. */
int stomp_put_command(struct buf *out, const char *command);
int stomp_put_header(struct buf *out, int version, const char *name,
		     const char *value);
/* Writes content-length (when body_len > 0 or always_length), the blank
 * line, the body and the NUL. */
int stomp_put_body(struct buf *out, const char *body, size_t body_len,
		   int always_length);

/* Escapes s for a header of `version` onto out. 1.0 has no escaping, but
 * an LF is still written as \n there: a raw one would forge header lines. */
int stomp_escape(struct buf *out, int version, const char *s);
/* Unescapes in[0, len) into a new NUL-terminated string; NULL with *err set
 * on an undefined escape sequence (a protocol error in 1.1 and 1.2). */
char *stomp_unescape(int version, const char *in, size_t len, const char **err);

#endif
