/* Bounds-checked reading (cursor) and growable writing (buffer) of wire
 * bytes. Every get checks the remaining length first and consumes on
 * success; buf_cur_end() rejects trailing bytes. Status codes are the
 * library's: SC_OK, SC_ERR_PROTOCOL for input too short (or trailing),
 * SC_ERR_NOMEM when a buffer cannot grow. */
#ifndef SC_BUF_H
#define SC_BUF_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p;
    size_t left;
} sc_cur;

static inline void buf_cur_init(sc_cur *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->left = len;
}

/* Each returns SC_OK, or SC_ERR_PROTOCOL (nothing consumed) when the
 * input is too short. */
SC_WUR int buf_cur_u8(sc_cur *c, uint8_t *v);
SC_WUR int buf_cur_u16(sc_cur *c, uint16_t *v);
SC_WUR int buf_cur_bytes(sc_cur *c, size_t n, const uint8_t **out);
SC_WUR int buf_cur_copy(sc_cur *c, uint8_t *out, size_t n);
/* u8/u16 length prefix, then that many bytes. */
SC_WUR int buf_cur_vec8(sc_cur *c, const uint8_t **out, size_t *len);
SC_WUR int buf_cur_vec16(sc_cur *c, const uint8_t **out, size_t *len);
/* SC_OK when everything was consumed, SC_ERR_PROTOCOL when bytes remain. */
SC_WUR int buf_cur_end(const sc_cur *c);

/* A growable byte queue: appended at the end, consumed from the front.
 * Storage is released when it drains, so idle connections hold none. */
typedef struct {
    uint8_t *data;
    size_t start, end, cap;
    size_t used; /* highest end reached: what must be wiped */
} sc_buf;

static inline size_t buf_len(const sc_buf *b)
{
    return b->end - b->start;
}
/* An empty buffer may hold no storage: NULL + 0 is undefined in C. */
static inline const uint8_t *buf_data(const sc_buf *b)
{
    return b->data != NULL ? b->data + b->start : NULL;
}

/* Room for n more bytes at the end; returns where to write, NULL on OOM.
 * Commit what was written with buf_commit. */
uint8_t *buf_reserve(sc_buf *b, size_t n);
void buf_commit(sc_buf *b, size_t n);
/* SC_OK, or SC_ERR_NOMEM. */
SC_WUR int buf_put(sc_buf *b, const void *p, size_t n);
SC_WUR int buf_u8(sc_buf *b, uint8_t v);
SC_WUR int buf_u16(sc_buf *b, uint16_t v);
void buf_consume(sc_buf *b, size_t n);
/* Wipes and releases the storage. */
void buf_free(sc_buf *b);

#endif
