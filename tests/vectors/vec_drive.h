/*
 * Playing one role of a known-answer case against the engine: build the
 * context and connection from the case's inputs, feed it the other side's
 * records, drive its own application_script steps, and compare everything
 * it outputs with its own records, byte for byte.
 */
#ifndef VEC_DRIVE_H
#define VEC_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "sovchain.h"
#include "vec_json.h"

typedef enum {
    VEC_FEED_RECORD,  /* each peer record in one sc_conn_feed call */
    VEC_FEED_BYTE,    /* one byte per call */
    VEC_FEED_FLIGHT   /* consecutive peer records concatenated */
} vec_feed_mode;

typedef struct {
    const vec_case *vc;
    int is_server;
    vec_feed_mode mode;
    char tag[160];          /* "a_... client [byte]": prefix of every message */
    sc_ctx *ctx;
    sc_conn *conn;
    size_t next;            /* next record to process */
    size_t own_rec;         /* our next record expected in the output */
    size_t own_off;         /* bytes of it already output */
    long *action_of;        /* per record: its script step, or -1 */
    uint8_t *rx_expect;     /* the peer's application data, concatenated */
    size_t rx_expect_len;
    uint8_t *rx;            /* application data read so far */
    size_t rx_len;
    int peer_closed;        /* sc_conn_read reported SC_ERR_CLOSED */
    int capture;            /* 1: collect output in cap instead of comparing */
    uint8_t *cap;
    size_t cap_len;
    char step[256];         /* what happened last, for messages */
    int failed;
} vec_run;

/* The name of a role as in the vectors: "client" / "server". */
const char *vec_role_name(int is_server);
const char *vec_mode_name(vec_feed_mode mode);

/* Set up the role and start it (sc_conn_start). 0 or -1 (reported). */
int vec_run_open(vec_run *r, const vec_case *vc, int is_server,
                 vec_feed_mode mode);
/* Process records [r->next, stop): feed peer records, run our script steps,
 * check our output; at the end all our records before `stop` must have been
 * output. 0 or -1 (reported). */
int vec_run_until(vec_run *r, size_t stop);
/* After the last record: nothing missing, all peer data read, state CLOSED. */
int vec_run_finish(vec_run *r);
/* Feed raw bytes, reading application data as it comes; output is compared
 * or captured according to r->capture. Returns the first sc_conn_feed result
 * that is not SC_OK (SC_OK if none), or VEC_RUN_STALLED when the run cannot
 * go on for another reason (reported). */
#define VEC_RUN_STALLED (-100)
int vec_run_feed(vec_run *r, const uint8_t *p, size_t n);
/* Move whatever the engine has output through compare / capture. */
int vec_run_collect(vec_run *r);
void vec_run_close(vec_run *r);

/* Print one failure line "  <tag>: ...", and mark the run failed. */
void vec_fail(vec_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "  <tag>:   <what>: <hex>" (long values in full). */
void vec_print_hex(const vec_run *r, const char *what, const uint8_t *p,
                   size_t n);
/* "record 4 (c2s ClientCertSend, c_hs seq 0)" */
void vec_describe_record(const vec_record *rec, char *out, size_t outlen);
/* The engine's view of a failure: error, detail, alerts. */
void vec_print_engine_state(vec_run *r);

#endif
