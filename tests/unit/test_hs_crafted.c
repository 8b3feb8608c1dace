/* Handcrafted and altered records (sections 2, 4.1 and 10): a wrong
 * version, trailing bytes, unknown or out-of-order record types, oversized
 * headers, a replayed ClientHello, truncation, a flipped bit in an
 * encrypted handshake record, and bad headers on an open session, each
 * ending with the right alert on the right side. One line per check; exit
 * 0 when all pass, 1 otherwise, 77 when the shared test PKI is not
 * available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hst.h"

/* ---- Handcrafted records at the first steps (sections 2, 4.1 and 10). */

typedef struct {
	sc_ctx *cctx, *sctx;
	pump p;
	pbuf hello;     /* the client's ClientHello record */
} fresh;

static void fresh_start(fresh *f)
{
	memset(f, 0, sizeof(*f));
	f->cctx = hst_client_ctx("client.pem", "client.key");
	f->sctx = hst_server_ctx("server.pem", "server.key");
	hst_pair(&f->p, f->cctx, f->sctx);
	if (sc_conn_start(f->p.end[PUMP_C]) != SC_OK)
		abort();
	pump_take(&f->p, PUMP_C, &f->hello);
}

static void fresh_end(fresh *f)
{
	pbuf_free(&f->hello);
	pump_clear(&f->p);
	sc_ctx_free(f->cctx);
	sc_ctx_free(f->sctx);
}

/* Feeds `rec` to end `to`; checks it fails with `alert` and that the peer,
 * given the reply, receives the same alert. */
static void feed_expect(fresh *f, int to, const uint8_t *rec, size_t n, int alert,
			const char *what)
{
	pbuf reply = { 0 };
	int rc = pump_feed(&f->p, to, rec, n), sent = sc_conn_alert_sent(f->p.end[to]);

	pump_take(&f->p, to, &reply);
	unit_check(rc == SC_ERR_PROTOCOL && sent == alert && reply.len > 0,
	      "%s: %s (got %s, %s)", what, sc_alert_name(alert),
	      sent >= 0 ? sc_alert_name(sent) : "none", sc_conn_error_detail(f->p.end[to]));
	if (sc_conn_state(f->p.end[!to]) != SC_STATE_FAILED) {
		(void)pump_feed(&f->p, !to, reply.p, reply.len);
		unit_check(sc_conn_alert_received(f->p.end[!to]) == alert,
		      "%s: the peer receives %s", what, sc_alert_name(alert));
	}
	pbuf_free(&reply);
}

static void test_crafted(void)
{
	fresh f;
	uint8_t rec[3 + 16401];
	pbuf b = { 0 };

	fresh_start(&f);
	f.hello.p[4] ^= 0x03; /* version 0x0001 -> 0x0002 */
	feed_expect(&f, PUMP_S, f.hello.p, f.hello.len, SC_ALERT_PROTOCOL_VERSION,
		    "ClientHello version 2");
	fresh_end(&f);

	fresh_start(&f);
	pbuf_add(&b, f.hello.p, f.hello.len);
	pbuf_add(&b, (const uint8_t *)"", 1);
	b.p[1] = (uint8_t)((b.len - 3) >> 8);
	b.p[2] = (uint8_t)(b.len - 3);
	feed_expect(&f, PUMP_S, b.p, b.len, SC_ALERT_DECODE_ERROR, "ClientHello with a trailing byte");
	pbuf_free(&b);
	fresh_end(&f);

	fresh_start(&f);
	memcpy(rec, "\x30\x00\x01\x00", 4);
	feed_expect(&f, PUMP_S, rec, 4, SC_ALERT_UNEXPECTED_MESSAGE, "record type 0x30 first");
	fresh_end(&f);

	fresh_start(&f);
	memset(rec, 0, sizeof(rec));
	rec[0] = 0x01;
	rec[1] = 16401 >> 8;
	rec[2] = 16401 & 0xff;
	feed_expect(&f, PUMP_S, rec, 3, SC_ALERT_RECORD_OVERFLOW, "clear header length 16401");
	fresh_end(&f);

	fresh_start(&f);
	rec[1] = 16385 >> 8;
	rec[2] = 16385 & 0xff;
	feed_expect(&f, PUMP_S, rec, 3, SC_ALERT_RECORD_OVERFLOW, "clear header length 16385");
	fresh_end(&f);

	/* Out of order: a ServerHello-typed record to a server, a ClientHello
	 * to a client, application data before the handshake. */
	fresh_start(&f);
	f.hello.p[0] = 0x02;
	feed_expect(&f, PUMP_S, f.hello.p, f.hello.len, SC_ALERT_UNEXPECTED_MESSAGE,
		    "server receives type 2 first");
	fresh_end(&f);

	fresh_start(&f);
	feed_expect(&f, PUMP_C, f.hello.p, f.hello.len, SC_ALERT_UNEXPECTED_MESSAGE,
		    "client receives a ClientHello for its ServerHello");
	fresh_end(&f);

	fresh_start(&f);
	memcpy(rec, "\x17\x00\x02hi", 5);
	feed_expect(&f, PUMP_S, rec, 5, SC_ALERT_UNEXPECTED_MESSAGE,
		    "server receives clear application data first");
	fresh_end(&f);

	/* Replayed ClientHello once the server answered: it holds the c_hs read
	 * key and takes every record as encrypted (section 2), and the tag is
	 * checked before the type is judged (section 10). */
	fresh_start(&f);
	(void)pump_feed(&f.p, PUMP_S, f.hello.p, f.hello.len);
	pump_take(&f.p, PUMP_S, &b);
	unit_check(b.len > 0 && sc_conn_last_step(f.p.end[PUMP_S]) == 4, "server answers a ClientHello");
	/* The client takes the answer, so it can open the server's alert. */
	(void)pump_feed(&f.p, PUMP_C, b.p, b.len);
	pbuf_free(&b);
	feed_expect(&f, PUMP_S, f.hello.p, f.hello.len, SC_ALERT_BAD_RECORD_MAC,
		    "ClientHello replayed after the server answered");
	fresh_end(&f);

	/* Truncation: part of a record, then end of stream (section 4, Alert). */
	fresh_start(&f);
	{
		size_t used, out;
		int rc = sc_conn_feed(f.p.end[PUMP_S], f.hello.p, 20, &used);

		rc = rc == SC_OK ? sc_conn_feed_eof(f.p.end[PUMP_S]) : rc;
		(void)sc_conn_output(f.p.end[PUMP_S], &out);
		unit_check(rc == SC_ERR_TRUNCATED && used == 20 && out == 0
		      && sc_conn_alert_sent(f.p.end[PUMP_S]) == -1
		      && sc_conn_state(f.p.end[PUMP_S]) == SC_STATE_FAILED,
		      "partial ClientHello then end of stream: truncated, no alert");
	}
	fresh_end(&f);
}

