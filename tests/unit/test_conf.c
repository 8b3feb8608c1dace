/*
 * Unit tests of the tunnel configuration: the INI parser, the value
 * parsers, validation, and that every error names file:line.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tunnel/conf.h"
#include "tunnel/options.h"

static int failures;
static char dir[256];

#define CHECK(cond)                                                     \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                   \
            failures++;                                                 \
        }                                                               \
    } while (0)

static char *write_file(const char *name, const char *text)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(99);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

/* A service body whose files exist; the caller appends or replaces keys. */
#define GOOD_SERVICE                                                    \
    "mode = server\n"                                                  \
    "accept = 127.0.0.1:0\n"                                           \
    "connect = 127.0.0.1:6379\n"                                       \
    "cert = %1$s/pem\n"                                                \
    "key = %1$s/pem\n"                                                 \
    "ca = %1$s/pem\n"

/* Load text as a config file; return 0/-1 and leave the message in err. */
static int load(const char *text, struct config *c, struct cfg_err *err)
{
    char *path = write_file("t.conf", text);
    char *copy = strdup(path);
    int rc;

    if (conf_init(c, copy) != 0)
        exit(99);
    rc = conf_load_file(c, copy, err);
    if (rc == 0)
        rc = conf_validate(c, err);
    free(copy);
    return rc;
}

/* Expect the text to fail with a message containing ":LINE: " and `what`. */
static void expect_error(const char *text, unsigned line, const char *what)
{
    struct config c;
    struct cfg_err err;
    char want[32];

    memset(&err, 0, sizeof(err));
    if (line > 0)
        snprintf(want, sizeof(want), "t.conf:%u: ", line);
    else
        snprintf(want, sizeof(want), "t.conf: ");
    if (load(text, &c, &err) == 0) {
        fprintf(stderr, "accepted, expected error '%s':\n%s\n", what, text);
        failures++;
    } else if (strstr(err.msg, want) == NULL || strstr(err.msg, what) == NULL) {
        fprintf(stderr, "got '%s', expected '%s' and '%s'\n", err.msg, want,
                what);
        failures++;
    }
    conf_free(&c);
}

/* The good service without the line for `skip` (NULL: keep all), then
 * `extra` (which lands on line 7, or 8 when nothing is skipped). */
static char *service_without(const char *name, const char *skip,
                             const char *extra)
{
    static char buf[2048];
    char body[1024], *line;

    snprintf(body, sizeof(body), GOOD_SERVICE, dir);
    if (skip != NULL && (line = strstr(body, skip)) != NULL)
        memmove(line, strchr(line, '\n') + 1, strlen(strchr(line, '\n')));
    snprintf(buf, sizeof(buf), "[%s]\n%s%s", name, body, extra);
    return buf;
}

static char *service(const char *name, const char *extra)
{
    return service_without(name, NULL, extra);
}

static void test_good(void)
{
    struct config c;
    struct cfg_err err;
    char text[4096];
    const struct svc_cfg *s;

    snprintf(text, sizeof(text),
             "# comment\n; another\nlog_level = debug\nworkers = 3\n"
             "\n%s"
             "connect = [::1]:6380\nallow = CN:client.test\n"
             "allow = DNS:*.example.com\nidle_timeout = 2m\n"
             "rekey_bytes = 64M\nrekey_seconds = 500ms\n"
             "verify = optional\n",
             service("redis", ""));
    CHECK(load(text, &c, &err) == 0);
    if (c.nsvc != 1) {
        fprintf(stderr, "%s\n", err.msg);
        failures++;
        conf_free(&c);
        return;
    }
    s = &c.svc[0];
    CHECK(strcmp(s->name, "redis") == 0);
    CHECK(c.g.log_level == LVL_DEBUG);
    CHECK(c.g.workers == 3);
    CHECK(s->mode == MODE_SERVER);
    CHECK(s->connect.n == 2);
    CHECK(s->allow.n == 2);
    CHECK(s->idle_timeout == 120000);
    CHECK(s->rekey_bytes == 64u << 20);
    CHECK(s->rekey_seconds == 500);
    CHECK(s->verify == VERIFY_OPTIONAL);
    CHECK(s->handshake_timeout == 10000);    /* default */
    CHECK(s->max_connections == 1000);       /* default */
    CHECK(conf_svc_line(s, "allow") == 15);    /* the last one */
    conf_free(&c);
}

