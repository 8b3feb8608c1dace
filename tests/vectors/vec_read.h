/*
 * Reading the vectors' JSON: the helpers vec_json.c builds its loaders
 * from. Every getter takes `where` (the object being read, for the error
 * message) and fails with -1 (NULL for vec_read_field and vec_read_root)
 * and a message in err naming the field.
 */
#ifndef VEC_READ_H
#define VEC_READ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vec_json.h"

/* Formats into err; does nothing when err is NULL or errlen is 0. */
void vec_read_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* NULL when out of memory. */
char *vec_read_strdup(const char *s);

/* Strict hex: even length, hex digits only. out->p is never NULL on
 * success, even for "". */
int vec_read_hexdec(const char *s, vec_bytes *out);
void vec_read_bytes_free(vec_bytes *b);

/* obj[key], which must be present and of the given type. */
json_t *vec_read_field(json_t *obj, const char *key, json_type type,
                       const char *where, char *err, size_t errlen);

/* A string, copied. With nullable, absent or null gives *out = NULL. */
int vec_read_str(json_t *obj, const char *key, char **out, int nullable,
                 const char *where, char *err, size_t errlen);

/* A hex string, decoded. */
int vec_read_hex(json_t *obj, const char *key, vec_bytes *out,
                 const char *where, char *err, size_t errlen);

/* An integer. With nullable, absent or null gives *out = -1. */
int vec_read_int(json_t *obj, const char *key, long *out, int nullable,
                 const char *where, char *err, size_t errlen);

/* "dir" (or "direction"): 1 for "c2s", 0 for "s2c". */
int vec_read_dir(json_t *obj, int *c2s, const char *where,
                 char *err, size_t errlen);

/* "0x001e" -> 0x001e */
int vec_read_code(const char *s, uint16_t *out);

/* An array of codes, at most VEC_MAX_CODES. */
int vec_read_codes(json_t *obj, const char *key, uint16_t *codes,
                   size_t *n, const char *where, char *err, size_t errlen);

/* Unix time of "YYYY-MM-DDTHH:MM:SSZ". */
int vec_read_utc(const char *s, time_t *out);

/* The top-level object of dir/file (caller json_decref()s it). */
json_t *vec_read_root(const char *dir, const char *file, char *err,
                      size_t errlen);

#endif
