/* libFuzzer target for the proxy answers a client reads before SC1
 * (tunnel/viawire.c). Input: the first byte selects the parser (0: the
 * answer to an HTTP CONNECT, 1: the SOCKS5 method choice, 2: the RFC 1929
 * answer, 3: the SOCKS5 answer to CONNECT; bit 2 says credentials were
 * offered), the rest is what the proxy sent. A refusal always says why, and
 * a complete answer never claims more bytes than it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/viawire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct viawire_http a;
	struct viawire_bound b;
	char err[256];
	size_t used = 0, n;
	int rc, v = 0;

	if (size < 1)
		return 0;
	err[0] = '\0';
	n = size - 1;
	switch (data[0] & 3) {
	case 0:
		rc = viawire_http_answer(data + 1, n, &used, &a, err, sizeof(err));
		if (rc == 1 && (a.status < 100 || a.status > 599 || strlen(a.reason) >= sizeof(a.reason)))
			abort();
		break;
	case 1:
		rc = viawire_socks_choice(data + 1, n, (data[0] >> 2) & 1, &v, err, sizeof(err));
		used = rc == 1 ? 2 : 0;
		break;
	case 2:
		rc = viawire_socks_auth_answer(data + 1, n, &v, err, sizeof(err));
		used = rc == 1 ? 2 : 0;
		break;
	default:
		rc = viawire_socks_answer(data + 1, n, &used, &v, &b, err, sizeof(err));
		if (rc == 1 && v == 0 && b.atyp != 1 && b.atyp != 3 && b.atyp != 4)
			abort();
		break;
	}
	if ((rc == -1 && err[0] == '\0') || (rc == 1 && (used == 0 || used > n)))
		abort();
	return 0;
}
