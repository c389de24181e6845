/* Test harness for bc26_tok.c, built with sanitizers by
 * tests/twins/test_twin_sanitizers.py.
 *
 * Reads a corpus (tests/twins/twin_grammar.py writes it): cases, each a
 * header line
 *   case <len> <capacity> <frame_max> <hex> <showlength> <mask> <seed>
 *        <chunk_max> <npins> {<after_frame> <hex> <showlength> <mask>}
 * then <len> stream bytes and a newline.  Each case is run twice: through
 * bc26_tok_next() with random chunk sizes, and through the batch API with
 * random commits, small tables and arenas; both must give the same frames.
 * The frames go to stdout, one a line: "L <remaining> <hex>", "P",
 * "D <remaining> <hex>", after a "case <n>" line.  Then each case runs
 * twice more, with runs of random junk put in the stream and dropped by
 * bc26_tok_skip() / bc26_batch_skip(): the frames must stay the same.
 *
 * Buffers are malloc'd at their exact sizes so that the address sanitizer
 * sees any access past them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc26_tok.h"

#define MAX_PINS 64

typedef struct {
    size_t len, capacity, frame_max, chunk_max, npins;
    int hex, showlength, mask;
    unsigned long long seed;
    size_t pin_at[MAX_PINS];
    int pin_hex[MAX_PINS], pin_sl[MAX_PINS], pin_mask[MAX_PINS];
    uint8_t *data;
} test_case;

typedef struct {
    char *p;
    size_t len, cap;
} text;

static void die(const char *msg)
{
    fprintf(stderr, "harness: %s\n", msg);
    exit(2);
}

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->p = realloc(t->p, cap);
        if (!t->p)
            die("out of memory");
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

static void put_frame(text *t, int kind, const uint8_t *f, size_t n,
                      size_t remaining)
{
    static const char digits[] = "0123456789abcdef";
    char head[64];
    size_t i;
    if (kind == BC26_PROMPT) {
        put(t, "P\n", 2);
        return;
    }
    snprintf(head, sizeof head, "%c %lu ", kind == BC26_LINE ? 'L' : 'D',
             (unsigned long)remaining);
    put(t, head, strlen(head));
    for (i = 0; i < n; i++) {
        char h[2];
        h[0] = digits[f[i] >> 4];
        h[1] = digits[f[i] & 15];
        put(t, h, 2);
    }
    put(t, "\n", 1);
}

static unsigned long long rng_state;

static unsigned long long rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static size_t rnd_in(size_t lo, size_t hi)
{
    return lo + (size_t)(rnd() % (hi - lo + 1));
}

static int read_case(FILE *f, test_case *c)
{
    unsigned long v[9];
    size_t i;
    int r = fscanf(f, "case %lu %lu %lu %lu %lu %lu %lu %lu %lu", &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
    if (r == EOF)
        return 0;
    if (r != 9)
        die("bad case header");
    c->len = v[0];
    c->capacity = v[1];
    c->frame_max = v[2];
    c->hex = (int)v[3];
    c->showlength = (int)v[4];
    c->mask = (int)v[5];
    c->seed = v[6];
    c->chunk_max = v[7] ? v[7] : 1;
    c->npins = v[8];
    if (c->npins > MAX_PINS)
        die("too many pins");
    for (i = 0; i < c->npins; i++) {
        unsigned long at, h, s, m;
        if (fscanf(f, "%lu %lu %lu %lu", &at, &h, &s, &m) != 4)
            die("bad pin");
        c->pin_at[i] = at;
        c->pin_hex[i] = (int)h;
        c->pin_sl[i] = (int)s;
        c->pin_mask[i] = (int)m;
    }
    if (fgetc(f) != '\n')
        die("no newline after header");
    c->data = malloc(c->len ? c->len : 1);
    if (!c->data)
        die("out of memory");
    if (fread(c->data, 1, c->len, f) != c->len)
        die("short stream");
    if (fgetc(f) != '\n')
        die("no newline after stream");
    return 1;
}

/* Apply the pins due after `frames` frames; 1 if any. */
static int apply_pins(const test_case *c, size_t *pin, size_t frames,
                      bc26_tok *t)
{
    int any = 0;
    while (*pin < c->npins && c->pin_at[*pin] <= frames) {
        bc26_tok_configure(t, c->pin_hex[*pin], c->pin_sl[*pin],
                           c->pin_mask[*pin]);
        (*pin)++;
        any = 1;
    }
    return any;
}

