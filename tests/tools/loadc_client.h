/*
 * The client modes of loadc (slowloris, hold, transfer, noread).
 */
#ifndef LOADC_CLIENT_H
#define LOADC_CLIENT_H

#include <sys/socket.h>

#include "loadc.h"

/* One run of a client mode: its connections and where they stand. */
struct loadc_run {
    const struct loadc_opts *o;
    struct loadc_conn *c;
    struct sockaddr_storage ss;
    socklen_t sslen;
    unsigned next;          /* next connection to open */
    unsigned setting_up;    /* connecting or waiting for a first echo */
    unsigned open, peak;
    int go;                 /* transfer: every connection is set up */
    double start, last_progress;
};

/* Runs o->mode to its end; returns the exit status. */
int loadc_client_run(const struct loadc_opts *o);

#endif
