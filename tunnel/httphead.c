/* httphead_*: bounded parsing of an HTTP/1.1 message head (httphead.h). */
#include "httphead.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* RFC 9110 token characters (field names, methods). */
static int is_tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* Where the head ends (after CRLF CRLF), 0 if not within len. */
static size_t head_end(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++)
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return i + 4;
    return 0;
}

static int parse_version(const char *v, int *minor)
{
    if (strncmp(v, "HTTP/1.", 7) != 0 || v[7] < '0' || v[7] > '9' || v[8] != '\0')
        return -1;
    *minor = v[7] - '0';
    return 0;
}

static int start_line(struct httphead *h, char *line, int want_request, char *err, size_t errlen)
{
    char *sp1 = strchr(line, ' '), *sp2;

    if (sp1 == NULL)
        return FAIL("HTTP start line without a space");
    *sp1 = '\0';
    sp2 = strchr(sp1 + 1, ' ');
    if (want_request) {
        if (sp2 == NULL)
            return FAIL("HTTP request line is not METHOD TARGET VERSION");
        *sp2 = '\0';
        for (const char *m = line; *m; m++)
            if (!is_tchar((unsigned char)*m))
                return FAIL("HTTP method holds a bad character");
        if (line[0] == '\0' || sp1[1] == '\0' || strchr(sp1 + 1, ' ') != NULL)
            return FAIL("HTTP request line is not METHOD TARGET VERSION");
        if (parse_version(sp2 + 1, &h->minor) != 0)
            return FAIL("not an HTTP/1.x request");
        h->method = line;
        h->target = sp1 + 1;
        return 0;
    }
    if (parse_version(line, &h->minor) != 0)
        return FAIL("not an HTTP/1.x answer");
    if (sp2 != NULL)
        *sp2 = '\0';
    if (strlen(sp1 + 1) != 3 || sp1[1] < '1' || sp1[1] > '5' || sp1[2] < '0' || sp1[2] > '9'
        || sp1[3] < '0' || sp1[3] > '9')
        return FAIL("HTTP status is not three digits");
    h->status = (sp1[1] - '0') * 100 + (sp1[2] - '0') * 10 + (sp1[3] - '0');
    h->reason = sp2 != NULL ? sp2 + 1 : "";
    return 0;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static int field_line(struct httphead *h, char *line, char *err, size_t errlen)
{
    char *colon = strchr(line, ':');

    if (line[0] == ' ' || line[0] == '\t')
        return FAIL("HTTP header continuation lines are not accepted");
    if (colon == NULL || colon == line)
        return FAIL("HTTP header line without a name");
    *colon = '\0';
    for (const char *n = line; *n; n++)
        if (!is_tchar((unsigned char)*n))
            return FAIL("HTTP header name holds a bad character");
    if (h->nfields == HTTPHEAD_FIELDS)
        return FAIL("more than %d HTTP header fields", HTTPHEAD_FIELDS);
    h->field[h->nfields].name = line;
    h->field[h->nfields].value = trim(colon + 1);
    h->nfields++;
    return 0;
}

int httphead_parse(struct httphead *h, const uint8_t *p, size_t len, int want_request, size_t *used,
                   char *err, size_t errlen)
{
    size_t end = head_end(p, len < HTTPHEAD_MAX ? len : HTTPHEAD_MAX);
    char *line, *next;

    *used = 0;
    if (end == 0)
        return len < HTTPHEAD_MAX ? 0 : FAIL("HTTP head longer than %d bytes", HTTPHEAD_MAX);
    memset(h, 0, sizeof(*h));
    memcpy(h->buf, p, end);
    h->buf[end] = '\0';
    /* Only visible ASCII, tabs and CRLF: no NUL or bare CR/LF tricks. */
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)h->buf[i];

        if (c == '\r'       ? h->buf[i + 1] != '\n'
                : c == '\n' ? i == 0 || h->buf[i - 1] != '\r'
                            : (c < 0x20 && c != '\t') || c == 0x7f)
            return FAIL("HTTP head holds byte 0x%02x out of place", c);
    }
    line = h->buf;
    next = strstr(line, "\r\n");
    *next = '\0';
    if (start_line(h, line, want_request, err, errlen) != 0)
        return -1;
    for (line = next + 2; *line != '\r'; line = next + 2) {
        next = strstr(line, "\r\n");
        *next = '\0';
        if (field_line(h, line, err, errlen) != 0)
            return -1;
    }
    *used = end;
    return 1;
}

const char *httphead_get(const struct httphead *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (strcasecmp(h->field[i].name, name) == 0)
            return h->field[i].value;
    return NULL;
}

int httphead_has_token(const struct httphead *h, const char *name, const char *token)
{
    size_t tl = strlen(token);

    for (size_t i = 0; i < h->nfields; i++) {
        const char *v = h->field[i].value;

        if (strcasecmp(h->field[i].name, name) != 0)
            continue;
        while (*v) {
            size_t n;

            while (*v == ' ' || *v == '\t' || *v == ',')
                v++;
            n = strcspn(v, ",");
            while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            if (n == tl && strncasecmp(v, token, tl) == 0)
                return 1;
            v += strcspn(v, ",");
        }
    }
    return 0;
}
