/* libFuzzer target for the record layer (SC1.md sections 2 and 10):
 * header checks, reassembly, opening and dispatch of the peer's records.
 * Input: a selector byte, then the byte stream the peer sends.
 *   selector % 4 = 0: a client in the data phase (reads s_ap);
 *                  1: a server in the data phase (reads c_ap);
 *                  2: a server that got ClientHello and sent 2, 3, 4
 *                     (reads c_hs, takes a clear one-byte alert);
 *                  3: a client that sent ClientHello (reads in the clear).
 *   selector / 4 picks the profile, hence the suite (fuzz_harness.h).
 * The stream is fed at once, or in pieces of 1..16 bytes, from its length,
 * so the seeds (case a's records) take both paths. Then the connection is
 * used as an application would: write, key update, close, end of stream. */
#include "fuzz_harness.h"

#include <openssl/err.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fh_setup();
	return 0;
}

static void finish(sc_conn *c)
{
	static const uint8_t msg[] = "fuzz";
	size_t used;

	if (sc_conn_can_write(c)) {
		(void)!sc_conn_write(c, msg, sizeof(msg), &used);
		(void)!sc_conn_key_update(c, 1);
		(void)!sc_conn_close(c);
	}
	(void)!sc_conn_feed_eof(c);
	fh_feed(c, NULL, 0, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const sc_role role[4] = { SC_ROLE_CLIENT, SC_ROLE_SERVER, SC_ROLE_SERVER,
					 SC_ROLE_CLIENT };
	static const int next[4] = { 13, 13, 5, 2 };
	int variant, profile;
	sc_conn *c;

	if (size < 1)
		return 0;
	fh_pick(data[0], 4, &variant, &profile);
	c = fh_conn_at(profile, role[variant], next[variant]);
	fh_feed(c, data + 1, size - 1, size % 17);
	fh_report(c);
	finish(c);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