static void test_errors(void)
{
    char text[4096];

    expect_error("bogus = 1\n", 1, "unknown option 'bogus'");
    snprintf(text, sizeof(text), "%s%s", service("a", "frobnicate = yes\n"),
             "");
    expect_error(text, 8, "unknown option 'frobnicate'");
    expect_error(service("a", "connect = 127.0.0.1\n"), 8, "bad address");
    expect_error(service("a", "connect = [::1:80\n"), 8, "bad address");
    expect_error(service("a", "connect = 127.0.0.1:99999\n"), 8, "bad port");
    expect_error(service_without("a", "cert", "cert = /nonexistent/c.pem\n"),
                 7, "No such file");
    expect_error(service_without("a", "mode", "mode = sideways\n"), 7,
                 "bad value");
    expect_error(service("a", "idle_timeout = 5 parsecs\n"), 8, "bad value");
    expect_error(service("a", "max_connections = -1\n"), 8, "bad value");
    expect_error(service("a", "mode = client\n"), 8, "already set on line 2");
    expect_error(service("a", "log = stderr\n"), 8, "global option");
    expect_error(service("a", "server-name = x\n"), 8, "underscores");
    expect_error(service("a", "just words\n"), 8, "expected 'key = value'");
    expect_error(service("a", "[b\n"), 8, "bad section header");
    expect_error(service("a", "allow = EMAIL:x\n"), 8, "expected CN:");
    expect_error(service("a", "connect = 192.0.2.1:80\n"), 8,
                 "not loopback");
    expect_error("mode = server\n", 1, "service option");
    snprintf(text, sizeof(text), "%s[a]\n", service("a", ""));
    expect_error(text, 8, "already defined on line 1");
    /* A client without a server name: reported at its section header. */
    snprintf(text, sizeof(text), "\n%s",
             service("c", "accept = 127.0.0.2:0\n"));
    /* mode is set twice there; build a client by hand instead. */
    snprintf(text, sizeof(text),
             "\n[c]\nmode = client\naccept = 127.0.0.1:0\n"
             "connect = 192.0.2.1:443\ncert = %1$s/pem\nkey = %1$s/pem\n"
             "ca = %1$s/pem\n", dir);
    expect_error(text, 2, "server_name");
    snprintf(text, sizeof(text),
             "[c]\nmode = client\naccept = 0.0.0.0:0\nserver_name = s\n"
             "connect = 192.0.2.1:443\ncert = %1$s/pem\nkey = %1$s/pem\n"
             "ca = %1$s/pem\n", dir);
    expect_error(text, 3, "not loopback");
    snprintf(text, sizeof(text),
             "[c]\nmode = client\naccept = 127.0.0.1:0\nserver_name = s\n"
             "connect = 192.0.2.1:443\ncert = %1$s/pem\nkey = %1$s/pem\n"
             "ca = %1$s/pem\nverify = none\n", dir);
    expect_error(text, 9, "servers only");
    expect_error("[a]\nmode = server\n", 1, "missing 'connect'");
    expect_error("", 0, "no [service]");
}

static void test_public_plaintext_allowed(void)
{
    struct config c;
    struct cfg_err err;

    CHECK(load(service("a", "connect = 192.0.2.1:80\n"
                            "allow_public_plaintext = yes\n"),
               &c, &err) == 0);
    conf_free(&c);
}

static void test_values(void)
{
    unsigned ms;
    uint64_t sz;
    int b;

    CHECK(conf_parse_msec("10", &ms) == 0 && ms == 10000);
    CHECK(conf_parse_msec("250ms", &ms) == 0 && ms == 250);
    CHECK(conf_parse_msec("1h", &ms) == 0 && ms == 3600000);
    CHECK(conf_parse_msec("", &ms) != 0);
    CHECK(conf_parse_msec("-1", &ms) != 0);
    CHECK(conf_parse_msec("99999999999", &ms) != 0);
    CHECK(conf_parse_msec("5x", &ms) != 0);
    CHECK(conf_parse_size("1K", &sz) == 0 && sz == 1024);
    CHECK(conf_parse_size("3G", &sz) == 0 && sz == 3ull << 30);
    CHECK(conf_parse_size("99999999999999999999", &sz) != 0);
    CHECK(conf_parse_bool("Yes", &b) == 0 && b == 1);
    CHECK(conf_parse_bool("off", &b) == 0 && b == 0);
    CHECK(conf_parse_bool("maybe", &b) != 0);
}

