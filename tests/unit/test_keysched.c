/* Unit test of provider/keysched.c: each point of section 7's schedule,
 * run on a connection holding case a's inputs (dh, kx, TH2, TH7, TH11,
 * TH12), yields case a's secrets and installs them on the right side
 * (client: write c_*, read s_*; server the reverse); what no later point
 * reads is wiped; the last point frees the handshake state and a point
 * after it is refused; the key update gives c_ap+1 and the exporter case
 * e's output. Run over both HKDF paths (EVP_MAC and, with ?fips=yes,
 * EVP_KDF). */
#include <stdio.h>
#include <string.h>

#include <openssl/provider.h>

#include "conn.h"
#include "keysched.h"
#include "msg.h"
#include "sovchain.h"
#include "unit.h"

static void check(int ok, const char *tag, const char *what)
{
    unit_check(ok, "%s: %s", tag, what);
}

static int eq_hex(const uint8_t *got, const char *hex)
{
    uint8_t want[64];
    size_t n = unit_unhex(hex, want, sizeof(want));

    return n != 0 && memcmp(got, want, n) == 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Case a (a_chacha20_none_mutual.json). */
#define A_DH "7f454f9660268ae0440732974570626d2451324ff0c1a0a9de7f7b42c607072d"
#define A_TH2 "ad0fe0b93d923e6bcb9fe52236d89564730c50907043d5281266a342ca2301f5"
#define A_TH7 "388ed8b7e4ff6afb53d1854611573a0d3610237e2e276b645338d5f472ce84be"
#define A_TH11 "6b0ebd36a624216fb1bde157dd58f70a6a24f6f1843c79351c09eee18b6e87fa"
#define A_TH12 "7672aacf00800365cfc744efe654248a20732e535f7ff8a9d1dc767629cd578d"
#define A_C_HS "b3d8991aea26ed95cf2194528969e624756edd9c6e4c88631a57a934a1769e90"
#define A_S_HS "0d5c7c5cf28fff4cee7638931797469753ab0e110cada7ec50c78886990213e8"
#define A_MS "c6d1a05ed9430fb1029e086af83ff9b0166920d76350e8cdede88878048b2f7b"
#define A_C_CONFIRM "4e605be28b38aeebd432283b6fe56db2e53d09240d67bfda0bc660ba213bf31f"
#define A_S_CONFIRM "f6f81bc2dffce14251bbb9c856f7afa1e612159ba28d4fb3f6fa8b81d2f529be"
#define A_C_AP "95bd5506dbc4837bb497f9cf376ba0f7ab8f565812e8d1972656c155fa508f4e"
#define A_S_AP "bdecb1026c36699041b1d68de005abb417219e2738f7049c0a01adafdd9c3557"
#define A_S_ACK "29568144e978f5bac8a4e0c52312304fe583fc7d97cd0b05ef0481a6c9c7fd62"
#define A_EXP "62edeeae9f9aec3c932a47b58d55f35aa7bda798fcd7649bbd1920e53520759a"
#define A_C_AP1 "7dd6990d2183c0c662e7b79c28d85a43763b7e1b0d312705781a973f298126a2"
#define A_S_AP1 "35648fe150eac6ebb01fbf35aac42ea566b44dae3799151f1d85f9d749465f53"
#define E_OUT "6c319fecf2c17c8d652753849f4189d5669f0926070a128e594849f243615381"

static void schedule(OSSL_LIB_CTX *lib, const char *propq, sc_role role, const char *tag)
{
    int client = role == SC_ROLE_CLIENT;
    sc_ctx *ctx = sc_ctx_new(lib, propq, role, NULL);
    sc_conn *c = ctx ? sc_conn_new(ctx) : NULL;
    uint8_t out[32];
    hs_state *h;

    if (c == NULL) {
        check(0, tag, "context and connection");
        sc_ctx_free(ctx);
        return;
    }
    h = c->hs;
    c->suite = 0;   /* CHACHA20-POLY1305, as case a */
    unit_unhex(A_DH, h->dh, sizeof(h->dh));
    memset(h->kx, 0, sizeof(h->kx));   /* group none: 32 zero bytes */
    h->kx_len = 32;
    unit_unhex(A_TH2, h->tr.th[MSG_SERVER_HELLO], SC_HASH_LEN);
    unit_unhex(A_TH7, h->tr.th[MSG_KEY_EXCHANGE2], SC_HASH_LEN);
    unit_unhex(A_TH11, h->tr.th[MSG_SERVER_AUTH], SC_HASH_LEN);
    unit_unhex(A_TH12, h->tr.th[MSG_SECURE_ACK], SC_HASH_LEN);

    check(keysched_advance(c, KEYSCHED_NONE) == SC_OK && !record_keyed(&c->wr) && !record_keyed(&c->rd),
          tag, "KEYSCHED_NONE installs nothing");
    check(keysched_advance(c, KEYSCHED_HANDSHAKE) == SC_OK, tag, "handshake keys");
    check(eq_hex(c->wr.secret, client ? A_C_HS : A_S_HS) && eq_hex(c->rd.secret, client ? A_S_HS : A_C_HS)
          && record_keyed(&c->wr) && record_keyed(&c->rd) && c->wr.seq == 0,
          tag, "c_hs and s_hs installed on the right sides");
    check(strcmp(c->wr.base, client ? "c_hs" : "s_hs") == 0, tag, "the write key is named for logs");
    check(all_zero(h->dh, sizeof(h->dh)), tag, "dh is wiped once used");
    check(keysched_advance(c, KEYSCHED_MASTER) == SC_OK, tag, "master secret");
    check(eq_hex(h->ms, A_MS) && eq_hex(h->c_confirm, A_C_CONFIRM) && eq_hex(h->s_confirm, A_S_CONFIRM),
          tag, "ms, c_confirm and s_confirm from kx and TH7");
    check(all_zero(h->kx, sizeof(h->kx)) && all_zero(h->derived_ms, sizeof(h->derived_ms)),
          tag, "kx and the derived secret for ms are wiped");
    check(eq_hex(c->wr.secret, client ? A_C_HS : A_S_HS), tag, "the master secret switches no key");
    check(keysched_advance(c, KEYSCHED_APPLICATION) == SC_OK, tag, "application keys");
    check(eq_hex(c->wr.secret, client ? A_C_AP : A_S_AP) && eq_hex(c->rd.secret, client ? A_S_AP : A_C_AP)
          && eq_hex(h->s_ack, A_S_ACK), tag, "c_ap, s_ap and s_ack from TH11");
    check(keysched_advance(c, KEYSCHED_EXPORTER) == SC_OK && eq_hex(c->exp, A_EXP), tag, "exp from TH12");
    check(c->hs == NULL, tag, "the handshake state is freed after the exporter");
    check(keysched_advance(c, KEYSCHED_HANDSHAKE) == SC_ERR_STATE, tag, "no point runs after the last");
    check(keysched_advance(c, KEYSCHED_NONE) == SC_OK, tag, "KEYSCHED_NONE is always fine");

    check(keysched_update(&ctx->algs, &c->wr, 1) == SC_OK && c->wr.gen == 1 && c->wr.seq == 0
          && eq_hex(c->wr.secret, client ? A_C_AP1 : A_S_AP1), tag, "key update: c_ap+1 / s_ap+1");

    c->step = MSG_SECURE_ACK;
    check(sc_conn_export(c, "EXPORTER-test", (const uint8_t *)"ctx", 3, out, sizeof(out)) == SC_OK
          && eq_hex(out, E_OUT), tag, "sc_conn_export: case e");
    check(sc_conn_export(c, "EXPORTER-test", NULL, 1, out, sizeof(out)) == SC_ERR_ARG,
          tag, "sc_conn_export refuses a NULL context with a length");
    c->step = MSG_SERVER_AUTH;
    check(sc_conn_export(c, "EXPORTER-test", NULL, 0, out, sizeof(out)) == SC_ERR_STATE,
          tag, "sc_conn_export before the handshake completed is refused");
    sc_conn_free(c);
    sc_ctx_free(ctx);
}

int main(void)
{
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *prov = lib ? OSSL_PROVIDER_load(lib, "default") : NULL;

    if (prov == NULL) {
        printf("FAIL: no default provider in a new library context\n");
        return 1;
    }
    check(strcmp(keysched_point_name(KEYSCHED_APPLICATION), "application keys") == 0,
          "names", "each point has a name for logs");
    schedule(lib, NULL, SC_ROLE_CLIENT, "client, EVP_MAC");
    schedule(lib, NULL, SC_ROLE_SERVER, "server, EVP_MAC");
    schedule(lib, "?fips=yes", SC_ROLE_CLIENT, "client, EVP_KDF");
    schedule(lib, "?fips=yes", SC_ROLE_SERVER, "server, EVP_KDF");
    OSSL_PROVIDER_unload(prov);
    OSSL_LIB_CTX_free(lib);
    printf("%s\n", unit_failures ? "FAILED" : "all passed");
    return unit_failures ? 1 : 0;
}