/* A flipped byte of an encrypted handshake record: bad_record_mac. */
static void test_flipped_handshake_record(void)
{
	sc_ctx *cctx = hst_client_ctx("client.pem", "client.key");
	sc_ctx *sctx = hst_server_ctx("server.pem", "server.key");
	size_t off[8];
	pump p;
	int done;

	/* First a clean run to find where the client's 4th record (8,
	 * KeyConfirm1) sits: every length here is fixed by the configuration. */
	hst_pair(&p, cctx, sctx);
	done = pump_handshake(&p);
	unit_check(done && pump_records(p.wire[PUMP_C].p, p.wire[PUMP_C].len, off, 8) >= 5,
	      "a clean handshake for the offsets");
	pump_clear(&p);
	hst_pair(&p, cctx, sctx);
	p.flip_at[PUMP_C] = (long)off[3] + 10;
	p.flip_mask = 0x01;
	done = pump_handshake(&p);
	unit_check(!done && sc_conn_alert_sent(p.end[PUMP_S]) == SC_ALERT_BAD_RECORD_MAC
	      && sc_conn_alert_received(p.end[PUMP_C]) == SC_ALERT_BAD_RECORD_MAC,
	      "KeyConfirm1 with a flipped bit: server sends bad_record_mac");
	pump_clear(&p);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

/* Headers on an open session: type before tag, length limits. */
static void test_open_headers(void)
{
	static uint8_t rec[3 + 16401];
	struct {
		uint8_t type;
		size_t len, feed;
		int alert;
		const char *what;
	} cases[] = {
		{ 0x30, 20, 23, SC_ALERT_UNEXPECTED_MESSAGE, "open session, record type 0x30" },
		{ 0x17, 16401, 3, SC_ALERT_RECORD_OVERFLOW, "open session, header length 16401" },
		{ 0x17, 16400, 3 + 16400, SC_ALERT_BAD_RECORD_MAC, "open session, 16400 bytes of junk" },
		{ 0x17, 15, 3 + 15, SC_ALERT_BAD_RECORD_MAC, "open session, record shorter than a tag" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hst_session s;
		pbuf reply = { 0 };
		int rc, ok = hst_open_session(&s, 0);

		memset(rec, 0x5a, sizeof(rec));
		rec[0] = cases[i].type;
		rec[1] = (uint8_t)(cases[i].len >> 8);
		rec[2] = (uint8_t)cases[i].len;
		rc = pump_feed(&s.p, PUMP_S, rec, cases[i].feed);
		pump_take(&s.p, PUMP_S, &reply);
		(void)pump_feed(&s.p, PUMP_C, reply.p, reply.len);
		unit_check(ok && rc == SC_ERR_PROTOCOL && sc_conn_alert_sent(s.p.end[PUMP_S]) == cases[i].alert
		      && sc_conn_alert_received(s.p.end[PUMP_C]) == cases[i].alert
		      && s.p.got[PUMP_S].len == 0,
		      "%s: %s (%s)", cases[i].what, sc_alert_name(cases[i].alert),
		      sc_conn_error_detail(s.p.end[PUMP_S]));
		pbuf_free(&reply);
		hst_close_session(&s);
	}
}

int main(void)
{
	if (!hst_start())
		return 77;
	test_crafted();
	test_flipped_handshake_record();
	test_open_headers();
	return hst_result();
}
