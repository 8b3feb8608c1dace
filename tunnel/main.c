/*
 * sctunnel: puts a plaintext TCP service behind SC1 (server mode) and
 * forwards local ports over SC1 (client mode).
 *
 * Exit status: 0 success, 1 run-time failure (a socket could not be bound,
 * a --stdio connection ended in error), 2 configuration error (nothing was
 * started).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "cli.h"
#include "conf.h"
#include "link.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "monitor.h"
#include "service.h"
#include "stream.h"
#include "systemd.h"
#include "watch.h"
#include "worker.h"

struct app {
    struct cli cli;
    char *config_path;   /* absolute, for reloads after chdir */
    struct conf_ref *cr; /* the configuration in force */
    struct runtime rt;
    struct event_base *base; /* main thread: signals, metrics, timers */
    int level_bonus;         /* from -v */
    int metrics_fd;          /* listening, until the monitor takes it */
    char *metrics_unix;      /* its socket file, to remove at exit */
    struct watch *watch;     /* reload_interval: the files last seen */
};

static void publish_state(struct app *a, const char *state);

/* Files are opened without following a symbolic link in their last
 * component (O_NOFOLLOW), which then fails with ELOOP. */
static const char *open_error(int e)
{
    return e == ELOOP ? "a symbolic link; refused" : strerror(e);
}

/* libevent's own messages go to our log, as our lines, never raw to
 * standard error. */
static void libevent_log(int severity, const char *msg)
{
    int lvl;

    switch (severity) {
    case EVENT_LOG_DEBUG:
        lvl = LVL_DEBUG;
        break;
    case EVENT_LOG_MSG:
        lvl = LVL_INFO;
        break;
    case EVENT_LOG_WARN:
        lvl = LVL_WARNING;
        break;
    default:
        lvl = LVL_ERROR;
        break;
    }
    log_msg(lvl, "libevent: %s", msg);
}

static int effective_level(const struct app *a, int level)
{
    level += a->level_bonus;
    return level > LVL_DEBUG ? LVL_DEBUG : level;
}

/* Load and check the configuration the command line names. */
static int load_config(struct app *a, struct config *c, struct cfg_err *err)
{
    if (conf_init(c, a->config_path) != 0) {
        snprintf(err->msg, sizeof(err->msg), "sctunnel: out of memory");
        return -1;
    }
    if (conf_load_file(c, a->config_path, err) != 0 || conf_validate(c, err) != 0) {
        conf_free(c);
        return -1;
    }
    return 0;
}

/* The certificates' expiry, for the metrics, from the generations in force. */
static void publish_expiry(struct app *a)
{
    size_t i;

    for (i = 0; i < a->rt.nsvc; i++) {
        struct svc_gen *g = service_gen_get(&a->rt.svc[i]);

        metrics_set_expiry(i, g->cert_expiry, g->ca_expiry);
        service_gen_put(g);
    }
}

/* The new settings: 0, or -1 with err filled. */
static int do_reload(struct app *a, struct cfg_err *err)
{
    struct config c;
    struct conf_ref *cr;

    if (a->config_path == NULL)
        /* One-service form: reload the credentials of the same options. */
        return service_runtime_reload(&a->rt, a->cr, err);
    if (load_config(a, &c, err) != 0)
        return -1;
    if ((cr = service_conf_ref_new(&c)) == NULL) {
        conf_free(&c);
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return -1;
    }
    if (service_runtime_reload(&a->rt, cr, err) != 0) {
        service_conf_ref_put(cr);
        return -1;
    }
    log_set_level(effective_level(a, cr->conf.g.log_level));
    service_conf_ref_put(a->cr);
    a->cr = cr;
    return 0;
}

/*
 * SIGHUP, or a credential file changed (`why` says which): new settings
 * and credentials for new connections, all or nothing. One log line per
 * attempt, whatever its result.
 */
