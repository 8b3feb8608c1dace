/* Record-layer integrity on live in-memory sessions (SC1.md sections 2,
 * 10 and 11): a flipped bit anywhere in either direction ends the session
 * and never delivers altered data; replayed, reordered and dropped records
 * are bad_record_mac; end of stream without close_notify is a truncation;
 * the way bytes are split when fed does not change what is delivered.
 * One line per check (bit flips summarised); exit 0 when all pass, 1
 * otherwise, 77 when the shared test PKI is not available. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"

#define VERIFY_TIME ((time_t)1780272000) /* 2026-06-01T00:00:00Z */
#define N_RECORDS 3
#define RECORD_LEN 64

static int failures;
static sc_ctx *cctx, *sctx;

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

/* What each end sends after the handshake: N_RECORDS records. */
static uint8_t data[2][N_RECORDS * RECORD_LEN];

static void make_data(void)
{
	for (int who = 0; who < 2; who++)
		for (size_t i = 0; i < sizeof(data[0]); i++)
			data[who][i] = (uint8_t)(i * 7 + who * 101 + 1);
}

static void new_session(pump *p)
{
	pump_init(p, sc_conn_new(cctx), sc_conn_new(sctx));
}

/* Each end's state and error just before the script feeds end of stream:
 * a failure found only then is a truncation, not a detected alteration. */
static sc_state before_eof[2];
static int error_before_eof[2];

/* Results the script does not need: failures show in the end state. */
static void ignore(int rc)
{
	(void)rc;
}

/* The script: handshake, N_RECORDS application records each way, both
 * close, both see end of stream. Whatever fails on the way stops the part
 * of the script that needs it. */
static void run_script(pump *p)
{
	if (sc_conn_start(p->end[PUMP_C]) == SC_OK)
		(void)pump_run(p);
	for (int i = 0; i < N_RECORDS; i++)
		for (int who = 0; who < 2; who++) {
			size_t used;

			if (sc_conn_can_write(p->end[who]))
				ignore(sc_conn_write(p->end[who], data[who] + i * RECORD_LEN,
						     RECORD_LEN, &used));
			(void)pump_run(p);
		}
	for (int who = 0; who < 2; who++)
		if (sc_conn_can_write(p->end[who]))
			ignore(sc_conn_close(p->end[who]));
	(void)pump_run(p);
	for (int who = 0; who < 2; who++) {
		before_eof[who] = sc_conn_state(p->end[who]);
		error_before_eof[who] = sc_conn_error(p->end[who]);
	}
	for (int who = 0; who < 2; who++)
		ignore(sc_conn_feed_eof(p->end[who]));
}

/* Whether what `who` read is a prefix of what its peer sent. */
static int intact_prefix(const pump *p, int who)
{
	const pbuf *g = &p->got[who];

	return g->len <= sizeof(data[0]) && (g->len == 0 || memcmp(g->p, data[!who], g->len) == 0);
}

static void test_clean(size_t len[2], pbuf clean[2])
{
	pump p;

	new_session(&p);
	run_script(&p);
	check(sc_conn_state(p.end[PUMP_C]) == SC_STATE_CLOSED
	      && sc_conn_state(p.end[PUMP_S]) == SC_STATE_CLOSED
	      && p.got[PUMP_C].len == sizeof(data[0]) && p.got[PUMP_S].len == sizeof(data[0])
	      && intact_prefix(&p, PUMP_C) && intact_prefix(&p, PUMP_S),
	      "the untouched script ends cleanly with all data delivered");
	len[PUMP_C] = p.wire[PUMP_C].len;
	len[PUMP_S] = p.wire[PUMP_S].len;
	pbuf_add(&clean[PUMP_C], p.wire[PUMP_C].p, p.wire[PUMP_C].len);
	pbuf_add(&clean[PUMP_S], p.wire[PUMP_S].p, p.wire[PUMP_S].len);
	printf("# client stream %zu bytes, server stream %zu bytes\n", len[0], len[1]);
	pump_clear(&p);
}

#define MAX_RECS 64

