/* bc26 tokenizer and ring buffer: the C twin of micropython/bc26/tokenizer.py
 * and ring.py, with the same state machine and the same results for any
 * byte stream, chunking and configuration.
 *
 * No allocation and no global mutable state: every buffer is the caller's.
 * The part between the cdef markers is read verbatim by csrc/build_cffi.py as
 * the cffi cdef, so it holds declarations only (no directives, no macros).
 */
#ifndef BC26_TOK_H
#define BC26_TOK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cdef-begin */

/* Results of bc26_tok_next(). */
enum {
    BC26_NONE = 0,      /* need more bytes */
    BC26_LINE = 1,      /* one line without its end */
    BC26_PROMPT = 2,    /* the data-mode '>' */
    BC26_PAYLOAD = 3    /* counted data (or one piece of it) */
};

/* A byte ring over a caller-supplied buffer. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t head;    /* index of the oldest unread byte */
    size_t count;   /* unread bytes */
    size_t discard; /* stream bytes still to drop as they are written */
    uint32_t discard_space; /* a prompt's space written first goes too */
} bc26_ring;

/* The tokenizer's position in the stream; copied whole by the batch API. */
typedef struct {
    uint32_t state;
    uint32_t swallow_space; /* a '>' was just seen: drop one space */
    uint32_t hex;           /* current payload is hex digits */
    uint32_t quoted;        /* current payload ends with a quote */
    uint32_t commas;        /* commas counted in the current line */
    uint32_t left;          /* payload bytes (decoded) still to copy */
    uint32_t piece;         /* payload bytes already in out for this frame */
    uint32_t length;        /* frame length (partial line while in a line) */
    uint32_t remaining;     /* see the Python twin's docstring */
} bc26_tok_state;

typedef struct {
    uint8_t hex_recv;       /* recv dataformat 1: payloads are hex digits */
    uint8_t showlength;     /* +QIRD: <n>,<remaining> */
    uint8_t push_mask;      /* bit id set: socket id is in direct push mode */
    uint8_t reserved;
    bc26_tok_state s;
} bc26_tok;

void bc26_ring_init(bc26_ring *r, uint8_t *buf, size_t cap);
void bc26_ring_clear(bc26_ring *r);
size_t bc26_ring_free(const bc26_ring *r);
/* Copy as much of data as fits; return how many bytes were taken.  Bytes
 * still to discard are taken first, without being copied (no room needed). */
size_t bc26_ring_write(bc26_ring *r, const uint8_t *data, size_t n);

void bc26_tok_init(bc26_tok *t);
/* Forget any half-read frame; the configuration stays. */
void bc26_tok_reset(bc26_tok *t);
/* A negative argument leaves that setting as it is. */
void bc26_tok_configure(bc26_tok *t, int hex_recv, int showlength,
                        int push_mask);

/* Skip the next n bytes of the stream without framing them (a data-mode
 * echo): the unread ones first, the rest as bc26_ring_write() gets them;
 * calls add up, n = 0 does nothing, r->discard is what is left to drop.
 * The space of a '> ' prompt just handed out is the prompt's, not one of
 * the n, even when it is written later.  Framing goes on after them in the
 * state it was in; bc26_ring_init() and bc26_ring_clear() cancel it. */
void bc26_tok_skip(bc26_tok *t, bc26_ring *r, size_t n);

/* One step: consume ring bytes until a frame is complete in out (at most
 * out_cap bytes, out_cap >= 64, the same buffer on every call). Returns a
 * BC26_* kind; t->s.length and t->s.remaining describe the frame. */
int bc26_tok_next(bc26_tok *t, bc26_ring *r, uint8_t *out, size_t out_cap);

