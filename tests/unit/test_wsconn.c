/* The WebSocket transport of a connection (tunnel/wsconn.c) and the
 * upgrade exchange (tunnel/wshs.c): what a client frames a server unframes
 * byte for byte, fed and consumed in any split, unmasking each byte once
 * and leaving what is not consumed where it arrived; fragmented messages
 * with control frames between their fragments; ping answered with pong;
 * text, oversize and misplaced continuation frames refused with their
 * close codes, and close frames with codes no endpoint may send; a close
 * frame ends the peer's bytes and nothing after it counts; a request
 * answered 101 passes the client's checks, a tampered one not. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "tests/unit/unit.h"
#include "tunnel/httphead.h"
#include "tunnel/wsconn.h"
#include "tunnel/wshs.h"

static void add_raw(struct evbuffer *b, int fin, int op, const uint8_t *p, size_t n, int masked)
{
	uint8_t h[WS_HDR_MAX], m[4] = { 1, 2, 3, 4 }, tmp[256];
	size_t hl = ws_frame_header(h, fin, op, n, masked ? m : NULL);

	evbuffer_add(b, h, hl);
	memcpy(tmp, p, n);
	if (masked)
		ws_mask(tmp, n, m, 0);
	evbuffer_add(b, tmp, n);
}

/* Unframe what raw holds, consuming at most `most` payload bytes at a time
 * into `out` (as the engine takes whole records, or less): 0, or -1. */
static int take(struct wsconn *w, struct evbuffer *raw, struct evbuffer *wire, struct evbuffer *out, size_t most)
{
	size_t n;

	for (;;) {
		if (wsconn_unframe(w, raw, wire) != 0)
			return -1;
		if ((n = wsconn_payload(w, raw)) == 0)
			return 0;
		if (n > most)
			n = most;
		evbuffer_add(out, evbuffer_pullup(raw, (ev_ssize_t)n), n);
		wsconn_consume(w, raw, n);
	}
}

static void test_roundtrip(void)
{
	static uint8_t data[200000], back[200000];
	struct wsconn cli, srv;
	struct evbuffer *wire = evbuffer_new(), *raw = evbuffer_new(), *pong = evbuffer_new();
	struct evbuffer *got = evbuffer_new();
	uint8_t b0, b1;
	size_t have;
	int ok = 1;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	wsconn_init(&cli, NULL, 1, WSCONN_MAX_FRAME);
	wsconn_init(&srv, NULL, 0, WSCONN_MAX_FRAME);
	evbuffer_add(cli.out, data, sizeof(data));
	unit_check(wsconn_frame(&cli, wire) == 0 && evbuffer_get_length(cli.out) == 0, "a client frames");
	evbuffer_copyout(wire, &b0, 1);
	{
		uint8_t h[2];

		evbuffer_copyout(wire, h, 2);
		b1 = h[1];
	}
	unit_check(b0 == 0x82 && (b1 & 0x80), "binary, final, masked");
	unit_check(evbuffer_get_length(wire) > sizeof(data), "frames hold at most WSCONN_SEND_MAX each");
	/* Payload not consumed stays in the socket's buffer, unmasked once
	 * however often the frames are looked at. */
	evbuffer_remove_buffer(wire, raw, 5000);
	unit_check(wsconn_unframe(&srv, raw, pong) == 0 && wsconn_unframe(&srv, raw, pong) == 0 &&
		       wsconn_payload(&srv, raw) == evbuffer_get_length(raw) && evbuffer_get_length(raw) < 5000,
		   "the header removed, the payload left where it arrived");
	evbuffer_copyout(raw, back, 100);
	unit_check(memcmp(back, data, 100) == 0, "unmasked in place, once");
	/* The server unframes, fed and consumed in odd-sized pieces that
	 * fall anywhere in frames and in the mask's phase. */
	while (evbuffer_get_length(wire) > 0 && ok) {
		evbuffer_remove_buffer(wire, raw, 977);
		ok = take(&srv, raw, pong, got, 613) == 0;
	}
	ok = ok && take(&srv, raw, pong, got, 613) == 0;
	have = evbuffer_get_length(got);
	unit_check(ok && have == sizeof(data) && evbuffer_get_length(raw) == 0, "the server unframes every byte");
	evbuffer_remove(got, back, sizeof(back));
	unit_check(memcmp(data, back, sizeof(data)) == 0, "unmasked byte for byte, across any split");
	/* Our end: a close frame; nothing after it is framed. */
	wsconn_close(&cli, wire, WS_CLOSE_NORMAL);
	evbuffer_add(cli.out, "late", 4);
	wsconn_frame(&cli, wire);
	evbuffer_add_buffer(raw, wire);
	unit_check(take(&srv, raw, pong, got, 613) == 0 && srv.peer_closed && srv.peer_code == 1000 &&
		       evbuffer_get_length(got) == 0 && evbuffer_get_length(raw) == 0,
		   "a close frame ends the peer's bytes, nothing after it");
	wsconn_free(&cli);
	wsconn_free(&srv);
	evbuffer_free(wire);
	evbuffer_free(raw);
	evbuffer_free(pong);
	evbuffer_free(got);
}

