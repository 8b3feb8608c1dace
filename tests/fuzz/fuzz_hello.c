/* libFuzzer target for the hello decoders (SC1.md section 4, messages
 * 1 and 2). Input: a selector byte, then the message body.
 *   selector % 2 = 0: client_hello_handle on a fresh server;
 *                  1: server_hello_handle on a client that sent ClientHello.
 *   selector / 2 picks the profile (fuzz_harness.h): suites, group, mode. */
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
	c = fh_conn_at(profile, variant == 0 ? SC_ROLE_SERVER : SC_ROLE_CLIENT, variant + 1);
	(void)fh_deliver(c, data + 1, size - 1);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
