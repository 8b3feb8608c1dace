#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "sovchain.h"

int buf_cur_u8(sc_cur *c, uint8_t *v)
{
    if (c->left < 1)
        return SC_ERR_PROTOCOL;
    *v = c->p[0];
    c->p++;
    c->left--;
    return SC_OK;
}

int buf_cur_u16(sc_cur *c, uint16_t *v)
{
    if (c->left < 2)
        return SC_ERR_PROTOCOL;
    *v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return SC_OK;
}

int buf_cur_bytes(sc_cur *c, size_t n, const uint8_t **out)
{
    if (c->left < n)
        return SC_ERR_PROTOCOL;
    *out = c->p;
    c->p += n;
    c->left -= n;
    return SC_OK;
}

int buf_cur_copy(sc_cur *c, uint8_t *out, size_t n)
{
    const uint8_t *p;

    if (buf_cur_bytes(c, n, &p) != SC_OK)
        return SC_ERR_PROTOCOL;
    memcpy(out, p, n);
    return SC_OK;
}

int buf_cur_vec8(sc_cur *c, const uint8_t **out, size_t *len)
{
    sc_cur save = *c;
    uint8_t n;

    if (buf_cur_u8(c, &n) != SC_OK || buf_cur_bytes(c, n, out) != SC_OK) {
        *c = save;
        return SC_ERR_PROTOCOL;
    }
    *len = n;
    return SC_OK;
}

int buf_cur_vec16(sc_cur *c, const uint8_t **out, size_t *len)
{
    sc_cur save = *c;
    uint16_t n;

    if (buf_cur_u16(c, &n) != SC_OK || buf_cur_bytes(c, n, out) != SC_OK) {
        *c = save;
        return SC_ERR_PROTOCOL;
    }
    *len = n;
    return SC_OK;
}

int buf_cur_end(const sc_cur *c)
{
    return c->left == 0 ? SC_OK : SC_ERR_PROTOCOL;
}

uint8_t *buf_reserve(sc_buf *b, size_t n)
{
    size_t used = b->end - b->start;

    if (b->cap - b->end >= n)
        return b->data + b->end;
    if (b->start > 0 && b->cap - used >= n) {
        /* Slide the live bytes down rather than grow. */
        memmove(b->data, b->data + b->start, used);
        b->start = 0;
        b->end = used;
        return b->data + b->end;
    }
    size_t want = b->cap ? b->cap : 256;
    while (want - used < n) {
        if (want > SIZE_MAX / 2)
            return NULL;
        want *= 2;
    }
    uint8_t *p = malloc(want);
    if (p == NULL)
        return NULL;
    if (used)
        memcpy(p, b->data + b->start, used);
    if (b->data) {
        OPENSSL_cleanse(b->data, b->used);
        free(b->data);
    }
    b->data = p;
    b->cap = want;
    b->start = 0;
    b->end = b->used = used;
    return b->data + b->end;
}

void buf_commit(sc_buf *b, size_t n)
{
    b->end += n;
    if (b->end > b->used)
        b->used = b->end;
}

int buf_put(sc_buf *b, const void *p, size_t n)
{
    uint8_t *w = buf_reserve(b, n);

    if (w == NULL)
        return SC_ERR_NOMEM;
    if (n)
        memcpy(w, p, n);
    buf_commit(b, n);
    return SC_OK;
}

int buf_u8(sc_buf *b, uint8_t v)
{
    return buf_put(b, &v, 1);
}

int buf_u16(sc_buf *b, uint16_t v)
{
    uint8_t be[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    return buf_put(b, be, 2);
}

void buf_consume(sc_buf *b, size_t n)
{
    if (n >= b->end - b->start)
        buf_free(b);
    else
        b->start += n;
}

void buf_free(sc_buf *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->used);
        free(b->data);
    }
    b->data = NULL;
    b->start = b->end = b->cap = b->used = 0;
}
