/* libFuzzer target for the certificate messages (SC1.md sections 4
 * and 9, messages 3, 4 and 5): the chain layout, DER parsing and path
 * verification of a peer's chain, and the CA names of ClientCertRequest.
 * Input: a selector byte, then the message body.
 *   selector % 3 = 0: server_cert_handle on a client that got ServerHello;
 *                  1: cert_request_handle on a client that got 3;
 *                  2: client_cert_handle on a server that sent 2, 3, 4
 *                     (the profile sets the mode: required, optional, 0).
 *   selector / 3 picks the profile (fuzz_harness.h). */
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
	static const sc_role role[3] = { SC_ROLE_CLIENT, SC_ROLE_CLIENT, SC_ROLE_SERVER };
	int variant, profile;
	sc_conn *c;

	if (size < 1)
		return 0;
	fh_pick(data[0], 3, &variant, &profile);
	c = fh_conn_at(profile, role[variant], 3 + variant);
	(void)fh_deliver(c, data + 1, size - 1);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
