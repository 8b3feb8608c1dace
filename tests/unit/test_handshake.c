/* Whole handshakes between two in-memory connections: every suite and group,
 * client-certificate modes, the failures of sections 4, 9 and 10 with the
 * right alert on the right side, half-close, key update, backpressure and
 * record sizes. One line per check; exit 0 when all pass, 1 otherwise, 77
 * when the shared test PKI is not available. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pump.h"
#include "sovchain_testing.h"

/* Every context checks certificates as of this instant, inside the test
 * PKI's validity (2025..2045) and after client_expired's (2020..2021). */
#define VERIFY_TIME ((time_t)1780272000) /* 2026-06-01T00:00:00Z */

static int failures;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

static sc_ctx *server_ctx(const char *cert, const char *key)
{
	sc_ctx *ctx = pump_ctx(SC_ROLE_SERVER, cert, key, "ca.pem");

	sc_ctx_set_verify_time(ctx, VERIFY_TIME);
	return ctx;
}

static sc_ctx *client_ctx(const char *cert, const char *key)
{
	sc_ctx *ctx = pump_ctx(SC_ROLE_CLIENT, cert, key, "ca.pem");

	sc_ctx_set_verify_time(ctx, VERIFY_TIME);
	return ctx;
}

/* A session over the two contexts; the caller runs and clears it. */
static void pair(pump *p, sc_ctx *cctx, sc_ctx *sctx)
{
	pump_init(p, sc_conn_new(cctx), sc_conn_new(sctx));
}

static void fill(uint8_t *d, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 131 + seed + (i >> 8));
}

/* Writes all of `d` from end `who`, moving bytes as the output fills. */
static int send_all(pump *p, int who, const uint8_t *d, size_t n)
{
	size_t off = 0;

	while (off < n) {
		size_t used = 0;
		int rc = sc_conn_write(p->end[who], d + off, n - off, &used);

		if (rc != SC_OK)
			return rc;
		off += used;
		(void)pump_run(p);
		if (used == 0 && sc_conn_output(p->end[who], &used) && used == 0)
			return SC_ERR_STATE;
	}
	(void)pump_run(p);
	return SC_OK;
}

/* Both directions carry `n` bytes intact. */
static int exchange(pump *p, size_t n, unsigned seed)
{
	uint8_t *a = malloc(n ? n : 1), *b = malloc(n ? n : 1);
	size_t ca = p->got[PUMP_S].len, cb = p->got[PUMP_C].len;
	int ok;

	if (a == NULL || b == NULL)
		abort();
	fill(a, n, seed);
	fill(b, n, seed + 7);
	ok = send_all(p, PUMP_C, a, n) == SC_OK && send_all(p, PUMP_S, b, n) == SC_OK
	    && p->got[PUMP_S].len == ca + n && p->got[PUMP_C].len == cb + n
	    && memcmp(p->got[PUMP_S].p + ca, a, n) == 0
	    && memcmp(p->got[PUMP_C].p + cb, b, n) == 0;
	free(a);
	free(b);
	return ok;
}

static int export_equal(pump *p)
{
	uint8_t x[48], y[48], zero[48] = { 0 };
	static const uint8_t context[] = "ctx";

	return sc_conn_export(p->end[PUMP_C], "test label", context, 3, x, sizeof(x)) == SC_OK
	    && sc_conn_export(p->end[PUMP_S], "test label", context, 3, y, sizeof(y)) == SC_OK
	    && memcmp(x, y, sizeof(x)) == 0 && memcmp(x, zero, sizeof(x)) != 0;
}

/* Records of one type in a wire stream, and the largest fragment of them. */
static size_t count_type(const pbuf *w, uint8_t type, size_t *max_len)
{
	size_t off[4096], n = pump_records(w->p, w->len, off, 4096), count = 0;

	if (max_len)
		*max_len = 0;
	for (size_t i = 0; i < n && i < 4096; i++) {
		size_t len = (size_t)w->p[off[i] + 1] << 8 | w->p[off[i] + 2];

		if (w->p[off[i]] != type)
			continue;
		count++;
		if (max_len && len > *max_len)
			*max_len = len;
	}
	return count;
}

/* ---- Every suite x group the providers offer. */

