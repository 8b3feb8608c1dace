/*
 * echod: a plaintext echo service for the tunnel demo and tests.
 *
 *   echod [-r] [-c N] [-g TEXT] ADDR
 *
 * Default: answers each line with "echo: " and the line. -r: echoes bytes
 * unchanged. -c N: resets the connection (RST) after echoing N bytes.
 * -g TEXT: speaks first, sending TEXT and a newline on accepting (like an
 * SMTP or FTP banner).
 * ADDR is host:port (port 0 picks one) or unix:/path. Prints
 * "echod listening on ADDR" once ready. When a client ends its sending
 * side, echod finishes its reply and then ends its own (half-close).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int raw_mode;
static long reset_after = -1;
static const char *greeting;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg;
    char buf[65536], line[70000];
    size_t linelen = 0;
    long total = 0;
    ssize_t n;

    if (greeting != NULL &&
        (write_all(fd, greeting, strlen(greeting)) != 0 ||
         write_all(fd, "\n", 1) != 0)) {
        close(fd);
        return NULL;
    }
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (raw_mode) {
            if (reset_after >= 0 && total + n >= reset_after) {
                struct linger lg = { 1, 0 };

                write_all(fd, buf, (size_t)(reset_after - total));
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                close(fd);
                return NULL;
            }
            total += n;
            if (write_all(fd, buf, (size_t)n) != 0)
                break;
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (linelen < sizeof(line) - 1)
                line[linelen++] = buf[i];
            if (buf[i] == '\n') {
                if (write_all(fd, "echo: ", 6) != 0 ||
                    write_all(fd, line, linelen) != 0)
                    goto out;
                linelen = 0;
            }
        }
    }
    if (n == 0 && linelen > 0 && !raw_mode) {
        write_all(fd, "echo: ", 6);
        write_all(fd, line, linelen);
    }
out:
    shutdown(fd, SHUT_WR);
    /* Wait for the peer's end before closing, so no reset is sent. */
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    close(fd);
    return NULL;
}

static int listen_on(const char *addr)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char host[256], name[300];
    const char *port;
    int fd, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;

        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof(un->sun_path), "%s", addr + 5);
        unlink(un->sun_path);
        len = sizeof(*un);
        snprintf(name, sizeof(name), "%s", addr);
    } else {
        struct addrinfo hints, *res;
        const char *h = addr;
        size_t hl;

        port = strrchr(addr, ':');
        if (port == NULL)
            return -1;
        if (*h == '[') {
            h++;
            hl = (size_t)(port - h - 1);
        } else {
            hl = (size_t)(port - h);
        }
        snprintf(host, sizeof(host), "%.*s", (int)hl, h);
        memset(&hints, 0, sizeof(hints));
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host, port + 1, &hints, &res) != 0)
            return -1;
        memcpy(&ss, res->ai_addr, res->ai_addrlen);
        len = res->ai_addrlen;
        freeaddrinfo(res);
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0)
        return -1;
    if (ss.ss_family != AF_UNIX) {
        char ip[INET6_ADDRSTRLEN];

        len = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &len);
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

            inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
            snprintf(name, sizeof(name), "[%s]:%u", ip, ntohs(in6->sin6_port));
        } else {
            struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

            inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
            snprintf(name, sizeof(name), "%s:%u", ip, ntohs(in4->sin_port));
        }
    }
    printf("echod listening on %s\n", name);
    fflush(stdout);
    return fd;
}

int main(int argc, char **argv)
{
    int opt, lfd, fd;

    while ((opt = getopt(argc, argv, "rc:g:")) != -1) {
        if (opt == 'g') {
            greeting = optarg;
        } else if (opt == 'r') {
            raw_mode = 1;
        } else if (opt == 'c') {
            raw_mode = 1;
            reset_after = atol(optarg);
        } else {
            fprintf(stderr, "usage: echod [-r] [-c N] [-g TEXT] ADDR\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: echod [-r] [-c N] [-g TEXT] ADDR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((lfd = listen_on(argv[optind])) < 0) {
        perror("echod: listen");
        return 1;
    }
    for (;;) {
        pthread_t t;

        if ((fd = accept(lfd, NULL, NULL)) < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("echod: accept");
            return 1;
        }
        if (pthread_create(&t, NULL, serve, (void *)(long)fd) != 0) {
            close(fd);
            continue;
        }
        pthread_detach(t);
    }
}
