/* Contexts shared by threads, as sctunnel's workers share theirs: several
 * threads run whole handshakes at once over the same client and server
 * contexts, which hold the signing context, the pools of key generation
 * and import contexts and the verified-chain cache every handshake uses.
 * Every handshake must complete. Exit 0 when all do, 1 otherwise, 77 when
 * the shared test PKI is not available. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "pump.h"

#define THREADS 4
#define ROUNDS 25
#define VERIFY_TIME ((time_t)1780272000) /* 2026-06-01, inside the PKI */

struct setup {
	const char *name;
	sc_ctx *cctx, *sctx;
};

struct worker {
	const struct setup *s;
	int completed;
};

static void *run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		pump p;

		pump_init(&p, sc_conn_new(w->s->cctx), sc_conn_new(w->s->sctx));
		w->completed += pump_handshake(&p);
		pump_clear(&p);
	}
	return NULL;
}

static sc_ctx *ctx(sc_role role, const char *cert, const char *key,
		   const char *groups)
{
	sc_ctx *c = pump_ctx(role, cert, key, "ca.pem");

	sc_ctx_set_verify_time(c, VERIFY_TIME);
	if (groups != NULL && sc_ctx_set_groups(c, groups) != SC_OK) {
		fprintf(stderr, "groups %s not available\n", groups);
		abort();
	}
	return c;
}

static int run_setup(struct setup *s)
{
	pthread_t th[THREADS];
	struct worker w[THREADS];
	int done = 0;

	for (int t = 0; t < THREADS; t++) {
		w[t] = (struct worker){ .s = s };
		if (pthread_create(&th[t], NULL, run, &w[t]) != 0) {
			perror("pthread_create");
			exit(1);
		}
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		done += w[t].completed;
	}
	printf("%s: %s: %d of %d handshakes completed\n", done == THREADS * ROUNDS ? "ok" : "FAIL",
	       s->name, done, THREADS * ROUNDS);
	sc_ctx_free(s->cctx);
	sc_ctx_free(s->sctx);
	return done == THREADS * ROUNDS;
}

int main(void)
{
	struct setup ed = { .name = "Ed25519 both ways, group none" };
	struct setup ec = { .name = "ECDSA P-256 server, group P-256" };
	int ok;

	if (!pki_available()) {
		printf("skip: the shared test PKI is not available\n");
		return 77;
	}
	ed.cctx = ctx(SC_ROLE_CLIENT, "client.pem", "client.key", NULL);
	ed.sctx = ctx(SC_ROLE_SERVER, "server.pem", "server.key", NULL);
	ec.cctx = ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "P-256");
	ec.sctx = ctx(SC_ROLE_SERVER, "server_p256.pem", "server_p256.key", "P-256");
	ok = run_setup(&ed);
	ok &= run_setup(&ec);
	return ok ? 0 : 1;
}
