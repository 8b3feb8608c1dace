/* AEAD record protection for one direction (SC1.md section 2). */
#ifndef SC_RECORD_H
#define SC_RECORD_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "algs.h"
#include "buf.h"
#include "kdf.h"

#define REC_HDR_LEN 3
#define REC_MAX_PLAIN 16384
#define REC_MAX_CIPHER (REC_MAX_PLAIN + SC_TAG_LEN)

#define REC_TYPE_ALERT 0x15
#define REC_TYPE_APPDATA 0x17
#define REC_TYPE_KEY_UPDATE 0x18

typedef struct {
    EVP_CIPHER_CTX *cctx; /* keyed once per secret; only the nonce changes */
    int suite;            /* row in algs_suites; -1 = no key (clear) */
    uint8_t secret[SC_HASH_LEN];
    uint8_t iv[SC_IV_LEN];
    uint64_t seq;     /* records sealed/opened under this secret */
    uint64_t bytes;   /* plaintext bytes under this secret */
    const char *base; /* "c_hs", "s_ap", ... for logs */
    unsigned gen;     /* key updates since base was installed */
} record_dir;

/* The secret's name as the vectors write it: "c_ap", "c_ap+1", ... */
void record_name(const record_dir *d, char *out, size_t cap);

void record_init(record_dir *d);
/* Install `secret` as the current key of this direction, seq 0; `k`
 * derives its key and IV and names the suite's cipher. */
SC_WUR int record_install(record_dir *d, kdf_ctx *k, int suite, int encrypt,
                          const uint8_t secret[SC_HASH_LEN]);
static inline int record_keyed(const record_dir *d)
{
    return d->suite >= 0;
}

/* Bytes one record of `len` plaintext bytes takes on the wire. */
size_t record_sealed_len(const record_dir *d, size_t len);
/* Seal one record into `w`, which has room for record_sealed_len bytes. */
SC_WUR int record_seal_to(record_dir *d, uint8_t type, const uint8_t *pt, size_t len, uint8_t *w);
/* Append one record (header, then plaintext or ciphertext || tag) to out. */
SC_WUR int record_seal(record_dir *d, uint8_t type, const uint8_t *pt, size_t len, sc_buf *out);
/* Open a record: `hdr` is its 3-byte header, `ct` its fragment of `len`
 * bytes (ciphertext || tag). Writes len - 16 plaintext bytes to `pt`.
 * 0 on success, -1 when the tag does not verify. */
SC_WUR int record_open(record_dir *d, const uint8_t hdr[REC_HDR_LEN], const uint8_t *ct, size_t len,
                       uint8_t *pt);
void record_clear(record_dir *d);

#endif
