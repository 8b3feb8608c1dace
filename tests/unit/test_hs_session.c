/* Open sessions between two in-memory connections: half-close in each
 * direction, requested and automatic key updates (both sides derive the
 * same next secrets), backpressure on the output, and record sizes. One
 * line per check; exit 0 when all pass, 1 otherwise, 77 when the shared
 * test PKI is not available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hst.h"

static void test_half_close(void)
{
	hst_session s;
	uint8_t buf[16];
	size_t n, before;
	int rc;

	unit_check(hst_open_session(&s, 0), "half-close: session opens");
	unit_check(sc_conn_close(s.p.end[PUMP_C]) == SC_OK, "client closes its direction");
	(void)pump_run(&s.p);
	unit_check(sc_conn_peer_closed(s.p.end[PUMP_S]) && sc_conn_write_closed(s.p.end[PUMP_C])
	      && sc_conn_state(s.p.end[PUMP_S]) == SC_STATE_OPEN
	      && sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_OPEN,
	      "after the client's close_notify both are still open");
	unit_check(sc_conn_write(s.p.end[PUMP_C], (const uint8_t *)"x", 1, &n) == SC_ERR_CLOSED
	      && !sc_conn_can_write(s.p.end[PUMP_C]), "the client can no longer write");
	unit_check(sc_conn_read(s.p.end[PUMP_S], buf, sizeof(buf), &n) == SC_ERR_CLOSED && n == 0,
	      "the server reads the end of the client's data");
	unit_check(hst_send_all(&s.p, PUMP_S, (const uint8_t *)"after close", 11) == SC_OK
	      && s.p.got[PUMP_C].len == 11 && memcmp(s.p.got[PUMP_C].p, "after close", 11) == 0,
	      "the server still writes and the client still reads");
	/* Section 4: a party that sent close_notify does not answer key update requests. */
	before = s.p.wire[PUMP_C].len;
	unit_check(sc_conn_key_update(s.p.end[PUMP_S], 1) == SC_OK, "server requests a key update");
	(void)pump_run(&s.p);
	unit_check(s.p.wire[PUMP_C].len == before && sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_OPEN,
	      "the closed client does not answer it");
	unit_check(hst_send_all(&s.p, PUMP_S, (const uint8_t *)"more", 4) == SC_OK
	      && s.p.got[PUMP_C].len == 15, "data after the server's key update");
	unit_check(sc_conn_close(s.p.end[PUMP_S]) == SC_OK, "server closes");
	(void)pump_run(&s.p);
	unit_check(sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_CLOSED
	      && sc_conn_state(s.p.end[PUMP_S]) == SC_STATE_CLOSED, "both closed");
	rc = sc_conn_read(s.p.end[PUMP_C], buf, sizeof(buf), &n);
	unit_check(rc == SC_ERR_CLOSED && n == 0, "client read after all data: closed");
	unit_check(sc_conn_feed_eof(s.p.end[PUMP_C]) == SC_OK && sc_conn_feed_eof(s.p.end[PUMP_S]) == SC_OK,
	      "end of stream after close_notify is clean");
	unit_check(sc_conn_error(s.p.end[PUMP_C]) == SC_OK && sc_conn_error(s.p.end[PUMP_S]) == SC_OK,
	      "no error on either side");
	hst_close_session(&s);

	/* EOF without close_notify on an open session is a truncation. */
	unit_check(hst_open_session(&s, 0) && hst_exchange(&s.p, 10, 2), "second session opens");
	unit_check(sc_conn_feed_eof(s.p.end[PUMP_C]) == SC_ERR_TRUNCATED
	      && sc_conn_state(s.p.end[PUMP_C]) == SC_STATE_FAILED
	      && sc_conn_alert_sent(s.p.end[PUMP_C]) == -1, "end of stream without close_notify: truncated");
	hst_close_session(&s);
}

