/* Content digests of the credential files, for reload_interval. */
#define _GNU_SOURCE
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define WATCH_MD_LEN 32 /* SHA-256 */

struct wfile {
    const char *svc, *opt;
    char *path;
    unsigned char md[WATCH_MD_LEN];
};

struct watch {
    struct wfile *f;
    size_t n;
};

/* The bytes of one regular file into the digest; an error is digested as
 * its errno, so that a file that vanishes or comes back is a change. */
static void digest_file(EVP_MD_CTX *md, const char *path)
{
    unsigned char buf[16384];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;

    if (fd < 0) {
        e = errno;
        EVP_DigestUpdate(md, "E", 1);
        EVP_DigestUpdate(md, &e, sizeof(e));
        return;
    }
    EVP_DigestUpdate(md, "F", 1);
    while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            EVP_DigestUpdate(md, buf, (size_t)n);
    close(fd);
}

/* A hashed CA directory: every entry's name and content, in name order. */
static void digest_dir(EVP_MD_CTX *md, const char *path)
{
    struct dirent **ents = NULL;
    char *sub;
    int n, i;

    if ((n = scandir(path, &ents, NULL, alphasort)) < 0) {
        digest_file(md, path);
        return;
    }
    for (i = 0; i < n; i++) {
        if (ents[i]->d_name[0] != '.' && asprintf(&sub, "%s/%s", path, ents[i]->d_name) >= 0) {
            EVP_DigestUpdate(md, ents[i]->d_name, strlen(ents[i]->d_name) + 1);
            digest_file(md, sub);
            free(sub);
        }
        free(ents[i]);
    }
    free(ents);
}

static int digest(const char *path, unsigned char out[WATCH_MD_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    struct stat st;
    unsigned len = WATCH_MD_LEN;
    int rc = -1;

    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        goto out;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        digest_dir(md, path);
    else
        digest_file(md, path);
    rc = EVP_DigestFinal_ex(md, out, &len) == 1 ? 0 : -1;
out:
    EVP_MD_CTX_free(md);
    return rc;
}

static int add(struct watch *w, const char *svc, const char *opt, const char *source)
{
    const char *path = conf_file_path(source);
    struct wfile *nf;

    /* A store URI (pkcs11:) has no file to look at. */
    if (path == NULL)
        return 0;
    if ((nf = realloc(w->f, (w->n + 1) * sizeof(*nf))) == NULL)
        return -1;
    w->f = nf;
    nf = &w->f[w->n];
    memset(nf, 0, sizeof(*nf));
    nf->svc = svc;
    nf->opt = opt;
    if ((nf->path = strdup(path)) == NULL)
        return -1;
    w->n++;
    digest(nf->path, nf->md);
    return 0;
}

struct watch *watch_new(const struct config *c)
{
    struct watch *w = calloc(1, sizeof(*w));
    size_t i;

    if (w == NULL)
        return NULL;
    for (i = 0; i < c->nsvc; i++) {
        const struct svc_cfg *s = &c->svc[i];

        if (add(w, s->name, "cert", s->cert) != 0 || add(w, s->name, "key", s->key) != 0
            || add(w, s->name, "ca", s->ca) != 0 || add(w, s->name, "crl", s->crl) != 0) {
            watch_free(w);
            return NULL;
        }
    }
    return w;
}

void watch_free(struct watch *w)
{
    size_t i;

    if (w == NULL)
        return;
    for (i = 0; i < w->n; i++)
        free(w->f[i].path);
    free(w->f);
    free(w);
}

int watch_check(struct watch *w, char *what, size_t whatlen)
{
    unsigned char md[WATCH_MD_LEN];
    size_t i, changed = 0;

    for (i = 0; i < w->n; i++) {
        struct wfile *f = &w->f[i];

        if (digest(f->path, md) != 0 || memcmp(md, f->md, sizeof(md)) == 0)
            continue;
        memcpy(f->md, md, sizeof(md));
        if (changed++ == 0)
            snprintf(what, whatlen, "[%s] %s %s", f->svc, f->opt, f->path);
    }
    if (changed > 1) {
        size_t len = strlen(what);

        snprintf(what + len, whatlen - len, " and %zu more", changed - 1);
    }
    return changed > 0;
}
