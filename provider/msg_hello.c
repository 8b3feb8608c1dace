/* Messages 1 ClientHello and 2 ServerHello (SC1.md section 4). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <openssl/rand.h>

#include "ext.h"
#include "kx.h"
#include "msg.h"

static int own_random(sc_conn *c)
{
    hs_state *h = c->hs;
    const sc_algs *a = &c->ctx->algs;
    const uint8_t *inj = testing_nonce(c);
    size_t len;

    if (inj != NULL)
        memcpy(h->nonce, inj, SC_NONCE_LEN);
    else if (RAND_bytes_ex(a->libctx, h->nonce, SC_NONCE_LEN, 0) != 1)
        return SC_ERR_CRYPTO;
    return kx_keygen(a->eph, testing_x25519(c), testing_x25519(c) ? SC_X25519_LEN : 0, &h->eph,
                     h->eph_pub, sizeof(h->eph_pub), &len);
}

int msg_client_hello_build(sc_conn *c, sc_buf *b)
{
    const uint16_t *suites, *groups;
    size_t ns = conn_suites(c, &suites), ng = conn_groups(c, &groups);
    size_t name_len = c->disclose_name && c->server_name ? strlen(c->server_name) : 0;
    int rc = own_random(c);

    if (rc != SC_OK)
        return rc;
    if (buf_u16(b, SC_VERSION) || buf_put(b, c->hs->nonce, SC_NONCE_LEN)
        || buf_put(b, c->hs->eph_pub, SC_X25519_LEN) || buf_u8(b, (uint8_t)ns))
        return SC_ERR_NOMEM;
    for (size_t i = 0; i < ns; i++)
        if (buf_u16(b, suites[i]))
            return SC_ERR_NOMEM;
    if (buf_u8(b, (uint8_t)ng))
        return SC_ERR_NOMEM;
    for (size_t i = 0; i < ng; i++)
        if (buf_u16(b, groups[i]))
            return SC_ERR_NOMEM;
    if (buf_u8(b, (uint8_t)name_len) || buf_put(b, c->server_name, name_len))
        return SC_ERR_NOMEM;
    return ext_build(c, b);
}

/* Section 4.1: empty, a DNS host name, or an IPv4 / IPv6 literal. */
static const char *name_problem(const uint8_t *n, size_t len)
{
    char text[256];
    uint8_t addr[16];
    size_t label = 0;
    int label_digits = 1;

    if (len == 0)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if (n[i] < 0x21 || n[i] > 0x7e)
            return "not ASCII";
    memcpy(text, n, len);
    text[len] = '\0';
    if (memchr(n, ':', len))
        return inet_pton(AF_INET6, text, addr) == 1 ? NULL : "not an IPv6 address";
    if (inet_pton(AF_INET, text, addr) == 1)
        return NULL;
    if (len > 253)
        return "longer than 253 bytes";
    if (n[len - 1] == '.')
        return "trailing dot";
    for (size_t i = 0; i <= len; i++) {
        if (i == len || n[i] == '.') {
            if (label == 0 || label > 63)
                return "bad label length";
            if (n[i - 1] == '-')
                return "label ends with a hyphen";
            if (i == len && label_digits)
                return "last label all digits";
            label = 0;
            label_digits = 1;
            continue;
        }
        int alnum = (n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z')
            || (n[i] >= '0' && n[i] <= '9');
        if (!alnum && n[i] != '-')
            return "not a host name";
        if (label == 0 && n[i] == '-')
            return "label begins with a hyphen";
        label_digits &= n[i] >= '0' && n[i] <= '9';
        label++;
    }
    return NULL;
}

/* The server's first preference that the client offered. */
static int choose(const uint16_t *prefs, size_t np, const uint8_t *offer, size_t n_offer,
                  int (*row_of)(uint16_t))
{
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < n_offer; j++)
            if (prefs[i] == (uint16_t)((offer[2 * j] << 8) | offer[2 * j + 1])
                && row_of(prefs[i]) >= 0)
                return row_of(prefs[i]);
    return -1;
}

static void print_name(char *out, size_t cap, const uint8_t *n, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len && o + 5 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o,
                              n[i] >= 0x20 && n[i] < 0x7f && n[i] != '\\' ? "%c" : "\\x%02x", n[i]);
    out[o] = '\0';
}

