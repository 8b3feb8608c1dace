/* Shared by the per-parser fuzz targets: contexts built from the embedded
 * test PKI, and connections brought to a chosen handshake state by replaying
 * a reference handshake, so that one message handler (provider/msg.h) or
 * the record layer can be fed the fuzz input in the state it expects.
 *
 * Every connection uses injected randomness, so a replay is deterministic:
 * a fresh connection fed the peer's recorded records reaches the same state
 * each time. Handlers mutate the state they run on, so each input gets a
 * fresh connection (cheap: X25519, Ed25519 and one chain check at most per
 * side). */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "record.h"
#include "fuzz_common.h"
#include "sovchain.h"

/* libFuzzer's entry points; also called by the replay test, which links a
 * target without libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Certificates are checked as of known-answer case a's verify_time. */
#define FH_VERIFY_TIME FC_VERIFY_TIME

/* Configurations a target can pick. Profile 0 is known-answer case a
 * (vectors/a_chacha20_none_mutual.json) byte for byte, so the vectors'
 * bodies and records are valid inputs for it. A profile whose suite or group
 * the providers lack falls back to profile 0. */
enum {
	FH_CASE_A = 0,        /* CHACHA20-POLY1305, none, client cert required */
	FH_AES256_X448,       /* AES-256-GCM, X448 */
	FH_AES128_P256,       /* AES-128-GCM, P-256 */
	FH_AES256_P384,       /* AES-256-GCM, P-384 */
	FH_OPTIONAL_NOCERT,   /* mode optional, the client has no certificate */
	FH_MODE_NONE,         /* mode 0: not requested */
	FH_PROFILES
};

/* Sets up every profile (contexts and reference handshake); aborts on any
 * failure, since no input could then be tested. Safe to call again. */
void fh_setup(void);

/* Splits a selector byte into a variant (0 .. n_variants - 1) and a
 * profile. */
void fh_pick(uint8_t sel, int n_variants, int *variant, int *profile);

/* A fresh connection of `role` in `profile` that has handled everything
 * before step `next` (2..12; 13 = handshake complete): the message it
 * expects now is `next`. Its output is discarded. Aborts if the replay
 * does not reach that state. */
sc_conn *fh_conn_at(int profile, sc_role role, int next);

/* What handshake_receive does for the expected step, without the table
 * check and without sending our next flight: add the body to the
 * transcript, then run handshake_handle (the step's handler, key schedule
 * point and check). Returns its result. */
int fh_deliver(sc_conn *c, const uint8_t *body, size_t len);

/* The write direction of the peer of a connection of `role` in the data
 * phase, as it stands when the handshake completes (its application secret,
 * past SecureAck for a server), to seal the records it would send next.
 * record_clear() it afterwards. */
void fh_peer_writer(int profile, sc_role role, record_dir *d);
const sc_algs *fh_algs(int profile);

/* Feeds bytes as a transport would: in pieces of at most `chunk` (0: all at
 * once), reading whatever application data the engine holds back, and
 * discarding its output. */
void fh_feed(sc_conn *c, const uint8_t *data, size_t size, size_t chunk);

/* With SC_FUZZ_VERBOSE set in the environment: print where the connection
 * stands (fh_deliver prints each handler's result). */
void fh_report(const sc_conn *c);

/* Contexts of a profile (the server's store holds the test CA). */
sc_ctx *fh_ctx(int profile, sc_role role);

#endif
