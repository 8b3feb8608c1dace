/* libFuzzer target for the key exchange messages (SC1.md section 5,
 * messages 6 and 7): group check, share length, and the group's own checks
 * of a peer share (point on the curve, not the identity, all-zero secret).
 * Input: a selector byte, then the message body.
 *   selector % 2 = 0: kx1_handle on a server that got 5;
 *                  1: kx2_handle on a client that sent 6.
 *   selector / 2 picks the profile, hence the group: none, X448, P-256,
 *   P-384 (fuzz_harness.h). */
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
	int variant, profile;
	sc_conn *c;

	if (size < 1)
		return 0;
	fh_pick(data[0], 2, &variant, &profile);
	c = fh_conn_at(profile, variant == 0 ? SC_ROLE_SERVER : SC_ROLE_CLIENT, 6 + variant);
	(void)fh_deliver(c, data + 1, size - 1);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