enum { HIT_OTHER, HIT_SEALED_BODY, HIT_LENGTH };

/* What a flip at `off` hit: the body (tag included) of a sealed record
 * (any record but the clear hellos, types 0x01 and 0x02), a record's
 * length, or anything else. Sets *type to the record's type. */
static int flip_hit(const pbuf *clean, const size_t *recs, size_t nrec, size_t off,
		    unsigned *type)
{
	for (size_t r = 0; r < nrec; r++) {
		size_t end = r + 1 < nrec ? recs[r + 1] : clean->len;

		if (off < recs[r] || off >= end)
			continue;
		*type = clean->p[recs[r]];
		if (off == recs[r] + 1 || off == recs[r] + 2)
			return HIT_LENGTH;
		return off >= recs[r] + 3 && *type != 0x01 && *type != 0x02 ? HIT_SEALED_BODY
									     : HIT_OTHER;
	}
	return HIT_OTHER;
}

/* Section 11: every bit of the session is authenticated, the clear hellos
 * through the transcript. One bit per offset, rotating through the bits.
 * Every flip must be found before end of stream (the script ends with
 * one, and a truncation would end an undetected alteration too), but for
 * a longer record length, which leaves the receiver waiting for bytes that
 * never come: that one ends as a truncation inside a record. A flip in
 * the body or tag of a sealed record, handshake or data phase, must be
 * found when that record arrives: bad_record_mac sent with the reason
 * "record tag does not verify", or, for an alert record, no reply and
 * "alert record cannot be opened" (section 2). */
static void test_bit_flips(const size_t len[2], const pbuf clean[2])
{
	for (int dir = 0; dir < 2; dir++) {
		size_t bad = 0, first_bad = 0, tried = 0, sealed = 0, data_phase = 0;
		size_t recs[MAX_RECS], nrec = pump_records(clean[dir].p, clean[dir].len, recs, MAX_RECS);

		for (size_t off = 0; off < len[dir]; off++) {
			pump p;
			int recv = !dir, ok, hit, body, waiting;
			unsigned type = 0;
			const char *why;

			new_session(&p);
			p.flip_at[dir] = (long)off;
			p.flip_mask = (uint8_t)(1u << (off % 8));
			run_script(&p);
			why = sc_conn_error_detail(p.end[recv]);
			if (why == NULL)
				why = "";
			hit = flip_hit(&clean[dir], recs, nrec, off, &type);
			body = hit == HIT_SEALED_BODY;
			waiting = hit == HIT_LENGTH && before_eof[recv] != SC_STATE_FAILED
				  && sc_conn_error(p.end[recv]) == SC_ERR_TRUNCATED
				  && strstr(why, "(partial record)") != NULL;
			ok = sc_conn_state(p.end[recv]) == SC_STATE_FAILED
			     && (waiting || (before_eof[recv] == SC_STATE_FAILED
					     && error_before_eof[recv] != SC_ERR_TRUNCATED))
			     && intact_prefix(&p, PUMP_C) && intact_prefix(&p, PUMP_S);
			if (body && type == 0x15)
				ok = ok && sc_conn_alert_sent(p.end[recv]) == -1
				     && strstr(why, "alert record cannot be opened") != NULL;
			else if (body)
				ok = ok && sc_conn_alert_sent(p.end[recv]) == SC_ALERT_BAD_RECORD_MAC
				     && strstr(why, "record tag does not verify") != NULL;
			sealed += body;
			data_phase += body && (type == 0x17 || type == 0x15);
			if (!ok && bad++ == 0) {
				first_bad = off;
				printf("# %s offset %zu (record type 0x%02x, %s) mask 0x%02x: receiver "
				       "state %d (before end of stream %d, error %d), alert sent %d (%s), "
				       "delivered %zu/%zu\n",
				       dir == PUMP_C ? "client" : "server", off, type,
				       body ? "sealed body" : hit == HIT_LENGTH ? "length" : "other",
				       p.flip_mask,
				       (int)sc_conn_state(p.end[recv]), (int)before_eof[recv],
				       error_before_eof[recv], sc_conn_alert_sent(p.end[recv]), why,
				       p.got[PUMP_C].len, p.got[PUMP_S].len);
			}
			tried++;
			pump_clear(&p);
		}
		check(bad == 0 && tried == len[dir] && nrec > 0 && nrec < MAX_RECS && data_phase > 0,
		      "a bit flipped at each of the %zu offsets of the %s stream (%zu records; "
		      "%zu in sealed bodies, %zu of them in the data phase) is found before end of "
		      "stream, without altered data (%zu bad, first at %zu)",
		      tried, dir == PUMP_C ? "client" : "server", nrec, sealed, data_phase, bad,
		      first_bad);
	}
}

