/* Unit test of provider/transcript.c: TH_n is SHA-256 over u8 n || u16 len
 * || body for steps 1..n (SC1.md section 3), checked against case a's
 * TH1 and TH2 and against a hash computed independently; steps out of
 * order, out of range or too long are refused; TH_n is kept only when
 * asked, without disturbing the running hash. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "algs.h"
#include "transcript.h"
#include "sovchain.h"
#include "unit.h"

/* Case a, handshake_bodies 1 and 2 and transcript TH1, TH2. */
#define A_BODY1 "00012f35669dd8070ec49d9c8364bc41cd0b7200464b64b8a1e079296f379bcbfc7ec348bb7d5788" \
    "7adf88a988cb17dd9be83eb875d875194219c10ce804b889e26502000100020100000b7365727665722e746573740000"
#define A_BODY2 "0001e7d46982c25f6db8f23409e26438fb7829bcc4b2df52cf0c700c1e173c2e25e439445661eb0c" \
    "1d11c9dd576491026838cb938b949b14646dd13c6c8c6dd66f02000100000000"
#define A_TH1 "94f8f299517b1e59b06bf04e4a3a4618faa12722d3a301680a4bee1278c17ce1"
#define A_TH2 "ad0fe0b93d923e6bcb9fe52236d89564730c50907043d5281266a342ca2301f5"

int main(void)
{
    static const uint8_t zero[SC_HASH_LEN];
    uint8_t b1[128], b2[128], want[SC_HASH_LEN], all[2048], big[0x10000];
    size_t n1 = unit_unhex(A_BODY1, b1, sizeof(b1)), n2 = unit_unhex(A_BODY2, b2, sizeof(b2)), n = 0;
    sc_algs a;
    transcript t;

    if (algs_fetch(&a, NULL, NULL) != SC_OK) {
        printf("FAIL: algs_fetch\n");
        return 1;
    }
    unit_check(transcript_init(&t, &a) == SC_OK, "transcript_init");
    unit_check(transcript_add(&t, 2, b2, n2, 1) == SC_ERR_STATE, "step 2 before step 1 is refused");
    unit_check(transcript_add(&t, 0, b1, n1, 1) == SC_ERR_STATE, "step 0 is refused");
    unit_check(transcript_add(&t, 1, b1, n1, 1) == SC_OK, "step 1");
    unit_unhex(A_TH1, want, sizeof(want));
    unit_check(memcmp(t.th[1], want, SC_HASH_LEN) == 0, "TH1 of case a");
    unit_check(transcript_add(&t, 1, b1, n1, 1) == SC_ERR_STATE, "step 1 twice is refused");
    unit_check(transcript_add(&t, 3, b1, n1, 1) == SC_ERR_STATE, "a step skipped is refused");
    unit_check(transcript_add(&t, 2, b2, n2, 1) == SC_OK, "step 2");
    unit_unhex(A_TH2, want, sizeof(want));
    unit_check(memcmp(t.th[2], want, SC_HASH_LEN) == 0, "TH2 of case a, after refused steps");
    unit_check(transcript_add(&t, 3, big, sizeof(big), 1) == SC_ERR_STATE, "a body over 65535 bytes is refused");

    /* Steps 3..12, TH kept for odd steps only; the running hash must not
     * depend on which were kept. */
    n = 0;
    all[n++] = 1; all[n++] = (uint8_t)(n1 >> 8); all[n++] = (uint8_t)n1;
    memcpy(all + n, b1, n1); n += n1;
    all[n++] = 2; all[n++] = (uint8_t)(n2 >> 8); all[n++] = (uint8_t)n2;
    memcpy(all + n, b2, n2); n += n2;
    for (int step = 3; step <= 12; step++) {
        uint8_t body[40];
        size_t len = (size_t)step * 3;

        memset(body, step, len);
        unit_check(transcript_add(&t, step, body, len, step % 2) == SC_OK, "steps 3 to 12 are taken in order");
        all[n++] = (uint8_t)step; all[n++] = 0; all[n++] = (uint8_t)len;
        memcpy(all + n, body, len); n += len;
        if (step % 2) {
            unsigned int outl = 0;
            unit_check(EVP_Digest(all, n, want, &outl, a.sha256, NULL) == 1
                  && memcmp(t.th[step], want, SC_HASH_LEN) == 0,
                  "a kept TH_n is SHA-256 over every u8 n || u16 len || body so far");
        } else {
            unit_check(memcmp(t.th[step], zero, SC_HASH_LEN) == 0, "a TH_n not asked for is not written");
        }
    }
    unit_check(transcript_add(&t, 13, b1, 1, 1) == SC_ERR_STATE, "step 13 is refused");
    transcript_free(&t);
    unit_check(t.md == NULL && t.last == 0, "transcript_free releases and wipes");
    algs_release(&a);
    printf("%s\n", unit_failures ? "FAILED" : "all passed");
    return unit_failures ? 1 : 0;
}
