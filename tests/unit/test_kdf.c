/* Unit test of provider/kdf.c: HKDF-Extract against RFC 5869, Expand-Label
 * and Derive-Secret against known-answer case a and the exporter case e
 * (SC1.md section 7), the argument limits, and the two ways HKDF is
 * computed: over EVP_MAC by default, through the provider's EVP_KDF "HKDF"
 * when the property query asks for FIPS. Both must give the same bytes,
 * and a FIPS query must select the EVP_KDF path. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "algs.h"
#include "kdf.h"
#include "sovchain.h"
#include "unit.h"

static int eq_hex(const uint8_t *got, size_t len, const char *hex)
{
    uint8_t want[512];
    size_t n = unit_unhex(hex, want, sizeof(want));

    return n == len && memcmp(got, want, n) == 0;
}

/* Case a (a_chacha20_none_mutual.json): secrets and transcript hashes. */
#define A_DH "7f454f9660268ae0440732974570626d2451324ff0c1a0a9de7f7b42c607072d"
#define A_S0 "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
#define A_DERIVED_HS "883d5a62f3ba77babe29488cea3d99cc43536876989b176d999081ca5e55db98"
#define A_HS "893dde1e5323bf6ae3e8f93a826631b2608d81ae5fd0bbd89b8f74690c11a304"
#define A_C_HS "b3d8991aea26ed95cf2194528969e624756edd9c6e4c88631a57a934a1769e90"
#define A_S_HS "0d5c7c5cf28fff4cee7638931797469753ab0e110cada7ec50c78886990213e8"
#define A_TH2 "ad0fe0b93d923e6bcb9fe52236d89564730c50907043d5281266a342ca2301f5"
#define A_C_HS_KEY "eaf95f642c1e793955b1dae772310a90db033e5ec14a4992f48db2940a32cfad"
#define A_C_HS_IV "15d0f4fa8e884bb5da0d283e"
#define A_C_AP "95bd5506dbc4837bb497f9cf376ba0f7ab8f565812e8d1972656c155fa508f4e"
#define A_C_AP1 "7dd6990d2183c0c662e7b79c28d85a43763b7e1b0d312705781a973f298126a2"
/* Case e (e_exporter.json). */
#define E_EXP "62edeeae9f9aec3c932a47b58d55f35aa7bda798fcd7649bbd1920e53520759a"
#define E_SECRET "1a5c11776661dc63f6a2549008094e887955b08c6879b569029700a5dac6c488"
#define E_CTX_HASH "0230c6b1d833c51cc426492022677b74c60d82891931221a42db9e7bb06205e9"
#define E_OUT "6c319fecf2c17c8d652753849f4189d5669f0926070a128e594849f243615381"
/* RFC 5869 A.3: IKM 22 x 0x0b, no salt (HashLen zeros). */
#define RFC_PRK "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04"

