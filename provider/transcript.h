/* The running transcript hash TH_n (PROTOCOL.md section 3). */
#ifndef SC_TRANSCRIPT_H
#define SC_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "algs.h"

typedef struct {
    EVP_MD_CTX *md;
    uint8_t th[13][SC_HASH_LEN];   /* th[n] = TH_n once message n is added */
    int last;                      /* highest n added */
} transcript;

int transcript_init(transcript *t, const sc_algs *a);
/* Adds u8 step || u16 len || body and records TH_step. */
int transcript_add(transcript *t, int step, const uint8_t *body, size_t len);
void transcript_free(transcript *t);

#endif
