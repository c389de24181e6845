/* The C tokenizer alone, without Python: frames/s and MB/s over a corpus
 * file, by single steps and through the batch API, feeding a 4096-byte ring.
 * Built and run by tests/bench/bench_tokenizer.py --native. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bc26_tok.h"

#define CAP 4096
#define FRAME_MAX 1536
#define TABLE 256

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    static uint8_t buf[CAP], out[FRAME_MAX];
    static uint8_t arena[CAP + 2 * FRAME_MAX + 1];
    static char fmt[BC26_FMT_ENTRY * (TABLE + 1)];
    static uint8_t kind[TABLE + 1];
    static uint32_t rem[TABLE + 1], end[TABLE + 1];
    static size_t consumed[TABLE + 1];
    static bc26_tok_state after[TABLE + 1];
    static bc26_batch b;
    uint8_t *data;
    size_t len;
    long mask = argc > 2 ? atol(argv[2]) : 0;
    int mode, rep;
    FILE *f;
    if (argc < 2)
        return 2;
    f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc(len ? len : 1);
    if (!data || fread(data, 1, len, f) != len)
        return 2;
    fclose(f);
    b.frame_max = FRAME_MAX;
    b.cap = TABLE;
    b.kind = kind;
    b.remaining = rem;
    b.consumed = consumed;
    b.after = after;
    b.end = end;
    b.arena = arena;
    b.arena_cap = sizeof arena;
    b.fmt = fmt;
    b.fmt_cap = sizeof fmt;
    for (mode = 0; mode < 2; mode++) {
        double best = 1e30;
        long frames = 0;
        for (rep = 0; rep < 15; rep++) {
            bc26_ring r;
            bc26_tok t;
            size_t pos = 0;
            double t0;
            bc26_ring_init(&r, buf, CAP);
            bc26_tok_init(&t);
            bc26_tok_configure(&t, -1, -1, (int)mask);
            b.ring = r;
            b.tok = t;
            bc26_batch_clear(&b);
            frames = 0;
            t0 = now();
            while (pos < len) {
                if (mode == 0) {
                    pos += bc26_ring_write(&r, data + pos, len - pos);
                    while (bc26_tok_next(&t, &r, out, FRAME_MAX))
                        frames++;
                } else {
                    size_t m;
                    pos += bc26_ring_write(&b.ring, data + pos, len - pos);
                    while ((m = (size_t)(bc26_batch_run(&b) &
                                         BC26_RUN_ENTRIES))) {
                        if (kind[m - 1] == BC26_NONE)
                            m--;
                        frames += (long)m;
                        bc26_batch_sync(&b, m + 1);
                    }
                }
            }
            t0 = now() - t0;
            if (t0 < best)
                best = t0;
        }
        printf("%s %ld %.9f\n", mode ? "batch" : "step", frames, best);
    }
    free(data);
    return 0;
}
