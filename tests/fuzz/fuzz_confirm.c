/* libFuzzer target for the MAC messages (SC1.md section 4, messages
 * 8, 9 and 12): exact length, constant-time compare, and on success the
 * key schedule step that follows (12 finishes the handshake).
 * Input: a selector byte, then the message body.
 *   selector % 3 = 0: confirm1_handle on a server that sent 7;
 *                  1: confirm2_handle on a client that sent 8;
 *                  2: secure_ack_handle on a client that got 11.
 *   selector / 3 picks the profile (fuzz_harness.h); with profile 0 the
 *   bodies of known-answer case a verify. */
#include "fuzz_harness.h"

#include <openssl/err.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fh_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const sc_role role[3] = { SC_ROLE_SERVER, SC_ROLE_CLIENT, SC_ROLE_CLIENT };
	static const int step[3] = { 8, 9, 12 };
	int variant, profile;
	sc_conn *c;

	if (size < 1)
		return 0;
	fh_pick(data[0], 3, &variant, &profile);
	c = fh_conn_at(profile, role[variant], step[variant]);
	(void)fh_deliver(c, data + 1, size - 1);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
