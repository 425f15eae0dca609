/*
 * buf.h - the growable byte buffer used wherever I/O happens.
 *
 * Bytes live in data[off, len). Consuming from the front only moves `off`;
 * the gap is reclaimed lazily when the buffer next grows, so parsing many
 * small frames out of one large read stays linear.
 */
#ifndef TANDEM_BUF_H
#define TANDEM_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t off;	/* first unconsumed byte */
	size_t len;	/* one past the last byte */
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* An empty buf that never held anything has no data: NULL, not NULL + 0,
 * which is undefined (UBSan stopped the openwire_message fuzz harness on
 * a TextMessage without a body). */
static inline char *buf_data(const struct buf *b) { return b->data ? b->data + b->off : NULL; }
static inline size_t buf_len(const struct buf *b) { return b->len - b->off; }

/* Makes room for `want` more bytes and returns where they go; commit them
 * with buf_commit(). NULL when memory runs out. */
char *buf_space(struct buf *b, size_t want);
void buf_commit(struct buf *b, size_t n);

/* Append bytes or formatted text. 0, or -1 when memory runs out. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A signed decimal number, without printf's cost (per-delivery headers). */
int buf_put_i64(struct buf *b, int64_t v);
/* The same digits written at out (not NUL-terminated); their count. */
#define BUF_I64_MAX 20
size_t buf_i64_text(int64_t v, char out[BUF_I64_MAX]);

/* Drops n bytes from the front. */
void buf_consume(struct buf *b, size_t n);
/* Keeps only the first n bytes of the content: undoes what was appended
 * since buf_len() was n (a frame written part way when memory ran out). */
static inline void buf_truncate(struct buf *b, size_t n)
{
	if (n < buf_len(b))
		b->len = b->off + n;
}
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Hands the bytes (NUL-terminated, length in *len) to the caller, who frees
 * them; the buffer is left empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
