/* Deferred sessions (SC1.md section 4, Extensions: deferred_open) between
 * two in-memory connections: negotiation in each combination, the
 * unopened state, opening by an empty record or by data, withdrawal, and
 * the access policy applied again at opening. One line per check; exit 0
 * when all pass, 1 otherwise, 77 without the shared test PKI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hst.h"

static sc_ctx *cctx, *sctx;

/* A handshake with deferred_open offered (client) and allowed (server)
 * as given; 1 when it completed. */
static int pair_up(pump *p, int offer, int allow)
{
	sc_ctx_set_deferred_open(cctx, offer);
	sc_ctx_set_deferred_open(sctx, allow);
	hst_pair(p, cctx, sctx);
	return pump_handshake(p);
}

static void test_negotiation(void)
{
	static const struct {
		int offer, allow, deferred;
	} rows[] = { { 0, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 1 } };
	pump p;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ok = pair_up(&p, rows[i].offer, rows[i].allow);
		sc_conn *c = p.end[PUMP_C], *s = p.end[PUMP_S];

		unit_check(ok && sc_conn_deferred(c) == rows[i].deferred
			   && sc_conn_deferred(s) == rows[i].deferred,
			   "offer=%d allow=%d: deferred=%d on both ends", rows[i].offer,
			   rows[i].allow, rows[i].deferred);
		unit_check(sc_conn_opened(c) == !rows[i].deferred
			   && sc_conn_opened(s) == !rows[i].deferred,
			   "offer=%d allow=%d: opened at once only when not deferred",
			   rows[i].offer, rows[i].allow);
		pump_clear(&p);
	}
	/* The per-connection setting overrides the context's, before start. */
	sc_ctx_set_deferred_open(cctx, 0);
	sc_ctx_set_deferred_open(sctx, 1);
	hst_pair(&p, cctx, sctx);
	unit_check(sc_conn_set_deferred_open(p.end[PUMP_C], 1) == SC_OK && pump_handshake(&p)
		   && sc_conn_deferred(p.end[PUMP_C]),
		   "sc_conn_set_deferred_open offers it on one connection");
	unit_check(sc_conn_set_deferred_open(p.end[PUMP_C], 0) == SC_ERR_STATE,
		   "...and is refused once the connection started");
	pump_clear(&p);
}

static void test_unopened_then_open(int by_data)
{
	pump p;
	size_t n, before;
	sc_conn *c, *s;

	unit_check(pair_up(&p, 1, 1), "%s: deferred handshake", by_data ? "data" : "empty");
	c = p.end[PUMP_C];
	s = p.end[PUMP_S];
	unit_check(sc_conn_write(s, (const uint8_t *)"x", 1, &n) == SC_ERR_STATE && n == 0,
		   "the unopened server seals no application data");
	unit_check(sc_conn_key_update(s, 1) == SC_OK, "...but may send a key update");
	(void)pump_run(&p);
	unit_check(!sc_conn_opened(s) && sc_conn_state(c) == SC_STATE_OPEN
		   && sc_conn_state(s) == SC_STATE_OPEN,
		   "a key update (and its answer) leaves the session unopened");
	before = p.wire[PUMP_C].len;
	if (by_data) {
		unit_check(hst_send_all(&p, PUMP_C, (const uint8_t *)"first", 5) == SC_OK,
			   "the client sends data without opening first");
	} else {
		unit_check(sc_conn_open(c) == SC_OK && sc_conn_opened(c), "the client opens");
		unit_check(sc_conn_open(c) == SC_OK, "opening twice is harmless");
		(void)pump_run(&p);
		/* One empty record: header and tag, nothing else. */
		unit_check(p.wire[PUMP_C].len - before == SC_RECORD_HEADER_LEN + 16,
			   "opening sends exactly one empty application-data record (%zu bytes)",
			   p.wire[PUMP_C].len - before);
	}
	unit_check(sc_conn_opened(s), "the server's session is open");
	unit_check(hst_exchange(&p, 3000, 7), "data flows both ways after opening");
	unit_check(sc_conn_withdraw(s) == SC_ERR_STATE && sc_conn_state(s) == SC_STATE_OPEN,
		   "an opened session cannot be withdrawn");
	pump_clear(&p);
}

