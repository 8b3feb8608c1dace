/*
 * provider/peek.c: what a relay learns from record headers (SC1.md
 * section 2). Fixed bytes first: lengths from headers whole and partial,
 * the application-data type, and which first bytes can begin SC1 for each
 * role (hellos and alerts can; TLS, HTTP, SSH and the wrong hello cannot).
 * Then a live in-memory session: walking each direction with
 * sc_record_next_len() finds the same records as the test's own parser,
 * exactly the records after the handshake are application data, and each
 * side's first bytes look like SC1 to its peer and not to a peer of the
 * other role. The live part needs the shared test PKI and is skipped, with
 * a note, without it. Exit 0 when all pass, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "pump.h"
#include "unit.h"

#define VERIFY_TIME ((time_t)1780272000) /* 2026-06-01T00:00:00Z */

static void test_fixed(void)
{
	static const uint8_t app[] = { 0x17, 0x40, 0x10 };
	static const uint8_t big[] = { 0x01, 0xff, 0xff };
	static const uint8_t empty[] = { 0x15, 0x00, 0x00 };
	static const struct {
		const char *what;
		const uint8_t *p;
		size_t len;
		int to_server, to_client;
	} first[] = {
		{ "ClientHello", (const uint8_t *)"\x01\x00\x40", 3, 1, 0 },
		{ "ServerHello", (const uint8_t *)"\x02\x00\x40", 3, 0, 1 },
		{ "clear alert", (const uint8_t *)"\x15\x00\x01\x0a", 4, 1, 1 },
		{ "one byte of a ClientHello", (const uint8_t *)"\x01", 1, 1, 0 },
		{ "TLS ClientHello", (const uint8_t *)"\x16\x03\x01\x00", 4, 0, 0 },
		{ "HTTP request", (const uint8_t *)"GET / HTTP/1.1\r\n", 16, 0, 0 },
		{ "SSH banner", (const uint8_t *)"SSH-2.0-x\r\n", 11, 0, 0 },
		{ "application data", app, sizeof(app), 0, 0 },
		{ "a key update", (const uint8_t *)"\x18\x00\x11", 3, 0, 0 },
		{ "nothing yet", (const uint8_t *)"", 0, 1, 1 },
	};
	size_t i;

	unit_check(SC_RECORD_HEADER_LEN == 3 && SC_RECORD_MAX_PLAINTEXT == 16384,
	      "header 3 bytes, at most 16384 bytes of plaintext a record");
	unit_check(sc_record_next_len(app, 3) == 3 + 0x4010,
	      "a whole header gives header + fragment length");
	unit_check(sc_record_next_len(big, 3) == 3 + 0xffff,
	      "the largest length a header can state (not checked here)");
	unit_check(sc_record_next_len(empty, 3) == 3, "an empty fragment");
	unit_check(sc_record_next_len(app, 2) == 3 && sc_record_next_len(app, 1) == 3 &&
	      sc_record_next_len(app, 0) == 3 && sc_record_next_len(NULL, 0) == 3,
	      "a partial header asks for the whole header");
	unit_check(sc_record_is_appdata(app, 3) && sc_record_is_appdata(app, 1),
	      "0x17 is application data, from its first byte");
	unit_check(!sc_record_is_appdata(big, 3) && !sc_record_is_appdata(empty, 3) &&
	      !sc_record_is_appdata((const uint8_t *)"\x18", 1),
	      "hello, alert and key update are not application data");
	unit_check(!sc_record_is_appdata(app, 0) && !sc_record_is_appdata(NULL, 0),
	      "no bytes are no application data");
	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++) {
		unit_check(sc_record_looks_sc1(first[i].p, first[i].len,
		                          SC_ROLE_SERVER) == first[i].to_server,
		      "%s to a server: %s", first[i].what,
		      first[i].to_server ? "can be SC1" : "not SC1");
		unit_check(sc_record_looks_sc1(first[i].p, first[i].len,
		                          SC_ROLE_CLIENT) == first[i].to_client,
		      "%s to a client: %s", first[i].what,
		      first[i].to_client ? "can be SC1" : "not SC1");
	}
}

/* Walk `b` record by record with sc_record_next_len(); returns how many
 * whole records, counting application data in *app from record `from` on
 * and anything else there in *other. */
static size_t walk(const pbuf *b, size_t from, size_t *app, size_t *other)
{
	size_t off = 0, n = 0, len;

	*app = *other = 0;
	while (off < b->len) {
		len = sc_record_next_len(b->p + off, b->len - off);
		if (len < SC_RECORD_HEADER_LEN || len > b->len - off)
			break;
		if (n >= from) {
			if (sc_record_is_appdata(b->p + off, len))
				(*app)++;
			else
				(*other)++;
		}
		off += len;
		n++;
	}
	return off == b->len ? n : (size_t)-1;
}

static void test_live(void)
{
	static uint8_t data[3 * SC_RECORD_MAX_PLAINTEXT + 5];
	size_t off[64], hs[2], n, app, other, used;
	sc_ctx *cctx, *sctx;
	pump p;
	int who, ok;

	if (!pki_available()) {
		printf("skip: the live session (no shared test PKI)\n");
		return;
	}
	cctx = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	sctx = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	sc_ctx_set_verify_time(cctx, VERIFY_TIME);
	sc_ctx_set_verify_time(sctx, VERIFY_TIME);
	pump_init(&p, sc_conn_new(cctx), sc_conn_new(sctx));
	ok = pump_handshake(&p);
	unit_check(ok, "handshake");
	for (who = 0; who < 2; who++)
		hs[who] = pump_records(p.wire[who].p, p.wire[who].len, off, 64);
	memset(data, 'd', sizeof(data));
	for (who = 0; ok && who < 2; who++) {
		for (n = 0; n < sizeof(data); n += used)
			if (sc_conn_write(p.end[who], data + n, sizeof(data) - n,
			                  &used) != SC_OK || used == 0)
				break;
		(void)pump_run(&p);
	}
	for (who = 0; ok && who < 2; who++) {
		const char *side = who == PUMP_C ? "client" : "server";

		n = walk(&p.wire[who], hs[who], &app, &other);
		unit_check(n == pump_records(p.wire[who].p, p.wire[who].len, off, 64),
		      "%s: %zu records, the same boundaries as the test's parser",
		      side, n);
		unit_check(app == 4 && other == 0,
		      "%s: the 4 records after the handshake are application "
		      "data (%zu), nothing else (%zu)", side, app, other);
		walk(&p.wire[who], 0, &app, &other);
		unit_check(app == 4, "%s: no handshake record is application data",
		      side);
	}
	unit_check(sc_record_looks_sc1(p.wire[PUMP_C].p, p.wire[PUMP_C].len,
	                          SC_ROLE_SERVER) &&
	      !sc_record_looks_sc1(p.wire[PUMP_C].p, p.wire[PUMP_C].len,
	                           SC_ROLE_CLIENT),
	      "the client's first bytes can be SC1 to a server, not to a client");
	unit_check(sc_record_looks_sc1(p.wire[PUMP_S].p, p.wire[PUMP_S].len,
	                          SC_ROLE_CLIENT) &&
	      !sc_record_looks_sc1(p.wire[PUMP_S].p, p.wire[PUMP_S].len,
	                           SC_ROLE_SERVER),
	      "the server's first bytes can be SC1 to a client, not to a server");
	pump_clear(&p);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

int main(void)
{
	test_fixed();
	test_live();
	if (unit_failures > 0)
		printf("%d check(s) failed\n", unit_failures);
	return unit_failures > 0;
}
