/* libFuzzer target for the streaming side of SC1 over WebSocket: the
 * unframer (tunnel/wsconn.c) fed a peer's bytes in pieces, and the upgrade
 * checks (tunnel/wshs.c) on a peer's HTTP head. Input: first byte selects
 * (bit 0: upgrade head, request by bit 1; else frames, to a client by bit
 * 1), the second the piece size; the rest is what the peer sent. Whatever
 * the input, the unframer never yields more payload than it was given, and
 * a refusal always carries a reason and a close code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tunnel/httphead.h"
#include "tunnel/wsconn.h"
#include "tunnel/wshs.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fetched once, as sctunnel does. */
static EVP_MD *sha1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	return 0;
}

static struct httphead head;

static void upgrade(const uint8_t *p, size_t n, int request)
{
	char out[WSHS_OUT_MAX], err[256];
	size_t used;
	int st;

	if (wshs_sniff(p, n) < 0 && request)
		return;
	if (httphead_parse(&head, p, n, request, &used, err, sizeof(err)) != 1)
		return;
	if (request) {
		err[0] = '\0';
		st = wshs_answer(sha1, &head, "/sc1", out, sizeof(out), err, sizeof(err));
		if (st != 101 && err[0] == '\0')
			abort();
	} else if (wshs_check_answer(sha1, &head, "dGhlIHNhbXBsZSBub25jZQ==", err, sizeof(err)) != 0
		   && err[0] == '\0') {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsconn w;
	struct evbuffer *raw, *wire;
	size_t piece, off = 0, taken = 0;
	int rc = 0;

	if (size < 2)
		return 0;
	if (data[0] & 1) {
		upgrade(data + 2, size - 2, (data[0] >> 1) & 1);
		return 0;
	}
	piece = data[1] ? data[1] : 1;
	data += 2;
	size -= 2;
	if (wsconn_init(&w, NULL, (data[-2] >> 1) & 1, 4096) != 0)
		return 0;
	raw = evbuffer_new();
	wire = evbuffer_new();
	while (off < size && rc == 0 && !w.peer_closed) {
		size_t n = size - off < piece ? size - off : piece;

		evbuffer_add(raw, data + off, n);
		off += n;
		/* The engine's part: take the payload, at most `piece` at a
		 * time, then unframe what follows. */
		while ((rc = wsconn_unframe(&w, raw, wire)) == 0 && (n = wsconn_payload(&w, raw)) > 0) {
			if (n > evbuffer_get_length(raw))
				abort();
			taken += n < piece ? n : piece;
			wsconn_consume(&w, raw, n < piece ? n : piece);
		}
	}
	if (taken > size || (rc != 0 && (w.err[0] == '\0' || w.err_code == 0)))
		abort();
	evbuffer_free(raw);
	evbuffer_free(wire);
	wsconn_free(&w);
	return 0;
}
