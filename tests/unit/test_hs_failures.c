/* Handshakes that must fail, sections 4, 9 and 10: for each certificate,
 * name, policy, CRL or negotiation fault, the side that detects it sends
 * the alert of section 9's table and the other side receives it, and no
 * application data moves. One line per check; exit 0 when all pass, 1
 * otherwise, 77 when the shared test PKI is not available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hst.h"

/* ---- Failures: the side that detects sends the alert, the other gets it. */

static void expect_alert(const char *what, sc_ctx *cctx, sc_ctx *sctx, int sender,
			 int alert, int alt)
{
	pump p;
	int done, sent, recv;

	hst_pair(&p, cctx, sctx);
	done = pump_handshake(&p);
	sent = sc_conn_alert_sent(p.end[sender]);
	recv = sc_conn_alert_received(p.end[!sender]);
	unit_check(!done && (sent == alert || (alt >= 0 && sent == alt)) && recv == sent
	      && sc_conn_state(p.end[sender]) == SC_STATE_FAILED
	      && sc_conn_state(p.end[!sender]) == SC_STATE_FAILED
	      && sc_conn_error(p.end[!sender]) == SC_ERR_PEER_ALERT
	      && p.got[0].len == 0 && p.got[1].len == 0,
	      "%s: %s sends %s (sent %s, peer received %s; %s)", what,
	      sender == PUMP_S ? "server" : "client", sc_alert_name(alert),
	      sent >= 0 ? sc_alert_name(sent) : "none", recv >= 0 ? sc_alert_name(recv) : "none",
	      sc_conn_error_detail(p.end[sender]));
	pump_clear(&p);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

/* A CRL by ca.key revoking `serial`, written to a temporary file. */
static int write_crl(char *path, size_t cap, long serial)
{
	FILE *f;
	X509 *ca = NULL;
	EVP_PKEY *key = NULL;
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, HST_VERIFY_TIME - 86400);
	ASN1_TIME *next = ASN1_TIME_set(NULL, HST_VERIFY_TIME + 86400 * 30);
	int fd, ok = 0;

	snprintf(path, cap, "%s/sc-test-crl-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
	if ((f = fopen(pki_file("ca.pem"), "r")) != NULL) {
		ca = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if ((f = fopen(pki_file("ca.key"), "r")) != NULL) {
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (ca && key && crl && rev && sn && last && next
	    && ASN1_INTEGER_set(sn, serial) && X509_REVOKED_set_serialNumber(rev, sn)
	    && X509_REVOKED_set_revocationDate(rev, last) && X509_CRL_add0_revoked(crl, rev)
	    && (rev = NULL, X509_CRL_set_version(crl, X509_CRL_VERSION_2))
	    && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca))
	    && X509_CRL_set1_lastUpdate(crl, last) && X509_CRL_set1_nextUpdate(crl, next)
	    && X509_CRL_sort(crl) && X509_CRL_sign(crl, key, NULL) > 0
	    && (fd = mkstemp(path)) >= 0) {
		if ((f = fdopen(fd, "w")) != NULL) {
			ok = PEM_write_X509_CRL(f, crl) == 1;
			ok = fclose(f) == 0 && ok;
		} else {
			close(fd);
		}
	}
	X509_REVOKED_free(rev);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	EVP_PKEY_free(key);
	X509_free(ca);
	return ok;
}

static void test_crl(void)
{
	static const long serials[2] = { 6041601, 6037505 }; /* client, server */
	char path[512];

	for (int i = 0; i < 2; i++) {
		sc_ctx *sctx = hst_server_ctx("server.pem", "server.key");
		sc_ctx *cctx = hst_client_ctx("client.pem", "client.key");
		int loaded;

		if (!write_crl(path, sizeof(path), serials[i])) {
			unit_check(0, "build a CRL");
			sc_ctx_free(cctx);
			sc_ctx_free(sctx);
			return;
		}
		loaded = sc_ctx_load_crl(sctx, path) == SC_OK;
		unlink(path);
		unit_check(loaded, "server loads a CRL");
		if (i == 0) {
			expect_alert("client revoked by CRL", cctx, sctx, PUMP_S,
				     SC_ALERT_CERTIFICATE_REVOKED, -1);
		} else {
			pump p;

			hst_pair(&p, cctx, sctx);
			unit_check(pump_handshake(&p), "CRL revoking another serial: client admitted");
			pump_clear(&p);
			sc_ctx_free(cctx);
			sc_ctx_free(sctx);
		}
	}
}

static char seen_identity[256];
static int seen_leaf;

static int refuse(void *arg, X509 *leaf, const char *identity)
{
	(void)arg;
	snprintf(seen_identity, sizeof(seen_identity), "%s", identity ? identity : "(null)");
	seen_leaf = leaf != NULL;
	return 0;
}

static void test_failures(void)
{
	sc_ctx *c, *s;

	expect_alert("server certificate from an unknown CA", hst_client_ctx("client.pem", "client.key"),
		     hst_server_ctx("server_other_ca.pem", "server_other_ca.key"), PUMP_C,
		     SC_ALERT_UNKNOWN_CA, -1);
	expect_alert("client certificate from an unknown CA",
		     hst_client_ctx("client_other_ca.pem", "client_other_ca.key"),
		     hst_server_ctx("server.pem", "server.key"), PUMP_S, SC_ALERT_UNKNOWN_CA, -1);
	expect_alert("expired client certificate",
		     hst_client_ctx("client_expired.pem", "client_expired.key"),
		     hst_server_ctx("server.pem", "server.key"), PUMP_S, SC_ALERT_CERTIFICATE_EXPIRED, -1);
	expect_alert("server certificate without serverAuth", hst_client_ctx("client.pem", "client.key"),
		     hst_server_ctx("server_wrong_eku.pem", "server_wrong_eku.key"), PUMP_C,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE, -1);
	/* client.pem has clientAuth only and no subjectAltName: two faults,
	 * either alert is allowed (section 9). */
	expect_alert("client certificate used by a server", hst_client_ctx("client.pem", "client.key"),
		     hst_server_ctx("client.pem", "client.key"), PUMP_C,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE, SC_ALERT_BAD_CERTIFICATE);
	expect_alert("server certificate for another name", hst_client_ctx("client.pem", "client.key"),
		     hst_server_ctx("server_wrong_name.pem", "server_wrong_name.key"), PUMP_C,
		     SC_ALERT_BAD_CERTIFICATE, -1);
	c = hst_client_ctx("client.pem", "client.key");
	if (sc_ctx_set_server_name(c, "other.test", 1) != SC_OK)
		abort();
	expect_alert("client expecting other.test (disclosed)", c, hst_server_ctx("server.pem", "server.key"),
		     PUMP_C, SC_ALERT_BAD_CERTIFICATE, -1);
	c = hst_client_ctx("client.pem", "client.key");
	if (sc_ctx_set_server_name(c, "other.test", 0) != SC_OK)
		abort();
	expect_alert("client expecting other.test (not disclosed)", c,
		     hst_server_ctx("server.pem", "server.key"), PUMP_C, SC_ALERT_BAD_CERTIFICATE, -1);

	s = hst_server_ctx("server.pem", "server.key");
	sc_ctx_set_identity_cb(s, refuse, NULL);
	expect_alert("identity refused by policy", hst_client_ctx("client.pem", "client.key"), s, PUMP_S,
		     SC_ALERT_ACCESS_DENIED, -1);
	unit_check(strcmp(seen_identity, "CN:client.test") == 0 && seen_leaf,
	      "the identity callback saw CN:client.test and a leaf (%s)", seen_identity);

	c = hst_client_ctx("client.pem", "client.key");
	s = hst_server_ctx("server.pem", "server.key");
	if (sc_ctx_set_suites(c, "AES-128-GCM") != SC_OK
	    || sc_ctx_set_suites(s, "CHACHA20-POLY1305:AES-256-GCM") != SC_OK)
		abort();
	expect_alert("no common suite", c, s, PUMP_S, SC_ALERT_HANDSHAKE_FAILURE, -1);
	c = hst_client_ctx("client.pem", "client.key");
	s = hst_server_ctx("server.pem", "server.key");
	if (sc_ctx_set_groups(c, "none") != SC_OK)
		abort();
	if (sc_ctx_set_groups(s, "X448") == SC_OK || sc_ctx_set_groups(s, "P-256") == SC_OK)
		expect_alert("no common group", c, s, PUMP_S, SC_ALERT_HANDSHAKE_FAILURE, -1);
	else {
		printf("# no second group offered: no-common-group case skipped\n");
		sc_ctx_free(c);
		sc_ctx_free(s);
	}
	test_crl();
}

int main(void)
{
	if (!hst_start())
		return 77;
	test_failures();
	return hst_result();
}
