/* libFuzzer target for the signature messages (SC1.md sections 4 and
 * 8, messages 10 and 11): layout, the empty-signature rules, verification
 * with the peer's leaf key, and the key switch that 11 triggers.
 * Input: a selector byte, then the message body.
 *   selector % 2 = 0: client_auth_handle on a server that sent 9;
 *                  1: server_auth_handle on a client that sent 10.
 *   selector / 2 picks the profile (fuzz_harness.h), among them a client
 *   without a certificate (an empty ClientAuth is then the valid one). */
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
	c = fh_conn_at(profile, variant == 0 ? SC_ROLE_SERVER : SC_ROLE_CLIENT, 10 + variant);
	(void)fh_deliver(c, data + 1, size - 1);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
