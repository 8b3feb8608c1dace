/* Helpers of the whole-handshake tests (test_hs_*.c, one file per subject):
 * contexts over the shared test PKI, sessions between two in-memory
 * connections, data exchanged both ways, and one line per check. Each test
 * calls hst_start() first (0: the PKI is missing, exit 77) and returns
 * hst_result(): 0 when every check passed, 1 otherwise. */
#ifndef TEST_HST_H
#define TEST_HST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pump.h"
#include "sovchain_testing.h"
#include "unit.h"

/* Every context checks certificates as of this instant, inside the test
 * PKI's validity (2025..2045) and after client_expired's (2020..2021). */
#define HST_VERIFY_TIME ((time_t)1780272000) /* 2026-06-01T00:00:00Z */

int hst_start(void);
int hst_result(void);

/* Contexts with a certificate and key from the PKI (either may be NULL),
 * trusting ca.pem, checking as of HST_VERIFY_TIME. */
sc_ctx *hst_server_ctx(const char *cert, const char *key);
sc_ctx *hst_client_ctx(const char *cert, const char *key);

/* A session over the two contexts; the caller runs and clears it. */
void hst_pair(pump *p, sc_ctx *cctx, sc_ctx *sctx);

/* Deterministic test bytes. */
void hst_fill(uint8_t *d, size_t n, unsigned seed);

/* Writes all of `d` from end `who`, moving bytes as the output fills. */
int hst_send_all(pump *p, int who, const uint8_t *d, size_t n);

/* Both directions carry `n` bytes intact. */
int hst_exchange(pump *p, size_t n, unsigned seed);

/* Both ends export the same non-zero value. */
int hst_export_equal(pump *p);

/* Records of one type in a wire stream, and the largest fragment of them. */
size_t hst_count_type(const pbuf *w, uint8_t type, size_t *max_len);

/* An open session between client.pem and server.pem with secret recording
 * on (randomness stays fresh); `ku_bytes` non-zero sets both ends'
 * automatic key update limit. hst_open_session returns 1 when the
 * handshake completed. */
typedef struct {
	sc_ctx *cctx, *sctx;
	pump p;
} hst_session;

int hst_open_session(hst_session *s, uint64_t ku_bytes);
void hst_close_session(hst_session *s);

/* Both ends recorded the same secret under `name`. */
int hst_same_secret(hst_session *s, const char *name);

#endif
