/* The option table: adding an option is adding a row (and a field). */
#include "options.h"

#include <stddef.h>
#include <string.h>

#include "conf.h"

const char *const opt_mode_choices[] = { "server", "client", NULL };
const char *const opt_verify_choices[] = { "required", "optional", "none", NULL };
const char *const opt_level_choices[] = { "error", "warning", "notice", "info", "debug", NULL };
const char *const opt_transport_choices[] = { "tcp", "websocket", NULL };
const char *const opt_proxy_protocol_choices[] = { "none", "v1", "v2", NULL };

#define G(field) OPT_GLOBAL, offsetof(struct global_cfg, field)
#define S(field) OPT_SERVICE, offsetof(struct svc_cfg, field)

const struct opt_row opt_table[] = {
    /* Global options. */
    { "foreground", OPT_BOOL, G(foreground), "no", NULL, "yes|no",
      "stay in the foreground (the -f flag)" },
    { "pid", OPT_STR, G(pid), NULL, NULL, "FILE", "write the process id to FILE" },
    { "log", OPT_STR, G(log), "stderr", NULL, "stderr|syslog|FILE", "where log lines go" },
    { "log_level", OPT_ENUM, G(log_level), "notice", opt_level_choices,
      "error|warning|notice|info|debug", "least severe level logged" },
    { "workers", OPT_UINT, G(workers), "0", NULL, "N",
      "event loops sharing the listeners (0: one per core)" },
    { "user", OPT_STR, G(user), NULL, NULL, "NAME", "user to switch to after binding" },
    { "group", OPT_STR, G(group), NULL, NULL, "NAME", "group to switch to after binding" },
    { "chroot", OPT_STR, G(chroot), NULL, NULL, "DIR", "directory to chroot into after binding" },
    { "providers", OPT_STR, G(providers), NULL, NULL, "NAME,...",
      "OpenSSL providers to load (default: the default provider)" },
    { "propquery", OPT_STR, G(propquery), NULL, NULL, "QUERY",
      "OpenSSL property query for every algorithm fetch" },
    { "shutdown_timeout", OPT_MSEC, G(shutdown_timeout), "30s", NULL, "TIME",
      "on SIGTERM, how long live connections may finish" },
    { "metrics", OPT_ADDR, G(metrics), NULL, NULL, "ADDR",
      "serve /metrics (Prometheus) and /healthz over HTTP on ADDR" },
    { "allow_public_metrics", OPT_BOOL, G(allow_public_metrics), "no", NULL, "yes|no",
      "allow a metrics address that is not loopback/Unix" },
    { "reload_interval", OPT_MSEC, G(reload_interval), "0", NULL, "TIME",
      "reload when a credential file's content changes, checked this often (0: never)" },

    /* Service options. */
    { "mode", OPT_ENUM, S(mode), NULL, opt_mode_choices, "server|client",
      "server: SC1 in, plaintext out; client: plaintext in, SC1 out" },
    { "accept", OPT_ADDR, S(accept), NULL, NULL, "ADDR", "address to listen on" },
    { "connect", OPT_ADDRV, S(connect), NULL, NULL, "ADDR",
      "address to connect to; repeat for failover, tried in order" },
    { "connect_via", OPT_STR, S(connect_via), NULL, NULL, "URL",
      "client: reach connect through this proxy: http://[user:password@]host:port "
      "(CONNECT) or socks5://[user:password@]host:port" },
    { "connect_via_auth", OPT_STR, S(connect_via_auth), NULL, NULL, "FILE",
      "client: proxy credentials, one line user:password (mode 0600 or stricter)" },
    { "cert", OPT_STR, S(cert), NULL, NULL, "FILE",
      "certificate chain, leaf first (PEM/DER or store URI; client: optional)" },
    { "key", OPT_STR, S(key), NULL, NULL, "FILE", "private key (PEM or DER, or a store URI)" },
    { "ca", OPT_STR, S(ca), NULL, NULL, "FILE|DIR",
      "trusted CA certificates: a file or a hashed directory" },
    { "crl", OPT_STR, S(crl), NULL, NULL, "FILE", "certificate revocation lists to check" },
    { "verify", OPT_ENUM, S(verify), "required", opt_verify_choices, "required|optional|none",
      "server: client certificate policy" },
    { "allow", OPT_STRV, S(allow), NULL, NULL, "CN:|DNS:|URI:|IP:PATTERN",
      "server: client identity admitted; repeatable (none: any)" },
    { "server_name", OPT_STR, S(server_name), NULL, NULL, "NAME",
      "client: name the server certificate must carry" },
    { "ciphers", OPT_STR, S(ciphers), NULL, NULL, "LIST",
      "cipher suites in preference order, ':'-separated" },
    { "groups", OPT_STR, S(groups), NULL, NULL, "LIST",
      "key exchange groups in preference order, ':'-separated" },
    { "connect_timeout", OPT_MSEC, S(connect_timeout), "10s", NULL, "TIME",
      "limit on establishing an outgoing TCP connection" },
    { "handshake_timeout", OPT_MSEC, S(handshake_timeout), "10s", NULL, "TIME",
      "limit on the SC1 handshake" },
    { "idle_timeout", OPT_MSEC, S(idle_timeout), "0", NULL, "TIME",
      "close a connection idle this long (0: never)" },
    { "max_connections", OPT_UINT, S(max_connections), "1000", NULL, "N",
      "live connections allowed (0: no limit)" },
    { "rekey_bytes", OPT_SIZE, S(rekey_bytes), "0", NULL, "SIZE",
      "key update after this much data (0: protocol maximum)" },
    { "rekey_seconds", OPT_MSEC, S(rekey_seconds), "0", NULL, "TIME",
      "key update this often (0: never)" },
    { "pool", OPT_UINT, S(pool), "0", NULL, "N",
      "client: sessions kept handshaken and ready for new connections (0: off)" },
    { "pool_max_age", OPT_MSEC, S(pool_max_age), "60s", NULL, "TIME",
      "client: a ready session older than this (+-10%) is replaced" },
    { "deferred_open", OPT_BOOL, S(deferred_open), "yes", NULL, "yes|no",
      "server: accept sessions made ahead of use (pooled by the client)" },
    { "unopened_timeout", OPT_MSEC, S(unopened_timeout), "5m", NULL, "TIME",
      "server: withdraw a session not opened within this (0: never)" },
    { "allow_public_plaintext", OPT_BOOL, S(allow_public_plaintext), "no", NULL, "yes|no",
      "allow a plaintext side that is not loopback/Unix" },
    { "transport", OPT_ENUM, S(transport), "tcp", opt_transport_choices, "tcp|websocket",
      "client: carry SC1 over plain TCP or inside WebSocket binary frames" },
    { "websocket", OPT_BOOL, S(websocket), "no", NULL, "yes|no",
      "server: also accept SC1 over WebSocket (an HTTP upgrade) on the same port" },
    { "ws_path", OPT_STR, S(ws_path), "/sc1", NULL, "PATH",
      "WebSocket: the HTTP path of the upgrade" },
    { "ws_host", OPT_STR, S(ws_host), NULL, NULL, "HOST",
      "client WebSocket: the Host field (default: the connect address)" },
    { "proxy_protocol", OPT_ENUM, S(proxy_protocol), "none", opt_proxy_protocol_choices,
      "none|v1|v2", "server: send a PROXY protocol header to the plaintext service first" },
    { "proxy_protocol_cert", OPT_BOOL, S(proxy_protocol_cert), "no", NULL, "yes|no",
      "server, proxy_protocol v2: add the client's certificate (DER) to the header" },
    { "accept_proxy", OPT_BOOL, S(accept_proxy), "no", NULL, "yes|no",
      "server: every connection starts with a PROXY v1/v2 header from a load balancer" },
};

