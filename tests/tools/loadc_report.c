/*
 * The last line of a loadc client mode, "loadc MODE: key=value ...", and
 * the mode's exit status, from how its connections ended.
 */
#include "loadc_report.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const result_names[] = {
    "pending", "ok", "refused", "reset", "closed", "mismatch", "short",
    "long", "unbounded", "timeout",
};

unsigned loadc_report_count(const struct loadc_run *r,
                            enum loadc_result res)
{
    unsigned i, k = 0;

    for (i = 0; i < r->o->n; i++)
        k += r->c[i].res == res;
    return k;
}

static void report_slowloris(const struct loadc_run *r)
{
    unsigned refused = loadc_report_count(r, END_REFUSED);
    double first = -1, last = -1;
    unsigned i, closed = 0;

    for (i = 0; i < r->o->n; i++) {
        const struct loadc_conn *c = &r->c[i];
        double d = c->t_end - c->t_open;

        if (c->res != END_EOF && c->res != END_RESET)
            continue;
        closed++;
        if (first < 0 || d < first)
            first = d;
        if (d > last)
            last = d;
    }
    printf("loadc slowloris: n=%u closed=%u open=%u refused=%u "
           "first_close=%.2fs last_close=%.2fs\n", r->o->n, closed,
           r->o->n - closed - refused, refused,
           first < 0 ? 0 : first, last < 0 ? 0 : last);
}

/* Transfer: the first failures on stderr, then the totals. */
static void report_transfer(const struct loadc_run *r, unsigned ok)
{
    const struct loadc_opts *o = r->o;
    uint64_t sent = 0, recvd = 0;
    unsigned i, shown = 0;

    for (i = 0; i < o->n; i++) {
        const struct loadc_conn *c = &r->c[i];

        sent += c->sent;
        recvd += c->recvd;
        if (c->res != END_OK && shown++ < 10)
            fprintf(stderr, "loadc: connection %u: %s after %" PRIu64
                    " sent, %" PRIu64 " received\n", i,
                    result_names[c->res], c->sent, c->recvd);
    }
    printf("loadc transfer: n=%u ok=%u failed=%u sent=%" PRIu64
           " received=%" PRIu64 " peak_open=%u seconds=%.1f\n", o->n,
           ok, o->n - ok, sent, recvd, r->peak, loadc_now() - r->start);
}

int loadc_report_end(const struct loadc_run *r, int said)
{
    const struct loadc_opts *o = r->o;
    unsigned ok = loadc_report_count(r, END_OK);
    unsigned refused = loadc_report_count(r, END_REFUSED);
    unsigned eof = loadc_report_count(r, END_EOF);
    unsigned reset = loadc_report_count(r, END_RESET);
    unsigned mismatch = loadc_report_count(r, END_MISMATCH);
    unsigned unbounded = loadc_report_count(r, END_UNBOUNDED);
    unsigned timeout = loadc_report_count(r, END_TIMEOUT);

    switch (o->mode) {
    case M_SLOWLORIS:
        report_slowloris(r);
        return eof + reset != o->n;
    case M_HOLD:
        printf("loadc hold: released n=%u held=%u refused=%u dropped=%u "
               "timeout=%u\n", o->n, ok, refused, eof + reset + mismatch,
               timeout);
        return eof + reset + mismatch + timeout != 0;
    case M_TRANSFER:
        report_transfer(r, ok);
        return ok != o->n;
    case M_NOREAD:
        printf("loadc noread: released n=%u unbounded=%u reset=%u "
               "timeout=%u\n", o->n, unbounded, reset, timeout);
        return !said || ok != o->n;
    case M_SERVE:
        break;
    }
    return 0;
}
