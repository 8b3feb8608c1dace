/* Matching a client certificate against `allow` patterns. */
#define _GNU_SOURCE
#include "allow.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "provider/certname.h"

/* The pattern "IP:addr[/prefix]" against an iPAddress SAN's octets. */
static int ip_match(const char *pattern, const unsigned char *ip, int iplen)
{
    char text[64], *slash;
    unsigned char want[16];
    long prefix;
    int family, bits, i;

    if (strlen(pattern) >= sizeof(text))
        return 0;
    strcpy(text, pattern);
    if ((slash = strchr(text, '/')) != NULL)
        *slash++ = '\0';
    family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
    if (inet_pton(family, text, want) != 1)
        return 0;
    bits = family == AF_INET6 ? 128 : 32;
    if (iplen * 8 != bits)
        return 0;
    if (slash != NULL) {
        char *end;

        prefix = strtol(slash, &end, 10);
        if (*slash == '\0' || *end != '\0' || prefix < 0 || prefix > bits)
            return 0;
        bits = (int)prefix;
    }
    for (i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);

        if ((want[i / 8] & mask) != (ip[i / 8] & mask))
            return 0;
    }
    return 1;
}

/* The subject's only CN against glob: a subject with none, or with more
 * than one (certname.h), matches no CN rule. */
static int cn_match(X509 *leaf, const char *glob)
{
    unsigned char *utf8 = NULL;
    int len = certname_cn(leaf, &utf8), ok = 0;

    /* A CN with an embedded NUL cannot match anything. */
    if (len >= 0 && memchr(utf8, '\0', (size_t)len) == NULL)
        ok = fnmatch(glob, (const char *)utf8, 0) == 0;
    OPENSSL_free(utf8);
    return ok;
}

static int san_match(GENERAL_NAMES *sans, int type, const char *pattern)
{
    int i;

    for (i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        const ASN1_STRING *s;
        char text[1024];
        int len;

        if (gn->type != type)
            continue;
        s = type == GEN_DNS   ? gn->d.dNSName
            : type == GEN_URI ? gn->d.uniformResourceIdentifier
                              : gn->d.iPAddress;
        len = ASN1_STRING_length(s);
        if (type == GEN_IPADD) {
            if (ip_match(pattern, ASN1_STRING_get0_data(s), len))
                return 1;
            continue;
        }
        if (len < 0 || (size_t)len >= sizeof(text))
            continue;
        memcpy(text, ASN1_STRING_get0_data(s), (size_t)len);
        text[len] = '\0';
        if (strlen(text) != (size_t)len)
            continue;
        if (fnmatch(pattern, text, type == GEN_DNS ? FNM_CASEFOLD : 0) == 0)
            return 1;
    }
    return 0;
}

int allow_match(const struct strv *patterns, X509 *leaf, const char **why)
{
    GENERAL_NAMES *sans;
    size_t i;
    int ok = 0, cn_rules = 0;

    *why = NULL;
    if (patterns->n == 0)
        return 1;
    if (leaf == NULL)
        return 0;
    sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (i = 0; i < patterns->n && !ok; i++) {
        const char *p = patterns->v[i];

        if (strncmp(p, "CN:", 3) == 0) {
            cn_rules = 1;
            ok = cn_match(leaf, p + 3);
        } else if (sans != NULL && strncmp(p, "DNS:", 4) == 0)
            ok = san_match(sans, GEN_DNS, p + 4);
        else if (sans != NULL && strncmp(p, "URI:", 4) == 0)
            ok = san_match(sans, GEN_URI, p + 4);
        else if (sans != NULL && strncmp(p, "IP:", 3) == 0)
            ok = san_match(sans, GEN_IPADD, p + 3);
    }
    GENERAL_NAMES_free(sans);
    if (!ok && cn_rules && certname_cn_count(leaf) > 1)
        *why = "its subject holds more than one CN, which no CN: rule matches";
    return ok;
}
