/*
 * loadc: the options and connections all its parts share, and the helpers
 * of loadc.c both sides use (clock, addresses, the epoll set, ending a
 * connection). loadc_pattern.c makes and checks the bytes a client sends,
 * loadc_client.c drives the client modes, loadc_report.c prints their
 * results and loadc_serve.c is the load target.
 */
#ifndef LOADC_H
#define LOADC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum loadc_mode { M_SLOWLORIS, M_HOLD, M_TRANSFER, M_NOREAD, M_SERVE };
enum loadc_state { S_IDLE, S_CONNECTING, S_SETUP, S_OPEN, S_DONE };
enum loadc_result { END_NONE, END_OK, END_REFUSED, END_RESET, END_EOF,
                    END_MISMATCH, END_SHORT, END_LONG, END_UNBOUNDED,
                    END_TIMEOUT };

/* A checksum of one direction (loadc_pattern_sum_add). */
struct loadc_sum {
    uint64_t h, w;
    unsigned k;         /* bytes in w */
};

struct loadc_conn {
    int fd;
    unsigned idx;
    enum loadc_state st;
    enum loadc_result res;
    uint64_t sent, recvd;
    struct loadc_sum sum_sent, sum_recvd;
    int wr_shut, blocked;
    double t_open, t_end;
    unsigned char *buf;             /* serve echo: bytes to send back */
    size_t blen;
    int peer_eof;
};

struct loadc_opts {
    enum loadc_mode mode;
    int echo;                       /* serve: echo (1) or sink (0) */
    unsigned n, pace;
    uint64_t size;
    unsigned interval_ms;
    double limit_s;
    const char *addr;
    const char *gate;               /* transfer: go once this file exists */
};

extern volatile sig_atomic_t loadc_stop;    /* SIGTERM or SIGINT came */
extern int loadc_ep;                        /* the epoll set */

/* Monotonic seconds. */
double loadc_now(void);

/* host:port or [v6addr]:port, numeric only; -1 if it is not one. */
int loadc_parse_addr(const char *text, struct sockaddr_storage *ss,
                     socklen_t *len);

/* epoll_ctl(op) of c's socket for events; exits when that fails. */
void loadc_watch(struct loadc_conn *c, int op, uint32_t events);

/* Ends c with r (END_OK keeps an earlier failure): closes its socket and
 * frees its buffer. */
void loadc_finish(struct loadc_conn *c, enum loadc_result r);

#endif
