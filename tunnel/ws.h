/*
 * WebSocket (RFC 6455) pieces for SC1 over WebSocket (PROTOCOL.md
 * Appendix A): the Sec-WebSocket-Accept value, frame headers written
 * around SC1 bytes (so records are not copied into new buffers), frame
 * headers parsed strictly, and masking.
 */
#ifndef TUNNEL_WS_H
#define TUNNEL_WS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define WS_OP_CONT 0x0
#define WS_OP_TEXT 0x1
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE 0x8
#define WS_OP_PING 0x9
#define WS_OP_PONG 0xa

/* The longest frame header: 2 + 8 (length) + 4 (mask key). */
#define WS_HDR_MAX 14
/* Sec-WebSocket-Key (base64 of 16 bytes) and -Accept (of 20). */
#define WS_KEY_LEN 24
#define WS_ACCEPT_LEN 28
/* Close codes (RFC 6455 section 7.4.1). */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_PROTOCOL 1002
#define WS_CLOSE_UNSUPPORTED 1003
#define WS_CLOSE_TOO_BIG 1009

/* Whether a close frame may carry `code` (RFC 6455 7.4: the codes defined
 * there or registered since, and 3000-4999; never 1004-1006 or 1015, which
 * no endpoint sends, nor codes below 1000 or reserved for the future). */
int ws_close_code_valid(int code);

struct ws_frame {
    int fin, opcode, masked;
    uint64_t len; /* payload length */
    uint8_t mask[4];
};

/* Sec-WebSocket-Accept for a key: base64(SHA-1(key GUID)), NUL-ended in
 * out[WS_ACCEPT_LEN + 1], with `sha1` fetched once by the caller. 0, or -1
 * if it is NULL or the digest fails. */
int ws_accept_value(const EVP_MD *sha1, const char *key, char out[WS_ACCEPT_LEN + 1]);
/* Whether a client's Sec-WebSocket-Key is base64 of 16 bytes. */
int ws_key_valid(const char *key);

/* Write a frame header into out (WS_HDR_MAX bytes); mask NULL for an
 * unmasked (server) frame. Returns its length. */
size_t ws_frame_header(uint8_t *out, int fin, int opcode, uint64_t len, const uint8_t mask[4]);

/*
 * Parse a frame header. must_mask: 1 on the server (client frames are
 * masked), 0 on the client (server frames are not). max: the largest
 * payload accepted for a data frame. Returns 1 with *hdrlen set, 0 when
 * more bytes are needed, -1 with a reason and the close code to send in
 * *close_code.
 */
int ws_frame_parse(const uint8_t *p, size_t len, int must_mask, uint64_t max, struct ws_frame *f,
                   size_t *hdrlen, int *close_code, char *err, size_t errlen);

/* XOR n bytes with the mask key, `off` bytes into the payload. */
void ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off);

#endif
