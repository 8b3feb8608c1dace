/* WebSocket pieces (tunnel/ws.c) and the HTTP head parser
 * (tunnel/httphead.c): RFC 6455's own examples, frame headers in every
 * length form, masking, control frames, oversize and malformed frames,
 * and bounded, strict parsing of upgrade requests and answers. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "tunnel/httphead.h"
#include "tunnel/ws.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static void test_accept(void)
{
	char out[WS_ACCEPT_LEN + 1];
	EVP_MD *sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);

	/* RFC 6455 section 1.3. */
	check(ws_accept_value(sha1, "dGhlIHNhbXBsZSBub25jZQ==", out) == 0 &&
	      strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0, "Sec-WebSocket-Accept of RFC 6455's example");
	check(ws_accept_value(NULL, "dGhlIHNhbXBsZSBub25jZQ==", out) == -1,
	      "no SHA-1 from the providers: no accept value, an error");
	EVP_MD_free(sha1);
	check(ws_key_valid("dGhlIHNhbXBsZSBub25jZQ=="), "a 16-byte key is valid");
	check(!ws_key_valid("dGhlIHNhbXBsZQ==") && !ws_key_valid(NULL) &&
	      !ws_key_valid("dGhlIHNhbXBsZSBub25jZQ=!"), "keys of other lengths or characters are not");
}

static int parse(const uint8_t *p, size_t n, int must_mask, struct ws_frame *f, size_t *hl, int *code)
{
	char err[128];

	return ws_frame_parse(p, n, must_mask, 1 << 20, f, hl, code, err, sizeof(err));
}

static void test_frames(void)
{
	uint8_t h[WS_HDR_MAX], mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint8_t hello[5] = { 'H', 'e', 'l', 'l', 'o' };
	struct ws_frame f;
	size_t hl, n;
	int code;

	/* RFC 6455 section 5.7: a masked "Hello". */
	n = ws_frame_header(h, 1, WS_OP_TEXT, 5, mask);
	ws_mask(hello, 5, mask, 0);
	{
		const uint8_t want[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };

		check(n == 6 && memcmp(h, want, 6) == 0 && memcmp(hello, want + 6, 5) == 0,
		      "RFC 6455's masked Hello, byte for byte");
	}
	check(parse(h, n, 1, &f, &hl, &code) == 1 && hl == 6 && f.fin && f.opcode == WS_OP_TEXT &&
	      f.masked && f.len == 5 && memcmp(f.mask, mask, 4) == 0, "it parses back on the server side");
	check(parse(h, n, 0, &f, &hl, &code) == -1 && code == WS_CLOSE_PROTOCOL,
	      "a client refuses a masked frame");
	n = ws_frame_header(h, 1, WS_OP_BINARY, 5, NULL);
	check(parse(h, n, 1, &f, &hl, &code) == -1 && code == WS_CLOSE_PROTOCOL,
	      "a server refuses an unmasked frame");
	/* Masking continues across pieces of one payload. */
	{
		uint8_t a[10] = "0123456789", b[10] = "0123456789";

		ws_mask(a, 10, mask, 0);
		ws_mask(b, 3, mask, 0);
		ws_mask(b + 3, 7, mask, 3);
		check(memcmp(a, b, 10) == 0, "masking in pieces equals masking at once");
	}
	{
		/* The wide path against the definition (RFC 6455 5.3: byte i
		 * XOR key[i mod 4]): every length up to four rounds and a tail,
		 * every phase, every alignment. */
		static uint8_t buf[300], want[300];
		int same = 1;

		for (size_t len = 0; len <= 200 && same; len++)
			for (uint64_t off = 0; off < 4 && same; off++)
				for (size_t at = 0; at < 16 && same; at++) {
					for (size_t i = 0; i < len; i++)
						buf[at + i] = want[at + i] = (uint8_t)(i * 31 + len);
					ws_mask(buf + at, len, mask, off);
					for (size_t i = 0; i < len; i++)
						want[at + i] ^= mask[(off + i) & 3];
					same = memcmp(buf + at, want + at, len) == 0;
				}
		check(same, "masking at any length, phase and alignment is byte i XOR key[(phase + i) mod 4]");
	}
	/* The three length forms, shortest form enforced. */
	n = ws_frame_header(h, 1, WS_OP_BINARY, 125, NULL);
	check(n == 2 && parse(h, n, 0, &f, &hl, &code) == 1 && f.len == 125, "7-bit length");
	n = ws_frame_header(h, 1, WS_OP_BINARY, 126, NULL);
	check(n == 4 && parse(h, n, 0, &f, &hl, &code) == 1 && f.len == 126, "16-bit length");
	n = ws_frame_header(h, 0, WS_OP_BINARY, 70000, NULL);
	check(n == 10 && parse(h, n, 0, &f, &hl, &code) == 1 && f.len == 70000 && !f.fin, "64-bit length, not final");
	for (size_t k = 0; k < n; k++)
		if (parse(h, k, 0, &f, &hl, &code) != 0) {
			check(0, "every prefix of a header wants more");
			break;
		}
	{
		uint8_t nonmin[4] = { 0x82, 126, 0, 100 };
		uint8_t top[10] = { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0 };

		check(parse(nonmin, 4, 0, &f, &hl, &code) == -1, "a length not in its shortest form is refused");
		check(parse(top, 10, 0, &f, &hl, &code) == -1, "a 64-bit length with its top bit set is refused");
	}
	n = ws_frame_header(h, 1, WS_OP_BINARY, 2 << 20, NULL);
	check(parse(h, n, 0, &f, &hl, &code) == -1 && code == WS_CLOSE_TOO_BIG, "an oversize frame gets 1009");
	/* Control frames: final, at most 125 bytes; reserved bits and opcodes. */
	n = ws_frame_header(h, 1, WS_OP_PING, 4, NULL);
	check(parse(h, n, 0, &f, &hl, &code) == 1 && f.opcode == WS_OP_PING, "a ping parses");
	n = ws_frame_header(h, 0, WS_OP_PING, 4, NULL);
	check(parse(h, n, 0, &f, &hl, &code) == -1, "a fragmented ping is refused");
	n = ws_frame_header(h, 1, WS_OP_CLOSE, 126, NULL);
	check(parse(h, n, 0, &f, &hl, &code) == -1, "a close frame over 125 bytes is refused");
	{
		uint8_t rsv[2] = { 0xc2, 0x00 }, op[2] = { 0x83, 0x00 };

		check(parse(rsv, 2, 0, &f, &hl, &code) == -1, "reserved bits are refused");
		check(parse(op, 2, 0, &f, &hl, &code) == -1, "opcode 3 is refused");
	}
	n = ws_frame_header(h, 1, WS_OP_CONT, 7, NULL);
	check(parse(h, n, 0, &f, &hl, &code) == 1 && f.opcode == WS_OP_CONT, "a continuation frame parses");
}

