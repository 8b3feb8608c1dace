/*
 * Metrics: per-worker counters summed at scrape time, rendered in the
 * Prometheus text exposition format (version 0.0.4). A worker only ever
 * touches its own shard, with relaxed atomic adds (the scraping thread may
 * read at any time), so counting costs no lock and no allocation.
 */
#include "config.h"

#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "service.h"
#include "sovchain.h"

typedef atomic_uint_fast64_t counter;

/* Upper bounds of the handshake duration buckets, in microseconds. */
static const uint64_t hs_bounds[] = { 1000,   2500,   5000,    10000,   25000,   50000,   100000,
                                      250000, 500000, 1000000, 2500000, 5000000, 10000000 };
#define HS_NBOUNDS (sizeof(hs_bounds) / sizeof(hs_bounds[0]))

static const char *const end_names[METRICS_END_COUNT] = {
    [METRICS_END_EOF] = "eof",
    [METRICS_END_TRUNCATED] = "truncated",
    [METRICS_END_RESET] = "reset",
    [METRICS_END_HANDSHAKE] = "handshake_failure",
    [METRICS_END_TIMEOUT] = "timeout",
    [METRICS_END_REFUSED] = "refused",
    [METRICS_END_CONNECT] = "connect_failed",
    [METRICS_END_ALERT] = "alert",
    [METRICS_END_SHUTDOWN] = "shutdown",
    [METRICS_END_ERROR] = "error",
};

/* One service's counters within one worker's shard. */
struct msvc {
    counter opened;
    counter ended[METRICS_END_COUNT];
    counter alerts[2][256]; /* [sent|received][alert code] */
    counter no_alert;
    counter hs_bucket[HS_NBOUNDS + 1]; /* not cumulative; the last is +Inf */
    counter hs_usec;
    counter sent, received;
    atomic_uint pool_ready; /* a gauge: this worker's ready sessions */
};

struct metrics_shard {
    struct msvc *svc;
};

/* Per service, set from any thread. */
struct mglobal {
    atomic_int has_pool;
    atomic_llong cert_expiry, ca_expiry;
};

static struct metrics_shard *shards;
static unsigned nshards;
static struct mglobal *glob;
static size_t nservices;
static counter reloads[2][2]; /* [signal|timer][failure|success] */
static atomic_int draining;

int metrics_init(unsigned nworkers, size_t nsvc)
{
    unsigned i;

    metrics_free();
    if ((shards = calloc(nworkers, sizeof(*shards))) == NULL)
        return -1;
    nshards = nworkers;
    for (i = 0; i < nworkers; i++) {
        if ((shards[i].svc = calloc(nsvc, sizeof(struct msvc))) == NULL) {
            metrics_free();
            return -1;
        }
    }
    if ((glob = calloc(nsvc, sizeof(*glob))) == NULL) {
        metrics_free();
        return -1;
    }
    nservices = nsvc;
    return 0;
}

void metrics_free(void)
{
    unsigned i;

    for (i = 0; shards != NULL && i < nshards; i++)
        free(shards[i].svc);
    free(shards);
    free(glob);
    shards = NULL;
    glob = NULL;
    nshards = 0;
    nservices = 0;
}

struct metrics_shard *metrics_shard(unsigned i)
{
    return i < nshards ? &shards[i] : NULL;
}

