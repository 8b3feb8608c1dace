/* libFuzzer target for the PROXY protocol parser (tunnel/proxyproto.c).
 * Input: the bytes a load balancer sends ahead of SC1. A header that
 * parses is built again in both versions and parsed back to the same
 * addresses; a refusal always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/proxyproto.h"

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
	struct proxyproto_addrs a, b;
	uint8_t out[PROXYPROTO_V2_MAX];
	char err[256];
	size_t used;
	ssize_t n;
	int rc = proxyproto_parse(data, size, &a, &used, err, sizeof(err));

	if (rc == -1 && err[0] == '\0')
		abort();
	if (rc != 1)
		return 0;
	if (used == 0 || used > size)
		abort();
	n = proxyproto_build_v2(&a, NULL, out, sizeof(out));
	if (n <= 0 || proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) != 1 ||
	    b.local != a.local)
		abort();
	n = proxyproto_build_v1(&a, out, sizeof(out));
	if (n <= 0 || proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) != 1 ||
	    b.local != a.local)
		abort();
	return 0;
}
