/*
 * Reading the vectors' JSON with jansson: typed field access that fails
 * with the field's name in the error, strict hex decoding (even length, hex
 * digits only), the code and time notations the vectors use, and loading a
 * file's top-level object.
 */
#include "vec_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vec_read_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

char *vec_read_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static char *join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vec_read_hexdec(const char *s, vec_bytes *out)
{
    size_t len = strlen(s), i;

    out->p = NULL;
    out->n = 0;
    if (len % 2 != 0)
        return -1;
    /* malloc(0) may return NULL: always keep one byte so p is usable. */
    out->p = malloc(len / 2 + 1);
    if (out->p == NULL)
        return -1;
    for (i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            free(out->p);
            out->p = NULL;
            return -1;
        }
        out->p[i] = (uint8_t)(hi << 4 | lo);
    }
    out->n = len / 2;
    return 0;
}

void vec_read_bytes_free(vec_bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

/* ---- typed field access, each failing with the field's name in err. */

json_t *vec_read_field(json_t *obj, const char *key, json_type type,
                       const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_typeof(v) != type) {
        vec_read_err(err, errlen,
                     "%s: field '%s' missing or of the wrong type", where,
                     key);
        return NULL;
    }
    return v;
}

int vec_read_str(json_t *obj, const char *key, char **out, int nullable,
                 const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (nullable && (v == NULL || json_is_null(v)))
        return 0;
    if (v == NULL || !json_is_string(v)) {
        vec_read_err(err, errlen, "%s: field '%s' missing or not a string",
                     where, key);
        return -1;
    }
    *out = vec_read_strdup(json_string_value(v));
    if (*out == NULL) {
        vec_read_err(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int vec_read_hex(json_t *obj, const char *key, vec_bytes *out,
                 const char *where, char *err, size_t errlen)
{
    json_t *v = vec_read_field(obj, key, JSON_STRING, where, err, errlen);

    if (v == NULL)
        return -1;
    if (vec_read_hexdec(json_string_value(v), out) != 0) {
        vec_read_err(err, errlen, "%s: field '%s' is not valid hex", where,
                     key);
        return -1;
    }
    return 0;
}

int vec_read_int(json_t *obj, const char *key, long *out, int nullable,
                 const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    if (nullable && (v == NULL || json_is_null(v))) {
        *out = -1;
        return 0;
    }
    if (v == NULL || !json_is_integer(v)) {
        vec_read_err(err, errlen, "%s: field '%s' missing or not an integer",
                     where, key);
        return -1;
    }
    *out = (long)json_integer_value(v);
    return 0;
}

int vec_read_dir(json_t *obj, int *c2s, const char *where,
                 char *err, size_t errlen)
{
    json_t *v = vec_read_field(obj, "dir", JSON_STRING, where, err, errlen);
    const char *s;

    if (v == NULL)
        v = vec_read_field(obj, "direction", JSON_STRING, where, err, errlen);
    if (v == NULL)
        return -1;
    s = json_string_value(v);
    if (strcmp(s, "c2s") == 0)
        *c2s = 1;
    else if (strcmp(s, "s2c") == 0)
        *c2s = 0;
    else {
        vec_read_err(err, errlen, "%s: direction '%s' is neither c2s nor s2c",
                     where, s);
        return -1;
    }
    return 0;
}

/* "0x001e" -> 0x001e */
int vec_read_code(const char *s, uint16_t *out)
{
    char *end;
    unsigned long v;

    if (strncmp(s, "0x", 2) != 0 && strncmp(s, "0X", 2) != 0)
        return -1;
    v = strtoul(s + 2, &end, 16);
    if (end == s + 2 || *end != '\0' || v > 0xffff)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

int vec_read_codes(json_t *obj, const char *key, uint16_t *codes,
                   size_t *n, const char *where, char *err, size_t errlen)
{
    json_t *arr = vec_read_field(obj, key, JSON_ARRAY, where, err, errlen);
    json_t *v;
    size_t i;

    if (arr == NULL)
        return -1;
    if (json_array_size(arr) > VEC_MAX_CODES) {
        vec_read_err(err, errlen, "%s: '%s' has too many entries", where,
                     key);
        return -1;
    }
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v) || vec_read_code(json_string_value(v),
                                                &codes[i]) != 0) {
            vec_read_err(err, errlen,
                         "%s: '%s'[%zu] is not a code like 0x0001", where,
                         key, i);
            return -1;
        }
    }
    *n = json_array_size(arr);
    return 0;
}

/* Unix time of "YYYY-MM-DDTHH:MM:SSZ", without relying on timegm(). */
int vec_read_utc(const char *s, time_t *out)
{
    int y, mo, d, h, mi, se;
    char z;
    long long days;
    int yy, era, yoe, doy, doe, mp;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se,
               &z) != 7 || z != 'Z')
        return -1;
    /* days_from_civil (H. Hinnant), proleptic Gregorian. */
    yy = mo <= 2 ? y - 1 : y;
    era = (yy >= 0 ? yy : yy - 399) / 400;
    yoe = yy - era * 400;
    mp = (mo + 9) % 12;
    doy = (153 * mp + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = (long long)era * 146097 + doe - 719468;
    *out = (time_t)(days * 86400 + h * 3600 + mi * 60 + se);
    return 0;
}

json_t *vec_read_root(const char *dir, const char *file, char *err,
                      size_t errlen)
{
    char *path = join_path(dir, file);
    json_error_t je;
    json_t *root;

    if (path == NULL)
        return NULL;
    root = json_load_file(path, 0, &je);
    if (root == NULL)
        vec_read_err(err, errlen, "%s: line %d: %s", file, je.line, je.text);
    else if (!json_is_object(root)) {
        vec_read_err(err, errlen, "%s: not a JSON object", file);
        json_decref(root);
        root = NULL;
    }
    free(path);
    return root;
}