static size_t chunk(const test_case *c, size_t pos)
{
    return rnd_in(1, c->len - pos < c->chunk_max ? c->len - pos : c->chunk_max);
}

static void run_step(const test_case *c, text *out)
{
    uint8_t *buf = malloc(c->capacity), *frame = malloc(c->frame_max);
    bc26_ring r;
    bc26_tok t;
    size_t pos = 0, frames = 0, pin = 0;
    if (!buf || !frame)
        die("out of memory");
    bc26_ring_init(&r, buf, c->capacity);
    bc26_tok_init(&t);
    bc26_tok_configure(&t, c->hex, c->showlength, c->mask);
    rng_state = c->seed * 2 + 1;
    for (;;) {
        int kind;
        while ((kind = bc26_tok_next(&t, &r, frame, c->frame_max))) {
            if (t.s.length > c->frame_max)
                die("frame longer than frame_max");
            put_frame(out, kind, frame, t.s.length, t.s.remaining);
            apply_pins(c, &pin, ++frames, &t);
        }
        if (pos >= c->len)
            break;
        pos += bc26_ring_write(&r, c->data + pos, chunk(c, pos));
    }
    free(buf);
    free(frame);
}

/* Frame i of the batch (not the NONE): its bytes and *len.  *pos walks
 * the arena: without payloads each frame is followed by LF, with payloads
 * frames are back to back. */
static const uint8_t *batch_frame(const bc26_batch *b, size_t i, size_t *pos,
                                  size_t *len)
{
    const uint8_t *f = b->arena + *pos;
    if (b->end[i] < *pos || b->end[i] > b->used)
        die("bad frame end");
    *len = b->end[i] - *pos;
    *pos = b->end[i];
    if (b->kind[i] != BC26_PAYLOAD) {
        if (memchr(f, '\n', *len) || memchr(f, '\r', *len))
            die("line holding a line end");
        if (b->kind[i] == BC26_PROMPT && *len)
            die("prompt with bytes");
    }
    if (!b->payloads) {
        if (*pos >= b->used || b->arena[*pos] != '\n')
            die("frame without its LF");
        (*pos)++;
    }
    return f;
}

/* The struct format the batch wrote: "<len>s" a frame, "0s" for the NONE;
 * it must match the table. */
static void check_fmt(const bc26_batch *b, size_t m)
{
    char want[BC26_FMT_ENTRY + 1];
    size_t i, pos = 0, at = 0;
    if (!b->payloads) {
        if (b->fmt_used)
            die("format without payloads");
        return;
    }
    for (i = 0; i < m; i++) {
        size_t len = i < b->n ? b->end[i] - pos : 0;
        int k = snprintf(want, sizeof want, "%lus", (unsigned long)len);
        if (at + (size_t)k > b->fmt_used ||
            memcmp(b->fmt + at, want, (size_t)k) != 0)
            die("format does not match the table");
        at += (size_t)k;
        if (i < b->n)
            pos = b->end[i];
    }
    if (at != b->fmt_used)
        die("format longer than the table");
}

#define NO_WORD (~(uint64_t)0)

/* A batch over a ring of c->capacity bytes, a table of tcap entries and
 * an arena of arena_cap bytes, configured as the case says. */
