/* The running transcript hash TH_n (SC1.md section 3). */
#ifndef SC_TRANSCRIPT_H
#define SC_TRANSCRIPT_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "algs.h"

typedef struct {
    EVP_MD_CTX *md;
    EVP_MD_CTX *snap;            /* finishes a copy of md for TH_n */
    uint8_t th[13][SC_HASH_LEN]; /* th[n] = TH_n once message n is added */
    int last;                    /* highest n added */
} transcript;

SC_WUR int transcript_init(transcript *t, const sc_algs *a);
/* Adds u8 step || u16 len || body; records TH_step in th[step] when
 * `keep_th` (finishing a hash costs a block; most steps never read it). */
SC_WUR int transcript_add(transcript *t, int step, const uint8_t *body, size_t len, int keep_th);
void transcript_free(transcript *t);

#endif
