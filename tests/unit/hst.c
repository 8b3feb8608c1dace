/* Helpers of the whole-handshake tests (test_hs_*.c): contexts over the
 * shared test PKI, sessions between two in-memory connections, data
 * exchanged both ways, and one line per check. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hst.h"
#include "unit.h"

int hst_start(void)
{
	if (!pki_available()) {
		printf("SKIP: the shared test PKI (SC_SHARED_DIR/vectors/pki) is not available\n");
		return 0;
	}
	return 1;
}

int hst_result(void)
{
	printf("%d failure(s)\n", unit_failures);
	return unit_failures ? 1 : 0;
}

sc_ctx *hst_server_ctx(const char *cert, const char *key)
{
	sc_ctx *ctx = pump_ctx(SC_ROLE_SERVER, cert, key, "ca.pem");

	sc_ctx_set_verify_time(ctx, HST_VERIFY_TIME);
	return ctx;
}

sc_ctx *hst_client_ctx(const char *cert, const char *key)
{
	sc_ctx *ctx = pump_ctx(SC_ROLE_CLIENT, cert, key, "ca.pem");

	sc_ctx_set_verify_time(ctx, HST_VERIFY_TIME);
	return ctx;
}

/* A session over the two contexts; the caller runs and clears it. */
void hst_pair(pump *p, sc_ctx *cctx, sc_ctx *sctx)
{
	pump_init(p, sc_conn_new(cctx), sc_conn_new(sctx));
}

void hst_fill(uint8_t *d, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 131 + seed + (i >> 8));
}

/* Writes all of `d` from end `who`, moving bytes as the output fills. */
int hst_send_all(pump *p, int who, const uint8_t *d, size_t n)
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
int hst_exchange(pump *p, size_t n, unsigned seed)
{
	uint8_t *a = malloc(n ? n : 1), *b = malloc(n ? n : 1);
	size_t ca = p->got[PUMP_S].len, cb = p->got[PUMP_C].len;
	int ok;

	if (a == NULL || b == NULL)
		abort();
	hst_fill(a, n, seed);
	hst_fill(b, n, seed + 7);
	ok = hst_send_all(p, PUMP_C, a, n) == SC_OK && hst_send_all(p, PUMP_S, b, n) == SC_OK
	    && p->got[PUMP_S].len == ca + n && p->got[PUMP_C].len == cb + n
	    && memcmp(p->got[PUMP_S].p + ca, a, n) == 0
	    && memcmp(p->got[PUMP_C].p + cb, b, n) == 0;
	free(a);
	free(b);
	return ok;
}

int hst_export_equal(pump *p)
{
	uint8_t x[48], y[48], zero[48] = { 0 };
	static const uint8_t context[] = "ctx";

	return sc_conn_export(p->end[PUMP_C], "test label", context, 3, x, sizeof(x)) == SC_OK
	    && sc_conn_export(p->end[PUMP_S], "test label", context, 3, y, sizeof(y)) == SC_OK
	    && memcmp(x, y, sizeof(x)) == 0 && memcmp(x, zero, sizeof(x)) != 0;
}

/* Records of one type in a wire stream, and the largest fragment of them. */
size_t hst_count_type(const pbuf *w, uint8_t type, size_t *max_len)
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

int hst_open_session(hst_session *s, uint64_t ku_bytes)
{
	s->cctx = hst_client_ctx("client.pem", "client.key");
	s->sctx = hst_server_ctx("server.pem", "server.key");
	if (ku_bytes && (sc_ctx_set_key_update_limits(s->cctx, ku_bytes, 0) != SC_OK
			 || sc_ctx_set_key_update_limits(s->sctx, ku_bytes, 0) != SC_OK))
		abort();
	hst_pair(&s->p, s->cctx, s->sctx);
	/* All-NULL injection switches secret recording on, randomness stays fresh. */
	{
		sc_testing_random none = { 0 };

		if (sc_testing_inject_random(s->p.end[PUMP_C], &none) != SC_OK
		    || sc_testing_inject_random(s->p.end[PUMP_S], &none) != SC_OK)
			abort();
	}
	return pump_handshake(&s->p);
}

void hst_close_session(hst_session *s)
{
	pump_clear(&s->p);
	sc_ctx_free(s->cctx);
	sc_ctx_free(s->sctx);
}

int hst_same_secret(hst_session *s, const char *name)
{
	uint8_t a[64], b[64];
	size_t la = 0, lb = 0;

	return sc_testing_get_secret(s->p.end[PUMP_C], name, a, sizeof(a), &la) == SC_OK
	    && sc_testing_get_secret(s->p.end[PUMP_S], name, b, sizeof(b), &lb) == SC_OK
	    && la == lb && la > 0 && memcmp(a, b, la) == 0;
}
