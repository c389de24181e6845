/* bc26 tokenizer and ring buffer: the C twin of micropython/bc26/tokenizer.py.
 *
 * The step function follows the Python twin state by state, so that both
 * give the same frames for any input; read the two side by side. */
#include <string.h>

#include "bc26_tok.h"

enum {
    ST_START = 0,       /* at a line start: skip line ends, spot the prompt */
    ST_LINE = 1,        /* inside a line */
    ST_EOL_LF = 2,      /* a counted header ended in CR: an LF may follow */
    ST_INLINE = 3,      /* a counted header ended in a comma: quoted data? */
    ST_DATA = 4,        /* copying a counted payload */
    ST_CLOSE_QUOTE = 5
};

#define CR 13
#define LF 10
#define COMMA 44
#define QUOTE 34
#define PROMPT_CHAR 62
#define SPACE 32
#define PLUS 43

/* Hex digit value + 1; 0 = not a digit (decoded as 0, as in the twin). */
static const uint8_t hex1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
    ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* Bytes that end a run of plain line bytes: CR, LF and comma. */
static const uint8_t special[256] = {[CR] = 1, [LF] = 1, [COMMA] = 1};

static const uint8_t qird[7] = {'+', 'Q', 'I', 'R', 'D', ':', ' '};
static const uint8_t qiurc_recv[15] = {'+', 'Q', 'I', 'U', 'R', 'C', ':', ' ',
                                       '"', 'r', 'e', 'c', 'v', '"', ','};

/* ---- ring ------------------------------------------------------------- */

void bc26_ring_init(bc26_ring *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap;
    r->head = 0;
    r->count = 0;
    r->discard = 0;
    r->discard_space = 0;
}

void bc26_ring_clear(bc26_ring *r)
{
    r->head = 0;
    r->count = 0;
    r->discard = 0;
    r->discard_space = 0;
}

size_t bc26_ring_free(const bc26_ring *r)
{
    return r->cap - r->count;
}

size_t bc26_ring_write(bc26_ring *r, const uint8_t *data, size_t n)
{
    size_t room = r->cap - r->count, tail, first, dropped = 0;
    if (r->discard && n) {
        /* while bytes are to be discarded, none are unread: the ring is
           empty, and what follows them goes in as usual */
        size_t d = r->discard;
        if (r->discard_space) {
            r->discard_space = 0;
            if (data[0] == SPACE)
                d++; /* the prompt's space: not one of the skipped bytes */
        }
        dropped = d < n ? d : n;
        r->discard = d - dropped;
        data += dropped;
        n -= dropped;
    }
    if (n > room)
        n = room;
    if (n == 0)
        return dropped;
    tail = r->head + r->count;
    if (tail >= r->cap)
        tail -= r->cap;
    first = r->cap - tail;
    if (first > n)
        first = n;
    memcpy(r->buf + tail, data, first);
    if (n > first)
        memcpy(r->buf, data + first, n - first);
    r->count += n;
    return dropped + n;
}

static void ring_skip(bc26_ring *r, size_t n)
{
    r->head += n;
    if (r->head >= r->cap)
        r->head -= r->cap;
    r->count -= n;
}

static uint8_t ring_peek(const bc26_ring *r, size_t i)
{
    size_t j = r->head + i;
    if (j >= r->cap)
        j -= r->cap;
    return r->buf[j];
}

/* ---- configuration ------------------------------------------------------ */

void bc26_tok_reset(bc26_tok *t)
{
    memset(&t->s, 0, sizeof t->s);
}

void bc26_tok_init(bc26_tok *t)
{
    t->hex_recv = 0;
    t->showlength = 0;
    t->push_mask = 0;
    t->reserved = 0;
    bc26_tok_reset(t);
}

void bc26_tok_configure(bc26_tok *t, int hex_recv, int showlength,
                        int push_mask)
{
    if (hex_recv >= 0)
        t->hex_recv = hex_recv ? 1 : 0;
    if (showlength >= 0)
        t->showlength = showlength ? 1 : 0;
    if (push_mask >= 0)
        t->push_mask = (uint8_t)(push_mask & 31);
}

