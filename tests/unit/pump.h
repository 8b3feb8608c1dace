/* An in-memory transport for the engine tests: two sc_conn joined back to
 * back, bytes moved from one's output into the other's input until neither
 * has anything more to say. */
#ifndef TEST_PUMP_H
#define TEST_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "sovchain.h"

/* A growable byte buffer; allocation failure aborts the test. */
typedef struct {
	uint8_t *p;
	size_t len, cap;
} pbuf;

void pbuf_add(pbuf *b, const uint8_t *d, size_t n);
void pbuf_free(pbuf *b);

enum { PUMP_C = 0, PUMP_S = 1 };

typedef struct {
	sc_conn *end[2];   /* PUMP_C, PUMP_S */
	pbuf got[2];       /* application data each end read */
	pbuf wire[2];      /* every byte each end sent, as it sent it */
	int rc[2];         /* first error feeding each end, SC_OK while none */
	size_t chunk;      /* feed at most this many bytes per call (0: all) */
	long flip_at[2];   /* flip bits of this offset of a direction (-1: none) */
	uint8_t flip_mask;
} pump;

/* The shared test PKI: directory from SC_SHARED_DIR (or ../shared). */
int pki_available(void);
const char *pki_file(const char *name);

/* A context with a certificate, key and trust anchor from pki/ (any may be
 * NULL). A client context expects "server.test", disclosed. Aborts on any
 * failure: a test that needs a failing load calls the API itself. */
sc_ctx *pump_ctx(sc_role role, const char *cert, const char *key,
		 const char *ca);

/* Joins two fresh connections (not started); pump_clear frees buffers and
 * both connections. */
void pump_init(pump *p, sc_conn *c, sc_conn *s);
void pump_clear(pump *p);

/* Feeds bytes to end `to`, reading application data into got[to] whenever
 * the engine holds some back. Returns the feed result (also kept in rc). */
int pump_feed(pump *p, int to, const uint8_t *d, size_t n);

/* Takes end `from`'s output (logged in wire[from], not delivered). */
void pump_take(pump *p, int from, pbuf *out);

/* Moves output both ways until quiet; returns the number of bytes moved. */
size_t pump_run(pump *p);

/* Starts the client and runs; 1 when both ends completed the handshake. */
int pump_handshake(pump *p);

/* Reads whatever end `who` holds into got[who]; returns the read result. */
int pump_drain(pump *p, int who);

/* Record boundaries in a byte stream: offsets of the first `max` records,
 * returns how many whole records the bytes hold. */
size_t pump_records(const uint8_t *d, size_t n, size_t *off, size_t max);

#endif