static void reload(struct app *a, const char *why)
{
    struct cfg_err err;
    struct watch *w;

    systemd_notify_reloading();
    if (why == NULL)
        log_notice("reloading");
    if (do_reload(a, &err) != 0) {
        if (why != NULL)
            log_error("reload failed, keeping the old settings: %s (after a change to %s)", err.msg,
                      why);
        else
            log_error("reload failed, keeping the old settings: %s", err.msg);
        metrics_reload(why != NULL, 0);
    } else {
        if (why != NULL)
            log_notice("reloaded (%s changed)", why);
        else
            log_notice("reloaded");
        metrics_reload(why != NULL, 1);
        publish_expiry(a);
        /* The files of the settings now in force, as they are now. */
        if (a->watch != NULL && (w = watch_new(&a->cr->conf)) != NULL) {
            watch_free(a->watch);
            a->watch = w;
        }
    }
    publish_state(a, "READY=1");
}

/* reload_interval: reload when a file's content is not what was last
 * seen. A file left broken is not tried again until it changes again. */
static void watch_cb(evutil_socket_t fd, short what, void *arg)
{
    struct app *a = arg;
    char changed[PATH_MAX + 64];

    if (a->watch == NULL || metrics_draining())
        return;
    if (watch_check(a->watch, changed, sizeof(changed)))
        reload(a, changed);
    else
        log_debug("credential files unchanged");
}

/* STATUS= for systemctl status, with a state (READY=1, STOPPING=1) or alone. */
static void publish_state(struct app *a, const char *state)
{
    unsigned live = 0;
    size_t i;

    for (i = 0; i < a->rt.nsvc; i++)
        live += atomic_load(&a->rt.svc[i].live);
    systemd_notify("%s%sSTATUS=%s %zu service(s), %u live connection(s)",
                   state != NULL ? state : "", state != NULL ? "\n" : "",
                   metrics_draining() ? "Draining:" : "Serving", a->rt.nsvc, live);
}

/* WatchdogSec: ping at half the interval, with the current status. */
static void watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
    publish_state(arg, "WATCHDOG=1");
}

/* Every worker has ended: the main loop may end too. */
static void workers_done_cb(evutil_socket_t fd, short what, void *arg)
{
    struct app *a = arg;

    event_base_loopexit(a->base, NULL);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct app *a = arg;

    switch (sig) {
    case SIGHUP:
        reload(a, NULL);
        break;
    case SIGUSR1:
        if (log_reopen() != 0)
            log_error("cannot reopen the log: %s", open_error(errno));
        break;
    default:
        log_notice("signal %d: no new connections; live ones may finish", (int)sig);
        /* The loop keeps serving /healthz (503 now) until the workers end. */
        metrics_set_draining();
        publish_state(a, "STOPPING=1");
        worker_stop();
        break;
    }
}

static unsigned worker_count(const struct global_cfg *g)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (g->workers > 0)
        return g->workers;
    return n > 0 ? (unsigned)n : 1;
}

static int run_stdio(struct app *a)
{
    struct worker w;

    worker_init_local(&w, &a->rt, a->base);
    if (link_stdio(&w, &a->rt.svc[0], 0, 1) != 0)
        return 1;
    if (w.nconns > 0)
        event_base_dispatch(a->base);
    return w.last_failed ? 1 : 0;
}

/* Timers of the main loop: the watchdog and reload_interval. */
static int start_timers(struct app *a, struct event **timers)
{
    uint64_t wd = systemd_watchdog_usec();
    unsigned ms = a->cr->conf.g.reload_interval;
    struct timeval tv;

    if (wd > 0) {
        tv.tv_sec = (time_t)(wd / 2 / 1000000);
        tv.tv_usec = (suseconds_t)(wd / 2 % 1000000);
        if ((timers[0] = event_new(a->base, -1, EV_PERSIST, watchdog_cb, a)) == NULL
            || event_add(timers[0], &tv) != 0)
            return -1;
    }
    if (ms > 0) {
        tv.tv_sec = ms / 1000;
        tv.tv_usec = (ms % 1000) * 1000;
        if ((a->watch = watch_new(&a->cr->conf)) == NULL
            || (timers[1] = event_new(a->base, -1, EV_PERSIST, watch_cb, a)) == NULL
            || event_add(timers[1], &tv) != 0)
            return -1;
    }
    return 0;
}