static void test_matrix(void)
{
	sc_ctx *probe = client_ctx("client.pem", "client.key");
	char suites[256], groups[256], *ss, *gs, *s, *g;
	sc_ctx *sctx = server_ctx("server.pem", "server.key");
	int combos = 0;

	/* The server accepts every group its providers compute (its default
	 * list is shorter, section "Defaults"). */
	if (sc_ctx_set_groups(sctx, sc_ctx_available_groups(probe)) != SC_OK)
		abort();

	snprintf(suites, sizeof(suites), "%s", sc_ctx_available_suites(probe));
	snprintf(groups, sizeof(groups), "%s", sc_ctx_available_groups(probe));
	printf("# suites %s; groups %s\n", suites, groups);
	check(strstr(suites, "CHACHA20-POLY1305") != NULL && strstr(groups, "none") != NULL,
	      "the mandatory suite and group are offered");
	for (s = strtok_r(suites, ":", &ss); s != NULL; s = strtok_r(NULL, ":", &ss)) {
		char gcopy[256];

		snprintf(gcopy, sizeof(gcopy), "%s", groups);
		for (g = strtok_r(gcopy, ":", &gs); g != NULL; g = strtok_r(NULL, ":", &gs)) {
			sc_ctx *cctx = client_ctx("client.pem", "client.key");
			pump p;
			int ok;

			ok = sc_ctx_set_suites(cctx, s) == SC_OK && sc_ctx_set_groups(cctx, g) == SC_OK;
			pair(&p, cctx, sctx);
			ok = ok && pump_handshake(&p);
			check(ok, "%s x %s: handshake completes", s, g);
			if (ok) {
				const char *cs = sc_conn_suite(p.end[PUMP_C]), *cg = sc_conn_group(p.end[PUMP_C]);
				const char *ss2 = sc_conn_suite(p.end[PUMP_S]), *sg = sc_conn_group(p.end[PUMP_S]);

				check(cs && ss2 && cg && sg && strcasecmp(cs, s) == 0 && strcasecmp(ss2, s) == 0
				      && strcasecmp(cg, g) == 0 && strcasecmp(sg, g) == 0,
				      "%s x %s: both sides report the choice", s, g);
				check(exchange(&p, 40000, (unsigned)combos), "%s x %s: data both ways", s, g);
				check(export_equal(&p), "%s x %s: exporter equal on both sides", s, g);
			}
			combos++;
			pump_clear(&p);
			sc_ctx_free(cctx);
		}
	}
	check(combos >= 2, "%d suite x group combinations ran", combos);
	sc_ctx_free(sctx);
	sc_ctx_free(probe);
}

/* ---- Client-certificate modes (section 4, messages 4, 5 and 10). */

static void test_modes(void)
{
	static const char *names[] = { "none", "optional", "required" };

	for (int mode = 0; mode <= 2; mode++)
		for (int with = 0; with <= 1; with++) {
			sc_ctx *sctx = server_ctx("server.pem", "server.key");
			sc_ctx *cctx = with ? client_ctx("client.pem", "client.key")
					    : client_ctx(NULL, NULL);
			const char *who = with ? "with" : "without";
			pump p;
			int done;

			if (sc_ctx_set_verify_mode(sctx, (sc_verify_mode)mode) != SC_OK)
				abort();
			pair(&p, cctx, sctx);
			done = pump_handshake(&p);
			if (mode == 2 && !with) {
				check(!done && sc_conn_alert_sent(p.end[PUMP_S]) == SC_ALERT_CERTIFICATE_REQUIRED
				      && sc_conn_alert_received(p.end[PUMP_C]) == SC_ALERT_CERTIFICATE_REQUIRED,
				      "mode required, client without certificate: certificate_required");
			} else {
				const char *id = done ? sc_conn_peer_identity(p.end[PUMP_S]) : NULL;
				int expect_id = with && mode > 0;
				size_t max5 = 0;

				check(done && exchange(&p, 1000, 3), "mode %s, client %s certificate: completes",
				      names[mode], who);
				if (expect_id)
					check(id != NULL && strcmp(id, "CN:client.test") == 0
					      && sc_conn_peer_cert(p.end[PUMP_S]) != NULL,
					      "mode %s, client %s certificate: server sees CN:client.test (%s)",
					      names[mode], who, id ? id : "NULL");
				else
					check((id == NULL || id[0] == '\0') && sc_conn_peer_cert(p.end[PUMP_S]) == NULL,
					      "mode %s, client %s certificate: server sees no identity",
					      names[mode], who);
				/* Message 5 with no certificate is 1 byte of body + tag. */
				count_type(&p.wire[PUMP_C], 5, &max5);
				check(expect_id ? max5 > 100 : max5 == 1 + 16,
				      "mode %s, client %s certificate: ClientCertSend fragment %zu bytes",
				      names[mode], who, max5);
			}
			pump_clear(&p);
			sc_ctx_free(cctx);
			sc_ctx_free(sctx);
		}
}

