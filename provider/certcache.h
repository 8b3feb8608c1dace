/* A cache of verified peer chains, keyed by the SHA-256 of the chain
 * message's body: a returning peer's chain is neither parsed nor verified
 * again while the verdict holds, so it costs one signature check (its
 * ClientAuth or ServerAuth). Shared by every connection of a context, so
 * it is locked. */
#ifndef SC_CERTCACHE_H
#define SC_CERTCACHE_H

#include "attr.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/x509.h>

#include "algs.h"

typedef struct cert_cache cert_cache;

cert_cache *cert_cache_new(size_t slots);
void cert_cache_free(cert_cache *cc);
/* On a hit, *chain is a new stack holding new references: free it with
 * sk_X509_pop_free. A verdict is reused only while valid_from <= now <
 * valid_until (the window certverify_chain gives: the path's validity
 * and its CRLs' nextUpdate, compared as a fresh check does) and for at
 * most CERT_CACHE_TTL seconds. */
SC_WUR int cert_cache_get(cert_cache *cc, const uint8_t key[SC_HASH_LEN], time_t now,
                          STACK_OF(X509) * *chain);
/* Lookups so far that hit and that missed (0 and 0 for a NULL cache). */
void cert_cache_stats(const cert_cache *cc, uint64_t *hits, uint64_t *misses);
void cert_cache_put(cert_cache *cc, const uint8_t key[SC_HASH_LEN], STACK_OF(X509) * chain,
                    time_t valid_from, time_t valid_until, time_t now);

#define CERT_CACHE_TTL 3600

#endif
