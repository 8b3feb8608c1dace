/* The subject common name of a certificate, when there is exactly one
 * (certname.h says why). Only OpenSSL's X509_NAME accessors touch the
 * certificate's bytes. */
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "certname.h"

int certname_cn_count(X509 *x)
{
    X509_NAME *subj = x != NULL ? X509_get_subject_name(x) : NULL;
    int idx = -1, n = 0;

    while (subj != NULL && (idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)) >= 0)
        n++;
    return n;
}

int certname_cn(X509 *x, unsigned char **utf8)
{
    X509_NAME *subj;
    int idx, n;

    *utf8 = NULL;
    if (x == NULL || (subj = X509_get_subject_name(x)) == NULL)
        return CERTNAME_NO_CN;
    idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
    if (idx < 0)
        return CERTNAME_NO_CN;
    if (X509_NAME_get_index_by_NID(subj, NID_commonName, idx) >= 0)
        return CERTNAME_MANY_CN;
    n = ASN1_STRING_to_UTF8(utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)));
    if (n < 0) {
        OPENSSL_free(*utf8);
        *utf8 = NULL;
        return CERTNAME_BAD_CN;
    }
    return n;
}