static void test_addr(void)
{
    struct addr a;
    char err[256], out[ADDR_TEXT_MAX];

    CHECK(addr_parse(&a, "[::1]:443", err, sizeof(err)) == 0);
    CHECK(addr_is_local(&a));
    addr_format((struct sockaddr *)&a.sa, a.salen, out, sizeof(out));
    CHECK(strcmp(out, "[::1]:443") == 0);
    addr_clear(&a);
    CHECK(addr_parse(&a, "unix:/run/x.sock", err, sizeof(err)) == 0);
    CHECK(addr_is_unix(&a) && addr_is_local(&a));
    addr_clear(&a);
    CHECK(addr_parse(&a, "127.8.9.10:1", err, sizeof(err)) == 0);
    CHECK(addr_is_local(&a));
    addr_clear(&a);
    CHECK(addr_parse(&a, "*:80", err, sizeof(err)) == 0);
    CHECK(!addr_is_local(&a));
    addr_clear(&a);
    CHECK(addr_parse(&a, "::1:80", err, sizeof(err)) != 0);
    CHECK(addr_parse(&a, "unix:", err, sizeof(err)) != 0);
    CHECK(addr_parse(&a, ":80", err, sizeof(err)) != 0);
    CHECK(addr_parse(&a, "127.0.0.1:", err, sizeof(err)) != 0);
    CHECK(addr_parse(&a, "127.0.0.1:8x", err, sizeof(err)) != 0);
}

static void test_cli_set(void)
{
    struct config c;
    struct cfg_err err;
    struct svc_cfg *s;

    CHECK(conf_init(&c, NULL) == 0);
    s = conf_add_service(&c, "server", 0);
    CHECK(s != NULL);
    CHECK(conf_set(&c, s, "server-name", "x.test", 0, "--server-name",
                     &err) == 0);
    CHECK(conf_set(&c, s, "log-level", "info", 0, "--log-level", &err) == 0);
    CHECK(c.g.log_level == LVL_INFO);
    CHECK(conf_set(&c, s, "accept", "nohost", 0, "--accept", &err) != 0);
    CHECK(strstr(err.msg, "sctunnel: --accept: bad address") != NULL);
    CHECK(conf_set(&c, s, "nope", "1", 0, "--nope", &err) != 0);
    CHECK(strstr(err.msg, "unknown option") != NULL);
    conf_free(&c);
}

/* Every option is documented in the man pages. */
static void test_man_lists_options(void)
{
    const char *src = getenv("SC_SRCDIR");
    char path[1024], *text;
    size_t i, len;
    FILE *f;

    if (src == NULL)
        return;
    snprintf(path, sizeof(path), "%s/man/sctunnel.conf.5", src);
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "%s: missing\n", path);
        failures++;
        return;
    }
    text = calloc(1, 1 << 20);
    len = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    text[len] = '\0';
    for (i = 0; i < opt_count; i++) {
        char want[128];

        snprintf(want, sizeof(want), ".It Cm %s", opt_table[i].name);
        if (strstr(text, want) == NULL) {
            fprintf(stderr, "sctunnel.conf.5 lacks '%s'\n", want);
            failures++;
        }
    }
    free(text);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/test_conf.XXXXXX",
             tmp != NULL ? tmp : ".");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 99;
    }
    write_file("pem", "not checked here\n");
    test_values();
    test_addr();
    test_good();
    test_errors();
    test_public_plaintext_allowed();
    test_cli_set();
    test_man_lists_options();
    unlink(write_file("t.conf", ""));
    unlink(write_file("pem", ""));
    rmdir(dir);
    if (failures != 0)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