void bc26_tok_skip(bc26_tok *t, bc26_ring *r, size_t n)
{
    size_t k;
    if (n == 0)
        return;
    if (t->s.swallow_space) {
        /* the space after '>' is the prompt's: the skipped bytes follow it */
        t->s.swallow_space = 0;
        if (r->count == 0)
            r->discard_space = 1; /* decided by the first byte written */
        else if (r->buf[r->head] == SPACE)
            ring_skip(r, 1);
    }
    k = r->count < n ? r->count : n;
    if (k)
        ring_skip(r, k);
    r->discard += n - k;
}

/* ---- header recognition --------------------------------------------------- */

/* Index of the first comma in out[start:end], or -1. */
static long find_comma(const uint8_t *out, long start, long end)
{
    long i;
    for (i = start; i < end; i++)
        if (out[i] == COMMA)
            return i;
    return -1;
}

/* Decimal value of out[start:end], or -1 if it is not 1..9 digits. */
static long number(const uint8_t *out, long start, long end)
{
    long v = 0, i;
    if (start >= end || end - start > 9)
        return -1;
    for (i = start; i < end; i++) {
        unsigned c = (unsigned)out[i] - '0';
        if (c > 9)
            return -1;
        v = v * 10 + (long)c;
    }
    return v;
}

/* Payload length announced by the line out[:n], or -1 (see the twin). */
static long header(const bc26_tok *t, const uint8_t *out, long n,
                   uint32_t commas, int eol)
{
    long start, value = -1;
    if (n > 7 && out[1] == 'Q' && memcmp(out, qird, 7) == 0) {
        uint32_t need = 1u + t->showlength, have = commas + 1u;
        if (have > need || (!eol && have != need))
            return -1;
        start = 7;
    } else if (n > 15 && out[1] == 'Q' && memcmp(out, qiurc_recv, 15) == 0) {
        long comma, cid;
        if (commas != 2 || !t->push_mask)
            return -1;
        comma = find_comma(out, 15, n);
        cid = number(out, 15, comma);
        if (cid < 0 || cid > 4 || !((t->push_mask >> cid) & 1))
            return -1;
        start = comma + 1;
    } else {
        return -1;
    }
    while (start <= n) {
        long end = find_comma(out, start, n), v;
        if (end < 0)
            end = n;
        v = number(out, start, end);
        if (v < 0)
            return -1;
        if (value < 0)
            value = v;
        start = end + 1;
    }
    /* AT+QIRD never returns more than 512 bytes: a longer "length" is a
       damaged header, and taking it by count would swallow the replies */
    if (out[3] == 'R' && value > 512)
        return -1;
    return value > 0 ? value : -1;
}

static void start_payload(bc26_tok_state *s, long n, uint32_t hexdata)
{
    s->left = (uint32_t)n;
    s->hex = hexdata;
    s->quoted = 0;
    s->piece = 0;
    s->remaining = (uint32_t)n;
    s->state = ST_DATA;
}

/* 0 raw, 1 quoted as configured, 2 quoted hex; -1 wait for bytes. */
static int inline_kind(const bc26_tok_state *s, const bc26_ring *r)
{
    size_t n;
    uint8_t c;
    if (r->count == 0)
        return -1;
    if (ring_peek(r, 0) != QUOTE)
        return 0;
    if (s->hex)
        return 1;
    /* Raw text may start with a quote: it is quoted only when a closing
     * quote (text) or more hex digits (hex) stand where raw data would be
     * followed by its line end. */
    n = s->left;
    if (n + 2 > r->cap)
        return 0;
    if (r->count < n + 2)
        return r->count == r->cap ? 0 : -1;
    c = ring_peek(r, n + 1);
    if (c == QUOTE)
        return 1;
    if (hex1[c])
        return 2;
    return 0;
}

