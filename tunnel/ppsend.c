/*
 * ppsend_*: the PROXY header toward the plaintext service (ppsend.h).
 *
 * The header is built straight into the plaintext stream's output buffer
 * right after the connect, so it precedes every relayed byte on every path
 * (deferred sessions included: the service is connected only once the
 * session opens). The addresses are the original client's when a load
 * balancer told them (accept_proxy), else the SC1 socket's own.
 */
#include "ppsend.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "link_int.h"
#include "log.h"

_Static_assert(sizeof(((struct link *)0)->uid) == 2 * PPSEND_ID_LEN + 1,
               "struct link's uid holds the id in hex");

/* The SC1 client's address and the one it reached. */
static int client_addrs(struct link *c, struct proxyproto_addrs *a)
{
    if (c->pp_got) {
        *a = c->pp;
        return 0;
    }
    return proxyproto_addrs_of(stream_fd(c->net), a);
}

/* The session's id: exporter output, so both ends of the session could
 * derive it and no two sessions share it (a counter restarts with the
 * process and repeats across servers). */
static int unique_id(struct link *c)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t id[PPSEND_ID_LEN];
    size_t i;

    if (sc_conn_export(c->sc, PPSEND_ID_LABEL, NULL, 0, id, sizeof(id)) != SC_OK)
        return -1;
    for (i = 0; i < sizeof(id); i++) {
        c->uid[2 * i] = hex[id[i] >> 4];
        c->uid[2 * i + 1] = hex[id[i] & 15];
    }
    c->uid[2 * sizeof(id)] = '\0';
    return 0;
}

/* The subject CN, only when the subject holds exactly one: the engine's
 * identity rule (sc_conn_peer_identity), so the header, the log line and
 * `allow` agree on who the client is. */
static const char *client_cn(struct link *c)
{
    const char *id = sc_conn_peer_identity(c->sc);

    return id != NULL && strncmp(id, "CN:", 3) == 0 ? id + 3 : NULL;
}

/* The client certificate's public key, as HAProxy names its own key
 * ("RSA2048", "EC256", "ED25519"). */
static const char *key_alg(X509 *x, char *out, size_t outlen)
{
    EVP_PKEY *k = X509_get0_pubkey(x);

    if (k == NULL)
        return NULL;
    if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS"))
        snprintf(out, outlen, "RSA%d", EVP_PKEY_get_bits(k));
    else if (EVP_PKEY_is_a(k, "EC"))
        snprintf(out, outlen, "EC%d", EVP_PKEY_get_bits(k));
    else
        snprintf(out, outlen, "%s", EVP_PKEY_get0_type_name(k));
    return out;
}

/* The signature algorithm of the client certificate ("ecdsa-with-SHA256"). */
static const char *sig_alg(X509 *x)
{
    int nid = X509_get_signature_nid(x);

    return nid != NID_undef ? OBJ_nid2ln(nid) : NULL;
}

static int put_v2(struct link *c, const struct proxyproto_addrs *a, struct evbuffer *out)
{
    struct proxyproto_session s;
    X509 *x = sc_conn_peer_cert(c->sc);
    unsigned char *der = NULL;
    char key[64];
    struct evbuffer_iovec v;
    size_t cap;
    ssize_t n;
    int len, rc = -1;

    if (unique_id(c) != 0)
        return -1;
    memset(&s, 0, sizeof(s));
    s.authority = sc_conn_server_name(c->sc);
    s.unique_id = (const uint8_t *)c->uid;
    s.unique_id_len = strlen(c->uid);
    s.version = "SC1";
    s.cipher = sc_conn_suite(c->sc);
    /* Always: the TLVs say who the client is, so a corrupted header
     * must not pass as another identity. */
    s.crc32c = 1;
    if (x != NULL) {
        s.client_cert = 1;
        s.cn = client_cn(c);
        s.sig_alg = sig_alg(x);
        s.key_alg = key_alg(x, key, sizeof(key));
        if (c->cfg->proxy_protocol_cert) {
            if ((len = i2d_X509(x, &der)) <= 0)
                return -1;
            s.cert_der = der;
            s.cert_der_len = (size_t)len;
        }
    }
    cap = proxyproto_v2_size(&s);
    if (evbuffer_reserve_space(out, (ev_ssize_t)cap, &v, 1) == 1) {
        if ((n = proxyproto_build_v2(a, &s, v.iov_base, v.iov_len < cap ? v.iov_len : cap)) >= 0) {
            v.iov_len = (size_t)n;
            rc = evbuffer_commit_space(out, &v, 1);
        }
    }
    OPENSSL_free(der);
    return rc;
}

int ppsend_header(struct link *c)
{
    struct evbuffer *out = stream_output(c->pout);
    struct proxyproto_addrs a;
    uint8_t line[PROXYPROTO_V1_MAX + 1];
    ssize_t n;
    int rc;

    if (client_addrs(c, &a) != 0) {
        link_drop(c, RST_PLAIN | RST_NET, "\"PROXY header: cannot tell the client's address\"");
        return -1;
    }
    if (c->cfg->proxy_protocol == PP_V2) {
        rc = put_v2(c, &a, out);
    } else {
        n = proxyproto_build_v1(&a, line, sizeof(line));
        rc = n < 0 ? -1 : evbuffer_add(out, line, (size_t)n);
    }
    if (rc != 0) {
        link_drop(c, RST_PLAIN | RST_NET, "\"PROXY header: cannot build it\"");
        return -1;
    }
    return 0;
}