static void test_key_update(void)
{
	hst_session s;
	size_t n_ku_c, n_ku_s;
	uint8_t *big;

	unit_check(hst_open_session(&s, 0), "key update: session opens");
	unit_check(sc_conn_key_update(s.p.end[PUMP_C], 1) == SC_OK, "client sends a key update with request");
	(void)pump_run(&s.p);
	n_ku_c = hst_count_type(&s.p.wire[PUMP_C], 0x18, NULL);
	n_ku_s = hst_count_type(&s.p.wire[PUMP_S], 0x18, NULL);
	unit_check(n_ku_c == 1 && n_ku_s == 1, "one key update each way (%zu, %zu)", n_ku_c, n_ku_s);
	unit_check(hst_same_secret(&s, "c_ap+1") && hst_same_secret(&s, "s_ap+1"),
	      "both sides hold the same c_ap+1 and s_ap+1");
	unit_check(hst_exchange(&s.p, 5000, 9), "data still flows both ways");
	hst_close_session(&s);

	/* Automatic: a key update every 4096 bytes. Writes of 1000 bytes give
	 * records of 1000 bytes, so no secret may seal more than 4096. */
	unit_check(hst_open_session(&s, 4096), "automatic key update: session opens");
	if ((big = malloc(100 * 1024)) == NULL)
		abort();
	hst_fill(big, 100 * 1024, 5);
	{
		size_t off[1024], nrec, start = s.p.wire[PUMP_C].len, sealed = 0, worst = 0, i;
		int ok = 1;

		for (i = 0; i < 100 * 1024 && ok; i += 1000) {
			size_t len = 100 * 1024 - i < 1000 ? 100 * 1024 - i : 1000;

			ok = hst_send_all(&s.p, PUMP_C, big + i, len) == SC_OK;
		}
		unit_check(ok && s.p.got[PUMP_S].len == 100 * 1024
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
		unit_check(n_ku_c >= 100 * 1024 / 4096 - 1, "%zu automatic key updates", n_ku_c);
		unit_check(worst <= 4096, "no secret sealed more than 4096 bytes (max %zu)", worst);
		unit_check(hst_same_secret(&s, "c_ap+1"), "both sides derived the same c_ap+1");
	}
	unit_check(hst_exchange(&s.p, 30000, 4), "data both ways after many updates");
	free(big);
	hst_close_session(&s);
}

static void test_backpressure(void)
{
	hst_session s;
	pbuf out = { 0 };
	uint8_t data[300], got[300], tmp[300];
	size_t used, n, off = 0, have = 0;
	int rc, stops = 0;

	unit_check(hst_open_session(&s, 0), "backpressure: session opens");
	hst_fill(data, sizeof(data), 11);
	for (int i = 0; i < 3; i++)
		unit_check(sc_conn_write(s.p.end[PUMP_S], data + 100 * i, 100, &used) == SC_OK && used == 100,
		      "server writes record %d", i);
	pump_take(&s.p, PUMP_S, &out);
	unit_check(pump_records(out.p, out.len, NULL, 0) == 3, "three records on the wire");
	while (off < out.len) {
		rc = sc_conn_feed(s.p.end[PUMP_C], out.p + off, out.len - off, &used);
		if (rc != SC_OK)
			break;
		off += used;
		if (off < out.len) {
			stops++;
			unit_check(sc_conn_pending_read(s.p.end[PUMP_C]) == 100,
			      "feed stops with 100 bytes waiting (consumed %zu)", used);
			/* Feeding again while data waits takes nothing. */
			unit_check(sc_conn_feed(s.p.end[PUMP_C], out.p + off, out.len - off, &used) == SC_OK
			      && used == 0, "no bytes taken while data waits");
		}
		if (sc_conn_read(s.p.end[PUMP_C], tmp, sizeof(tmp), &n) == SC_OK && n > 0) {
			memcpy(got + have, tmp, n);
			have += n;
		}
	}
	unit_check(stops == 2 && have == 300 && memcmp(got, data, 300) == 0,
	      "all three records delivered in order after reads (%d stops)", stops);
	pbuf_free(&out);
	hst_close_session(&s);
}

static void test_record_sizes(void)
{
	hst_session s;
	uint8_t *big = malloc(50000);
	size_t used = 0, off[8], start, nrec, len0 = 0, len3 = 0;
	int rc;

	if (big == NULL)
		abort();
	hst_fill(big, 50000, 13);
	unit_check(hst_open_session(&s, 0), "record sizes: session opens");
	start = s.p.wire[PUMP_S].len;
	rc = sc_conn_write(s.p.end[PUMP_S], big, 50000, &used);
	(void)pump_run(&s.p);
	nrec = pump_records(s.p.wire[PUMP_S].p + start, s.p.wire[PUMP_S].len - start, off, 8);
	unit_check(rc == SC_OK && used == 50000 && nrec == 4, "50000 bytes in 4 records (%zu)", nrec);
	if (nrec == 4) {
		const uint8_t *w = s.p.wire[PUMP_S].p + start;
		int full = 1;

		for (int i = 0; i < 3; i++)
			full &= w[off[i]] == 0x17 && ((size_t)w[off[i] + 1] << 8 | w[off[i] + 2]) == 16400;
		len0 = (size_t)w[off[0] + 1] << 8 | w[off[0] + 2];
		len3 = (size_t)w[off[3] + 1] << 8 | w[off[3] + 2];
		unit_check(full && len3 == 50000 - 3 * 16384 + 16,
		      "three full 16384-byte records, then the rest (%zu, %zu)", len0, len3);
	}
	unit_check(s.p.got[PUMP_C].len == 50000 && memcmp(s.p.got[PUMP_C].p, big, 50000) == 0,
	      "the large write arrives intact");
	free(big);
	hst_close_session(&s);
}

int main(void)
{
	if (!hst_start())
		return 77;
	test_half_close();
	test_key_update();
	test_backpressure();
	test_record_sizes();
	return hst_result();
}
