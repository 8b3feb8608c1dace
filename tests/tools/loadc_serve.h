/*
 * loadc serve: the load target (an echo service, or a sink that never
 * reads).
 */
#ifndef LOADC_SERVE_H
#define LOADC_SERVE_H

#include "loadc.h"

/* Serves until SIGTERM or the time limit; returns the exit status. */
int loadc_serve_run(const struct loadc_opts *o);

#endif