static void batch_new(bc26_batch *b, const test_case *c, size_t tcap,
                      size_t arena_cap)
{
    size_t fmt_cap = BC26_FMT_ENTRY * (tcap + 1);
    uint8_t *buf = malloc(c->capacity);
    memset(b, 0, sizeof *b);
    b->frame_max = c->frame_max;
    b->cap = tcap;
    b->kind = malloc(tcap + 1);
    b->remaining = malloc((tcap + 1) * sizeof *b->remaining);
    b->end = malloc((tcap + 1) * sizeof *b->end);
    b->consumed = malloc((tcap + 1) * sizeof *b->consumed);
    b->after = malloc((tcap + 1) * sizeof *b->after);
    b->arena = malloc(arena_cap);
    b->arena_cap = arena_cap;
    b->fmt = malloc(fmt_cap);
    b->fmt_cap = fmt_cap;
    if (!buf || !b->kind || !b->remaining || !b->end || !b->consumed ||
        !b->after || !b->arena || !b->fmt)
        die("out of memory");
    bc26_ring_init(&b->ring, buf, c->capacity);
    bc26_tok_init(&b->tok);
    bc26_tok_configure(&b->tok, c->hex, c->showlength, c->mask);
    bc26_batch_clear(b);
}

static void batch_free(bc26_batch *b)
{
    free(b->ring.buf);
    free(b->kind);
    free(b->remaining);
    free(b->end);
    free(b->consumed);
    free(b->after);
    free(b->arena);
    free(b->fmt);
}

static void run_batch(const test_case *c, text *out)
{
    /* a small table and, now and then, an arena barely above frame_max:
     * batches stop for want of room as well as at NONE */
    size_t tcap = rnd_in(1, 9), i;
    size_t arena_cap = rnd_in(0, 1) ? c->frame_max + 1 + rnd_in(0, 200)
                                    : c->capacity + 2 * c->frame_max + 1;
    bc26_batch b;
    size_t pos = 0, frames = 0, pin = 0;
    uint64_t pending = NO_WORD;
    batch_new(&b, c, tcap, arena_cap);
    for (;;) {
        /* the batch bc26_batch_feed_run() ran, or a new one */
        uint64_t word = pending != NO_WORD ? pending : bc26_batch_run(&b);
        size_t m = (size_t)(word & BC26_RUN_ENTRIES), at = 0, payloads = 0;
        int fed = 0, at_none = m == 0;
        uint32_t any_remaining = 0;
        pending = NO_WORD;
        for (i = 0; i < b.n && m; i++) {
            any_remaining |= b.remaining[i];
            payloads += b.kind[i] == BC26_PAYLOAD;
        }
        if (any_remaining != b.any_remaining || payloads != b.payloads)
            die("any_remaining or payloads is wrong");
        if (m && (!(word & BC26_RUN_PAYLOADS) != !payloads ||
                  !(word & BC26_RUN_REMAINING) != !any_remaining ||
                  !(word & BC26_RUN_NONE) != (m == b.n) ||
                  word >> BC26_RUN_SIZE_SHIFT !=
                      (payloads ? b.fmt_used : b.used)))
            die("the returned word does not match the batch");
        if (!m && word)
            die("no entries, yet a word");
        if (m)
            check_fmt(&b, m);
        if (m && rnd_in(0, 7) == 0) {
            /* nothing handed out yet: drop it all and read it again (a
             * half-read frame the batch continued must still be there) */
            bc26_batch_drop(&b, 0);
            continue;
        }
        for (i = 0; i < m; i++) {
            const uint8_t *f;
            size_t len;
            if (b.kind[i] == BC26_NONE) {
                if (i != m - 1 || i != b.n || at != b.used)
                    die("bad NONE entry");
                at_none = 1;
                if (rnd_in(0, 1))
                    bc26_batch_sync(&b, i + 1);
                break;
            }
            f = batch_frame(&b, i, &at, &len);
            if (len > c->frame_max)
                die("frame longer than frame_max");
            put_frame(out, b.kind[i], f, len, b.remaining[i]);
            frames++;
            if (apply_pins(c, &pin, frames, &b.tok)) {
                /* frames read ahead under the old configuration are read
                 * again (the drop restores the state, not the settings) */
                bc26_batch_drop(&b, i + 1);
                break;
            }
            if (rnd_in(0, 3) == 0)
                bc26_batch_sync(&b, i + 1);
            if (rnd_in(0, 7) == 0 &&
                bc26_batch_free(&b, i + 1) != b.ring.cap - b.ring.count)
                die("bc26_batch_free disagrees with the ring");
            if (pos < c->len && rnd_in(0, 5) == 0) {
                /* feeding mid-batch, committed or not, is allowed */
                pos += bc26_batch_feed(&b, rnd_in(0, 1) ? i + 1 : 0,
                                       c->data + pos, chunk(c, pos));
                fed = 1;
            }
        }
        if (at_none && !fed) {
            size_t took;
            if (pos >= c->len)
                break;
            /* all handed out (a frameless batch: its NONE, k = 1): commit,
             * copy and, now and then, run the next batch in the same call */
            if (rnd_in(0, 1)) {
                word = bc26_batch_feed_run(&b, m ? m : 1, c->data + pos,
                                           chunk(c, pos), &took);
                pos += took;
                pending = word;
                continue;
            }
            pos += bc26_batch_feed(&b, rnd_in(0, 1) ? (m ? m : 1) : 0,
                                   c->data + pos, chunk(c, pos));
        }
    }
    batch_free(&b);
}