/* An open session, and the next N_RECORDS records `who` sends, taken from
 * the wire (not delivered). */
static int open_with_records(pump *p, int who, pbuf *out, size_t off[N_RECORDS])
{
	new_session(p);
	if (!pump_handshake(p))
		return 0;
	for (int i = 0; i < N_RECORDS; i++) {
		size_t used;

		if (sc_conn_write(p->end[who], data[who] + i * RECORD_LEN, RECORD_LEN, &used) != SC_OK
		    || used != RECORD_LEN)
			return 0;
	}
	pump_take(p, who, out);
	return pump_records(out->p, out->len, off, N_RECORDS) == N_RECORDS;
}

static void test_sequence(void)
{
	/* Which records reach the receiver, and how many of them are genuine in
	 * order before the first one that must fail. */
	static const struct {
		const char *what;
		int order[3];
		size_t good;
	} cases[] = {
		{ "replayed record", { 0, 0, -1 }, 1 },
		{ "reordered records", { 1, 0, -1 }, 0 },
		{ "dropped record", { 0, 2, -1 }, 1 },
		{ "first record dropped", { 1, 2, -1 }, 0 },
		{ "last record replayed", { 0, 1, 2 }, 3 },
	};

	for (int who = 0; who < 2; who++)
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			pump p;
			pbuf out = { 0 }, feed = { 0 };
			size_t off[N_RECORDS];
			int recv = !who, ok = open_with_records(&p, who, &out, off), last = 0;

			for (int j = 0; j < 3 && cases[k].order[j] >= 0; j++) {
				int r = cases[k].order[j];
				size_t end = r + 1 < N_RECORDS ? off[r + 1] : out.len;

				pbuf_add(&feed, out.p + off[r], end - off[r]);
				last = r;
			}
			/* The last case: all three in order, then the last again. */
			if (cases[k].good == 3)
				pbuf_add(&feed, out.p + off[last], out.len - off[last]);
			(void)pump_feed(&p, recv, feed.p, feed.len);
			check(ok && sc_conn_alert_sent(p.end[recv]) == SC_ALERT_BAD_RECORD_MAC
			      && p.got[recv].len == cases[k].good * RECORD_LEN
			      && (p.got[recv].len == 0 || memcmp(p.got[recv].p, data[who], p.got[recv].len) == 0),
			      "%s from the %s: bad_record_mac, %zu genuine records delivered (%zu bytes)",
			      cases[k].what, who == PUMP_C ? "client" : "server", cases[k].good,
			      p.got[recv].len);
			pbuf_free(&out);
			pbuf_free(&feed);
			pump_clear(&p);
		}
}

/* Section 4, Alert: end of stream without close_notify is an error. */
static void test_truncation(void)
{
	for (int partial = 0; partial <= 1; partial++) {
		pump p;
		pbuf out = { 0 };
		size_t off[N_RECORDS], n = 0;
		uint8_t buf[8];
		int ok = open_with_records(&p, PUMP_S, &out, off), rc, rrc;

		(void)pump_feed(&p, PUMP_C, out.p, partial ? off[2] + 5 : out.len);
		rc = sc_conn_feed_eof(p.end[PUMP_C]);
		rrc = sc_conn_read(p.end[PUMP_C], buf, sizeof(buf), &n);
		check(ok && rc == SC_ERR_TRUNCATED && rrc == SC_ERR_TRUNCATED && n == 0
		      && sc_conn_state(p.end[PUMP_C]) == SC_STATE_FAILED
		      && sc_conn_alert_sent(p.end[PUMP_C]) == -1
		      && p.got[PUMP_C].len == (partial ? 2 : 3) * RECORD_LEN,
		      "end of stream %s without close_notify: truncated, not a clean end",
		      partial ? "inside a record" : "after whole records");
		pbuf_free(&out);
		pump_clear(&p);
	}
}

