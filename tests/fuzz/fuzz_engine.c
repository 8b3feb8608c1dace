/* libFuzzer target for the whole engine: the input is the byte stream a peer
 * sends, fed to a fresh server connection and to a client connection that has
 * sent its ClientHello. Both use the randomness of known-answer case a, so a
 * seed made of case a's records for one direction drives that side through
 * the whole handshake and application phase, and mutations reach every
 * state. Each side is fed twice: all at once, and in small pieces (the
 * partial-record path). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "fuzz_common.h"
#include "fuzz_pki.h"
#include "sovchain.h"
#include "sovchain_testing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sc_ctx *server_ctx, *client_ctx;
/* SC_FUZZ_VERBOSE set: say where each input left both sides (for seeds). */
static int verbose;


static sc_ctx *make_ctx(sc_role role, const char *cert, const char *key)
{
	sc_ctx *ctx = sc_ctx_new(NULL, NULL, role, NULL);
	int ok;

	if (ctx == NULL)
		abort();
	ok = fc_load_pem(ctx, cert, FC_CERT) == SC_OK && fc_load_pem(ctx, key, FC_KEY) == SC_OK
	     && fc_load_pem(ctx, fuzz_ca_pem, FC_TRUST) == SC_OK;
	if (role == SC_ROLE_CLIENT)
		ok = ok && sc_ctx_set_suites(ctx, "CHACHA20-POLY1305:AES-256-GCM") == SC_OK
		     && sc_ctx_set_groups(ctx, "none") == SC_OK
		     && sc_ctx_set_server_name(ctx, "server.test", 1) == SC_OK;
	else
		ok = ok && sc_ctx_set_suites(ctx, "CHACHA20-POLY1305:AES-256-GCM:AES-128-GCM") == SC_OK
		     && (sc_ctx_set_groups(ctx, "none:X448") == SC_OK
			 || sc_ctx_set_groups(ctx, "none") == SC_OK)
		     && sc_ctx_set_verify_mode(ctx, SC_VERIFY_REQUIRED) == SC_OK;
	if (!ok) {
		fprintf(stderr, "fuzz_engine: cannot set up the %s context\n",
			role == SC_ROLE_CLIENT ? "client" : "server");
		abort();
	}
	sc_ctx_set_verify_time(ctx, FC_VERIFY_TIME);
	return ctx;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("SC_FUZZ_VERBOSE") != NULL;
	server_ctx = make_ctx(SC_ROLE_SERVER, fuzz_server_pem, fuzz_server_key);
	client_ctx = make_ctx(SC_ROLE_CLIENT, fuzz_client_pem, fuzz_client_key);
	return 0;
}

static void ignore(int rc)
{
	(void)rc;
}

static void drain(sc_conn *c)
{
	uint8_t buf[4096];
	size_t n, len;

	do {
		if (sc_conn_read(c, buf, sizeof(buf), &n) != SC_OK)
			n = 0;
	} while (n > 0);
	(void)sc_conn_output(c, &len);
	sc_conn_output_consume(c, len);
}

/* Feeds `data` in pieces of at most `chunk` bytes (0: all at once), reading
 * whatever the engine holds back, the way a transport would. */
static void feed(sc_conn *c, const uint8_t *data, size_t size, size_t chunk)
{
	size_t off = 0;

	while (off < size) {
		size_t want = chunk && size - off > chunk ? chunk : size - off, used = 0;
		int rc = sc_conn_feed(c, data + off, want, &used);

		off += used;
		if (rc != SC_OK)
			break;
		if (used == 0 && sc_conn_pending_read(c) == 0)
			abort(); /* the engine took nothing and holds nothing: stuck */
		drain(c);
	}
	drain(c);
}

/* After the input: what an application would do with what it reached. */
static void finish(sc_conn *c)
{
	static const uint8_t msg[] = "fuzz";
	uint8_t out[32];
	size_t used;

	if (sc_conn_can_write(c)) {
		ignore(sc_conn_write(c, msg, sizeof(msg), &used));
		ignore(sc_conn_key_update(c, 1));
		ignore(sc_conn_export(c, "fuzz", msg, sizeof(msg), out, sizeof(out)));
		ignore(sc_conn_close(c));
	}
	(void)sc_conn_state(c);
	(void)sc_conn_peer_identity(c);
	(void)sc_conn_suite(c);
	(void)sc_conn_group(c);
	ignore(sc_conn_feed_eof(c));
	drain(c);
}

static sc_conn *new_conn(sc_ctx *ctx, const uint8_t *nonce, const uint8_t *x25519)
{
	sc_testing_random r = { nonce, 32, x25519, 32, NULL, 0 };
	sc_conn *c = sc_conn_new(ctx);

	if (c == NULL || sc_testing_inject_random(c, &r) != SC_OK)
		abort();
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Pieces of 1..16 bytes, from the input's length: the seeds take both
	 * paths without spending input bytes on it. */
	size_t chunks[2] = { 0, 1 + size % 16 };

	for (int i = 0; i < 2; i++) {
		sc_conn *s = new_conn(server_ctx, fc_nonce_s, fc_x25519_s);
		sc_conn *c = new_conn(client_ctx, fc_nonce_c, fc_x25519_c);

		if (sc_conn_start(s) != SC_OK || sc_conn_start(c) != SC_OK)
			abort();
		drain(c);
		feed(s, data, size, chunks[i]);
		feed(c, data, size, chunks[i]);
		if (verbose)
			fprintf(stderr, "chunk %zu: server step %d state %d (%s), client step %d state %d (%s)\n",
				chunks[i], sc_conn_last_step(s), (int)sc_conn_state(s),
				sc_conn_error_detail(s), sc_conn_last_step(c), (int)sc_conn_state(c),
				sc_conn_error_detail(c));
		finish(s);
		finish(c);
		sc_conn_free(s);
		sc_conn_free(c);
	}
	ERR_clear_error();
	return 0;
}