/* Batch API: many frames per call, without committing to them.
 *
 * A bc26_batch holds a tokenizer, its ring and the caller's buffers.
 * bc26_batch_run() tokenizes ahead on a copy of the tokenizer and ring and
 * fills the table: entry i has kind[i] and remaining[i], and its bytes end
 * at arena[end[i]].  Frames lie back to back in the arena, so Python makes
 * all frames of a batch in one call:
 *   - without payloads (payloads == 0), every frame (a LINE; a PROMPT is
 *     empty) is followed by one LF.  A line never holds CR or LF, so
 *     splitting arena[:used] at LF gives the frames in order;
 *   - with payloads, no LF stands between frames, and fmt[:fmt_used] is a
 *     struct format ("<len>s" for each frame, "0s" for the NONE) that
 *     unpacks them all.
 * When the batch stopped because the ring ran dry (rather than for want of
 * table or arena room), entry n is that NONE: kind 0.
 *
 * It returns, packed in one word so that Python need not read the struct:
 * the number of entries (n, or n + 1 with the NONE) in the bits of
 * BC26_RUN_ENTRIES, BC26_RUN_PAYLOADS if payloads != 0, BC26_RUN_REMAINING
 * if any_remaining, BC26_RUN_NONE with the NONE, and the bytes to cut
 * (fmt_used with payloads, used without) from bit BC26_RUN_SIZE_SHIFT on.
 * 0 when there was no frame at all: the batch is then that NONE alone,
 * committed (k = 1) when it is handed out.
 *
 * Neither tok nor ring changes until the caller commits:
 * bc26_batch_sync(k) makes them what bc26_tok_next() would have left after
 * the first k entries (k = n + 1: after the NONE; a half-read frame then
 * moves to the start of the arena, where the next batch continues it).
 * bc26_batch_drop(k) does the same and forgets the rest: call it before
 * changing the configuration, then run again.  bc26_batch_run() first
 * commits all of the previous batch.
 *
 * The caller sets frame_max (64 .. 2**30), cap (table entries, 1 .. 1022),
 * the arrays (kind, remaining, end, consumed and after hold cap + 1
 * entries), arena (frame_max + 1 <= arena_cap <= 2**32 - 1: end[] is
 * 32-bit) and fmt (fmt_cap >= BC26_FMT_ENTRY * (cap + 1)), the ring with
 * bc26_ring_init() and the tokenizer with
 * bc26_tok_init(), then calls bc26_batch_clear(). */
enum { BC26_FMT_ENTRY = 11 };   /* "1073741824s": the longest entry */
enum {
    BC26_RUN_ENTRIES = 1023,
    BC26_RUN_PAYLOADS = 1024,
    BC26_RUN_REMAINING = 2048,
    BC26_RUN_NONE = 4096,
    BC26_RUN_SIZE_SHIFT = 13
};

typedef struct {
    bc26_tok tok;
    bc26_ring ring;
    size_t frame_max;
    size_t cap;
    uint8_t *kind;
    uint32_t *remaining;
    uint32_t *end;
    size_t *consumed;       /* ring bytes taken up to entry i */
    bc26_tok_state *after;  /* tokenizer state after entry i */
    uint8_t *arena;
    size_t arena_cap;
    char *fmt;
    size_t fmt_cap;
    /* results of the last run */
    size_t n;               /* frames in the table (the NONE not counted) */
    size_t used;            /* arena bytes of those frames */
    size_t payloads;        /* PAYLOAD frames among them */
    size_t fmt_used;        /* 0 without payloads */
    uint32_t any_remaining; /* some remaining[i] of a frame is not 0 */
    uint32_t live;          /* the table runs ahead of tok and ring */
    size_t committed;       /* ring bytes of this batch already taken */
} bc26_batch;

/* Forget the table, the ring's bytes and any half-read frame; the
 * configuration stays. */
void bc26_batch_clear(bc26_batch *b);
uint64_t bc26_batch_run(bc26_batch *b);
void bc26_batch_sync(bc26_batch *b, size_t k);
void bc26_batch_drop(bc26_batch *b, size_t k);
/* bc26_batch_sync(k), then bc26_ring_write(): one call per feed. */
size_t bc26_batch_feed(bc26_batch *b, size_t k, const uint8_t *data, size_t n);
/* bc26_batch_sync(k), bc26_ring_write(), then bc26_batch_run(): a feed
 * once a batch is used up, and the next batch, in one call.  *took gets
 * the bytes taken; returns bc26_batch_run()'s word. */
uint64_t bc26_batch_feed_run(bc26_batch *b, size_t k, const uint8_t *data,
                             size_t n, size_t *took);
/* bc26_batch_sync(k), then bc26_ring_free(). */
size_t bc26_batch_free(bc26_batch *b, size_t k);
/* bc26_batch_drop(k), then bc26_tok_skip(n): the frames read ahead are
 * read again, after the bytes skipped. */
void bc26_batch_skip(bc26_batch *b, size_t k, size_t n);

/* cdef-end */

#ifdef __cplusplus
}
#endif

#endif