static void add(counter *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t get(counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_opened(struct metrics_shard *m, size_t svc)
{
    if (m != NULL && svc < nservices)
        add(&m->svc[svc].opened, 1);
}

void metrics_ended(struct metrics_shard *m, size_t svc, enum metrics_end why)
{
    if (m != NULL && svc < nservices && (unsigned)why < METRICS_END_COUNT)
        add(&m->svc[svc].ended[why], 1);
}

void metrics_handshake_failed(struct metrics_shard *m, size_t svc, enum metrics_alert_dir dir,
                              int alert)
{
    if (m == NULL || svc >= nservices)
        return;
    if (dir == METRICS_ALERT_NONE || alert < 0 || alert > 255)
        add(&m->svc[svc].no_alert, 1);
    else
        add(&m->svc[svc].alerts[dir][alert], 1);
}

void metrics_handshake_done(struct metrics_shard *m, size_t svc, uint64_t usec)
{
    size_t b = 0;

    if (m == NULL || svc >= nservices)
        return;
    while (b < HS_NBOUNDS && usec > hs_bounds[b])
        b++;
    add(&m->svc[svc].hs_bucket[b], 1);
    add(&m->svc[svc].hs_usec, usec);
}

void metrics_bytes(struct metrics_shard *m, size_t svc, uint64_t sent, uint64_t received)
{
    if (m == NULL || svc >= nservices)
        return;
    if (sent > 0)
        add(&m->svc[svc].sent, sent);
    if (received > 0)
        add(&m->svc[svc].received, received);
}

void metrics_pool_ready(struct metrics_shard *m, size_t svc, unsigned n)
{
    if (m == NULL || svc >= nservices)
        return;
    atomic_store_explicit(&m->svc[svc].pool_ready, n, memory_order_relaxed);
    if (!atomic_load_explicit(&glob[svc].has_pool, memory_order_relaxed))
        atomic_store(&glob[svc].has_pool, 1);
}

void metrics_reload(int timer, int ok)
{
    add(&reloads[timer ? 1 : 0][ok ? 1 : 0], 1);
}

void metrics_set_expiry(size_t svc, time_t cert, time_t ca)
{
    if (glob == NULL || svc >= nservices)
        return;
    atomic_store(&glob[svc].cert_expiry, (long long)cert);
    atomic_store(&glob[svc].ca_expiry, (long long)ca);
}

void metrics_set_draining(void)
{
    atomic_store(&draining, 1);
}

int metrics_draining(void)
{
    return atomic_load(&draining);
}

/* ---- Rendering. */

/* A label value: backslash, double quote and newline escaped. */
static void put_label(struct evbuffer *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\' || *s == '"')
            evbuffer_add_printf(out, "\\%c", *s);
        else if (*s == '\n')
            evbuffer_add(out, "\\n", 2);
        else
            evbuffer_add(out, s, 1);
    }
}

static void head(struct evbuffer *out, const char *name, const char *type, const char *help)
{
    evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The sum over every shard of one service's counter at `off`. */
static uint64_t sum(size_t svc, size_t off)
{
    uint64_t t = 0;
    unsigned i;

    for (i = 0; i < nshards; i++)
        t += get((counter *)((char *)&shards[i].svc[svc] + off));
    return t;
}

#define SUM(svc, field) sum((svc), offsetof(struct msvc, field))

static void render_build(struct evbuffer *out)
{
    head(out, "sctunnel_build_info", "gauge",
         "Versions of sctunnel and of the libraries it runs with, as labels.");
    evbuffer_add(out, "sctunnel_build_info{version=\"", 29);
    put_label(out, PACKAGE_VERSION);
    evbuffer_add(out, "\",openssl=\"", 11);
    put_label(out, OpenSSL_version(OPENSSL_VERSION_STRING));
    evbuffer_add(out, "\",libevent=\"", 12);
    put_label(out, event_get_version());
    evbuffer_add(out, "\"} 1\n", 5);
    head(out, "sctunnel_draining", "gauge",
         "1 after SIGTERM while live connections finish, else 0.");
    evbuffer_add_printf(out, "sctunnel_draining %d\n", metrics_draining());
    head(out, "sctunnel_reloads_total", "counter",
         "Reloads of the configuration and credentials, by trigger and result.");
    for (int t = 0; t < 2; t++)
        for (int ok = 1; ok >= 0; ok--)
            evbuffer_add_printf(out, "sctunnel_reloads_total{trigger=\"%s\",result=\"%s\"} %llu\n",
                                t ? "timer" : "signal", ok ? "success" : "failure",
                                (unsigned long long)get(&reloads[t][ok]));
}

static void render_connections(struct evbuffer *out, const struct runtime *rt)
{
    size_t i, e;

    head(out, "sctunnel_connections_opened_total", "counter",
         "Connections accepted, those then refused included.");
    for (i = 0; i < nservices; i++)
        evbuffer_add_printf(out, "sctunnel_connections_opened_total{service=\"%s\"} %llu\n",
                            rt->svc[i].name, (unsigned long long)SUM(i, opened));
    head(out, "sctunnel_connections_ended_total", "counter",
         "Connections ended, by how they ended.");
    for (i = 0; i < nservices; i++)
        for (e = 0; e < METRICS_END_COUNT; e++)
            evbuffer_add_printf(
                out, "sctunnel_connections_ended_total{service=\"%s\",reason=\"%s\"} %llu\n",
                rt->svc[i].name, end_names[e],
                (unsigned long long)sum(i, offsetof(struct msvc, ended) + e * sizeof(counter)));
    head(out, "sctunnel_connections_active", "gauge", "Connections open now.");
    for (i = 0; i < nservices; i++)
        evbuffer_add_printf(out, "sctunnel_connections_active{service=\"%s\"} %u\n",
                            rt->svc[i].name, atomic_load(&rt->svc[i].live));
    head(out, "sctunnel_bytes_total", "counter",
         "Plaintext bytes relayed: sent to the SC1 peer, received from it.");
    for (i = 0; i < nservices; i++) {
        evbuffer_add_printf(out, "sctunnel_bytes_total{service=\"%s\",direction=\"sent\"} %llu\n",
                            rt->svc[i].name, (unsigned long long)SUM(i, sent));
        evbuffer_add_printf(out,
                            "sctunnel_bytes_total{service=\"%s\",direction=\"received\"} %llu\n",
                            rt->svc[i].name, (unsigned long long)SUM(i, received));
    }
}

static void render_alerts(struct evbuffer *out, const struct runtime *rt)
{
    static const char *const dirs[] = { "sent", "received" };
    size_t i, off;
    int d, a;

    head(out, "sctunnel_handshake_failures_total", "counter",
         "Failed SC1 handshakes, by the alert and the side that sent it.");
    for (i = 0; i < nservices; i++) {
        for (d = 0; d < 2; d++) {
            uint64_t unknown = 0;

            for (a = 0; a < 256; a++) {
                const char *name = sc_alert_name(a);
                uint64_t n;

                off =
                    offsetof(struct msvc, alerts) + ((size_t)d * 256 + (size_t)a) * sizeof(counter);
                if ((n = sum(i, off)) == 0)
                    continue;
                /* Codes outside the table share one row. */
                if (strcmp(name, "unknown") == 0) {
                    unknown += n;
                    continue;
                }
                evbuffer_add_printf(out,
                                    "sctunnel_handshake_failures_total{service=\"%s\","
                                    "alert=\"%s\",direction=\"%s\"} %llu\n",
                                    rt->svc[i].name, name, dirs[d], (unsigned long long)n);
            }
            if (unknown > 0)
                evbuffer_add_printf(out,
                                    "sctunnel_handshake_failures_total{service=\"%s\","
                                    "alert=\"unknown\",direction=\"%s\"} %llu\n",
                                    rt->svc[i].name, dirs[d], (unsigned long long)unknown);
        }
        evbuffer_add_printf(out,
                            "sctunnel_handshake_failures_total{service=\"%s\",alert=\"none\","
                            "direction=\"none\"} %llu\n",
                            rt->svc[i].name, (unsigned long long)SUM(i, no_alert));
    }
}

static void render_handshakes(struct evbuffer *out, const struct runtime *rt)
{
    size_t i, b;

    head(out, "sctunnel_handshake_duration_seconds", "histogram",
         "Time from accepting or connecting to a completed SC1 handshake.");
    for (i = 0; i < nservices; i++) {
        uint64_t cum = 0;

        for (b = 0; b <= HS_NBOUNDS; b++) {
            cum += sum(i, offsetof(struct msvc, hs_bucket) + b * sizeof(counter));
            if (b < HS_NBOUNDS)
                evbuffer_add_printf(out,
                                    "sctunnel_handshake_duration_seconds_bucket{service=\"%s\","
                                    "le=\"%g\"} %llu\n",
                                    rt->svc[i].name, (double)hs_bounds[b] / 1e6,
                                    (unsigned long long)cum);
        }
        evbuffer_add_printf(out,
                            "sctunnel_handshake_duration_seconds_bucket{service=\"%s\","
                            "le=\"+Inf\"} %llu\n",
                            rt->svc[i].name, (unsigned long long)cum);
        evbuffer_add_printf(out, "sctunnel_handshake_duration_seconds_sum{service=\"%s\"} %.6f\n",
                            rt->svc[i].name, (double)SUM(i, hs_usec) / 1e6);
        evbuffer_add_printf(out, "sctunnel_handshake_duration_seconds_count{service=\"%s\"} %llu\n",
                            rt->svc[i].name, (unsigned long long)cum);
    }
}

static void render_services(struct evbuffer *out, const struct runtime *rt)
{
    size_t i;
    int pools = 0;

    head(out, "sctunnel_certificate_expiry_timestamp_seconds", "gauge",
         "When a service's own certificate, and the first of its CA certificates, expire "
         "(Unix time).");
    for (i = 0; i < nservices; i++) {
        long long cert = atomic_load(&glob[i].cert_expiry), ca = atomic_load(&glob[i].ca_expiry);

        if (cert != 0)
            evbuffer_add_printf(out,
                                "sctunnel_certificate_expiry_timestamp_seconds{service=\"%s\","
                                "certificate=\"cert\"} %lld\n",
                                rt->svc[i].name, cert);
        if (ca != 0)
            evbuffer_add_printf(out,
                                "sctunnel_certificate_expiry_timestamp_seconds{service=\"%s\","
                                "certificate=\"ca\"} %lld\n",
                                rt->svc[i].name, ca);
        pools |= atomic_load(&glob[i].has_pool);
    }
    if (!pools)
        return;
    head(out, "sctunnel_pool_ready_sessions", "gauge",
         "Handshaken sessions waiting in a service's pool.");
    for (i = 0; i < nservices; i++) {
        unsigned n = 0, k;

        if (!atomic_load(&glob[i].has_pool))
            continue;
        for (k = 0; k < nshards; k++)
            n += atomic_load_explicit(&shards[k].svc[i].pool_ready, memory_order_relaxed);
        evbuffer_add_printf(out, "sctunnel_pool_ready_sessions{service=\"%s\"} %u\n",
                            rt->svc[i].name, n);
    }
}

int metrics_render(struct evbuffer *out, const struct runtime *rt)
{
    if (shards == NULL || rt->nsvc != nservices)
        return -1;
    render_build(out);
    render_connections(out, rt);
    render_alerts(out, rt);
    render_handshakes(out, rt);
    render_services(out, rt);
    return 0;
}
