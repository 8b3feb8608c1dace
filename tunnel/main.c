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
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "cli.h"
#include "conf.h"
#include "link.h"
#include "daemon.h"
#include "log.h"
#include "service.h"
#include "stream.h"
#include "worker.h"

struct app {
    struct cli cli;
    char *config_path;   /* absolute, for reloads after chdir */
    struct conf_ref *cr; /* the configuration in force */
    struct runtime rt;
    struct event_base *base; /* main thread: signals */
    int level_bonus;         /* from -v */
};

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

/* SIGHUP: new settings and credentials for new connections, all or nothing. */
static void reload(struct app *a)
{
    struct config c;
    struct cfg_err err;
    struct conf_ref *cr;

    log_notice("reloading");
    if (a->config_path == NULL) {
        /* One-service form: reload the credentials of the same options. */
        if (service_runtime_reload(&a->rt, a->cr, &err) != 0)
            log_error("reload failed, keeping the old settings: %s", err.msg);
        else
            log_notice("reloaded");
        return;
    }
    if (load_config(a, &c, &err) != 0) {
        log_error("reload failed, keeping the old settings: %s", err.msg);
        return;
    }
    if ((cr = service_conf_ref_new(&c)) == NULL) {
        conf_free(&c);
        log_error("reload failed: out of memory");
        return;
    }
    if (service_runtime_reload(&a->rt, cr, &err) != 0) {
        log_error("reload failed, keeping the old settings: %s", err.msg);
        service_conf_ref_put(cr);
        return;
    }
    log_set_level(effective_level(a, cr->conf.g.log_level));
    service_conf_ref_put(a->cr);
    a->cr = cr;
    log_notice("reloaded");
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct app *a = arg;

    switch (sig) {
    case SIGHUP:
        reload(a);
        break;
    case SIGUSR1:
        if (log_reopen() != 0)
            log_error("cannot reopen the log: %s", open_error(errno));
        break;
    default:
        log_notice("signal %d: no new connections; live ones may finish", (int)sig);
        worker_stop();
        event_base_loopexit(a->base, NULL);
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

static int run_services(struct app *a)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
    struct event *ev[4] = { NULL };
    const struct global_cfg *g = &a->cr->conf.g;
    size_t i;
    int rc = 0;

    for (i = 0; i < 4; i++) {
        ev[i] = evsignal_new(a->base, sigs[i], signal_cb, a);
        if (ev[i] == NULL || evsignal_add(ev[i], NULL) != 0) {
            log_error("cannot handle signal %d", sigs[i]);
            rc = 1;
            goto out;
        }
    }
    if (worker_start(&a->rt, worker_count(g), g->shutdown_timeout) != 0) {
        rc = 1;
        goto out;
    }
    log_notice("started %u worker(s)", worker_count(g));
    event_base_dispatch(a->base);
    worker_join();
    log_notice("stopped");
out:
    for (i = 0; i < 4; i++)
        if (ev[i] != NULL)
            event_free(ev[i]);
    return rc;
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
    rc = service_runtime_open(&a->rt, a->cr, !a->cli.stdio, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        service_runtime_close(&a->rt);
        return rc == -2 ? 1 : 2;
    }
    for (i = 0; i < a->rt.nsvc && !a->cli.stdio; i++)
        log_notice("[%s] %s listening on %s", a->rt.svc[i].name,
                   opt_mode_choices[a->rt.svc[i].gen->cfg->mode], a->rt.svc[i].bound);
    if (a->cli.test) {
        fprintf(stderr, "sctunnel: configuration OK\n");
        service_runtime_close(&a->rt);
        return 0;
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
