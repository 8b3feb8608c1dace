/* Shared setup of the per-parser fuzz targets: see fuzz_harness.h. */
#include "fuzz_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "fuzz_common.h"
#include "fuzz_pki.h"
#include "handshake.h"
#include "msg.h"
#include "sovchain_testing.h"


typedef struct {
	const char *client_suites, *server_suites;
	const char *client_groups, *server_groups;
	size_t kx_len;             /* injected group scalar length (0: none) */
	sc_verify_mode mode;
	int client_cert;
} profile_def;

static const profile_def defs[FH_PROFILES] = {
	/* As the engine target: case a's configuration. */
	[FH_CASE_A] = { "CHACHA20-POLY1305:AES-256-GCM", "CHACHA20-POLY1305:AES-256-GCM:AES-128-GCM",
			"none", "none", 0, SC_VERIFY_REQUIRED, 1 },
	[FH_AES256_X448] = { "AES-256-GCM", "AES-256-GCM", "X448", "X448", 56, SC_VERIFY_REQUIRED, 1 },
	[FH_AES128_P256] = { "AES-128-GCM", "AES-128-GCM", "P-256", "P-256", 32, SC_VERIFY_REQUIRED, 1 },
	[FH_AES256_P384] = { "AES-256-GCM", "AES-256-GCM", "P-384", "P-384", 48, SC_VERIFY_REQUIRED, 1 },
	[FH_OPTIONAL_NOCERT] = { "CHACHA20-POLY1305", "CHACHA20-POLY1305", "none", "none", 0,
				 SC_VERIFY_OPTIONAL, 0 },
	[FH_MODE_NONE] = { "CHACHA20-POLY1305", "CHACHA20-POLY1305", "none", "none", 0,
			   SC_VERIFY_NONE, 1 },
};

/* What a side sent during the reference handshake, and where its records
 * begin. */
#define MAX_RECORDS 16
typedef struct {
	uint8_t *wire;
	size_t len;
	size_t off[MAX_RECORDS + 1];   /* off[n_rec] = end of the last */
	size_t n_rec;
} side_log;

typedef struct {
	int ready;                     /* set up; else use profile 0 */
	sc_ctx *ctx[2];                /* by sc_role */
	side_log sent[2];              /* by sc_role of the sender */
	uint8_t ap[2][SC_HASH_LEN];    /* c_ap, s_ap: by sc_role of the writer */
	int suite;                     /* algs_suites row chosen */
} profile;

static profile prof[FH_PROFILES];
static int set_up;
/* SC_FUZZ_VERBOSE set: say where each input left the connection (for
 * checking that seeds reach what they are meant to). */
static int verbose;

/* ---- Contexts from the embedded PKI. */


/* NULL when this profile's suite or group is not available here. */
static sc_ctx *make_ctx(const profile_def *d, sc_role role)
{
	sc_ctx *ctx = sc_ctx_new(NULL, NULL, role, NULL);
	const char *cert = role == SC_ROLE_SERVER ? fuzz_server_pem : fuzz_client_pem;
	const char *key = role == SC_ROLE_SERVER ? fuzz_server_key : fuzz_client_key;
	int ok;

	if (ctx == NULL)
		abort();
	ok = fc_load_pem(ctx, fuzz_ca_pem, FC_TRUST) == SC_OK;
	if (role == SC_ROLE_SERVER || d->client_cert)
		ok = ok && fc_load_pem(ctx, cert, FC_CERT) == SC_OK && fc_load_pem(ctx, key, FC_KEY) == SC_OK;
	if (!ok) {
		fprintf(stderr, "fuzz: cannot load the embedded test PKI\n");
		abort();
	}
	if (role == SC_ROLE_CLIENT)
		ok = sc_ctx_set_suites(ctx, d->client_suites) == SC_OK
		     && sc_ctx_set_groups(ctx, d->client_groups) == SC_OK
		     && sc_ctx_set_server_name(ctx, "server.test", 1) == SC_OK;
	else
		ok = sc_ctx_set_suites(ctx, d->server_suites) == SC_OK
		     && sc_ctx_set_groups(ctx, d->server_groups) == SC_OK
		     && sc_ctx_set_verify_mode(ctx, d->mode) == SC_OK;
	if (!ok) {
		sc_ctx_free(ctx);
		return NULL;
	}
	sc_ctx_set_verify_time(ctx, FH_VERIFY_TIME);
	return ctx;
}