/* Move payload bytes from the ring to out; 1 when a frame is ready. */
static int copy_payload(bc26_tok_state *s, bc26_ring *r, uint8_t *out,
                        size_t omax)
{
    size_t n = s->piece, left = s->left;
    if (s->hex) {
        while (left && n < omax && r->count >= 2) {
            unsigned hi = hex1[ring_peek(r, 0)], lo = hex1[ring_peek(r, 1)];
            ring_skip(r, 2);
            out[n++] = (uint8_t)(((hi ? hi - 1 : 0) << 4) | (lo ? lo - 1 : 0));
            left--;
        }
    } else {
        while (left && n < omax && r->count) {
            size_t k = r->cap - r->head;
            if (k > r->count)
                k = r->count;
            if (k > left)
                k = left;
            if (k > omax - n)
                k = omax - n;
            memcpy(out + n, r->buf + r->head, k);
            ring_skip(r, k);
            n += k;
            left -= k;
        }
    }
    s->left = (uint32_t)left;
    if (left && n < omax) {
        s->piece = (uint32_t)n;
        return 0;
    }
    /* a frame: the whole payload, or a full piece of a long one */
    s->piece = 0;
    s->length = (uint32_t)n;
    s->remaining = (uint32_t)left;
    if (left == 0)
        s->state = s->quoted ? ST_CLOSE_QUOTE : ST_START;
    return 1;
}

/* ---- the step function ---------------------------------------------------- */

int bc26_tok_next(bc26_tok *t, bc26_ring *r, uint8_t *out, size_t out_cap)
{
    bc26_tok_state *s = &t->s;
    const uint8_t *buf = r->buf;
    for (;;) {
        switch (s->state) {
        case ST_START: {
            uint8_t c;
            while (r->count && (buf[r->head] == CR || buf[r->head] == LF))
                ring_skip(r, 1); /* blank lines vanish */
            if (r->count == 0)
                return BC26_NONE;
            c = buf[r->head];
            if (c == SPACE && s->swallow_space) {
                s->swallow_space = 0;
                ring_skip(r, 1);
                continue;
            }
            s->swallow_space = 0;
            if (c == PROMPT_CHAR) {
                ring_skip(r, 1);
                s->swallow_space = 1;
                s->length = 0;
                return BC26_PROMPT;
            }
            s->length = 0;
            s->remaining = 0;
            s->commas = 0;
            s->state = ST_LINE;
            break;
        }
        case ST_LINE: {
            /* the hot loop: ring position kept in locals */
            size_t n = s->length, head = r->head, count = r->count;
            size_t cap = r->cap;
            uint32_t commas = s->commas;
            while (count) {
                uint8_t c;
                /* a run of plain bytes, while it fits: copied in one go */
                if (n < out_cap) {
                    size_t seg = cap - head, k;
                    const uint8_t *p = buf + head, *e;
                    uint8_t *o = out + n;
                    if (seg > count)
                        seg = count;
                    if (seg > out_cap - n)
                        seg = out_cap - n;
                    e = p + seg;
                    while (p < e && !special[*p])
                        *o++ = *p++;
                    k = (size_t)(p - (buf + head));
                    n += k;
                    head += k;
                    if (head == cap)
                        head = 0;
                    count -= k;
                    if (!count)
                        break;
                }
                /* one line end, comma, or byte past out_cap */
                c = buf[head];
                if (++head == cap)
                    head = 0;
                count--;
                if (c == CR || c == LF) {
                    long v;
                    r->head = head;
                    r->count = count;
                    s->length = (uint32_t)n;
                    v = header(t, out, (long)n, commas, 1);
                    if (v > 0) {
                        start_payload(s, v, t->hex_recv);
                        if (c == CR)
                            s->state = ST_EOL_LF;
                    } else {
                        s->state = ST_START;
                    }
                    return BC26_LINE;
                }
                if (c == COMMA && n < 40 && out[0] == PLUS) {
                    long v = header(t, out, (long)n, commas, 0);
                    if (v > 0) {
                        r->head = head;
                        r->count = count;
                        s->length = (uint32_t)n;
                        start_payload(s, v, t->hex_recv);
                        s->state = ST_INLINE;
                        return BC26_LINE;
                    }
                    commas++;
                }
                if (n < out_cap)
                    out[n++] = c;
            }
            r->head = head;
            r->count = count;
            s->length = (uint32_t)n;
            s->commas = commas;
            return BC26_NONE;
        }
        case ST_EOL_LF:
            if (r->count == 0)
                return BC26_NONE;
            if (buf[r->head] == LF)
                ring_skip(r, 1);
            s->state = ST_DATA;
            break;
        case ST_INLINE: {
            int kind = inline_kind(s, r);
            if (kind < 0)
                return BC26_NONE;
            if (kind > 0) {
                ring_skip(r, 1); /* the opening quote */
                s->quoted = 1;
                if (kind == 2)
                    s->hex = 1;
            }
            s->state = ST_DATA;
            break;
        }
        case ST_DATA:
            return copy_payload(s, r, out, out_cap) ? BC26_PAYLOAD
                                                    : BC26_NONE;
        default: /* ST_CLOSE_QUOTE */
            if (r->count == 0)
                return BC26_NONE;
            if (buf[r->head] == QUOTE)
                ring_skip(r, 1);
            s->state = ST_START;
            break;
        }
    }
}