/* A run of random junk of random length (up to two rings), malloc'd at its
 * exact size; *len gets the length. */
static uint8_t *junk(const test_case *c, size_t *len)
{
    size_t i, n = rnd_in(0, 2 * c->capacity);
    uint8_t *j = malloc(n ? n : 1);
    if (!j)
        die("out of memory");
    for (i = 0; i < n; i++)
        j[i] = (uint8_t)rnd();
    *len = n;
    return j;
}

/* Junk may go in where the ring is drained (nothing unread) and no
 * prompt's space is awaited: skipping it leaves the frames as they were. */
static int junk_fits(const bc26_tok *t, const bc26_ring *r)
{
    return r->count == 0 && !t->s.swallow_space && rnd_in(0, 3) == 0;
}

/* The rest of a junk run, fed after the skip in random chunks: taken whole
 * and dropped. */
static void feed_junk(const test_case *c, bc26_batch *b, bc26_ring *r,
                      const uint8_t *j, size_t pos, size_t len)
{
    while (pos < len) {
        size_t k = rnd_in(1, len - pos < c->chunk_max ? len - pos
                                                        : c->chunk_max);
        size_t took = b ? bc26_batch_feed(b, 0, j + pos, k)
                        : bc26_ring_write(r, j + pos, k);
        if (took != k)
            die("skipped bytes not all taken");
        pos += k;
        if (r->count)
            die("skipped bytes went into the ring");
    }
    if (r->discard)
        die("skip count left over");
}

/* run_step() with junk in the stream, part of it written before the skip
 * (unread bytes are skipped first), the rest after it. */
static void run_skip_step(const test_case *c, text *out)
{
    uint8_t *buf = malloc(c->capacity), *frame = malloc(c->frame_max);
    bc26_ring r;
    bc26_tok t;
    size_t pos = 0, frames = 0, pin = 0;
    if (!buf || !frame)
        die("out of memory");
    bc26_ring_init(&r, buf, c->capacity);
    bc26_tok_init(&t);
    bc26_tok_configure(&t, c->hex, c->showlength, c->mask);
    for (;;) {
        int kind;
        while ((kind = bc26_tok_next(&t, &r, frame, c->frame_max))) {
            put_frame(out, kind, frame, t.s.length, t.s.remaining);
            apply_pins(c, &pin, ++frames, &t);
        }
        if (pos >= c->len)
            break;
        if (junk_fits(&t, &r)) {
            size_t len, took;
            uint8_t *j = junk(c, &len);
            took = bc26_ring_write(&r, j, rnd_in(0, len));
            bc26_tok_skip(&t, &r, 0); /* nothing */
            if (r.count != took || r.discard)
                die("bc26_tok_skip(0) did something");
            bc26_tok_skip(&t, &r, len);
            if (r.count || r.discard != len - took)
                die("unread bytes not skipped first");
            feed_junk(c, NULL, &r, j, took, len);
            free(j);
        }
        pos += bc26_ring_write(&r, c->data + pos, chunk(c, pos));
    }
    free(buf);
    free(frame);
}