int msg_client_hello_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const sc_algs *a = &c->ctx->algs;
    sc_cur cur;
    uint16_t version;
    uint8_t ns, ng;
    const uint8_t *nonce, *eph, *suites, *groups, *name, *ext;
    size_t name_len, ext_len, dh_len;
    const uint16_t *prefs;
    size_t np;
    const char *why;
    char shown[80];
    int rc;

    buf_cur_init(&cur, body, len);
    if (buf_cur_u16(&cur, &version) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello truncated");
    if (version != SC_VERSION)
        return conn_reject(c, SC_ALERT_PROTOCOL_VERSION, "ClientHello version 0x%04x", version);
    if (buf_cur_bytes(&cur, SC_NONCE_LEN, &nonce) || buf_cur_bytes(&cur, SC_X25519_LEN, &eph)
        || buf_cur_u8(&cur, &ns))
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello truncated");
    if (ns < 1 || ns > 16)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello n_suites=%u", ns);
    if (buf_cur_bytes(&cur, 2u * ns, &suites) || buf_cur_u8(&cur, &ng))
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello truncated");
    if (ng < 1 || ng > 16)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello n_groups=%u", ng);
    if (buf_cur_bytes(&cur, 2u * ng, &groups) || buf_cur_vec8(&cur, &name, &name_len)
        || buf_cur_vec16(&cur, &ext, &ext_len))
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello truncated");
    if (buf_cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ClientHello has %zu trailing bytes",
                           cur.left);
    if ((rc = ext_handle(c, "ClientHello", ext, ext_len)) != SC_OK)
        return rc;
    if ((why = name_problem(name, name_len)) != NULL) {
        print_name(shown, sizeof(shown), name, name_len);
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "ClientHello server_name '%s': %s", shown,
                           why);
    }
    /* vec8: at most 255 bytes, checked printable just above. */
    memcpy(c->name_sent, name, name_len);
    c->name_sent[name_len] = '\0';
    np = conn_suites(c, &prefs);
    if ((c->suite = choose(prefs, np, suites, ns, algs_suite_by_code)) < 0
        || a->cipher[c->suite] == NULL)
        return conn_reject(c, SC_ALERT_HANDSHAKE_FAILURE, "no common suite");
    np = conn_groups(c, &prefs);
    if ((c->group = choose(prefs, np, groups, ng, algs_group_by_code)) < 0
        || a->group[c->group] == NULL)
        return conn_reject(c, SC_ALERT_HANDSHAKE_FAILURE, "no common kx group");
    if ((rc = own_random(c)) != SC_OK)
        return rc;
    rc = kx_derive(a->eph, c->hs->eph, eph, SC_X25519_LEN, c->hs->dh, sizeof(c->hs->dh), &dh_len);
    if (rc == SC_ERR_PROTOCOL)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "X25519 shared secret is all zero");
    return rc;
}

int msg_server_hello_build(sc_conn *c, sc_buf *b)
{
    if (buf_u16(b, SC_VERSION) || buf_put(b, c->hs->nonce, SC_NONCE_LEN)
        || buf_put(b, c->hs->eph_pub, SC_X25519_LEN) || buf_u16(b, algs_suites[c->suite].code)
        || buf_u16(b, kx_groups[c->group].code))
        return SC_ERR_NOMEM;
    return ext_build(c, b);
}

static int offered(const uint16_t *codes, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] == code)
            return 1;
    return 0;
}

int msg_server_hello_handle(sc_conn *c, const uint8_t *body, size_t len)
{
    const sc_algs *a = &c->ctx->algs;
    sc_cur cur;
    uint16_t version, suite, group;
    const uint8_t *nonce, *eph, *ext;
    const uint16_t *codes;
    size_t ext_len, n, dh_len;
    int rc;

    buf_cur_init(&cur, body, len);
    if (buf_cur_u16(&cur, &version) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ServerHello truncated");
    if (version != SC_VERSION)
        return conn_reject(c, SC_ALERT_PROTOCOL_VERSION, "ServerHello version 0x%04x", version);
    if (buf_cur_bytes(&cur, SC_NONCE_LEN, &nonce) || buf_cur_bytes(&cur, SC_X25519_LEN, &eph)
        || buf_cur_u16(&cur, &suite) || buf_cur_u16(&cur, &group)
        || buf_cur_vec16(&cur, &ext, &ext_len))
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ServerHello truncated");
    if (buf_cur_end(&cur) != 0)
        return conn_reject(c, SC_ALERT_DECODE_ERROR, "ServerHello has %zu trailing bytes",
                           cur.left);
    if ((rc = ext_handle(c, "ServerHello", ext, ext_len)) != SC_OK)
        return rc;
    n = conn_suites(c, &codes);
    c->suite = algs_suite_by_code(suite);
    if (!offered(codes, n, suite) || c->suite < 0 || a->cipher[c->suite] == NULL)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "server chose suite 0x%04x, not offered",
                           suite);
    n = conn_groups(c, &codes);
    c->group = algs_group_by_code(group);
    if (!offered(codes, n, group) || c->group < 0 || a->group[c->group] == NULL)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "server chose group 0x%04x, not offered",
                           group);
    rc = kx_derive(a->eph, c->hs->eph, eph, SC_X25519_LEN, c->hs->dh, sizeof(c->hs->dh), &dh_len);
    if (rc == SC_ERR_PROTOCOL)
        return conn_reject(c, SC_ALERT_ILLEGAL_PARAMETER, "X25519 shared secret is all zero");
    if (rc != SC_OK)
        return rc;
    return SC_OK;
}