static void test_fragments(void)
{
	struct wsconn srv;
	struct evbuffer *raw = evbuffer_new(), *wire = evbuffer_new(), *in = evbuffer_new();
	char got[16] = { 0 };
	uint8_t pong[16];

	wsconn_init(&srv, NULL, 0, WSCONN_MAX_FRAME);
	add_raw(raw, 0, WS_OP_BINARY, (const uint8_t *)"abc", 3, 1);
	add_raw(raw, 1, WS_OP_PING, (const uint8_t *)"p!", 2, 1);
	add_raw(raw, 0, WS_OP_CONT, (const uint8_t *)"def", 3, 1);
	add_raw(raw, 1, WS_OP_PONG, (const uint8_t *)"", 0, 1);
	add_raw(raw, 1, WS_OP_CONT, (const uint8_t *)"g", 1, 1);
	add_raw(raw, 1, WS_OP_BINARY, (const uint8_t *)"hi", 2, 1);
	unit_check(take(&srv, raw, wire, in, 64) == 0 && evbuffer_get_length(in) == 9,
		   "continuation frames with control frames between them");
	evbuffer_remove(in, got, 9);
	unit_check(strcmp(got, "abcdefghi") == 0, "the payload in order, without the control frames");
	unit_check(evbuffer_remove(wire, pong, sizeof(pong)) == 4 && pong[0] == 0x8a && pong[1] == 2 &&
		       memcmp(pong + 2, "p!", 2) == 0, "the ping answered with an unmasked pong, its payload echoed");
	wsconn_free(&srv);
	evbuffer_free(raw);
	evbuffer_free(wire);
	evbuffer_free(in);
}

/* One bad frame after an upgrade: the close code it earns. */
static int refused(int client, int fin, int op, int masked, uint64_t len, int preamble)
{
	struct wsconn w;
	struct evbuffer *raw = evbuffer_new(), *wire = evbuffer_new();
	uint8_t h[WS_HDR_MAX], m[4] = { 9, 9, 9, 9 };
	int code;

	wsconn_init(&w, NULL, client, WSCONN_MAX_FRAME);
	if (preamble)
		add_raw(raw, 0, WS_OP_BINARY, (const uint8_t *)"x", 1, masked);
	evbuffer_add(raw, h, ws_frame_header(h, fin, op, len, masked ? m : NULL));
	code = take(&w, raw, wire, wire, 64) == -1 && w.err[0] != '\0' ? w.err_code : 0;
	wsconn_free(&w);
	evbuffer_free(raw);
	evbuffer_free(wire);
	return code;
}

/* A close frame carrying `code`: 0 if taken as the peer's end, else the
 * close code it earns. */
static int close_with(int code)
{
	struct wsconn w;
	struct evbuffer *raw = evbuffer_new(), *wire = evbuffer_new();
	uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };
	int rc;

	wsconn_init(&w, NULL, 0, WSCONN_MAX_FRAME);
	add_raw(raw, 1, WS_OP_CLOSE, p, 2, 1);
	rc = take(&w, raw, wire, wire, 64) == -1 && w.err[0] != '\0' ? w.err_code : w.peer_closed && w.peer_code == code ? 0 : -1;
	wsconn_free(&w);
	evbuffer_free(raw);
	evbuffer_free(wire);
	return rc;
}

static void test_close_codes(void)
{
	static const int ok[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1014, 3000, 4999 };
	static const int bad[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535 };
	int good = 1;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		good &= close_with(ok[i]) == 0;
	unit_check(good, "close codes an endpoint may send end the peer's bytes");
	good = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		good &= close_with(bad[i]) == WS_CLOSE_PROTOCOL;
	unit_check(good, "reserved, internal and undefined close codes get 1002 (RFC 6455 7.4)");
}

