/* The zero-copy calls for relays: sc_conn_write_into seals straight into
 * the caller's memory and sc_conn_feed_into opens straight into it, with
 * the same bytes, order and record sizes as the copying calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"

#define TOTAL (200 * 1024 + 123)

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static void session(pump *p, sc_ctx **cc, sc_ctx **sc, uint64_t ku_bytes)
{
	*cc = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	*sc = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	if (ku_bytes && sc_ctx_set_key_update_limits(*sc, ku_bytes, 0) != SC_OK)
		abort();
	pump_init(p, sc_conn_new(*cc), sc_conn_new(*sc));
	if (!pump_handshake(p))
		abort();
}

/* The server seals `data` with write_into into chunks of `cap`; returns the
 * wire bytes. */
static void seal_all(sc_conn *s, const uint8_t *data, size_t len, size_t cap, pbuf *wire)
{
	uint8_t *out = malloc(cap);
	size_t done = 0, used, written;

	while (done < len) {
		if (sc_conn_write_into(s, data + done, len - done, &used, out, cap, &written) != SC_OK)
			abort();
		if (used == 0 && written == 0)
			abort();
		pbuf_add(wire, out, written);
		done += used;
	}
	free(out);
}

/* The client opens `wire` with feed_into into chunks of `cap`. */
static void open_all(sc_conn *c, const pbuf *wire, size_t cap, pbuf *got)
{
	uint8_t *out = malloc(cap);
	size_t off = 0, used, n;
	int rounds = 0;

	while ((off < wire->len || sc_conn_pending_read(c) > 0) && rounds++ < 100000) {
		if (sc_conn_feed_into(c, wire->p + off, wire->len - off, &used, out, cap, &n) != SC_OK)
			abort();
		pbuf_add(got, out, n);
		off += used;
	}
	free(out);
}

static int full_records(const pbuf *wire, size_t *records, size_t *keyupdates)
{
	size_t off = 0, full = 0;

	*records = *keyupdates = 0;
	while (off + 3 <= wire->len) {
		size_t len = (size_t)wire->p[off + 1] << 8 | wire->p[off + 2];
		if (wire->p[off] == 0x18)
			(*keyupdates)++;
		else
			(*records)++;
		full += wire->p[off] == 0x17 && len == 16384 + 16;
		off += 3 + len;
	}
	return (int)full;
}

int main(void)
{
	uint8_t *data = malloc(TOTAL);
	sc_ctx *cc, *sc;
	pbuf wire = { 0 }, got = { 0 };
	size_t records, kus;
	pump p;

	if (!pki_available()) {
		printf("skip: test PKI not found (SC_SHARED_DIR)\n");
		return 77;
	}
	for (size_t i = 0; i < TOTAL; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 8));

	session(&p, &cc, &sc, 0);
	seal_all(p.end[PUMP_S], data, TOTAL, sc_conn_sealed_size(TOTAL), &wire);
	check(full_records(&wire, &records, &kus) == TOTAL / 16384 && records == TOTAL / 16384 + 1,
	      "with room for all, write_into seals full-size records");
	open_all(p.end[PUMP_C], &wire, TOTAL, &got);
	check(got.len == TOTAL && memcmp(got.p, data, TOTAL) == 0, "feed_into opens every byte in order");
	pbuf_free(&wire);
	pbuf_free(&got);

	seal_all(p.end[PUMP_S], data, TOTAL, 5000, &wire);
	open_all(p.end[PUMP_C], &wire, 3000, &got);
	check(got.len == TOTAL && memcmp(got.p, data, TOTAL) == 0,
	      "small buffers both ways: smaller records, same bytes");
	pbuf_free(&wire);
	pbuf_free(&got);
	pump_clear(&p);
	sc_ctx_free(cc);
	sc_ctx_free(sc);

	session(&p, &cc, &sc, 50000);
	seal_all(p.end[PUMP_S], data, TOTAL, 70000, &wire);
	full_records(&wire, &records, &kus);
	check(kus == TOTAL / 50000, "automatic key updates are placed in the stream");
	open_all(p.end[PUMP_C], &wire, 20000, &got);
	check(got.len == TOTAL && memcmp(got.p, data, TOTAL) == 0,
	      "data across key updates arrives intact");
	check(sc_conn_state(p.end[PUMP_C]) == SC_STATE_OPEN, "the reader is still open");
	pbuf_free(&wire);
	pbuf_free(&got);
	pump_clear(&p);
	sc_ctx_free(cc);
	sc_ctx_free(sc);
	free(data);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