static int run_services(struct app *a)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
    struct event *ev[4] = { NULL }, *done = NULL, *timers[2] = { NULL };
    const struct global_cfg *g = &a->cr->conf.g;
    struct monitor *mon = NULL;
    size_t i;
    int rc = 0;

    if (metrics_init(worker_count(g), a->rt.nsvc) != 0
        || (done = event_new(a->base, -1, 0, workers_done_cb, a)) == NULL
        || start_timers(a, timers) != 0) {
        log_error("out of memory");
        rc = 1;
        goto out;
    }
    publish_expiry(a);
    if (a->metrics_fd >= 0) {
        mon = monitor_start(a->base, a->metrics_fd, &a->rt);
        a->metrics_fd = -1;
        if (mon == NULL) {
            log_error("metrics: cannot serve HTTP");
            rc = 1;
            goto out;
        }
    }
    for (i = 0; i < 4; i++) {
        ev[i] = evsignal_new(a->base, sigs[i], signal_cb, a);
        if (ev[i] == NULL || evsignal_add(ev[i], NULL) != 0) {
            log_error("cannot handle signal %d", sigs[i]);
            rc = 1;
            goto out;
        }
    }
    if (worker_start(&a->rt, worker_count(g), g->shutdown_timeout, done) != 0) {
        rc = 1;
        goto out;
    }
    log_notice("started %u worker(s)", worker_count(g));
    /* Every service listens (its socket was bound before) and is served. */
    publish_state(a, "READY=1");
    event_base_dispatch(a->base);
    worker_join();
    log_notice("stopped");
out:
    for (i = 0; i < 4; i++)
        if (ev[i] != NULL)
            event_free(ev[i]);
    for (i = 0; i < 2; i++)
        if (timers[i] != NULL)
            event_free(timers[i]);
    if (done != NULL)
        event_free(done);
    monitor_free(mon);
    watch_free(a->watch);
    a->watch = NULL;
    metrics_free();
    return rc;
}

/* The metrics socket, bound with the services' (before privileges go). */
static int open_metrics(struct app *a, struct cfg_err *err)
{
    const struct global_cfg *g = &a->cr->conf.g;
    const struct addr *m = &g->metrics;
    unsigned line = g->lines[options_index(options_find("metrics"))];
    const char *sdname = addr_systemd_name(m);
    char why[256];

    if (sdname != NULL) {
        a->metrics_fd = systemd_listen_fd(sdname, why, sizeof(why));
        if (a->metrics_fd == -2 && a->cli.test)
            return 0;
        if (a->metrics_fd < 0) {
            a->metrics_fd = -1;
            conf_error(&a->cr->conf, line, err, "metrics %s: %s", m->text, why);
            return -1;
        }
    } else if ((a->metrics_fd = addr_listen(m)) < 0) {
        conf_error(&a->cr->conf, line, err, "metrics %s: %s", m->text, strerror(errno));
        return -1;
    } else if (addr_is_unix(m)) {
        a->metrics_unix = strdup(((const struct sockaddr_un *)&m->sa)->sun_path);
    }
    addr_format_local(a->metrics_fd, why, sizeof(why));
    log_notice("metrics on %s", why);
    return 0;
}