static void test_withdraw(void)
{
	pump p;
	uint8_t junk[64];
	size_t used;
	sc_conn *c, *s;

	unit_check(pair_up(&p, 1, 1), "withdraw: deferred handshake");
	c = p.end[PUMP_C];
	s = p.end[PUMP_S];
	unit_check(sc_conn_withdraw(s) == SC_ERR_WITHDRAWN && sc_conn_alert_sent(s) == SC_ALERT_WITHDRAWN,
		   "the server withdraws the unopened session with alert 90");
	(void)pump_run(&p);
	unit_check(sc_conn_error(c) == SC_ERR_WITHDRAWN
		   && sc_conn_alert_received(c) == SC_ALERT_WITHDRAWN
		   && sc_conn_state(c) == SC_STATE_FAILED,
		   "the client reports withdrawn distinctly (%s)", sc_strerror(sc_conn_error(c)));
	memset(junk, 0x17, sizeof(junk));
	unit_check(sc_conn_feed(s, junk, sizeof(junk), &used) == SC_ERR_WITHDRAWN && used == 0,
		   "the server discards what the client sends after it");
	pump_clear(&p);

	/* A client that never offered it reads withdrawn as any fatal alert. */
	unit_check(pair_up(&p, 0, 1), "withdraw: ordinary handshake");
	unit_check(sc_conn_withdraw(p.end[PUMP_S]) == SC_ERR_STATE,
		   "a session that is not deferred cannot be withdrawn");
	pump_clear(&p);
	unit_check(pair_up(&p, 1, 1), "withdraw: client side");
	unit_check(sc_conn_withdraw(p.end[PUMP_C]) == SC_ERR_STATE,
		   "a client cannot withdraw");
	unit_check(sc_conn_open(p.end[PUMP_S]) == SC_ERR_STATE, "a server cannot open");
	pump_clear(&p);
}

static int refuse_all(void *arg, X509 *leaf, const char *identity)
{
	(void)arg;
	(void)leaf;
	(void)identity;
	return 0;
}

/* The policy at opening: a reload that changed it applies to sessions
 * made before it. */
static void test_recheck(void)
{
	static const struct {
		const char *what;
		const char *ca;
		time_t when;
		int refuse;
		int alert;
	} rows[] = {
		{ "same policy", "ca.pem", HST_VERIFY_TIME, 0, -1 },
		{ "identity now refused", "ca.pem", HST_VERIFY_TIME, 1, SC_ALERT_ACCESS_DENIED },
		{ "client's CA no longer trusted", "other_ca.pem", HST_VERIFY_TIME, 0,
		  SC_ALERT_UNKNOWN_CA },
		{ "client certificate expired since", "ca.pem", (time_t)2524608000 /* 2050 */, 0,
		  SC_ALERT_CERTIFICATE_EXPIRED },
	};
	pump p;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sc_ctx *policy = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", rows[i].ca);
		sc_conn *c, *s;
		int rc;

		sc_ctx_set_verify_time(policy, rows[i].when);
		if (rows[i].refuse)
			sc_ctx_set_identity_cb(policy, refuse_all, NULL);
		unit_check(pair_up(&p, 1, 1), "recheck (%s): deferred handshake", rows[i].what);
		c = p.end[PUMP_C];
		s = p.end[PUMP_S];
		unit_check(sc_conn_open(c) == SC_OK
			   && hst_send_all(&p, PUMP_C, (const uint8_t *)"req", 3) == SC_OK
			   && sc_conn_opened(s), "the session opens");
		rc = sc_conn_recheck_peer(s, policy);
		(void)pump_run(&p);
		if (rows[i].alert < 0) {
			unit_check(rc == SC_OK && hst_exchange(&p, 100, 3),
				   "%s: admitted, data flows", rows[i].what);
		} else {
			unit_check(rc == SC_ERR_PROTOCOL && sc_conn_alert_sent(s) == rows[i].alert
				   && sc_conn_alert_received(c) == rows[i].alert
				   && sc_conn_error(c) == SC_ERR_PEER_ALERT,
				   "%s: refused with %s (sent %d, client got %d: %s)", rows[i].what,
				   sc_alert_name(rows[i].alert), sc_conn_alert_sent(s),
				   sc_conn_alert_received(c), sc_conn_error_detail(s));
		}
		pump_clear(&p);
		sc_ctx_free(policy);
	}
	unit_check(sc_conn_recheck_peer(NULL, NULL) == SC_ERR_ARG, "recheck of NULL: SC_ERR_ARG");
}

int main(void)
{
	if (!hst_start())
		return 77;
	cctx = hst_client_ctx("client.pem", "client.key");
	sctx = hst_server_ctx("server.pem", "server.key");
	test_negotiation();
	test_unopened_then_open(0);
	test_unopened_then_open(1);
	test_withdraw();
	test_recheck();
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
	return hst_result();
}
