/* cursor_*: checked reads of outside bytes (cursor.h). */
#include "cursor.h"

#include <string.h>

void cursor_init(struct cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->left = p == NULL ? 0 : len;
    c->bad = 0;
}

const uint8_t *cursor_take(struct cursor *c, size_t n)
{
    const uint8_t *p;

    if (c->bad || n > c->left) {
        c->bad = 1;
        c->left = 0;
        return NULL;
    }
    p = c->p;
    c->p += n;
    c->left -= n;
    return p;
}

int cursor_u8(struct cursor *c, uint8_t *v)
{
    const uint8_t *p = cursor_take(c, 1);

    if (p == NULL)
        return -1;
    *v = p[0];
    return 0;
}

int cursor_u16(struct cursor *c, uint16_t *v)
{
    const uint8_t *p = cursor_take(c, 2);

    if (p == NULL)
        return -1;
    *v = (uint16_t)(p[0] << 8 | p[1]);
    return 0;
}

int cursor_u32(struct cursor *c, uint32_t *v)
{
    const uint8_t *p = cursor_take(c, 4);

    if (p == NULL)
        return -1;
    *v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return 0;
}

int cursor_bytes(struct cursor *c, void *out, size_t n)
{
    const uint8_t *p = cursor_take(c, n);

    if (p == NULL)
        return -1;
    if (n > 0)
        memcpy(out, p, n);
    return 0;
}

int cursor_sub(struct cursor *c, size_t n, struct cursor *sub)
{
    const uint8_t *p = cursor_take(c, n);

    cursor_init(sub, p, n);
    sub->bad = p == NULL;
    return p == NULL ? -1 : 0;
}

size_t cursor_left(const struct cursor *c)
{
    return c->left;
}

int cursor_end(const struct cursor *c)
{
    return c->bad || c->left != 0 ? -1 : 0;
}