static int head(struct httphead *h, const char *s, int req, size_t *used, char *err)
{
	return httphead_parse(h, (const uint8_t *)s, strlen(s), req, used, err, 256);
}

static void test_httphead(void)
{
	static struct httphead h;
	char err[256];
	size_t used;
	const char *req = "GET /sc1 HTTP/1.1\r\nHost: server.test\r\nUpgrade: websocket\r\n"
			  "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			  "Sec-WebSocket-Protocol: sc1\r\nSec-WebSocket-Version: 13\r\n\r\nSC1";

	check(head(&h, req, 1, &used, err) == 1 && used == strlen(req) - 3, "an upgrade request parses, up to its end");
	check(strcmp(h.method, "GET") == 0 && strcmp(h.target, "/sc1") == 0 && h.minor == 1,
	      "method, target and version");
	check(httphead_get(&h, "host") != NULL && strcmp(httphead_get(&h, "HOST"), "server.test") == 0,
	      "field names are case-insensitive");
	check(httphead_has_token(&h, "Connection", "upgrade") && !httphead_has_token(&h, "Connection", "close"),
	      "Connection tokens");
	check(head(&h, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 0, &used, err) == 1 &&
	      h.status == 101 && strcmp(h.reason, "Switching Protocols") == 0, "a 101 answer");
	check(head(&h, "HTTP/1.0 407 Proxy Authentication Required\r\n\r\n", 0, &used, err) == 1 &&
	      h.status == 407 && h.minor == 0, "a proxy's 407");
	check(head(&h, "GET /sc1 HTTP/1.1\r\nHost: x\r\n", 1, &used, err) == 0, "a head without its end wants more");
	{
		static char big[HTTPHEAD_MAX + 64];

		memset(big, 'a', sizeof(big) - 1);
		memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
		check(head(&h, big, 1, &used, err) == -1 && strstr(err, "longer"), "a head over 8 KiB is refused");
	}
	{
		static char many[HTTPHEAD_MAX];
		size_t off = (size_t)snprintf(many, sizeof(many), "GET / HTTP/1.1\r\n");

		for (int i = 0; i < HTTPHEAD_FIELDS + 1; i++)
			off += (size_t)snprintf(many + off, sizeof(many) - off, "X%d: y\r\n", i);
		snprintf(many + off, sizeof(many) - off, "\r\n");
		check(head(&h, many, 1, &used, err) == -1, "more than 64 fields are refused");
	}
	const char *bad[] = {
		"GET /sc1 HTTP/2.0\r\n\r\n", "GET /sc1\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[96];

		snprintf(what, sizeof(what), "malformed request %zu refused with a reason", i);
		err[0] = '\0';
		check(head(&h, bad[i], 1, &used, err) == -1 && err[0] != '\0', what);
	}
	check(head(&h, "HTTP/1.1 99 Odd\r\n\r\n", 0, &used, err) == -1, "a two-digit status is refused");
	check(head(&h, "HTTP/1.1 2000 OK\r\n\r\n", 0, &used, err) == -1, "a four-digit status is refused");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_accept();
	test_frames();
	test_httphead();
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
