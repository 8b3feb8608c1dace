/* Whole handshakes between two in-memory connections that must complete:
 * every suite x group the providers offer, each client-certificate mode
 * with and without a client certificate, and server chains through an
 * intermediate or with a P-256 key. One line per check; exit 0 when all
 * pass, 1 otherwise, 77 when the shared test PKI is not available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hst.h"

/* ---- Every suite x group the providers offer. */

static void test_matrix(void)
{
	sc_ctx *probe = hst_client_ctx("client.pem", "client.key");
	char suites[256], groups[256], *ss, *gs, *s, *g;
	sc_ctx *sctx = hst_server_ctx("server.pem", "server.key");
	int combos = 0;

	/* The server accepts every group its providers compute (its default
	 * list is shorter, section "Defaults"). */
	if (sc_ctx_set_groups(sctx, sc_ctx_available_groups(probe)) != SC_OK)
		abort();

	snprintf(suites, sizeof(suites), "%s", sc_ctx_available_suites(probe));
	snprintf(groups, sizeof(groups), "%s", sc_ctx_available_groups(probe));
	printf("# suites %s; groups %s\n", suites, groups);
	unit_check(strstr(suites, "CHACHA20-POLY1305") != NULL && strstr(groups, "none") != NULL,
	      "the mandatory suite and group are offered");
	for (s = strtok_r(suites, ":", &ss); s != NULL; s = strtok_r(NULL, ":", &ss)) {
		char gcopy[256];

		snprintf(gcopy, sizeof(gcopy), "%s", groups);
		for (g = strtok_r(gcopy, ":", &gs); g != NULL; g = strtok_r(NULL, ":", &gs)) {
			sc_ctx *cctx = hst_client_ctx("client.pem", "client.key");
			pump p;
			int ok;

			ok = sc_ctx_set_suites(cctx, s) == SC_OK && sc_ctx_set_groups(cctx, g) == SC_OK;
			hst_pair(&p, cctx, sctx);
			ok = ok && pump_handshake(&p);
			unit_check(ok, "%s x %s: handshake completes", s, g);
			if (ok) {
				const char *cs = sc_conn_suite(p.end[PUMP_C]), *cg = sc_conn_group(p.end[PUMP_C]);
				const char *ss2 = sc_conn_suite(p.end[PUMP_S]), *sg = sc_conn_group(p.end[PUMP_S]);

				unit_check(cs && ss2 && cg && sg && strcasecmp(cs, s) == 0 && strcasecmp(ss2, s) == 0
				      && strcasecmp(cg, g) == 0 && strcasecmp(sg, g) == 0,
				      "%s x %s: both sides report the choice", s, g);
				unit_check(hst_exchange(&p, 40000, (unsigned)combos), "%s x %s: data both ways", s, g);
				unit_check(hst_export_equal(&p), "%s x %s: exporter equal on both sides", s, g);
			}
			combos++;
			pump_clear(&p);
			sc_ctx_free(cctx);
		}
	}
	unit_check(combos >= 2, "%d suite x group combinations ran", combos);
	sc_ctx_free(sctx);
	sc_ctx_free(probe);
}

/* ---- Client-certificate modes (section 4, messages 4, 5 and 10). */

static void test_modes(void)
{
	static const char *names[] = { "none", "optional", "required" };

	for (int mode = 0; mode <= 2; mode++)
		for (int with = 0; with <= 1; with++) {
			sc_ctx *sctx = hst_server_ctx("server.pem", "server.key");
			sc_ctx *cctx = with ? hst_client_ctx("client.pem", "client.key")
					    : hst_client_ctx(NULL, NULL);
			const char *who = with ? "with" : "without";
			pump p;
			int done;

			if (sc_ctx_set_verify_mode(sctx, (sc_verify_mode)mode) != SC_OK)
				abort();
			hst_pair(&p, cctx, sctx);
			done = pump_handshake(&p);
			if (mode == 2 && !with) {
				unit_check(!done && sc_conn_alert_sent(p.end[PUMP_S]) == SC_ALERT_CERTIFICATE_REQUIRED
				      && sc_conn_alert_received(p.end[PUMP_C]) == SC_ALERT_CERTIFICATE_REQUIRED,
				      "mode required, client without certificate: certificate_required");
			} else {
				const char *id = done ? sc_conn_peer_identity(p.end[PUMP_S]) : NULL;
				int expect_id = with && mode > 0;
				size_t max5 = 0;

				unit_check(done && hst_exchange(&p, 1000, 3), "mode %s, client %s certificate: completes",
				      names[mode], who);
				if (expect_id)
					unit_check(id != NULL && strcmp(id, "CN:client.test") == 0
					      && sc_conn_peer_cert(p.end[PUMP_S]) != NULL,
					      "mode %s, client %s certificate: server sees CN:client.test (%s)",
					      names[mode], who, id ? id : "NULL");
				else
					unit_check((id == NULL || id[0] == '\0') && sc_conn_peer_cert(p.end[PUMP_S]) == NULL,
					      "mode %s, client %s certificate: server sees no identity",
					      names[mode], who);
				/* Message 5 with no certificate is 1 byte of body + tag. */
				hst_count_type(&p.wire[PUMP_C], 5, &max5);
				unit_check(expect_id ? max5 > 100 : max5 == 1 + 16,
				      "mode %s, client %s certificate: ClientCertSend fragment %zu bytes",
				      names[mode], who, max5);
			}
			pump_clear(&p);
			sc_ctx_free(cctx);
			sc_ctx_free(sctx);
		}
}

/* ---- Certificates that must work. */

static void test_good_certs(void)
{
	static const char *servers[][2] = {
		{ "server_via_intermediate_chain.pem", "server_via_intermediate.key" },
		{ "server_p256.pem", "server_p256.key" },
	};

	for (size_t i = 0; i < 2; i++) {
		sc_ctx *cctx = hst_client_ctx("client.pem", "client.key");
		sc_ctx *sctx = hst_server_ctx(servers[i][0], servers[i][1]);
		pump p;
		int ok;

		hst_pair(&p, cctx, sctx);
		ok = pump_handshake(&p);
		unit_check(ok && hst_exchange(&p, 100, 1), "server %s with only ca.pem trusted: completes (%s)",
		      servers[i][0], sc_conn_error_detail(p.end[PUMP_C]));
		if (ok && i == 0) {
			const char *id = sc_conn_peer_identity(p.end[PUMP_C]);

			unit_check(id != NULL && strcmp(id, "DNS:server.test") == 0,
			      "client sees the server identity DNS:server.test (%s)", id ? id : "NULL");
		}
		pump_clear(&p);
		sc_ctx_free(cctx);
		sc_ctx_free(sctx);
	}
}

int main(void)
{
	if (!hst_start())
		return 77;
	test_matrix();
	test_modes();
	test_good_certs();
	return hst_result();
}