/* ---- batch API -------------------------------------------------------------- */

static void forget(bc26_batch *b)
{
    b->live = 0;
    b->n = 0;
    b->used = 0;
    b->payloads = 0;
    b->fmt_used = 0;
    b->any_remaining = 0;
    b->committed = 0;
}

void bc26_batch_clear(bc26_batch *b)
{
    bc26_ring_clear(&b->ring);
    bc26_tok_reset(&b->tok);
    forget(b);
}

/* Commit the end state of a live batch; a half-read frame moves to the
 * start of the arena, where the next batch continues it. */
static void finish(bc26_batch *b)
{
    const bc26_tok_state *s = &b->tok.s;
    size_t partial = 0;
    if (!b->live)
        return;
    ring_skip(&b->ring, b->consumed[b->n] - b->committed);
    b->tok.s = b->after[b->n];
    if (s->state == ST_LINE)
        partial = s->length;
    else if (s->state == ST_DATA)
        partial = s->piece;
    if (partial && b->used)
        memmove(b->arena, b->arena + b->used, partial);
    forget(b);
}

/* Decimal digits of v at p; returns the end. */
static char *put_uint(char *p, uint32_t v)
{
    char tmp[10];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        *p++ = tmp[--k];
    return p;
}

/* The struct format of the table's frames (and its NONE, if any): the
 * frames of a batch with payloads lie back to back, without LFs. */
static void write_fmt(bc26_batch *b, size_t entries)
{
    char *p = b->fmt;
    size_t i;
    uint32_t start = 0;
    for (i = 0; i < b->n; i++) {
        p = put_uint(p, b->end[i] - start);
        *p++ = 's';
        start = b->end[i];
    }
    if (entries > b->n) {
        *p++ = '0';
        *p++ = 's';
    }
    b->fmt_used = (size_t)(p - b->fmt);
}

/* The first payload of a batch has just been written at arena[used:used +
 * len]: drop the LF after each of the n frames before it (all lines or
 * prompts) and move the payload down after them.  Returns the new used.
 * Why: struct compiles a pad code per LF, which doubles its work. */
static size_t pack(bc26_batch *b, size_t n, size_t used, size_t len)
{
    size_t i, to = 0, from = 0;
    for (i = 0; i < n; i++) {
        size_t k = b->end[i] - from;
        if (to != from)
            memmove(b->arena + to, b->arena + from, k);
        to += k;
        from = b->end[i] + 1;
        b->end[i] = (uint32_t)to;
    }
    if (to != used)
        memmove(b->arena + to, b->arena + used, len);
    return to;
}