/* ---- Connections with injected randomness. */

static sc_conn *new_conn(int p, sc_role role)
{
	uint8_t kx[64];
	size_t kx_len = defs[p].kx_len;
	sc_testing_random r = {
		role == SC_ROLE_CLIENT ? fc_nonce_c : fc_nonce_s, 32,
		role == SC_ROLE_CLIENT ? fc_x25519_c : fc_x25519_s, 32,
		kx_len ? kx : NULL, kx_len,
	};
	sc_conn *c = sc_conn_new(prof[p].ctx[role]);

	/* A fixed scalar below every group order: 0x11.. (client), 0x22.. */
	memset(kx, role == SC_ROLE_CLIENT ? 0x11 : 0x22, sizeof(kx));
	if (c == NULL || sc_testing_inject_random(c, &r) != SC_OK)
		abort();
	if (role == SC_ROLE_CLIENT && sc_conn_start(c) != SC_OK)
		abort();
	return c;
}

static void discard_output(sc_conn *c, side_log *log)
{
	size_t len;
	const uint8_t *out = sc_conn_output(c, &len);

	if (log != NULL && len > 0) {
		uint8_t *grown = realloc(log->wire, log->len + len);
		if (grown == NULL)
			abort();
		memcpy(grown + log->len, out, len);
		log->wire = grown;
		log->len += len;
	}
	sc_conn_output_consume(c, len);
}

/* Feeds like a transport; what the connection sends goes to `log` (may be
 * NULL: discarded). */
static void feed_log(sc_conn *c, const uint8_t *data, size_t size, size_t chunk,
		     side_log *log)
{
	uint8_t buf[4096];
	size_t off = 0, n;

	for (;;) {
		size_t want = chunk && size - off > chunk ? chunk : size - off, used = 0;
		int rc = off < size ? sc_conn_feed(c, data + off, want, &used) : SC_OK;

		off += used;
		do {
			if (sc_conn_read(c, buf, sizeof(buf), &n) != SC_OK)
				n = 0;
		} while (n > 0);
		discard_output(c, log);
		if (rc != SC_OK || off == size)
			break;
		if (used == 0 && sc_conn_pending_read(c) == 0)
			abort(); /* the engine took nothing and holds nothing: stuck */
	}
}

void fh_feed(sc_conn *c, const uint8_t *data, size_t size, size_t chunk)
{
	feed_log(c, data, size, chunk, NULL);
}

static void index_records(side_log *log)
{
	size_t off = 0;

	log->n_rec = 0;
	while (off + REC_HDR_LEN <= log->len && log->n_rec < MAX_RECORDS) {
		log->off[log->n_rec++] = off;
		off += REC_HDR_LEN + ((size_t)log->wire[off + 1] << 8 | log->wire[off + 2]);
	}
	log->off[log->n_rec] = off;
	if (off != log->len)
		abort();
}

/* Both sides in memory, each one's output fed to the other until quiet. */
static void reference_handshake(int p)
{
	profile *pr = &prof[p];
	sc_conn *end[2];
	size_t len, fed[2] = { 0, 0 };

	end[SC_ROLE_SERVER] = new_conn(p, SC_ROLE_SERVER);
	end[SC_ROLE_CLIENT] = new_conn(p, SC_ROLE_CLIENT);
	/* Everything each side sends is logged, and fed to the other side
	 * from where the last feeding stopped. */
	discard_output(end[SC_ROLE_CLIENT], &pr->sent[SC_ROLE_CLIENT]);
	for (int moved = 1; moved;) {
		moved = 0;
		for (int from = 0; from < 2; from++) {
			len = pr->sent[from].len - fed[from];
			if (len > 0) {
				fed[from] += len;
				feed_log(end[!from], pr->sent[from].wire + fed[from] - len, len, 0,
					 &pr->sent[!from]);
				moved = 1;
			}
		}
	}
	for (int r = 0; r < 2; r++) {
		size_t n;
		if (!sc_conn_handshake_done(end[r])
		    || sc_testing_get_secret(end[r], r == SC_ROLE_CLIENT ? "c_ap" : "s_ap",
					     pr->ap[r], sizeof(pr->ap[r]), &n) != SC_OK
		    || n != SC_HASH_LEN) {
			fprintf(stderr, "fuzz: reference handshake of profile %d failed: %s / %s\n", p,
				sc_conn_error_detail(end[0]), sc_conn_error_detail(end[1]));
			abort();
		}
		index_records(&pr->sent[r]);
	}
	pr->suite = end[0]->suite;
	sc_conn_free(end[0]);
	sc_conn_free(end[1]);
}