/* Every known answer through one kdf_ctx; `tag` names the path. */
static void known_answers(const sc_algs *a, const char *tag)
{
    static const uint8_t zero[SC_HASH_LEN];
    uint8_t in[64], th2[SC_HASH_LEN], s[SC_HASH_LEN], hs[SC_HASH_LEN], out[64];
    uint8_t ikm[22];
    kdf_ctx k;
    int rc;

    if ((rc = kdf_init(&k, a)) != SC_OK) {
        unit_check(0, "%s: kdf_init", tag);
        kdf_clear(&k);
        return;
    }
#define CHECK(cond, msg) unit_check(cond, "%s: %s", tag, msg)
    memset(ikm, 0x0b, sizeof(ikm));
    rc = kdf_extract(&k, zero, ikm, sizeof(ikm), out);
    CHECK(rc == SC_OK && eq_hex(out, SC_HASH_LEN, RFC_PRK), "HKDF-Extract, RFC 5869 A.3");

    rc = kdf_extract(&k, zero, zero, sizeof(zero), s);
    CHECK(rc == SC_OK && eq_hex(s, SC_HASH_LEN, A_S0), "s0 = Extract(0, 0)");
    rc = kdf_derive_secret(&k, s, "derived", NULL, 0, out);
    CHECK(rc == SC_OK && eq_hex(out, SC_HASH_LEN, A_DERIVED_HS), "Derive-Secret(s0, \"derived\", \"\")");
    unit_unhex(A_DH, in, sizeof(in));
    rc = kdf_extract(&k, out, in, SC_HASH_LEN, hs);
    CHECK(rc == SC_OK && eq_hex(hs, SC_HASH_LEN, A_HS), "hs = Extract(derived, dh)");
    unit_unhex(A_TH2, th2, sizeof(th2));
    rc = kdf_derive_secret(&k, hs, "c hs", th2, sizeof(th2), out);
    CHECK(rc == SC_OK && eq_hex(out, SC_HASH_LEN, A_C_HS), "c_hs = Derive-Secret(hs, \"c hs\", TH2)");
    /* The same key again (the HMAC key is kept between calls), then another. */
    rc = kdf_derive_secret(&k, hs, "s hs", th2, sizeof(th2), out);
    CHECK(rc == SC_OK && eq_hex(out, SC_HASH_LEN, A_S_HS), "s_hs with the key kept from c_hs");
    unit_unhex(A_C_HS, in, sizeof(in));
    rc = kdf_expand_label(&k, in, "key", 3, NULL, 0, out, 32);
    CHECK(rc == SC_OK && eq_hex(out, 32, A_C_HS_KEY), "Expand-Label(c_hs, \"key\", \"\", 32)");
    rc = kdf_expand_label(&k, in, "iv", 2, NULL, 0, out, 12);
    CHECK(rc == SC_OK && eq_hex(out, 12, A_C_HS_IV), "Expand-Label(c_hs, \"iv\", \"\", 12)");
    unit_unhex(A_C_AP, in, sizeof(in));
    rc = kdf_expand_label(&k, in, "upd", 3, NULL, 0, out, SC_HASH_LEN);
    CHECK(rc == SC_OK && eq_hex(out, SC_HASH_LEN, A_C_AP1), "key update: c_ap+1");

    unit_unhex(E_EXP, in, sizeof(in));
    rc = kdf_derive_secret(&k, in, "EXPORTER-test", NULL, 0, s);
    CHECK(rc == SC_OK && eq_hex(s, SC_HASH_LEN, E_SECRET), "exporter: Derive-Secret(exp, label, \"\")");
    rc = kdf_hash(a, (const uint8_t *)"ctx", 3, hs);
    CHECK(rc == SC_OK && eq_hex(hs, SC_HASH_LEN, E_CTX_HASH), "exporter: SHA-256(context)");
    rc = kdf_expand_label(&k, s, "export", 6, hs, SC_HASH_LEN, out, 32);
    CHECK(rc == SC_OK && eq_hex(out, 32, E_OUT), "exporter output (case e)");

    /* Section 7's limits: label <= 251 bytes, context <= 255, L <= 255*32. */
    {
        char label[253];
        uint8_t big[300];

        memset(label, 'x', sizeof(label) - 1);
        label[252] = '\0';
        CHECK(kdf_derive_secret(&k, hs, label, NULL, 0, out) == SC_ERR_ARG, "a 252-byte label is refused");
        label[251] = '\0';
        CHECK(kdf_derive_secret(&k, hs, label, NULL, 0, out) == SC_OK, "a 251-byte label is taken");
        memset(big, 1, sizeof(big));
        CHECK(kdf_expand_label(&k, hs, "x", 1, big, 256, out, 32) == SC_ERR_ARG, "a 256-byte context is refused");
        CHECK(kdf_expand_label(&k, hs, "x", 1, big, 255, out, 32) == SC_OK, "a 255-byte context is taken");
        CHECK(kdf_expand_label(&k, hs, "x", 1, NULL, 0, out, 255 * SC_HASH_LEN + 1) == SC_ERR_ARG,
              "L over 255 * 32 is refused");
    }
#undef CHECK
    kdf_clear(&k);
    kdf_clear(&k);   /* a cleared kdf_ctx may be cleared again */
}

