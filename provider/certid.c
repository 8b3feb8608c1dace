/* A peer certificate's names (SC1.md section 9): matching the expected
 * name against the subjectAltName, and the identity for logs and policy.
 * The subject CN rule is certname.c's. */
#include <stddef.h>
#include <string.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certid.h"
#include "certname.h"
#include "sovchain.h"

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int ascii_ieqn(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* A DNS label sequence "a.b.c": non-empty labels, no '*'. */
static int dns_labels(const char *s, size_t n, int *labels)
{
    size_t start = 0;

    *labels = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (i == start)
                return 0;
            (*labels)++;
            start = i + 1;
        } else if (s[i] == '*' || s[i] == '\0') {
            return 0;
        }
    }
    return 1;
}

/* One SAN dNSName against a host name. A wildcard is the whole left-most
 * label, with at least two labels after it, and stands for one label. */
static int dns_match(const char *pat, size_t plen, const char *host)
{
    size_t hlen = strlen(host);
    int labels;

    if (!dns_labels(host, hlen, &labels))
        return 0;
    if (plen >= 2 && pat[0] == '*' && pat[1] == '.') {
        const char *dot = memchr(host, '.', hlen);
        size_t rest;

        if (!dns_labels(pat + 2, plen - 2, &labels) || labels < 2)
            return 0;
        if (dot == NULL || dot == host)
            return 0;
        rest = hlen - (size_t)(dot + 1 - host);
        return rest == plen - 2 && ascii_ieqn(dot + 1, pat + 2, rest);
    }
    if (!dns_labels(pat, plen, &labels))
        return 0;
    return plen == hlen && ascii_ieqn(pat, host, hlen);
}

int certid_matches(X509 *leaf, const char *name)
{
    GENERAL_NAMES *sans;
    unsigned char ip[16];
    size_t iplen = 0;
    int match = 0;

    if (leaf == NULL || name == NULL || name[0] == '\0')
        return 0;
    if (inet_pton(AF_INET, name, ip) == 1)
        iplen = 4;
    else if (inet_pton(AF_INET6, name, ip) == 1)
        iplen = 16;

    /* subjectAltName only: no fallback to the subject CN. */
    sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; !match && i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);

        if (iplen > 0 && gn->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *o = gn->d.iPAddress;

            match = (size_t)ASN1_STRING_length(o) == iplen
                && memcmp(ASN1_STRING_get0_data(o), ip, iplen) == 0;
        } else if (iplen == 0 && gn->type == GEN_DNS) {
            const ASN1_IA5STRING *s = gn->d.dNSName;
            int l = ASN1_STRING_length(s);

            match = l > 0 && dns_match((const char *)ASN1_STRING_get0_data(s), (size_t)l, name);
        }
    }
    GENERAL_NAMES_free(sans);
    return match;
}

/* Printable ASCII for a log line and a policy string; anything else
 * becomes '?'. */
static int put_identity(char *out, size_t cap, const char *tag, const unsigned char *v, size_t n)
{
    size_t tl = strlen(tag);

    if (tl + n + 1 > cap)
        return SC_ERR_ARG;
    memcpy(out, tag, tl);
    for (size_t i = 0; i < n; i++)
        out[tl + i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
    out[tl + n] = '\0';
    return SC_OK;
}

static int san_identity(X509 *leaf, char *out, size_t cap)
{
    GENERAL_NAMES *sans;
    int ret = SC_ERR_ARG;

    sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        const ASN1_STRING *s;
        char txt[INET6_ADDRSTRLEN];

        switch (gn->type) {
        case GEN_DNS:
        case GEN_URI:
            s = gn->type == GEN_DNS ? gn->d.dNSName : gn->d.uniformResourceIdentifier;
            ret = put_identity(out, cap,
                               gn->type == GEN_DNS ? "DNS:" : "URI:", ASN1_STRING_get0_data(s),
                               (size_t)ASN1_STRING_length(s));
            break;
        case GEN_IPADD:
            s = gn->d.iPAddress;
            /* The length first: inet_ntop reads 4 or 16 bytes. */
            if ((ASN1_STRING_length(s) != 4 && ASN1_STRING_length(s) != 16)
                || inet_ntop(ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6,
                             ASN1_STRING_get0_data(s), txt, sizeof(txt))
                    == NULL)
                continue;
            ret = put_identity(out, cap, "IP:", (const unsigned char *)txt, strlen(txt));
            break;
        default:
            continue;
        }
        break;
    }
    GENERAL_NAMES_free(sans);
    return ret;
}

/* SC_OK, SC_ERR_ARG (does not fit or does not convert), or 1: no CN to
 * name the client by, either none or more than one (certname.h). */
static int cn_identity(X509 *leaf, char *out, size_t cap)
{
    unsigned char *utf8 = NULL;
    int n = certname_cn(leaf, &utf8), ret;

    if (n == CERTNAME_NO_CN || n == CERTNAME_MANY_CN)
        return 1; /* the caller falls back to the SAN */
    if (n <= 0) {
        OPENSSL_free(utf8);
        return SC_ERR_ARG;
    }
    ret = put_identity(out, cap, "CN:", utf8, (size_t)n);
    OPENSSL_free(utf8);
    return ret;
}

int certid_identity(X509 *leaf, int is_server, char *out, size_t cap)
{
    if (leaf == NULL || out == NULL || cap == 0)
        return SC_ERR_ARG;
    out[0] = '\0';
    if (!is_server) {
        int r = cn_identity(leaf, out, cap);

        if (r != 1) {
            if (r != SC_OK)
                out[0] = '\0';
            return r;
        }
    }
    if (san_identity(leaf, out, cap) == SC_OK)
        return SC_OK;
    out[0] = '\0';
    return SC_ERR_ARG;
}
