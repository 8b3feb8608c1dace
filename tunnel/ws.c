/* ws_*: RFC 6455 frames and handshake values (ws.h). */
#include "ws.h"

#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "cursor.h"

#define FAIL(code, ...) (*close_code = (code), snprintf(err, errlen, __VA_ARGS__), -1)

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int ws_accept_value(const EVP_MD *sha1, const char *key, char out[WS_ACCEPT_LEN + 1])
{
    char in[128];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int n = snprintf(in, sizeof(in), "%s%s", key, ws_guid);

    /* SHA-1 here is RFC 6455's fixed handshake check, not a security
     * function: the SC1 handshake inside authenticates everything. */
    if (sha1 == NULL || n < 0 || (size_t)n >= sizeof(in)
        || !EVP_Digest(in, (size_t)n, md, &mdlen, sha1, NULL) || mdlen != 20)
        return -1;
    if (EVP_EncodeBlock((unsigned char *)out, md, 20) != WS_ACCEPT_LEN)
        return -1;
    out[WS_ACCEPT_LEN] = '\0';
    return 0;
}

int ws_key_valid(const char *key)
{
    unsigned char raw[WS_KEY_LEN];

    if (key == NULL || strlen(key) != WS_KEY_LEN || strcmp(key + 22, "==") != 0)
        return 0;
    for (size_t i = 0; i < 22; i++)
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", key[i])
            == NULL)
            return 0;
    /* 16 bytes, padding included in the decoded 18. */
    return EVP_DecodeBlock(raw, (const unsigned char *)key, WS_KEY_LEN) == 18;
}

size_t ws_frame_header(uint8_t *out, int fin, int opcode, uint64_t len, const uint8_t mask[4])
{
    size_t n = 2;

    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
    out[1] = mask != NULL ? 0x80 : 0;
    if (len < 126) {
        out[1] |= (uint8_t)len;
    } else if (len <= 0xffff) {
        out[1] |= 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        n = 4;
    } else {
        out[1] |= 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        n = 10;
    }
    if (mask != NULL) {
        memcpy(out + n, mask, 4);
        n += 4;
    }
    return n;
}

int ws_frame_parse(const uint8_t *p, size_t len, int must_mask, uint64_t max, struct ws_frame *f,
                   size_t *hdrlen, int *close_code, char *err, size_t errlen)
{
    struct cursor c;
    uint8_t b0, b1;
    int control;

    *hdrlen = 0;
    *close_code = 0;
    cursor_init(&c, p, len);
    if (cursor_u8(&c, &b0) != 0 || cursor_u8(&c, &b1) != 0)
        return 0;
    memset(f, 0, sizeof(*f));
    f->fin = b0 >> 7;
    f->opcode = b0 & 0x0f;
    f->masked = b1 >> 7;
    f->len = b1 & 0x7f;
    control = f->opcode >= 0x8;
    if (b0 & 0x70)
        return FAIL(WS_CLOSE_PROTOCOL, "WebSocket frame with reserved bits set");
    if (f->opcode != WS_OP_CONT && f->opcode != WS_OP_TEXT && f->opcode != WS_OP_BINARY
        && f->opcode != WS_OP_CLOSE && f->opcode != WS_OP_PING && f->opcode != WS_OP_PONG)
        return FAIL(WS_CLOSE_PROTOCOL, "WebSocket opcode 0x%x", f->opcode);
    if (f->masked != must_mask)
        return FAIL(WS_CLOSE_PROTOCOL,
                    must_mask ? "unmasked WebSocket frame from a client"
                              : "masked WebSocket frame from a server");
    if (control && (!f->fin || f->len > 125))
        return FAIL(WS_CLOSE_PROTOCOL, "WebSocket control frame fragmented or over 125 bytes");
    if (f->len == 126) {
        uint16_t l;

        if (cursor_u16(&c, &l) != 0)
            return 0;
        if (l < 126)
            return FAIL(WS_CLOSE_PROTOCOL, "WebSocket length not in its shortest form");
        f->len = l;
    } else if (f->len == 127) {
        uint32_t hi, lo;

        if (cursor_u32(&c, &hi) != 0 || cursor_u32(&c, &lo) != 0)
            return 0;
        if (hi >> 31)
            return FAIL(WS_CLOSE_PROTOCOL, "WebSocket length with its top bit set");
        f->len = (uint64_t)hi << 32 | lo;
        if (f->len <= 0xffff)
            return FAIL(WS_CLOSE_PROTOCOL, "WebSocket length not in its shortest form");
    }
    if (!control && f->len > max)
        return FAIL(WS_CLOSE_TOO_BIG, "WebSocket frame of %llu bytes (at most %llu)",
                    (unsigned long long)f->len, (unsigned long long)max);
    if (f->masked && cursor_bytes(&c, f->mask, 4) != 0)
        return 0;
    *hdrlen = len - cursor_left(&c);
    return 1;
}

int ws_close_code_valid(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
}

/* Sixteen bytes, as one vector operation where the target has them (a
 * GCC and Clang extension; other compilers take the byte loop). */
#if defined(__GNUC__)
typedef uint8_t ws_v16 __attribute__((vector_size(16)));
#endif

void ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off)
{
    size_t i = 0;

    /* A client masks every byte it sends and a server unmasks every byte
     * it receives: a byte at a time would be a tenth of the tunnel's CPU.
     * The key, rotated to this offset and repeated, is XORed sixteen
     * bytes at a time, four vectors per round. */
#if defined(__GNUC__)
    uint8_t k[16];
    ws_v16 key, a, b, c, d;

    for (int j = 0; j < 16; j++)
        k[j] = mask[(off + (uint64_t)j) & 3];
    memcpy(&key, k, 16);
    for (; i + 64 <= n; i += 64) {
        memcpy(&a, p + i, 16);
        memcpy(&b, p + i + 16, 16);
        memcpy(&c, p + i + 32, 16);
        memcpy(&d, p + i + 48, 16);
        a ^= key;
        b ^= key;
        c ^= key;
        d ^= key;
        memcpy(p + i, &a, 16);
        memcpy(p + i + 16, &b, 16);
        memcpy(p + i + 32, &c, 16);
        memcpy(p + i + 48, &d, 16);
    }
    for (; i + 16 <= n; i += 16) {
        memcpy(&a, p + i, 16);
        a ^= key;
        memcpy(p + i, &a, 16);
    }
#endif
    for (; i < n; i++)
        p[i] ^= mask[(off + i) & 3];
}