/* A long, multi-block expansion and an HMAC, byte for byte across paths. */
static void same_bytes(const sc_algs *mac, const sc_algs *evp)
{
    uint8_t secret[SC_HASH_LEN], ctx[255], o1[255 * SC_HASH_LEN], o2[255 * SC_HASH_LEN];
    kdf_ctx k1, k2;
    int ok;

    for (size_t i = 0; i < sizeof(secret); i++)
        secret[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof(ctx); i++)
        ctx[i] = (uint8_t)i;
    ok = kdf_init(&k1, mac) == SC_OK && kdf_init(&k2, evp) == SC_OK
        && kdf_expand_label(&k1, secret, "long", 4, ctx, sizeof(ctx), o1, sizeof(o1)) == SC_OK
        && kdf_expand_label(&k2, secret, "long", 4, ctx, sizeof(ctx), o2, sizeof(o2)) == SC_OK
        && memcmp(o1, o2, sizeof(o1)) == 0;
    unit_check(ok, "both paths: Expand-Label to 255 * 32 bytes with a 255-byte context agree");
    ok = kdf_extract(&k1, secret, ctx, 100, o1) == SC_OK
        && kdf_extract(&k2, secret, ctx, 100, o2) == SC_OK && memcmp(o1, o2, SC_HASH_LEN) == 0;
    unit_check(ok, "both paths: Extract of 100 bytes agrees");
    ok = kdf_hmac(&k1, secret, ctx, 10, o1) == SC_OK && kdf_hmac(&k2, secret, ctx, 10, o2) == SC_OK
        && memcmp(o1, o2, SC_HASH_LEN) == 0;
    unit_check(ok, "both paths: HMAC agrees");
    kdf_clear(&k1);
    kdf_clear(&k2);
}

static int path_of(const sc_algs *a)
{
    kdf_ctx k;
    int evp = -1;

    if (kdf_init(&k, a) == SC_OK)
        evp = kdf_uses_evp_kdf(&k);
    kdf_clear(&k);
    return evp;
}

int main(void)
{
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *prov = lib ? OSSL_PROVIDER_load(lib, "default") : NULL;
    sc_algs mac, evp, bad;

    if (prov == NULL) {
        printf("FAIL: no default provider in a new library context\n");
        return 1;
    }
    /* Which queries ask for FIPS. */
    unit_check(!algs_wants_fips(lib, NULL, NULL), "no property query: not FIPS");
    unit_check(!algs_wants_fips(lib, "provider=default", NULL), "provider=default: not FIPS");
    unit_check(!algs_wants_fips(lib, "fips=no", NULL), "fips=no: not FIPS");
    unit_check(!algs_wants_fips(lib, "fipsy=yes", NULL), "fipsy=yes: not FIPS");
    unit_check(algs_wants_fips(lib, "fips=yes", NULL), "fips=yes: FIPS");
    unit_check(algs_wants_fips(lib, "provider=default, fips = yes", NULL), "a fips=yes clause among others: FIPS");
    unit_check(algs_wants_fips(lib, "?fips=yes", NULL), "?fips=yes: FIPS");

    unit_check(algs_fetch(&mac, lib, NULL) == SC_OK, "algs without a property query");
    /* The default provider does not claim fips=yes, so only the optional
     * form can be fetched from it; the path it selects is the FIPS one. */
    unit_check(algs_fetch(&evp, lib, "?fips=yes") == SC_OK, "algs with ?fips=yes over the default provider");
    unit_check(mac.hkdf == NULL && path_of(&mac) == 0, "no FIPS query: HKDF over EVP_MAC");
    unit_check(evp.hkdf != NULL && path_of(&evp) == 1, "?fips=yes: HKDF through EVP_KDF, fetched once per context");
    unit_check(memcmp(mac.s0, evp.s0, SC_HASH_LEN) == 0
          && memcmp(mac.derived_hs, evp.derived_hs, SC_HASH_LEN) == 0,
          "both paths: the per-context constants s0 and derived_hs agree");
    known_answers(&mac, "EVP_MAC path");
    known_answers(&evp, "EVP_KDF path");
    same_bytes(&mac, &evp);

    /* A mandatory FIPS query with no FIPS provider: nothing is fetched
     * and no context is made. */
    unit_check(algs_fetch(&bad, lib, "fips=yes") == SC_ERR_UNSUPPORTED, "fips=yes without a FIPS provider is refused");
    {
        int err = SC_OK;

        unit_check(sc_ctx_new(lib, "fips=yes", SC_ROLE_CLIENT, &err) == NULL && err == SC_ERR_UNSUPPORTED,
              "sc_ctx_new with fips=yes and no FIPS provider fails");
    }

    algs_release(&mac);
    algs_release(&evp);
    algs_release(&bad);
    OSSL_PROVIDER_unload(prov);
    OSSL_LIB_CTX_free(lib);
    printf("%s\n", unit_failures ? "FAILED" : "all passed");
    return unit_failures ? 1 : 0;
}