/* ---- Failures: the side that detects sends the alert, the other gets it. */

static void expect_alert(const char *what, sc_ctx *cctx, sc_ctx *sctx, int sender,
			 int alert, int alt)
{
	pump p;
	int done, sent, recv;

	pair(&p, cctx, sctx);
	done = pump_handshake(&p);
	sent = sc_conn_alert_sent(p.end[sender]);
	recv = sc_conn_alert_received(p.end[!sender]);
	check(!done && (sent == alert || (alt >= 0 && sent == alt)) && recv == sent
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
	ASN1_TIME *last = ASN1_TIME_set(NULL, VERIFY_TIME - 86400);
	ASN1_TIME *next = ASN1_TIME_set(NULL, VERIFY_TIME + 86400 * 30);
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
		sc_ctx *sctx = server_ctx("server.pem", "server.key");
		sc_ctx *cctx = client_ctx("client.pem", "client.key");
		int loaded;

		if (!write_crl(path, sizeof(path), serials[i])) {
			check(0, "build a CRL");
			sc_ctx_free(cctx);
			sc_ctx_free(sctx);
			return;
		}
		loaded = sc_ctx_load_crl(sctx, path) == SC_OK;
		unlink(path);
		check(loaded, "server loads a CRL");
		if (i == 0) {
			expect_alert("client revoked by CRL", cctx, sctx, PUMP_S,
				     SC_ALERT_CERTIFICATE_REVOKED, -1);
		} else {
			pump p;

			pair(&p, cctx, sctx);
			check(pump_handshake(&p), "CRL revoking another serial: client admitted");
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

	expect_alert("server certificate from an unknown CA", client_ctx("client.pem", "client.key"),
		     server_ctx("server_other_ca.pem", "server_other_ca.key"), PUMP_C,
		     SC_ALERT_UNKNOWN_CA, -1);
	expect_alert("client certificate from an unknown CA",
		     client_ctx("client_other_ca.pem", "client_other_ca.key"),
		     server_ctx("server.pem", "server.key"), PUMP_S, SC_ALERT_UNKNOWN_CA, -1);
	expect_alert("expired client certificate",
		     client_ctx("client_expired.pem", "client_expired.key"),
		     server_ctx("server.pem", "server.key"), PUMP_S, SC_ALERT_CERTIFICATE_EXPIRED, -1);
	expect_alert("server certificate without serverAuth", client_ctx("client.pem", "client.key"),
		     server_ctx("server_wrong_eku.pem", "server_wrong_eku.key"), PUMP_C,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE, -1);
	/* client.pem has clientAuth only and no subjectAltName: two faults,
	 * either alert is allowed (section 9). */
	expect_alert("client certificate used by a server", client_ctx("client.pem", "client.key"),
		     server_ctx("client.pem", "client.key"), PUMP_C,
		     SC_ALERT_UNSUPPORTED_CERTIFICATE, SC_ALERT_BAD_CERTIFICATE);
	expect_alert("server certificate for another name", client_ctx("client.pem", "client.key"),
		     server_ctx("server_wrong_name.pem", "server_wrong_name.key"), PUMP_C,
		     SC_ALERT_BAD_CERTIFICATE, -1);
	c = client_ctx("client.pem", "client.key");
	if (sc_ctx_set_server_name(c, "other.test", 1) != SC_OK)
		abort();
	expect_alert("client expecting other.test (disclosed)", c, server_ctx("server.pem", "server.key"),
		     PUMP_C, SC_ALERT_BAD_CERTIFICATE, -1);
	c = client_ctx("client.pem", "client.key");
	if (sc_ctx_set_server_name(c, "other.test", 0) != SC_OK)
		abort();
	expect_alert("client expecting other.test (not disclosed)", c,
		     server_ctx("server.pem", "server.key"), PUMP_C, SC_ALERT_BAD_CERTIFICATE, -1);

	s = server_ctx("server.pem", "server.key");
	sc_ctx_set_identity_cb(s, refuse, NULL);
	expect_alert("identity refused by policy", client_ctx("client.pem", "client.key"), s, PUMP_S,
		     SC_ALERT_ACCESS_DENIED, -1);
	check(strcmp(seen_identity, "CN:client.test") == 0 && seen_leaf,
	      "the identity callback saw CN:client.test and a leaf (%s)", seen_identity);

	c = client_ctx("client.pem", "client.key");
	s = server_ctx("server.pem", "server.key");
	if (sc_ctx_set_suites(c, "AES-128-GCM") != SC_OK
	    || sc_ctx_set_suites(s, "CHACHA20-POLY1305:AES-256-GCM") != SC_OK)
		abort();
	expect_alert("no common suite", c, s, PUMP_S, SC_ALERT_HANDSHAKE_FAILURE, -1);
	c = client_ctx("client.pem", "client.key");
	s = server_ctx("server.pem", "server.key");
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

/* ---- Handcrafted records at the first steps (sections 2, 4.1 and 10). */

typedef struct {
	sc_ctx *cctx, *sctx;
	pump p;
	pbuf hello;     /* the client's ClientHello record */
} fresh;

static void fresh_start(fresh *f)
{
	memset(f, 0, sizeof(*f));
	f->cctx = client_ctx("client.pem", "client.key");
	f->sctx = server_ctx("server.pem", "server.key");
	pair(&f->p, f->cctx, f->sctx);
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
	check(rc == SC_ERR_PROTOCOL && sent == alert && reply.len > 0,
	      "%s: %s (got %s, %s)", what, sc_alert_name(alert),
	      sent >= 0 ? sc_alert_name(sent) : "none", sc_conn_error_detail(f->p.end[to]));
	if (sc_conn_state(f->p.end[!to]) != SC_STATE_FAILED) {
		(void)pump_feed(&f->p, !to, reply.p, reply.len);
		check(sc_conn_alert_received(f->p.end[!to]) == alert,
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
	check(b.len > 0 && sc_conn_last_step(f.p.end[PUMP_S]) == 4, "server answers a ClientHello");
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
		check(rc == SC_ERR_TRUNCATED && used == 20 && out == 0
		      && sc_conn_alert_sent(f.p.end[PUMP_S]) == -1
		      && sc_conn_state(f.p.end[PUMP_S]) == SC_STATE_FAILED,
		      "partial ClientHello then end of stream: truncated, no alert");
	}
	fresh_end(&f);
}

/* A flipped byte of an encrypted handshake record: bad_record_mac. */
static void test_flipped_handshake_record(void)
{
	sc_ctx *cctx = client_ctx("client.pem", "client.key");
	sc_ctx *sctx = server_ctx("server.pem", "server.key");
	size_t off[8];
	pump p;
	int done;

	/* First a clean run to find where the client's 4th record (8,
	 * KeyConfirm1) sits: every length here is fixed by the configuration. */
	pair(&p, cctx, sctx);
	done = pump_handshake(&p);
	check(done && pump_records(p.wire[PUMP_C].p, p.wire[PUMP_C].len, off, 8) >= 5,
	      "a clean handshake for the offsets");
	pump_clear(&p);
	pair(&p, cctx, sctx);
	p.flip_at[PUMP_C] = (long)off[3] + 10;
	p.flip_mask = 0x01;
	done = pump_handshake(&p);
	check(!done && sc_conn_alert_sent(p.end[PUMP_S]) == SC_ALERT_BAD_RECORD_MAC
	      && sc_conn_alert_received(p.end[PUMP_C]) == SC_ALERT_BAD_RECORD_MAC,
	      "KeyConfirm1 with a flipped bit: server sends bad_record_mac");
	pump_clear(&p);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
}

/* ---- Certificates that must work. */

static void test_good_certs(void)
{
	static const char *servers[][2] = {
		{ "server_via_intermediate_chain.pem", "server_via_intermediate.key" },
		{ "server_p256.pem", "server_p256.key" },
	};

	for (size_t i = 0; i < 2; i++) {
		sc_ctx *cctx = client_ctx("client.pem", "client.key");
		sc_ctx *sctx = server_ctx(servers[i][0], servers[i][1]);
		pump p;
		int ok;

		pair(&p, cctx, sctx);
		ok = pump_handshake(&p);
		check(ok && exchange(&p, 100, 1), "server %s with only ca.pem trusted: completes (%s)",
		      servers[i][0], sc_conn_error_detail(p.end[PUMP_C]));
		if (ok && i == 0) {
			const char *id = sc_conn_peer_identity(p.end[PUMP_C]);

			check(id != NULL && strcmp(id, "DNS:server.test") == 0,
			      "client sees the server identity DNS:server.test (%s)", id ? id : "NULL");
		}
		pump_clear(&p);
		sc_ctx_free(cctx);
		sc_ctx_free(sctx);
	}
}

/* ---- Open sessions. */

typedef struct {
	sc_ctx *cctx, *sctx;
	pump p;
} session;

static int open_session(session *s, uint64_t ku_bytes)
{
	s->cctx = client_ctx("client.pem", "client.key");
	s->sctx = server_ctx("server.pem", "server.key");
	if (ku_bytes && (sc_ctx_set_key_update_limits(s->cctx, ku_bytes, 0) != SC_OK
			 || sc_ctx_set_key_update_limits(s->sctx, ku_bytes, 0) != SC_OK))
		abort();
	pair(&s->p, s->cctx, s->sctx);
	/* All-NULL injection switches secret recording on, randomness stays fresh. */
	{
		sc_testing_random none = { 0 };

		if (sc_testing_inject_random(s->p.end[PUMP_C], &none) != SC_OK
		    || sc_testing_inject_random(s->p.end[PUMP_S], &none) != SC_OK)
			abort();
	}
	return pump_handshake(&s->p);
}

static void close_session(session *s)
{
	pump_clear(&s->p);
	sc_ctx_free(s->cctx);
	sc_ctx_free(s->sctx);
}

static int same_secret(session *s, const char *name)
{
	uint8_t a[64], b[64];
	size_t la = 0, lb = 0;

	return sc_testing_get_secret(s->p.end[PUMP_C], name, a, sizeof(a), &la) == SC_OK
	    && sc_testing_get_secret(s->p.end[PUMP_S], name, b, sizeof(b), &lb) == SC_OK
	    && la == lb && la > 0 && memcmp(a, b, la) == 0;
}

static void test_half_close(void)
{
	session s;
	uint8_t buf[16];
	size_t n, before;
	int rc;

	check(open_session(&s, 0), "half-close: session opens");
	check(sc_conn_close(s.p.end[PUMP_C]) == SC_OK, "client closes its direction");
	(void)pump_run(&s.p);
	check(sc_conn_peer_closed(s.p.end[PUMP_S]) && sc_conn_write_closed(s.p.end[PUMP_C])
	      && sc_conn_state(s.p.end[PUMP_S]) == SC_STATE_OPEN
	      && sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_OPEN,
	      "after the client's close_notify both are still open");
	check(sc_conn_write(s.p.end[PUMP_C], (const uint8_t *)"x", 1, &n) == SC_ERR_CLOSED
	      && !sc_conn_can_write(s.p.end[PUMP_C]), "the client can no longer write");
	check(sc_conn_read(s.p.end[PUMP_S], buf, sizeof(buf), &n) == SC_ERR_CLOSED && n == 0,
	      "the server reads the end of the client's data");
	check(send_all(&s.p, PUMP_S, (const uint8_t *)"after close", 11) == SC_OK
	      && s.p.got[PUMP_C].len == 11 && memcmp(s.p.got[PUMP_C].p, "after close", 11) == 0,
	      "the server still writes and the client still reads");
	/* Section 4: a party that sent close_notify does not answer key update requests. */
	before = s.p.wire[PUMP_C].len;
	check(sc_conn_key_update(s.p.end[PUMP_S], 1) == SC_OK, "server requests a key update");
	(void)pump_run(&s.p);
	check(s.p.wire[PUMP_C].len == before && sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_OPEN,
	      "the closed client does not answer it");
	check(send_all(&s.p, PUMP_S, (const uint8_t *)"more", 4) == SC_OK
	      && s.p.got[PUMP_C].len == 15, "data after the server's key update");
	check(sc_conn_close(s.p.end[PUMP_S]) == SC_OK, "server closes");
	(void)pump_run(&s.p);
	check(sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_CLOSED
	      && sc_conn_state(s.p.end[PUMP_S]) == SC_STATE_CLOSED, "both closed");
	rc = sc_conn_read(s.p.end[PUMP_C], buf, sizeof(buf), &n);
	check(rc == SC_ERR_CLOSED && n == 0, "client read after all data: closed");
	check(sc_conn_feed_eof(s.p.end[PUMP_C]) == SC_OK && sc_conn_feed_eof(s.p.end[PUMP_S]) == SC_OK,
	      "end of stream after close_notify is clean");
	check(sc_conn_error(s.p.end[PUMP_C]) == SC_OK && sc_conn_error(s.p.end[PUMP_S]) == SC_OK,
	      "no error on either side");
	close_session(&s);

	/* EOF without close_notify on an open session is a truncation. */
	check(open_session(&s, 0) && exchange(&s.p, 10, 2), "second session opens");
	check(sc_conn_feed_eof(s.p.end[PUMP_C]) == SC_ERR_TRUNCATED
	      && sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_FAILED
	      && sc_conn_alert_sent(s.p.end[PUMP_C]) == -1, "end of stream without close_notify: truncated");
	close_session(&s);
}

static void test_key_update(void)
{
	session s;
	size_t n_ku_c, n_ku_s;
	uint8_t *big;

	check(open_session(&s, 0), "key update: session opens");
	check(sc_conn_key_update(s.p.end[PUMP_C], 1) == SC_OK, "client sends a key update with request");
	(void)pump_run(&s.p);
	n_ku_c = count_type(&s.p.wire[PUMP_C], 0x18, NULL);
	n_ku_s = count_type(&s.p.wire[PUMP_S], 0x18, NULL);
	check(n_ku_c == 1 && n_ku_s == 1, "one key update each way (%zu, %zu)", n_ku_c, n_ku_s);
	check(same_secret(&s, "c_ap+1") && same_secret(&s, "s_ap+1"),
	      "both sides hold the same c_ap+1 and s_ap+1");
	check(exchange(&s.p, 5000, 9), "data still flows both ways");
	close_session(&s);

	/* Automatic: a key update every 4096 bytes. Writes of 1000 bytes give
	 * records of 1000 bytes, so no secret may seal more than 4096. */
	check(open_session(&s, 4096), "automatic key update: session opens");
	if ((big = malloc(100 * 1024)) == NULL)
		abort();
	fill(big, 100 * 1024, 5);
	{
		size_t off[1024], nrec, start = s.p.wire[PUMP_C].len, sealed = 0, worst = 0, i;
		int ok = 1;

		for (i = 0; i < 100 * 1024 && ok; i += 1000) {
			size_t len = 100 * 1024 - i < 1000 ? 100 * 1024 - i : 1000;

			ok = send_all(&s.p, PUMP_C, big + i, len) == SC_OK;
		}
		check(ok && s.p.got[PUMP_S].len == 100 * 1024
		      && memcmp(s.p.got[PUMP_S].p, big, 100 * 1024) == 0, "100 KB arrive intact");
		nrec = pump_records(s.p.wire[PUMP_C].p + start, s.p.wire[PUMP_C].len - start, off, 1024);
		n_ku_c = 0;
		for (i = 0; i < nrec && i < 1024; i++) {
			const uint8_t *r = s.p.wire[PUMP_C].p + start + off[i];
			size_t len = (size_t)r[1] << 8 | r[2];

			if (r[0] == 0x18) {
				n_ku_c++;
				sealed = 0;
			} else if (r[0] == 0x17) {
				sealed += len - 16;
				if (sealed > worst)
					worst = sealed;
			}
		}
		check(n_ku_c >= 100 * 1024 / 4096 - 1, "%zu automatic key updates", n_ku_c);
		check(worst <= 4096, "no secret sealed more than 4096 bytes (max %zu)", worst);
		check(same_secret(&s, "c_ap+1"), "both sides derived the same c_ap+1");
	}
	check(exchange(&s.p, 30000, 4), "data both ways after many updates");
	free(big);
	close_session(&s);
}

static void test_backpressure(void)
{
	session s;
	pbuf out = { 0 };
	uint8_t data[300], got[300], tmp[300];
	size_t used, n, off = 0, have = 0;
	int rc, stops = 0;

	check(open_session(&s, 0), "backpressure: session opens");
	fill(data, sizeof(data), 11);
	for (int i = 0; i < 3; i++)
		check(sc_conn_write(s.p.end[PUMP_S], data + 100 * i, 100, &used) == SC_OK && used == 100,
		      "server writes record %d", i);
	pump_take(&s.p, PUMP_S, &out);
	check(pump_records(out.p, out.len, NULL, 0) == 3, "three records on the wire");
	while (off < out.len) {
		rc = sc_conn_feed(s.p.end[PUMP_C], out.p + off, out.len - off, &used);
		if (rc != SC_OK)
			break;
		off += used;
		if (off < out.len) {
			stops++;
			check(sc_conn_pending_read(s.p.end[PUMP_C]) == 100,
			      "feed stops with 100 bytes waiting (consumed %zu)", used);
			/* Feeding again while data waits takes nothing. */
			check(sc_conn_feed(s.p.end[PUMP_C], out.p + off, out.len - off, &used) == SC_OK
			      && used == 0, "no bytes taken while data waits");
		}
		if (sc_conn_read(s.p.end[PUMP_C], tmp, sizeof(tmp), &n) == SC_OK && n > 0) {
			memcpy(got + have, tmp, n);
			have += n;
		}
	}
	check(stops == 2 && have == 300 && memcmp(got, data, 300) == 0,
	      "all three records delivered in order after reads (%d stops)", stops);
	pbuf_free(&out);
	close_session(&s);
}

static void test_record_sizes(void)
{
	session s;
	uint8_t *big = malloc(50000);
	size_t used = 0, off[8], start, nrec, len0 = 0, len3 = 0;
	int rc;

	if (big == NULL)
		abort();
	fill(big, 50000, 13);
	check(open_session(&s, 0), "record sizes: session opens");
	start = s.p.wire[PUMP_S].len;
	rc = sc_conn_write(s.p.end[PUMP_S], big, 50000, &used);
	(void)pump_run(&s.p);
	nrec = pump_records(s.p.wire[PUMP_S].p + start, s.p.wire[PUMP_S].len - start, off, 8);
	check(rc == SC_OK && used == 50000 && nrec == 4, "50000 bytes in 4 records (%zu)", nrec);
	if (nrec == 4) {
		const uint8_t *w = s.p.wire[PUMP_S].p + start;
		int full = 1;

		for (int i = 0; i < 3; i++)
			full &= w[off[i]] == 0x17 && ((size_t)w[off[i] + 1] << 8 | w[off[i] + 2]) == 16400;
		len0 = (size_t)w[off[0] + 1] << 8 | w[off[0] + 2];
		len3 = (size_t)w[off[3] + 1] << 8 | w[off[3] + 2];
		check(full && len3 == 50000 - 3 * 16384 + 16,
		      "three full 16384-byte records, then the rest (%zu, %zu)", len0, len3);
	}
	check(s.p.got[PUMP_C].len == 50000 && memcmp(s.p.got[PUMP_C].p, big, 50000) == 0,
	      "the large write arrives intact");
	free(big);
	close_session(&s);
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
		session s;
		pbuf reply = { 0 };
		int rc, ok = open_session(&s, 0);

		memset(rec, 0x5a, sizeof(rec));
		rec[0] = cases[i].type;
		rec[1] = (uint8_t)(cases[i].len >> 8);
		rec[2] = (uint8_t)cases[i].len;
		rc = pump_feed(&s.p, PUMP_S, rec, cases[i].feed);
		pump_take(&s.p, PUMP_S, &reply);
		(void)pump_feed(&s.p, PUMP_C, reply.p, reply.len);
		check(ok && rc == SC_ERR_PROTOCOL && sc_conn_alert_sent(s.p.end[PUMP_S]) == cases[i].alert
		      && sc_conn_alert_received(s.p.end[PUMP_C]) == cases[i].alert
		      && s.p.got[PUMP_S].len == 0,
		      "%s: %s (%s)", cases[i].what, sc_alert_name(cases[i].alert),
		      sc_conn_error_detail(s.p.end[PUMP_S]));
		pbuf_free(&reply);
		close_session(&s);
	}
}

int main(void)
{
	if (!pki_available()) {
		printf("SKIP: the shared test PKI (SC_SHARED_DIR/vectors/pki) is not available\n");
		return 77;
	}
	test_matrix();
	test_modes();
	test_failures();
	test_crafted();
	test_flipped_handshake_record();
	test_good_certs();
	test_half_close();
	test_key_update();
	test_backpressure();
	test_record_sizes();
	test_open_headers();
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
