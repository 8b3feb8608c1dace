/* Verifying a peer's chain (SC1.md section 9): the path to a trust anchor,
 * validity times and CRLs, the leaf's usages and key type, the expected
 * name, and section 9's alert for each failure. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define _DEFAULT_SOURCE 1 /* timegm */
#include <stdint.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certid.h"
#include "certverify.h"
#include "sig.h"
#include "sovchain.h"

static void set_detail(char *detail, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_detail(char *detail, size_t cap, const char *fmt, ...)
{
    va_list ap;

    if (detail == NULL || cap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
}

/* A subject for a log line, RFC 2253 style: "CN=x,O=y". */
static void name_text(X509 *x, char *out, size_t cap)
{
    BIO *bio;
    long n;
    char *data;

    snprintf(out, cap, "(unknown)");
    if (x == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
        return;
    if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0
        && (n = BIO_get_mem_data(bio, &data)) > 0)
        snprintf(out, cap, "%.*s", (int)(n > INT_MAX ? INT_MAX : n), data);
    BIO_free(bio);
}

static void time_text(time_t t, char *out, size_t cap)
{
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

/* Section 9's table, from OpenSSL's verification error. */
static uint8_t alert_for(int err)
{
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        return SC_ALERT_UNKNOWN_CA;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return SC_ALERT_CERTIFICATE_EXPIRED;
    case X509_V_ERR_CERT_REVOKED:
        return SC_ALERT_CERTIFICATE_REVOKED;
    default:
        /* Bad issuer signature, issuer not a CA or without
		 * keyCertSign, path too long, unhandled critical extension,
		 * CRL problems: "anything else". */
        return SC_ALERT_BAD_CERTIFICATE;
    }
}

static void detail_for(int err, X509 *x, time_t t, char *detail, size_t cap)
{
    char name[256], when[32];

    name_text(x, name, sizeof(name));
    switch (alert_for(err)) {
    case SC_ALERT_UNKNOWN_CA:
        set_detail(detail, cap, "no path from %s to a trust anchor", name);
        break;
    case SC_ALERT_CERTIFICATE_EXPIRED:
        time_text(t, when, sizeof(when));
        set_detail(detail, cap, "certificate %s not valid at %s", name, when);
        break;
    case SC_ALERT_CERTIFICATE_REVOKED:
        set_detail(detail, cap, "certificate %s is revoked", name);
        break;
    default:
        set_detail(detail, cap, "certificate %s rejected: %s", name,
                   X509_verify_cert_error_string(err));
        break;
    }
}

/* Section 9: "the validity times of every certificate in the path (the
 * trust anchor included)". OpenSSL checks them too; this keeps the rule
 * independent of its flags. */
static X509 *first_out_of_time(STACK_OF(X509) * path, time_t t)
{
    for (int i = 0; i < sk_X509_num(path); i++) {
        X509 *x = sk_X509_value(path, i);

        if (X509_cmp_time(X509_get0_notBefore(x), &t) >= 0
            || X509_cmp_time(X509_get0_notAfter(x), &t) <= 0)
            return x;
    }
    return NULL;
}

/* The leaf's keyUsage, extended key usage and key type (section 9). */
static int leaf_fit(X509 *leaf, int peer_is_server, char *detail, size_t cap)
{
    uint32_t flags = X509_get_extension_flags(leaf);
    EVP_PKEY *pub = X509_get0_pubkey(leaf);

    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
        set_detail(detail, cap, "leaf key usage lacks digitalSignature");
        return 0;
    }
    /* anyExtendedKeyUsage alone does not count: only the role's bit. */
    if (flags & EXFLAG_XKUSAGE) {
        uint32_t need = peer_is_server ? XKU_SSL_SERVER : XKU_SSL_CLIENT;

        if (!(X509_get_extended_key_usage(leaf) & need)) {
            set_detail(detail, cap, "leaf extended key usage lacks %s",
                       peer_is_server ? "serverAuth" : "clientAuth");
            return 0;
        }
    }
    if (pub == NULL || !sig_key_ok(pub)) {
        set_detail(detail, cap, "leaf key type not supported");
        return 0;
    }
    return 1;
}

static int asn1_to_time(const ASN1_TIME *a, time_t *t)
{
    struct tm tm;

    if (a == NULL || !ASN1_TIME_to_tm(a, &tm))
        return 0;
    *t = timegm(&tm);
    return 1;
}

/* With CRL checking the verdict at `t` also rests on the CRLs OpenSSL
 * consulted: those of each certificate's issuer (its default lookup). It
 * holds from the latest lastUpdate of those current at t until the
 * earliest nextUpdate (past it the CRL has expired and a fresh check
 * fails), and only until a newer CRL that is not yet current becomes so. */
static int crl_window(X509_STORE_CTX *sctx, STACK_OF(X509) * path, time_t t, time_t *from,
                      time_t *until)
{
    for (int i = 0; i < sk_X509_num(path); i++) {
        STACK_OF(X509_CRL) * crls;
        int ok = 1;

        ERR_set_mark();
        crls = X509_STORE_CTX_get1_crls(sctx, X509_get_issuer_name(sk_X509_value(path, i)));
        ERR_pop_to_mark();
        /* The leaf passed its CRL check, so its issuer has one. */
        if (crls == NULL && i == 0)
            return 0;
        for (int j = 0; ok && j < sk_X509_CRL_num(crls); j++) {
            X509_CRL *crl = sk_X509_CRL_value(crls, j);
            const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
            time_t lu, nu = (time_t)INT64_MAX;

            ok = asn1_to_time(X509_CRL_get0_lastUpdate(crl), &lu)
                && (next == NULL || asn1_to_time(next, &nu));
            if (!ok || nu <= t)
                continue; /* expired: not the one used */
            if (lu > t) {
                if (lu < *until)
                    *until = lu;
                continue;
            }
            if (lu > *from)
                *from = lu;
            if (nu < *until)
                *until = nu;
        }
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        if (!ok)
            return 0;
    }
    return 1;
}

/* The span in which every certificate of a verified path is valid, and
 * the CRLs it was checked against current: what a cached verdict may be
 * reused for (notBefore <= now < notAfter, as first_out_of_time). */
static int path_window(X509_STORE_CTX *sctx, int check_crl, time_t t, time_t *from, time_t *until)
{
    STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(sctx);

    *from = 0;
    *until = (time_t)INT64_MAX;
    for (int i = 0; i < sk_X509_num(path); i++) {
        X509 *x = sk_X509_value(path, i);
        time_t nb, na;

        if (!asn1_to_time(X509_get0_notBefore(x), &nb) || !asn1_to_time(X509_get0_notAfter(x), &na))
            return 0;
        if (nb > *from)
            *from = nb;
        if (na < *until)
            *until = na;
    }
    return !check_crl || crl_window(sctx, path, t, from, until);
}

int certverify_chain(const certverify_params *p, STACK_OF(X509) * chain, uint8_t *alert,
                     char *detail, size_t detail_cap)
{
    X509_STORE_CTX *sctx = NULL;
    STACK_OF(X509) *untrusted = NULL;
    X509_VERIFY_PARAM *vp;
    X509 *leaf, *bad;
    time_t t;
    int ret = SC_ERR_CRYPTO, ok;

    if (p == NULL || p->store == NULL || chain == NULL || alert == NULL || sk_X509_num(chain) < 1)
        return SC_ERR_ARG;
    leaf = sk_X509_value(chain, 0);
    t = p->verify_time != 0 ? p->verify_time : time(NULL);

    /* Intermediates may come from the chain (section 9). */
    if ((untrusted = sk_X509_dup(chain)) == NULL)
        return SC_ERR_NOMEM;
    (void)sk_X509_shift(untrusted);
    if ((sctx = X509_STORE_CTX_new_ex(p->libctx, p->propq)) == NULL) {
        ret = SC_ERR_NOMEM;
        goto out;
    }
    if (!X509_STORE_CTX_init(sctx, p->store, leaf, untrusted))
        goto out;
    vp = X509_STORE_CTX_get0_param(sctx);
    X509_VERIFY_PARAM_set_time(vp, t);
    /* No purpose: the leaf's usages are checked below, so that the alert
	 * follows section 9's table rather than OpenSSL's purpose rules. */
    if (p->check_crl)
        X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    else
        X509_VERIFY_PARAM_clear_flags(vp, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);

    ERR_set_mark();
    ok = X509_verify_cert(sctx);
    ERR_pop_to_mark();
    if (ok <= 0) {
        int err = X509_STORE_CTX_get_error(sctx);
        X509 *cur = X509_STORE_CTX_get_current_cert(sctx);

        if (err == X509_V_OK) /* an internal failure, not a verdict */
            goto out;
        *alert = alert_for(err);
        detail_for(err, cur != NULL ? cur : leaf, t, detail, detail_cap);
        ret = SC_ERR_PROTOCOL;
        goto out;
    }
    if ((bad = first_out_of_time(X509_STORE_CTX_get0_chain(sctx), t)) != NULL) {
        *alert = SC_ALERT_CERTIFICATE_EXPIRED;
        detail_for(X509_V_ERR_CERT_HAS_EXPIRED, bad, t, detail, detail_cap);
        ret = SC_ERR_PROTOCOL;
        goto out;
    }
    if (!leaf_fit(leaf, p->peer_is_server, detail, detail_cap)) {
        *alert = SC_ALERT_UNSUPPORTED_CERTIFICATE;
        ret = SC_ERR_PROTOCOL;
        goto out;
    }
    if (p->expected_name != NULL && !certid_matches(leaf, p->expected_name)) {
        *alert = SC_ALERT_BAD_CERTIFICATE;
        set_detail(detail, detail_cap, "%s certificate does not match name '%s'",
                   p->peer_is_server ? "server" : "client", p->expected_name);
        ret = SC_ERR_PROTOCOL;
        goto out;
    }
    if (p->valid_from != NULL && p->valid_until != NULL
        && !path_window(sctx, p->check_crl, t, p->valid_from, p->valid_until))
        goto out;
    ret = SC_OK;
out:
    X509_STORE_CTX_free(sctx);
    sk_X509_free(untrusted);
    return ret;
}
