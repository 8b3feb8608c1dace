/* The CA names of ClientCertRequest (SC1.md section 4, message 4):
 * the trust anchors' subjects as concatenated DER X.509 Names, and the
 * receiver's check that what arrived is exactly that. */
#include "canames.h"

#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "sovchain.h"

int canames_encode(STACK_OF(X509) * anchors, size_t cap, uint8_t **out, size_t *len,
                   size_t *n_names)
{
    uint8_t *buf = NULL, *p;
    size_t total = 0, fit = 0;
    int n = anchors != NULL ? sk_X509_num(anchors) : 0;

    if (out == NULL || len == NULL || n_names == NULL)
        return SC_ERR_ARG;
    /* The names are a hint: the first ones of the file, whole, as many
	 * as fit; the rest are left out rather than fail every handshake. */
    for (int i = 0; i < n; i++) {
        int l = i2d_X509_NAME(X509_get_subject_name(sk_X509_value(anchors, i)), NULL);

        if (l <= 0)
            return SC_ERR_CRYPTO;
        if ((size_t)l > cap - total)
            break;
        total += (size_t)l;
        fit++;
    }
    if (total > 0 && (buf = OPENSSL_malloc(total)) == NULL)
        return SC_ERR_NOMEM;
    p = buf;
    for (size_t i = 0; i < fit; i++)
        if (i2d_X509_NAME(X509_get_subject_name(sk_X509_value(anchors, (int)i)), &p) <= 0) {
            OPENSSL_free(buf);
            return SC_ERR_CRYPTO;
        }
    *out = buf;
    *len = total;
    *n_names = fit;
    return SC_OK;
}

/* The length of the DER TLV at `p` (a SEQUENCE, definite length), or 0. */
static size_t der_seq_len(const uint8_t *p, size_t avail)
{
    size_t hdr = 2, body = 0;

    if (avail < 2 || p[0] != 0x30)
        return 0;
    if (p[1] < 0x80) {
        body = p[1];
    } else {
        size_t nlen = p[1] & 0x7f;

        /* No indefinite length; at most 3 length bytes (names_len is
		 * a u16 anyway); minimal encoding. */
        if (nlen == 0 || nlen > 3 || avail < 2 + nlen || p[2] == 0)
            return 0;
        for (size_t i = 0; i < nlen; i++)
            body = (body << 8) | p[2 + i];
        if (body < 0x80)
            return 0;
        hdr += nlen;
    }
    if (body > avail - hdr)
        return 0;
    return hdr + body;
}

int canames_check(const uint8_t *names, size_t len)
{
    size_t off = 0;

    if (names == NULL && len > 0)
        return SC_ERR_ARG;
    while (off < len) {
        size_t tlv = der_seq_len(names + off, len - off);
        const unsigned char *p = names + off;
        X509_NAME *n;
        int ok;

        if (tlv == 0 || tlv > LONG_MAX)
            return SC_ERR_PROTOCOL;
        ERR_set_mark();
        n = d2i_X509_NAME(NULL, &p, (long)tlv);
        ERR_pop_to_mark();
        ok = n != NULL && p == names + off + tlv;
        X509_NAME_free(n);
        if (!ok)
            return SC_ERR_PROTOCOL;
        off += tlv;
    }
    return SC_OK;
}