uint64_t bc26_batch_run(bc26_batch *b)
{
    bc26_tok w;
    bc26_ring rr;
    size_t n = 0, used = 0, payloads = 0, c0;
    size_t fmax = b->frame_max;
    uint32_t any_remaining = 0;
    int kind = BC26_NONE;
    finish(b);
    w = b->tok;
    rr = b->ring;
    c0 = rr.count;
    while (n < b->cap && used + fmax < b->arena_cap) {
        kind = bc26_tok_next(&w, &rr, b->arena + used, fmax);
        if (kind == BC26_NONE)
            break;
        if (kind == BC26_PAYLOAD) {
            if (!payloads++)
                used = pack(b, n, used, w.s.length);
            used += w.s.length;
            b->end[n] = (uint32_t)used;
        } else {
            used += w.s.length;
            b->end[n] = (uint32_t)used;
            if (!payloads)
                b->arena[used++] = LF; /* split at LF while no payload */
        }
        b->kind[n] = (uint8_t)kind;
        b->remaining[n] = w.s.remaining;
        any_remaining |= w.s.remaining;
        b->consumed[n] = c0 - rr.count;
        b->after[n] = w.s;
        n++;
    }
    b->consumed[n] = c0 - rr.count;
    b->after[n] = w.s;
    b->n = n;
    b->used = used;
    b->payloads = payloads;
    b->any_remaining = any_remaining;
    b->committed = 0;
    b->live = 1;
    if (n == 0)
        return 0; /* only a NONE: live until committed, like any batch */
    if (kind == BC26_NONE) {
        b->kind[n] = BC26_NONE;
        b->remaining[n] = 0;
        b->end[n] = (uint32_t)used;
    }
    b->fmt_used = 0;
    if (payloads)
        write_fmt(b, n + (kind == BC26_NONE));
    return (uint64_t)(n + (kind == BC26_NONE)) |
           (payloads ? BC26_RUN_PAYLOADS : 0) |
           (any_remaining ? BC26_RUN_REMAINING : 0) |
           (kind == BC26_NONE ? BC26_RUN_NONE : 0) |
           (uint64_t)(payloads ? b->fmt_used : used) << BC26_RUN_SIZE_SHIFT;
}

void bc26_batch_sync(bc26_batch *b, size_t k)
{
    if (!b->live || k == 0)
        return;
    if (k > b->n) {
        finish(b);
        return;
    }
    /* every frame takes ring bytes: consumed[] only grows, and a k at or
       before what is committed already has nothing left to do */
    if (b->consumed[k - 1] <= b->committed)
        return;
    ring_skip(&b->ring, b->consumed[k - 1] - b->committed);
    b->committed = b->consumed[k - 1];
    b->tok.s = b->after[k - 1];
}

void bc26_batch_drop(bc26_batch *b, size_t k)
{
    /* after a frame (k >= 1) nothing is half read; with k = 0 a half-read
       frame the batch continued is still where it started */
    bc26_batch_sync(b, k);
    forget(b);
}

size_t bc26_batch_feed(bc26_batch *b, size_t k, const uint8_t *data, size_t n)
{
    bc26_batch_sync(b, k);
    return bc26_ring_write(&b->ring, data, n);
}

uint64_t bc26_batch_feed_run(bc26_batch *b, size_t k, const uint8_t *data,
                             size_t n, size_t *took)
{
    *took = bc26_batch_feed(b, k, data, n);
    return bc26_batch_run(b);
}

size_t bc26_batch_free(bc26_batch *b, size_t k)
{
    bc26_batch_sync(b, k);
    return b->ring.cap - b->ring.count;
}

void bc26_batch_skip(bc26_batch *b, size_t k, size_t n)
{
    bc26_batch_drop(b, k);
    bc26_tok_skip(&b->tok, &b->ring, n);
}
