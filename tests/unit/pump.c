/* In-memory transport for the engine tests (see pump.h). */
#include "pump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pbuf_add(pbuf *b, const uint8_t *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			abort();
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

void pbuf_free(pbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static const char *pki_dir(void)
{
	static char dir[4096];
	const char *shared = getenv("SC_SHARED_DIR");

	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "%s/vectors/pki",
			 shared != NULL && shared[0] != '\0' ? shared : "../shared");
	return dir;
}

int pki_available(void)
{
	return access(pki_file("ca.pem"), R_OK) == 0
	    && access(pki_file("client.key"), R_OK) == 0;
}

const char *pki_file(const char *name)
{
	/* A few names are live at once (cert, key, CA): rotate buffers. */
	static char buf[4][4200];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", pki_dir(), name);
	return b;
}

sc_ctx *pump_ctx(sc_role role, const char *cert, const char *key,
		 const char *ca)
{
	int err = SC_OK;
	sc_ctx *ctx = sc_ctx_new(NULL, NULL, role, &err);

	if (ctx == NULL
	    || (cert != NULL && sc_ctx_load_cert_chain(ctx, pki_file(cert)) != SC_OK)
	    || (key != NULL && sc_ctx_load_private_key(ctx, pki_file(key), NULL) != SC_OK)
	    || (ca != NULL && sc_ctx_load_trust(ctx, pki_file(ca), NULL) != SC_OK)
	    || (role == SC_ROLE_CLIENT
		&& sc_ctx_set_server_name(ctx, "server.test", 1) != SC_OK)) {
		fprintf(stderr, "cannot set up a %s context with %s, %s, %s\n",
			role == SC_ROLE_CLIENT ? "client" : "server",
			cert ? cert : "-", key ? key : "-", ca ? ca : "-");
		abort();
	}
	return ctx;
}

void pump_init(pump *p, sc_conn *c, sc_conn *s)
{
	memset(p, 0, sizeof(*p));
	if (c == NULL || s == NULL)
		abort();
	p->end[PUMP_C] = c;
	p->end[PUMP_S] = s;
	p->flip_at[0] = p->flip_at[1] = -1;
}

void pump_clear(pump *p)
{
	for (int i = 0; i < 2; i++) {
		sc_conn_free(p->end[i]);
		pbuf_free(&p->got[i]);
		pbuf_free(&p->wire[i]);
	}
	memset(p, 0, sizeof(*p));
}

int pump_drain(pump *p, int who)
{
	uint8_t tmp[4096];
	size_t n;
	int rc;

	do {
		rc = sc_conn_read(p->end[who], tmp, sizeof(tmp), &n);
		pbuf_add(&p->got[who], tmp, n);
	} while (n > 0);
	return rc;
}

int pump_feed(pump *p, int to, const uint8_t *d, size_t n)
{
	sc_conn *c = p->end[to];
	size_t off = 0;
	int rc = SC_OK;

	while (off < n) {
		size_t want = n - off, used = 0;

		if (p->chunk && want > p->chunk)
			want = p->chunk;
		rc = sc_conn_feed(c, d + off, want, &used);
		off += used;
		if (rc != SC_OK)
			break;
		if (sc_conn_pending_read(c) > 0)
			(void)pump_drain(p, to);
		else if (used == 0)
			break; /* nothing taken and nothing to read: stuck */
	}
	(void)pump_drain(p, to);
	if (rc != SC_OK && p->rc[to] == SC_OK)
		p->rc[to] = rc;
	return rc;
}

void pump_take(pump *p, int from, pbuf *out)
{
	size_t n;
	const uint8_t *d = sc_conn_output(p->end[from], &n);

	pbuf_add(&p->wire[from], d, n);
	pbuf_add(out, d, n);
	sc_conn_output_consume(p->end[from], n);
}

static size_t move_once(pump *p, int from)
{
	pbuf b = { 0 };
	size_t start = p->wire[from].len, n;
	long at = p->flip_at[from];

	pump_take(p, from, &b);
	n = b.len;
	if (at >= 0 && (size_t)at >= start && (size_t)at < start + n)
		b.p[(size_t)at - start] ^= p->flip_mask;
	if (n)
		(void)pump_feed(p, !from, b.p, n);
	pbuf_free(&b);
	return n;
}

size_t pump_run(pump *p)
{
	size_t total = 0, moved;

	do {
		moved = move_once(p, PUMP_C);
		moved += move_once(p, PUMP_S);
		total += moved;
	} while (moved > 0);
	return total;
}

int pump_handshake(pump *p)
{
	if (sc_conn_start(p->end[PUMP_C]) != SC_OK)
		return 0;
	(void)pump_run(p);
	return sc_conn_handshake_done(p->end[PUMP_C])
	    && sc_conn_handshake_done(p->end[PUMP_S])
	    && sc_conn_state(p->end[PUMP_C]) == SC_STATE_OPEN
	    && sc_conn_state(p->end[PUMP_S]) == SC_STATE_OPEN;
}

size_t pump_records(const uint8_t *d, size_t n, size_t *off, size_t max)
{
	size_t pos = 0, count = 0;

	while (n - pos >= 3) {
		size_t len = (size_t)d[pos + 1] << 8 | d[pos + 2];

		if (n - pos < 3 + len)
			break;
		if (count < max)
			off[count] = pos;
		count++;
		pos += 3 + len;
	}
	return count;
}
