/* Unit test of provider/buf.c: the cursor reads exactly what is there and
 * consumes nothing when it refuses, length-prefixed vectors are all or
 * nothing, trailing bytes are caught; the buffer grows, slides, drains and
 * releases its storage, and every status is the library's. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "sovchain.h"

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failures++;
}

static void cursor(void)
{
    static const uint8_t in[] = { 0x01, 0x02, 0x03, 0x00, 0x02, 0xAA, 0xBB, 0x05, 0x01 };
    const uint8_t *p;
    uint8_t u8, out[4];
    uint16_t u16;
    size_t len;
    sc_cur c;

    buf_cur_init(&c, in, sizeof(in));
    check(buf_cur_u8(&c, &u8) == SC_OK && u8 == 0x01 && c.left == 8, "buf_cur_u8 reads one byte");
    check(buf_cur_u16(&c, &u16) == SC_OK && u16 == 0x0203 && c.left == 6, "buf_cur_u16 is big-endian");
    check(buf_cur_vec16(&c, &p, &len) == SC_OK && len == 2 && p == in + 5 && c.left == 2,
          "buf_cur_vec16 returns the body in place");
    /* u8 length 5, one byte present: refused, nothing consumed. */
    check(buf_cur_vec8(&c, &p, &len) == SC_ERR_PROTOCOL && c.left == 2 && c.p == in + 7,
          "a short buf_cur_vec8 is SC_ERR_PROTOCOL and consumes not even its length");
    check(buf_cur_end(&c) == SC_ERR_PROTOCOL, "buf_cur_end refuses trailing bytes");
    check(buf_cur_copy(&c, out, 3) == SC_ERR_PROTOCOL && c.left == 2, "a short buf_cur_copy consumes nothing");
    check(buf_cur_copy(&c, out, 2) == SC_OK && out[0] == 0x05 && out[1] == 0x01, "buf_cur_copy copies");
    check(buf_cur_end(&c) == SC_OK, "buf_cur_end accepts an empty cursor");
    check(buf_cur_u8(&c, &u8) == SC_ERR_PROTOCOL && buf_cur_u16(&c, &u16) == SC_ERR_PROTOCOL
          && buf_cur_bytes(&c, 1, &p) == SC_ERR_PROTOCOL, "every getter refuses an empty cursor");
    check(buf_cur_bytes(&c, 0, &p) == SC_OK, "zero bytes can always be taken");

    buf_cur_init(&c, in + 3, 1);   /* half a u16 length */
    check(buf_cur_vec16(&c, &p, &len) == SC_ERR_PROTOCOL && c.left == 1, "half a u16 length is refused");
    buf_cur_init(&c, NULL, 0);
    check(buf_cur_vec8(&c, &p, &len) == SC_ERR_PROTOCOL && buf_cur_end(&c) == SC_OK, "an empty input");
    {
        static const uint8_t zero_vec[] = { 0x00 };
        buf_cur_init(&c, zero_vec, 1);
        check(buf_cur_vec8(&c, &p, &len) == SC_OK && len == 0 && buf_cur_end(&c) == SC_OK,
              "an empty vector is well formed");
    }
}

static void buffer(void)
{
    sc_buf b = { 0 };
    uint8_t big[5000];
    uint8_t *w;
    int ok = 1;

    check(buf_len(&b) == 0 && buf_data(&b) == NULL, "an empty buffer holds no storage");
    check(buf_u8(&b, 0x17) == SC_OK && buf_u16(&b, 0x1234) == SC_OK && buf_put(&b, "ab", 2) == SC_OK,
          "buf_u8, buf_u16 and buf_put return SC_OK");
    check(buf_len(&b) == 5 && memcmp(buf_data(&b), "\x17\x12\x34" "ab", 5) == 0,
          "the bytes are queued in order, u16 big-endian");
    buf_consume(&b, 2);
    check(buf_len(&b) == 3 && buf_data(&b)[0] == 0x34, "buf_consume takes from the front");
    /* 3 live bytes at offset 2 of 256: room for 253 more only once the
     * live bytes slide down, which buf_reserve does rather than grow. */
    w = buf_reserve(&b, 253);
    check(w != NULL && b.cap == 256 && b.start == 0 && buf_data(&b)[0] == 0x34,
          "buf_reserve slides before it grows");
    memset(w, 0xEE, 253);
    buf_commit(&b, 253);
    check(buf_len(&b) == 256 && buf_data(&b)[3] == 0xEE, "buf_commit counts what was written");
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    check(buf_put(&b, big, sizeof(big)) == SC_OK && b.cap >= 256 + sizeof(big), "the buffer grows");
    ok = buf_len(&b) == 256 + sizeof(big) && memcmp(buf_data(&b) + 256, big, sizeof(big)) == 0
        && buf_data(&b)[0] == 0x34;
    check(ok, "growing keeps every byte");
    check(buf_put(&b, NULL, 0) == SC_OK, "putting nothing is fine");
    buf_consume(&b, buf_len(&b));
    check(b.data == NULL && b.cap == 0 && buf_len(&b) == 0, "a drained buffer releases its storage");
    check(buf_put(&b, "x", 1) == SC_OK && buf_len(&b) == 1, "a drained buffer can be used again");
    buf_free(&b);
    check(b.data == NULL && buf_len(&b) == 0, "buf_free releases");
    buf_free(&b);
    check(b.data == NULL, "buf_free twice is fine");
}

int main(void)
{
    cursor();
    buffer();
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
