/* libFuzzer target for SC1-over-WebSocket input (tunnel/ws.c and
 * tunnel/httphead.c). Input: first byte selects the parser (bit 0: HTTP
 * head, request or answer by bit 1; else a frame header, masked by bit 1),
 * the rest is what a peer sent. A refusal always says why; a frame that
 * parses is written again to the same header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/httphead.h"
#include "tunnel/ws.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static struct httphead head;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	size_t used;
	int rc, code;

	if (size < 1)
		return 0;
	err[0] = '\0';
	if (data[0] & 1) {
		rc = httphead_parse(&head, data + 1, size - 1, (data[0] >> 1) & 1, &used, err, sizeof(err));
		if ((rc == -1 && err[0] == '\0') || (rc == 1 && (used == 0 || used > size - 1)))
			abort();
		if (rc == 1)
			(void)httphead_has_token(&head, "Connection", "upgrade");
		return 0;
	}
	struct ws_frame f;
	uint8_t h[WS_HDR_MAX];

	rc = ws_frame_parse(data + 1, size - 1, (data[0] >> 1) & 1, 1 << 20, &f, &used, &code,
			    err, sizeof(err));
	if (rc == -1 && (err[0] == '\0' || code == 0))
		abort();
	if (rc == 1) {
		size_t n = ws_frame_header(h, f.fin, f.opcode, f.len, f.masked ? f.mask : NULL);

		if (n != used || memcmp(h, data + 1, n) != 0)
			abort();
	}
	return 0;
}
