/* libFuzzer target for sctunnel's ADDR parser (sctunnel(8), ADDRESSES):
 * "host:port", "[v6addr]:port", "unix:/path", "*:port" and
 * "systemd:NAME".
 * Input: the text of one address (cut at 4 KiB and at a NUL byte). Every
 * address that parses is formatted back, copied, classified (loopback,
 * Unix) and freed; names are never looked up (fuzz_resolve.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/addr.h"

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
	char text[4097], err[256], out[ADDR_TEXT_MAX];
	struct addr a, b;

	if (size > sizeof(text) - 1)
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (addr_parse(&a, text, err, sizeof(err)) != 0) {
		/* A failure always says why. */
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (a.text == NULL || strcmp(a.text, text) != 0)
		abort();
	if (addr_systemd_name(&a) != NULL) {
		/* "systemd:NAME" has no socket address until start. */
		if (strcmp(addr_systemd_name(&a), text + 8) != 0 || a.salen != 0)
			abort();
		if (addr_copy(&b, &a) == 0)
			addr_clear(&b);
		addr_clear(&a);
		return 0;
	}
	if (a.salen == 0 || a.salen > sizeof(a.sa))
		abort();
	addr_format((const struct sockaddr *)&a.sa, a.salen, out, sizeof(out));
	if (out[0] == '\0' || strlen(out) >= sizeof(out))
		abort();
	(void)addr_is_local(&a);
	if (addr_is_unix(&a) != (strncmp(text, "unix:", 5) == 0))
		abort();
	if (addr_copy(&b, &a) == 0)
		addr_clear(&b);
	addr_clear(&a);
	return 0;
}