/* Feeding one byte at a time, in odd chunks or all at once delivers the
 * same data, and large transfers go through whole. */
static void test_chunking(void)
{
	static const size_t chunks[] = { 0, 1, 7, 16403 };
	const size_t big = 70000;
	uint8_t *payload = malloc(big);
	pbuf ref[2] = { { 0 }, { 0 } };

	if (payload == NULL)
		abort();
	for (size_t i = 0; i < big; i++)
		payload[i] = (uint8_t)(i ^ (i >> 9));
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		pump p;
		int ok;

		new_session(&p);
		p.chunk = chunks[k];
		ok = pump_handshake(&p);
		for (int who = 0; who < 2 && ok; who++) {
			size_t off = 0, used;

			while (ok && off < big) {
				ok = sc_conn_write(p.end[who], payload + off, big - off, &used) == SC_OK;
				off += used;
				(void)pump_run(&p);
			}
			ok = ok && sc_conn_key_update(p.end[who], 1) == SC_OK
			     && sc_conn_write(p.end[who], data[who], sizeof(data[0]), &used) == SC_OK
			     && sc_conn_close(p.end[who]) == SC_OK;
			(void)pump_run(&p);
		}
		ok = ok && sc_conn_state(p.end[PUMP_C]) == SC_STATE_CLOSED
		     && sc_conn_state(p.end[PUMP_S]) == SC_STATE_CLOSED;
		if (k == 0) {
			for (int who = 0; who < 2; who++)
				pbuf_add(&ref[who], p.got[who].p, p.got[who].len);
			ok = ok && ref[0].len == big + sizeof(data[0])
			     && memcmp(ref[0].p, payload, big) == 0
			     && memcmp(ref[0].p + big, data[PUMP_S], sizeof(data[0])) == 0
			     && ref[1].len == big + sizeof(data[0])
			     && memcmp(ref[1].p, payload, big) == 0
			     && memcmp(ref[1].p + big, data[PUMP_C], sizeof(data[0])) == 0;
			check(ok, "fed all at once: %zu bytes each way, intact, clean close", ref[0].len);
		} else {
			ok = ok && p.got[0].len == ref[0].len && p.got[1].len == ref[1].len
			     && memcmp(p.got[0].p, ref[0].p, ref[0].len) == 0
			     && memcmp(p.got[1].p, ref[1].p, ref[1].len) == 0;
			check(ok, "fed in chunks of %zu bytes: the same data delivered", chunks[k]);
		}
		pump_clear(&p);
	}
	pbuf_free(&ref[0]);
	pbuf_free(&ref[1]);
	free(payload);
}

int main(void)
{
	size_t len[2];
	pbuf clean[2] = { { 0 }, { 0 } };

	if (!pki_available()) {
		printf("SKIP: the shared test PKI (SC_SHARED_DIR/vectors/pki) is not available\n");
		return 77;
	}
	make_data();
	cctx = pump_ctx(SC_ROLE_CLIENT, "client.pem", "client.key", "ca.pem");
	sctx = pump_ctx(SC_ROLE_SERVER, "server.pem", "server.key", "ca.pem");
	sc_ctx_set_verify_time(cctx, VERIFY_TIME);
	sc_ctx_set_verify_time(sctx, VERIFY_TIME);
	test_clean(len, clean);
	test_sequence();
	test_truncation();
	test_chunking();
	test_bit_flips(len, clean);
	pbuf_free(&clean[0]);
	pbuf_free(&clean[1]);
	sc_ctx_free(cctx);
	sc_ctx_free(sctx);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
