/*
 * The bytes a loadc client connection sends: a pattern of its own,
 * deterministic from the connection's number, so the echo can be checked
 * byte for byte without keeping what was sent; and a checksum of each
 * direction.
 */
#include "loadc_pattern.h"

#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Word k of a pattern: one multiply, cheap enough for gigabytes, and
 * different at every position and for every seed. */
static uint64_t pattern_word(uint64_t seed, uint64_t k)
{
    uint64_t w = (seed ^ k) * 0x9e3779b97f4a7c15ULL;

    return w ^ (w >> 29);
}

/* Bytes [off, off + len) of connection idx's pattern: its words in host
 * order (the sender and the checker are the same program). */
void loadc_pattern_fill(unsigned idx, uint64_t off, unsigned char *out,
                        size_t len)
{
    uint64_t seed = splitmix64(0x5c0ad5eedULL + idx), k = off >> 3, w;
    size_t head = (size_t)(off & 7), i = 0;

    if (head != 0) {
        w = pattern_word(seed, k++);
        for (; head < 8 && i < len; head++)
            out[i++] = ((const unsigned char *)&w)[head];
    }
    for (; i + 8 <= len; i += 8) {
        w = pattern_word(seed, k++);
        memcpy(out + i, &w, 8);
    }
    if (i < len) {
        w = pattern_word(seed, k);
        memcpy(out + i, &w, len - i);
    }
}

/* The checksum runs over 64-bit words at their place in the stream
 * (FNV-1a style), so it is the same however the stream was split. */
void loadc_pattern_sum_init(struct loadc_sum *s)
{
    s->h = FNV_OFFSET;
    s->w = 0;
    s->k = 0;
}

void loadc_pattern_sum_add(struct loadc_sum *s, const unsigned char *p,
                           size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (s->k == 0 && n - i >= 8) {
            uint64_t w;

            memcpy(&w, p + i, 8);
            s->h = (s->h ^ w) * FNV_PRIME;
            i += 8;
            continue;
        }
        s->w |= (uint64_t)p[i++] << (8 * s->k);
        if (++s->k == 8) {
            s->h = (s->h ^ s->w) * FNV_PRIME;
            s->w = 0;
            s->k = 0;
        }
    }
}

uint64_t loadc_pattern_sum_final(const struct loadc_sum *s)
{
    return s->k == 0 ? s->h : ((s->h ^ s->w) * FNV_PRIME) ^ s->k;
}
