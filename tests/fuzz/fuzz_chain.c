/* libFuzzer target for certificate parsing and verification (SC1.md
 * section 9, provider/certchain.h and certverify.h; section 4 message 4,
 * provider/canames.h) outside the handshake.
 * Input: a flags byte, then
 *   flags bit 0 = 1: concatenated DER Names for canames_check;
 *   flags bit 0 = 0: DER certificates, each as u16 len || der (the last cut
 *     to what the input holds), leaf first, for certchain_parse and then
 *     certverify_chain against the test CA as of case a's time; bit 1:
 *     the peer is a server, checked against the name bits 2-3 choose;
 *     the leaf's identity and name matching are exercised too. */
#include "fuzz_harness.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>

#include "canames.h"
#include "certchain.h"
#include "certid.h"
#include "certverify.h"

#define MAX_DER 10

/* SC_FUZZ_VERBOSE set: say how each chain fared (for checking the seeds). */
static int verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("SC_FUZZ_VERBOSE") != NULL;
	fh_setup();
	return 0;
}

static void chain(uint8_t flags, const uint8_t *data, size_t size)
{
	static const char *const names[4] = { "server.test", "127.0.0.1", "SERVER.test", "::1" };
	const uint8_t *der[MAX_DER];
	size_t der_len[MAX_DER], n = 0, off = 0;
	certverify_params p = {
		.store = fh_ctx(FH_CASE_A, SC_ROLE_SERVER)->store,
		.verify_time = FH_VERIFY_TIME,
		.peer_is_server = (flags >> 1) & 1,
		.expected_name = (flags >> 1) & 1 ? names[(flags >> 2) & 3] : NULL,
	};
	STACK_OF(X509) *sk = NULL;
	uint8_t alert = 0;
	char detail[256], id[256];

	while (off + 2 <= size && n < MAX_DER) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		der[n] = data + off;
		der_len[n++] = len;
		off += len;
	}
	if (certchain_parse(der, der_len, n, NULL, NULL, &sk, &alert, detail,
			    sizeof(detail)) != SC_OK)
		return;
	if (n > 0) {
		X509 *leaf = sk_X509_value(sk, 0);
		int rc = certverify_chain(&p, sk, &alert, detail, sizeof(detail));

		if (verbose)
			fprintf(stderr, "%zu certificates: %s, alert %u %s\n", n, sc_strerror(rc), alert,
				rc == SC_OK ? "" : detail);
		(void)!certid_identity(leaf, 1, id, sizeof(id));
		(void)!certid_identity(leaf, 0, id, sizeof(id));
		for (size_t i = 0; i < 4; i++)
			(void)certid_matches(leaf, names[i]);
	}
	sk_X509_pop_free(sk, X509_free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		(void)!canames_check(data + 1, size - 1);
	else
		chain(data[0], data + 1, size - 1);
	ERR_clear_error();
	return 0;
}
