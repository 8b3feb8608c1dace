/* Expiry of the certificates a service loads (for metrics and warnings). */
#define _GNU_SOURCE
#include "certinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf.h"
#include "log.h"

static time_t not_after(const X509 *x)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
        return 0;
    return timegm(&tm);
}

static void keep(time_t *best, time_t t, int earliest)
{
    if (t != 0 && (*best == 0 || (earliest && t < *best)))
        *best = t;
}

time_t certinfo_not_after(const char *source, int earliest)
{
    const char *path = conf_file_path(source);
    struct stat st;
    time_t best = 0;
    BIO *bio;
    X509 *x;

    if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if ((bio = BIO_new_file(path, "rb")) == NULL) {
        ERR_clear_error();
        return 0;
    }
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        keep(&best, not_after(x), earliest);
        X509_free(x);
        if (!earliest)
            break;
    }
    if (best == 0 && BIO_reset(bio) == 0 && (x = d2i_X509_bio(bio, NULL)) != NULL) {
        best = not_after(x);
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(bio);
    return best;
}

void certinfo_warn(const char *svc, const char *opt, const char *source, time_t when)
{
    time_t now = time(NULL);
    char date[32];
    struct tm tm;

    if (when == 0 || when - now > (time_t)CERTINFO_WARN_DAYS * 86400)
        return;
    gmtime_r(&when, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (when <= now)
        log_warning("[%s] %s %s: certificate expired on %s", svc, opt, source, date);
    else
        log_warning("[%s] %s %s: certificate expires in %ld day(s), on %s", svc, opt, source,
                    (long)((when - now) / 86400), date);
}
