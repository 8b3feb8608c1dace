/* What a peer that sends and never reads can make the engine queue: a
 * flood of key-update requests gets one reply while that reply waits, and
 * feeding stops while the output is full, so the output stays bounded
 * whatever the peer sends. Also: no secret seals its byte limit, the key
 * update record included (section 4, key update). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"
#include "sovchain_testing.h"

static int failures;

static void check(int ok, const char *what, size_t a, size_t b)
{
	printf("%s: %s (%zu, %zu)\n", ok ? "ok" : "FAIL", what, a, b);
	failures += !ok;
}

static void session(pump *p, sc_ctx **cc, sc_ctx **sc, uint64_t ku_bytes)
{
	*cc = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	*sc = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	if (ku_bytes && sc_ctx_set_key_update_limits(*cc, ku_bytes, 0) != SC_OK)
		abort();
	pump_init(p, sc_conn_new(*cc), sc_conn_new(*sc));
	if (!pump_handshake(p))
		abort();
}

static void end_session(pump *p, sc_ctx *cc, sc_ctx *sc)
{
	pump_clear(p);
	sc_ctx_free(cc);
	sc_ctx_free(sc);
}

static size_t count_type(const uint8_t *d, size_t n, uint8_t type)
{
	size_t off = 0, k = 0;

	while (off + 3 <= n) {
		k += d[off] == type;
		off += 3 + ((size_t)d[off + 1] << 8 | d[off + 2]);
	}
	return k;
}

/* The client's records: `n` of them, made by `make`, into one buffer. */
static void client_records(sc_conn *c, size_t n, int (*make)(sc_conn *), pbuf *wire)
{
	const uint8_t *p;
	size_t len;

	for (size_t i = 0; i < n; i++) {
		if (make(c) != SC_OK)
			abort();
		p = sc_conn_output(c, &len);
		pbuf_add(wire, p, len);
		sc_conn_output_consume(c, len);
	}
}

static int ku_request(sc_conn *c) { return sc_conn_key_update(c, 1); }

static int empty_record(sc_conn *c)
{
	return sc_testing_send_record(c, 0x17, NULL, 0);
}

/* Feeds `wire` to the server, which never sends: returns bytes consumed. */
static size_t feed_all(sc_conn *s, const pbuf *wire)
{
	size_t off = 0, used;

	while (off < wire->len) {
		if (sc_conn_feed(s, wire->p + off, wire->len - off, &used) != SC_OK) {
			printf("feed failed: %s\n", sc_conn_error_detail(s));
			break;
		}
		if (used == 0)
			break;
		off += used;
	}
	return off;
}

/* Takes end `from`'s output (kept in its wire log only). */
static void discard(pump *p, int from)
{
	pbuf b = { 0 };

	pump_take(p, from, &b);
	pbuf_free(&b);
}

/* Takes end `from`'s output and hands it to the other end. */
static void deliver(pump *p, int from)
{
	pbuf b = { 0 };

	pump_take(p, from, &b);
	(void)pump_feed(p, !from, b.p, b.len);
	pbuf_free(&b);
}

static void test_ku_flood(void)
{
	pump p;
	sc_ctx *cc, *sc;
	pbuf wire = { 0 };
	const uint8_t *out;
	size_t len, fed, used;
	int ok;

	session(&p, &cc, &sc, 0);
	client_records(p.end[PUMP_C], 20000, ku_request, &wire);
	fed = feed_all(p.end[PUMP_S], &wire);
	out = sc_conn_output(p.end[PUMP_S], &len);
	check(fed == wire.len, "20,000 key-update requests are all taken", fed, wire.len);
	check(count_type(out, len, 0x18) == 1,
	      "while the reply waits, further requests queue no second reply",
	      count_type(out, len, 0x18), 1);
	check(len <= sc_conn_output_limit(p.end[PUMP_S]),
	      "the server's output stays under its limit", len,
	      sc_conn_output_limit(p.end[PUMP_S]));
	/* Once the reply has left, the next request gets a reply of its own,
	 * and the client follows both of the server's updates. */
	deliver(&p, PUMP_S);
	pbuf_free(&wire);
	client_records(p.end[PUMP_C], 3, ku_request, &wire);
	(void)feed_all(p.end[PUMP_S], &wire);
	out = sc_conn_output(p.end[PUMP_S], &len);
	check(count_type(out, len, 0x18) == 1, "a request after the reply left gets one",
	      count_type(out, len, 0x18), 1);
	pbuf_free(&wire);
	deliver(&p, PUMP_S);
	ok = sc_conn_write(p.end[PUMP_S], (const uint8_t *)"after", 5, &used) == SC_OK;
	(void)pump_run(&p);
	check(ok && p.got[PUMP_C].len == 5 && memcmp(p.got[PUMP_C].p, "after", 5) == 0,
	      "data still flows to the client after the updates", p.got[PUMP_C].len, 5);
	end_session(&p, cc, sc);
}

