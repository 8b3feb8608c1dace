#include "certcache.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

typedef struct {
    uint8_t key[SC_HASH_LEN];
    STACK_OF(X509) * chain; /* NULL = empty slot */
    time_t valid_from, valid_until, expires;
} slot;

struct cert_cache {
    CRYPTO_RWLOCK *lock;
    uint64_t hits, misses; /* lookups, for sc_testing_cache_stats */
    size_t n;
    slot *slots;
};

cert_cache *cert_cache_new(size_t slots)
{
    cert_cache *cc = calloc(1, sizeof(*cc));

    if (cc == NULL)
        return NULL;
    cc->n = slots;
    if ((cc->slots = calloc(slots, sizeof(slot))) == NULL
        || (cc->lock = CRYPTO_THREAD_lock_new()) == NULL) {
        cert_cache_free(cc);
        return NULL;
    }
    return cc;
}

void cert_cache_free(cert_cache *cc)
{
    if (cc == NULL)
        return;
    for (size_t i = 0; cc->slots && i < cc->n; i++)
        sk_X509_pop_free(cc->slots[i].chain, X509_free);
    free(cc->slots);
    CRYPTO_THREAD_lock_free(cc->lock);
    free(cc);
}

/* Direct-mapped: the key is a hash already, so its first bytes index. */
static slot *slot_for(cert_cache *cc, const uint8_t key[SC_HASH_LEN])
{
    size_t h = (size_t)key[0] << 24 | (size_t)key[1] << 16 | (size_t)key[2] << 8 | key[3];

    return &cc->slots[h % cc->n];
}

static STACK_OF(X509) * chain_ref(STACK_OF(X509) * chain)
{
    STACK_OF(X509) *copy = sk_X509_dup(chain);

    for (int i = 0; copy && i < sk_X509_num(copy); i++)
        X509_up_ref(sk_X509_value(copy, i));
    return copy;
}

int cert_cache_get(cert_cache *cc, const uint8_t key[SC_HASH_LEN], time_t now,
                   STACK_OF(X509) * *chain)
{
    slot *s;
    int hit = 0;

    *chain = NULL;
    if (cc == NULL || !CRYPTO_THREAD_read_lock(cc->lock))
        return 0;
    s = slot_for(cc, key);
    if (s->chain != NULL && memcmp(s->key, key, SC_HASH_LEN) == 0 && now >= s->valid_from
        && now < s->valid_until && now < s->expires)
        hit = (*chain = chain_ref(s->chain)) != NULL;
    CRYPTO_THREAD_unlock(cc->lock);
    __atomic_fetch_add(hit ? &cc->hits : &cc->misses, 1, __ATOMIC_RELAXED);
    return hit;
}

void cert_cache_stats(const cert_cache *cc, uint64_t *hits, uint64_t *misses)
{
    *hits = cc ? __atomic_load_n(&cc->hits, __ATOMIC_RELAXED) : 0;
    *misses = cc ? __atomic_load_n(&cc->misses, __ATOMIC_RELAXED) : 0;
}

void cert_cache_put(cert_cache *cc, const uint8_t key[SC_HASH_LEN], STACK_OF(X509) * chain,
                    time_t valid_from, time_t valid_until, time_t now)
{
    STACK_OF(X509) * copy, *old;
    slot *s;

    if (cc == NULL || (copy = chain_ref(chain)) == NULL)
        return;
    if (!CRYPTO_THREAD_write_lock(cc->lock)) {
        sk_X509_pop_free(copy, X509_free);
        return;
    }
    s = slot_for(cc, key);
    old = s->chain;
    memcpy(s->key, key, SC_HASH_LEN);
    s->chain = copy;
    s->valid_from = valid_from;
    s->valid_until = valid_until;
    s->expires = now + CERT_CACHE_TTL;
    CRYPTO_THREAD_unlock(cc->lock);
    sk_X509_pop_free(old, X509_free);
}