const size_t opt_count = sizeof(opt_table) / sizeof(opt_table[0]);

static int same_name(const char *row, const char *name)
{
    for (; *row != '\0' && *name != '\0'; row++, name++) {
        char c = *name == '-' ? '_' : *name;

        if (c != *row)
            return 0;
    }
    return *row == '\0' && *name == '\0';
}

const struct opt_row *options_find(const char *name)
{
    size_t i;

    for (i = 0; i < opt_count; i++)
        if (same_name(opt_table[i].name, name))
            return &opt_table[i];
    return NULL;
}

size_t options_index(const struct opt_row *row)
{
    return (size_t)(row - opt_table);
}

void options_print_help(FILE *out)
{
    size_t i;
    char flag[96];

    for (i = 0; i < opt_count; i++) {
        const struct opt_row *r = &opt_table[i];
        size_t j;

        if (i == 0)
            fprintf(out, "\nGlobal options:\n");
        else if (r->scope != opt_table[i - 1].scope)
            fprintf(out, "\nService options:\n");
        snprintf(flag, sizeof(flag), "--%s %s", r->name, r->arg);
        for (j = 2; flag[j] != ' '; j++)
            if (flag[j] == '_')
                flag[j] = '-';
        fprintf(out, "  %-40s %s", flag, r->help);
        if (r->def != NULL)
            fprintf(out, " [%s]", r->def);
        fputc('\n', out);
    }
}
