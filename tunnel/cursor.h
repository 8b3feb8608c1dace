/*
 * A bounds-checked reader over bytes from outside (PROXY headers, proxy
 * and WebSocket replies): every get checks the length first and consumes
 * what it returns; after the first failure the cursor is spent and every
 * later get fails too, so a parser may check once at the end.
 */
#ifndef TUNNEL_CURSOR_H
#define TUNNEL_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
    const uint8_t *p;
    size_t left;
    int bad; /* a get ran past the end */
};

void cursor_init(struct cursor *c, const uint8_t *p, size_t len);
/* 0 on success, -1 (and the cursor spent) if fewer bytes are left. */
int cursor_u8(struct cursor *c, uint8_t *v);
int cursor_u16(struct cursor *c, uint16_t *v); /* big-endian */
int cursor_u32(struct cursor *c, uint32_t *v); /* big-endian */
int cursor_bytes(struct cursor *c, void *out, size_t n);
/* A view of the next n bytes (consumed), NULL if fewer are left. */
const uint8_t *cursor_take(struct cursor *c, size_t n);
/* A sub-cursor over the next n bytes (consumed). */
int cursor_sub(struct cursor *c, size_t n, struct cursor *sub);
size_t cursor_left(const struct cursor *c);
/* 0 if nothing failed and nothing is left over. */
int cursor_end(const struct cursor *c);

#endif