static void test_refusals(void)
{
	unit_check(refused(0, 1, WS_OP_TEXT, 1, 5, 0) == WS_CLOSE_UNSUPPORTED, "a text frame gets 1003");
	unit_check(refused(0, 1, WS_OP_BINARY, 1, WSCONN_MAX_FRAME + 1, 0) == WS_CLOSE_TOO_BIG,
		   "an oversize frame gets 1009");
	unit_check(refused(0, 1, WS_OP_BINARY, 0, 5, 0) == WS_CLOSE_PROTOCOL, "an unmasked client frame gets 1002");
	unit_check(refused(1, 1, WS_OP_BINARY, 1, 5, 0) == WS_CLOSE_PROTOCOL, "a masked server frame gets 1002");
	unit_check(refused(0, 1, WS_OP_CONT, 1, 5, 0) == WS_CLOSE_PROTOCOL, "a continuation without a message gets 1002");
	unit_check(refused(0, 1, WS_OP_BINARY, 1, 5, 1) == WS_CLOSE_PROTOCOL,
		   "a new message inside a fragmented one gets 1002");
	unit_check(refused(0, 1, WS_OP_CLOSE, 1, 1, 0) == 0, "a close frame still arriving is no error yet");
}

static void test_upgrade(void)
{
	EVP_MD *sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	static struct httphead h;
	char req[WSHS_OUT_MAX], ans[WSHS_OUT_MAX], key[WS_KEY_LEN + 1], err[200], host[64];
	size_t used;

	wshs_host(host, sizeof(host), "example.org:80");
	unit_check(strcmp(host, "example.org") == 0, "Host leaves out port 80");
	wshs_host(host, sizeof(host), "[::1]:8443");
	unit_check(strcmp(host, "[::1]:8443") == 0, "Host keeps another port, and IPv6 brackets");
	unit_check(wshs_sniff((const uint8_t *)"GE", 2) == 0 && wshs_sniff((const uint8_t *)"GET /", 5) == 1 &&
		       wshs_sniff((const uint8_t *)"\x16\x03", 2) == -1, "sniffing HTTP from SC1");
	unit_check(wshs_request(NULL, req, sizeof(req), "/sc1", "server.test", key) > 0 && ws_key_valid(key),
		   "a request with a fresh valid key");
	unit_check(httphead_parse(&h, (const uint8_t *)req, strlen(req), 1, &used, err, sizeof(err)) == 1 &&
		       wshs_answer(sha1, &h, "/sc1", ans, sizeof(ans), err, sizeof(err)) == 101, "our request gets 101");
	unit_check(wshs_answer(sha1, &h, "/other", ans, sizeof(ans), err, sizeof(err)) == 404, "another path gets 404");
	unit_check(httphead_parse(&h, (const uint8_t *)ans, strlen(ans), 0, &used, err, sizeof(err)) == 1,
		   "the 404 is HTTP");
	unit_check(wshs_check_answer(sha1, &h, key, err, sizeof(err)) == -1 && strstr(err, "404"),
		   "a client refuses a 404, naming it");
	httphead_parse(&h, (const uint8_t *)req, strlen(req), 1, &used, err, sizeof(err));
	wshs_answer(sha1, &h, "/sc1", ans, sizeof(ans), err, sizeof(err));
	unit_check(httphead_parse(&h, (const uint8_t *)ans, strlen(ans), 0, &used, err, sizeof(err)) == 1 &&
		       wshs_check_answer(sha1, &h, key, err, sizeof(err)) == 0, "the client accepts the 101");
	key[0] = key[0] == 'A' ? 'B' : 'A';
	unit_check(wshs_check_answer(sha1, &h, key, err, sizeof(err)) == -1, "an accept value for another key is refused");
	/* A plain HTTP request, whatever its path or method, gets 400. */
	static const char *const plain[] = { "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
					     "GET /sc1 HTTP/1.1\r\nHost: a\r\n\r\n",
					     "POST /sc1 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n" };
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		unit_check(httphead_parse(&h, (const uint8_t *)plain[i], strlen(plain[i]), 1, &used, err,
					  sizeof(err)) == 1 &&
			       wshs_answer(sha1, &h, "/sc1", ans, sizeof(ans), err, sizeof(err)) == 400 &&
			       strncmp(ans, "HTTP/1.1 400 ", 13) == 0,
			   "a plain HTTP request gets 400");
	EVP_MD_free(sha1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_roundtrip();
	test_fragments();
	test_refusals();
	test_close_codes();
	test_upgrade();
	printf("%s\n", unit_failures ? "FAILED" : "all passed");
	return unit_failures ? 1 : 0;
}
