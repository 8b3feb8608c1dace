/* libFuzzer target for the alert and key update bodies after the handshake
 * (SC1.md section 4, Alert and Key update; section 10): the input is
 * a list of records that the harness seals with the peer's current write
 * key, so every one of them opens and reaches its body's parser.
 * Input: a selector byte, then items of
 *   u8 op, u8 len, body[len]   (len is cut to what the input holds)
 *   op < 0x80: a record of type op carrying body, sealed as the peer would
 *              (after a well-formed key update the peer's key moves on);
 *   op & 3 = 0 (op >= 0x80): body fed raw, unsealed;
 *            1: we send close_notify;  2: we send a key update;
 *            3: we write body as application data.
 *   selector % 2: a client (0) or a server (1) in the data phase;
 *   selector / 2 picks the profile (fuzz_harness.h). */
#include "fuzz_harness.h"
#include "keysched.h"

#include <openssl/err.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fh_setup();
	return 0;
}

static void local_action(sc_conn *c, uint8_t op, const uint8_t *body, size_t len)
{
	size_t used;

	switch (op & 3) {
	case 0:
		fh_feed(c, body, len, 0);
		break;
	case 1:
		(void)!sc_conn_close(c);
		break;
	case 2:
		(void)!sc_conn_key_update(c, len > 0 && body[0] & 1);
		break;
	default:
		(void)!sc_conn_write(c, body, len, &used);
		break;
	}
	fh_feed(c, NULL, 0, 0);
}

static void peer_record(sc_conn *c, record_dir *peer, const sc_algs *algs, uint8_t type,
			const uint8_t *body, size_t len)
{
	sc_buf wire = { 0 };

	if (record_seal(peer, type, body, len, &wire) != SC_OK)
		abort();
	fh_feed(c, buf_data(&wire), buf_len(&wire), 0);
	buf_free(&wire);
	/* Section 4: the sender moves to the next secret after a key update. */
	if (type == REC_TYPE_KEY_UPDATE && len == 1 && body[0] <= 1
	    && keysched_update(algs, peer, 1) != SC_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int variant, profile;
	sc_role role;
	record_dir peer;
	sc_conn *c;
	size_t off = 1;

	if (size < 1)
		return 0;
	fh_pick(data[0], 2, &variant, &profile);
	role = variant == 0 ? SC_ROLE_CLIENT : SC_ROLE_SERVER;
	c = fh_conn_at(profile, role, 13);
	fh_peer_writer(profile, role, &peer);
	while (off + 2 <= size && sc_conn_error(c) == SC_OK) {
		uint8_t op = data[off];
		size_t len = data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		if (op < 0x80)
			peer_record(c, &peer, fh_algs(profile), op, data + off, len);
		else
			local_action(c, op, data + off, len);
		off += len;
	}
	fh_report(c);
	(void)!sc_conn_feed_eof(c);
	record_clear(&peer);
	sc_conn_free(c);
	ERR_clear_error();
	return 0;
}