void fh_setup(void)
{
	if (set_up)
		return;
	verbose = getenv("SC_FUZZ_VERBOSE") != NULL;
	for (int p = 0; p < FH_PROFILES; p++) {
		prof[p].ctx[SC_ROLE_CLIENT] = make_ctx(&defs[p], SC_ROLE_CLIENT);
		prof[p].ctx[SC_ROLE_SERVER] = make_ctx(&defs[p], SC_ROLE_SERVER);
		if (prof[p].ctx[0] == NULL || prof[p].ctx[1] == NULL) {
			if (p == FH_CASE_A) {
				fprintf(stderr, "fuzz: case a's suite is not available\n");
				abort();
			}
			sc_ctx_free(prof[p].ctx[0]);
			sc_ctx_free(prof[p].ctx[1]);
			prof[p].ctx[0] = prof[p].ctx[1] = NULL;
			continue;
		}
		reference_handshake(p);
		prof[p].ready = 1;
	}
	ERR_clear_error();
	set_up = 1;
}

static int usable(int p)
{
	return p >= 0 && p < FH_PROFILES && prof[p].ready ? p : FH_CASE_A;
}

void fh_pick(uint8_t sel, int n_variants, int *variant, int *p)
{
	*variant = sel % n_variants;
	*p = usable(sel / n_variants % FH_PROFILES);
}

sc_ctx *fh_ctx(int p, sc_role role)
{
	return prof[usable(p)].ctx[role];
}

const sc_algs *fh_algs(int p)
{
	return &prof[usable(p)].ctx[SC_ROLE_SERVER]->algs;
}

sc_conn *fh_conn_at(int p, sc_role role, int next)
{
	const side_log *peer;
	sc_conn *c;
	size_t n = 0;

	p = usable(p);
	peer = &prof[p].sent[!role];
	c = new_conn(p, role);
	/* The peer's handshake records before `next`, in order. */
	while (n < peer->n_rec && peer->wire[peer->off[n]] >= 1 && peer->wire[peer->off[n]] < next)
		n++;
	fh_feed(c, peer->wire, peer->off[n], 0);
	if (sc_conn_error(c) != SC_OK || sc_conn_last_step(c) != (next > 12 ? 12 : next - 1)) {
		fprintf(stderr, "fuzz: replay of profile %d to step %d stopped at %d: %s\n", p, next,
			sc_conn_last_step(c), sc_conn_error_detail(c));
		abort();
	}
	return c;
}

int fh_deliver(sc_conn *c, const uint8_t *body, size_t len)
{
	int n = c->step + 1;
	int rc;

	if (n < 1 || n > 12 || c->hs == NULL)
		abort();
	/* msg.h: a handler runs once its body is in the transcript. */
	if (transcript_add(&c->hs->tr, n, body, len, 1) != SC_OK)
		abort();
	rc = handshake_handle(c, n, body, len);
	if (rc == SC_OK)
		c->step = n;
	if (verbose)
		fprintf(stderr, "step %d handled: %s %s\n", n, sc_strerror(rc), sc_conn_error_detail(c));
	discard_output(c, NULL);
	return rc;
}

void fh_report(const sc_conn *c)
{
	if (verbose)
		fprintf(stderr, "%s at step %d, state %d, alert sent %d, received %d: %s\n",
			c->role == SC_ROLE_CLIENT ? "client" : "server", sc_conn_last_step(c),
			(int)sc_conn_state(c), sc_conn_alert_sent(c), sc_conn_alert_received(c),
			sc_conn_error_detail(c));
}

void fh_peer_writer(int p, sc_role role, record_dir *d)
{
	kdf_ctx k;

	p = usable(p);
	record_init(d);
	if (kdf_init(&k, fh_algs(p)) != SC_OK
	    || record_install(d, &k, prof[p].suite, 1, prof[p].ap[!role]) != SC_OK)
		abort();
	kdf_clear(&k);
	/* Section 2: SecureAck was the server's record seq 0 under s_ap. */
	if (role == SC_ROLE_CLIENT)
		d->seq = 1;
}