/* Bound, detached, logging, unprivileged: then serve. */
static int start(struct app *a)
{
    struct global_cfg *g = &a->cr->conf.g;
    struct cfg_err err;
    struct pidfile *pf = NULL;
    char perr[256];
    size_t i;
    int rc, foreground;

    if (service_runtime_init(&a->rt, g, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    rc = service_runtime_open(
        &a->rt, a->cr,
        a->cli.stdio ? SERVICE_NO_LISTEN : (a->cli.test ? SERVICE_CHECK : SERVICE_LISTEN), &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        service_runtime_close(&a->rt);
        return rc == -2 ? 1 : 2;
    }
    for (i = 0; i < a->rt.nsvc && !a->cli.stdio; i++)
        log_notice("[%s] %s listening on %s", a->rt.svc[i].name,
                   opt_mode_choices[a->rt.svc[i].gen->cfg->mode], a->rt.svc[i].bound);
    if (!a->cli.stdio && g->metrics.text != NULL && open_metrics(a, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        service_runtime_close(&a->rt);
        return 1;
    }
    if (a->cli.test) {
        fprintf(stderr, "sctunnel: configuration OK\n");
        rc = 0;
        goto out;
    }
    foreground = a->cli.foreground || g->foreground || a->cli.stdio
        || (a->config_path == NULL && !a->cli.daemon);
    /* The pid file and the log are opened while still attached, so that a
     * refusal reaches the terminal and the exit status. */
    if (g->pid != NULL && (pf = daemon_pidfile_open(g->pid, perr, sizeof(perr))) == NULL) {
        conf_error(&a->cr->conf, g->lines[options_index(options_find("pid"))], &err, "%s", perr);
        fprintf(stderr, "%s\n", err.msg);
        rc = 1;
        goto out;
    }
    if (log_open(!foreground && strcmp(g->log, "stderr") == 0 ? "syslog" : g->log) != 0) {
        conf_error(&a->cr->conf, g->lines[options_index(options_find("log"))], &err, "log %s: %s",
                   g->log, open_error(errno));
        fprintf(stderr, "%s\n", err.msg);
        rc = 1;
        goto out;
    }
    if (!foreground && daemon_detach() != 0) {
        log_error("cannot detach: %s", strerror(errno));
        rc = 1;
        goto out;
    }
    if (pf != NULL && daemon_pidfile_write(pf) != 0) {
        log_error("pid %s: %s", g->pid, strerror(errno));
        rc = 1;
        goto out;
    }
    if (g->user != NULL || g->group != NULL || g->chroot != NULL) {
        /* Unprivileged, we may not remove the pid file from its directory:
         * a process of ours keeps the right to, for that alone. */
        if (pf != NULL && daemon_pidfile_keep(pf) != 0) {
            log_error("pid %s: cannot fork the process that removes it: %s", g->pid,
                      strerror(errno));
            rc = 1;
            goto out;
        }
        if (daemon_drop_privileges(g->user, g->group, g->chroot, perr, sizeof(perr)) != 0) {
            log_error("%s", perr);
            rc = 1;
            goto out;
        }
    }
    if ((a->base = stream_base_new()) == NULL) {
        log_error("cannot create an event loop with edge-triggered events "
                  "(epoll)");
        rc = 1;
        goto out;
    }
    rc = a->cli.stdio ? run_stdio(a) : run_services(a);
    event_base_free(a->base);
out:
    if (a->metrics_fd >= 0)
        close(a->metrics_fd);
    a->metrics_fd = -1;
    if (a->metrics_unix != NULL)
        unlink(a->metrics_unix);
    free(a->metrics_unix);
    a->metrics_unix = NULL;
    service_runtime_close(&a->rt);
    /* Last: once the pid file is gone, so are the listening sockets. */
    daemon_pidfile_close(pf);
    return rc;
}

int main(int argc, char **argv)
{
    struct app a;
    struct config c;
    struct cfg_err err;
    char path[PATH_MAX];
    int rc;

    memset(&a, 0, sizeof(a));
    memset(&c, 0, sizeof(c));
    a.metrics_fd = -1;
    if (cli_parse(argc, argv, &a.cli, &c, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        conf_free(&c);
        return 2;
    }
    if (a.cli.help || a.cli.version) {
        if (a.cli.help)
            cli_usage(stdout);
        else
            printf("sctunnel %s\n", PACKAGE_VERSION);
        conf_free(&c);
        return 0;
    }
    a.level_bonus = a.cli.verbose;
    if (a.cli.config_file != NULL) {
        a.config_path = (char *)a.cli.config_file;
        if (load_config(&a, &c, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        /* Absolute, so that SIGHUP finds the file after chdir("/"). */
        if (realpath(a.cli.config_file, path) != NULL)
            a.config_path = path;
    } else if (conf_validate(&c, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        conf_free(&c);
        return 2;
    }
    log_set_level(effective_level(&a, c.g.log_level));
    if ((a.cr = service_conf_ref_new(&c)) == NULL) {
        conf_free(&c);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    event_set_log_callback(libevent_log);
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "sctunnel: libevent without thread support\n");
        service_conf_ref_put(a.cr);
        return 1;
    }
    rc = start(&a);
    service_conf_ref_put(a.cr);
    log_close();
    libevent_global_shutdown();
    return rc;
}