/* The same through the batch API: the junk written before the skip is
 * tokenized ahead (bc26_batch_feed_run()), and the skip drops what that
 * batch read, nothing of which was handed out. */
static void run_skip_batch(const test_case *c, text *out)
{
    size_t tcap = rnd_in(1, 9);
    size_t arena_cap = c->capacity + 2 * c->frame_max + 1;
    bc26_batch b;
    size_t pos = 0, frames = 0, pin = 0;
    batch_new(&b, c, tcap, arena_cap);
    for (;;) {
        uint64_t word = bc26_batch_run(&b);
        size_t m = (size_t)(word & BC26_RUN_ENTRIES), at = 0, i;
        int again = 0;
        for (i = 0; i < b.n && m; i++) {
            const uint8_t *f;
            size_t len;
            f = batch_frame(&b, i, &at, &len);
            put_frame(out, b.kind[i], f, len, b.remaining[i]);
            frames++;
            if (apply_pins(c, &pin, frames, &b.tok)) {
                bc26_batch_drop(&b, i + 1);
                again = 1;
                break;
            }
        }
        if (again || (m && !(word & BC26_RUN_NONE)))
            continue; /* read again, or the table was full */
        bc26_batch_sync(&b, m ? m : 1); /* all of it, its NONE too */
        if (pos >= c->len)
            break;
        if (junk_fits(&b.tok, &b.ring)) {
            size_t len, took = 0;
            uint8_t *j = junk(c, &len);
            size_t before = rnd_in(0, len);
            if (before)
                bc26_batch_feed_run(&b, 0, j, before, &took);
            bc26_batch_skip(&b, 0, len);
            if (b.ring.count || b.ring.discard != len - took || b.live)
                die("batch skip left unread bytes or a batch");
            feed_junk(c, &b, &b.ring, j, took, len);
            free(j);
        }
        pos += bc26_batch_feed(&b, 0, c->data + pos, chunk(c, pos));
    }
    batch_free(&b);
}

int main(int argc, char **argv)
{
    FILE *f;
    test_case c;
    text a = {0, 0, 0}, b = {0, 0, 0};
    unsigned long n = 0;
    if (argc != 2)
        die("usage: test_harness CORPUS");
    f = fopen(argv[1], "rb");
    if (!f)
        die("cannot open the corpus");
    while (read_case(f, &c)) {
        a.len = 0;
        b.len = 0;
        run_step(&c, &a);
        run_batch(&c, &b);
        if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0)) {
            fprintf(stderr, "harness: case %lu: batch frames differ\n", n);
            return 1;
        }
        b.len = 0;
        run_skip_step(&c, &b);
        if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0)) {
            fprintf(stderr, "harness: case %lu: skipping changed frames\n", n);
            return 1;
        }
        b.len = 0;
        run_skip_batch(&c, &b);
        if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0)) {
            fprintf(stderr, "harness: case %lu: batch skip changed frames\n",
                    n);
            return 1;
        }
        printf("case %lu\n", n);
        if (a.len)
            fwrite(a.p, 1, a.len, stdout);
        free(c.data);
        n++;
    }
    fclose(f);
    free(a.p);
    free(b.p);
    return 0;
}