/* A server whose output is full takes nothing more until it is sent. */
static void test_feed_stops_when_full(void)
{
	pump p;
	sc_ctx *cc, *sc;
	pbuf wire = { 0 };
	size_t len, used, fed;
	uint8_t big[16384];

	session(&p, &cc, &sc, 0);
	memset(big, 7, sizeof(big));
	/* Fill the server's output with its own data (unsent). */
	while (!sc_conn_output_full(p.end[PUMP_S]))
		if (sc_conn_write(p.end[PUMP_S], big, sizeof(big), &used) != SC_OK || used == 0)
			break;
	(void)sc_conn_output(p.end[PUMP_S], &len);
	check(sc_conn_output_full(p.end[PUMP_S]) == 1, "output reported full", len,
	      sc_conn_output_limit(p.end[PUMP_S]));
	client_records(p.end[PUMP_C], 100, ku_request, &wire);
	fed = feed_all(p.end[PUMP_S], &wire);
	check(fed == 0, "a full output takes no input", fed, 0);
	discard(&p, PUMP_S);
	check(sc_conn_output_full(p.end[PUMP_S]) == 0, "sent output is no longer full", 0, 0);
	fed = feed_all(p.end[PUMP_S], &wire);
	check(fed == wire.len, "once sent, the rest is taken", fed, wire.len);
	pbuf_free(&wire);

	/* Empty application-data records queue nothing at all. */
	discard(&p, PUMP_S);
	client_records(p.end[PUMP_C], 20000, empty_record, &wire);
	fed = feed_all(p.end[PUMP_S], &wire);
	(void)sc_conn_output(p.end[PUMP_S], &len);
	check(wire.len == 20000 * (3 + 16) && fed == wire.len && len == 0,
	      "20,000 empty records are all taken and queue no output", fed, len);
	pbuf_free(&wire);
	end_session(&p, cc, sc);
}

/* Section 4: no secret seals ku_bytes, the update record included. */
static void test_ku_bytes_counts_update(void)
{
	pump p;
	sc_ctx *cc, *sc;
	uint8_t data[1000];
	size_t used, off[512], nrec, sealed = 0, worst = 0, kus = 0;
	const uint8_t *w;

	session(&p, &cc, &sc, 1000);
	memset(data, 3, sizeof(data));
	for (int i = 0; i < 20; i++)
		if (sc_conn_write(p.end[PUMP_C], data, sizeof(data), &used) != SC_OK || used != sizeof(data))
			abort();
	discard(&p, PUMP_C);
	w = p.wire[PUMP_C].p;
	nrec = pump_records(w, p.wire[PUMP_C].len, off, 512);
	for (size_t i = 0; i < nrec && i < 512; i++) {
		const uint8_t *r = w + off[i];
		size_t len = (size_t)r[1] << 8 | r[2];

		if (r[0] != 0x17 && r[0] != 0x18)
			continue;   /* the handshake's own records */
		sealed += len - 16;
		if (sealed > worst)
			worst = sealed;
		if (r[0] == 0x18) {
			kus++;
			sealed = 0;
		}
	}
	check(kus >= 19 && worst <= 1000,
	      "with rekey_bytes 1000 no secret seals more than 1000 bytes, update included", kus, worst);
	end_session(&p, cc, sc);
}

int main(void)
{
	if (!pki_available()) {
		printf("SKIP: no test PKI (SC_SHARED_DIR)\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	test_ku_flood();
	test_feed_stops_when_full();
	test_ku_bytes_counts_update();
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
