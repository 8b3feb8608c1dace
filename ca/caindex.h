/*
 * The CA's index of issued certificates, DIR/index.txt: one line per
 * certificate, fields separated by tabs, the name last:
 *
 *   STATUS SERIAL KIND NOT_AFTER REVOKED_AT REASON NAME
 *
 * STATUS is V (valid) or R (revoked); SERIAL is upper-case hex; KIND is
 * server or client; times are YYYYMMDDHHMMSSZ (UTC); REVOKED_AT and REASON
 * are "-" until revoked.  The file is only ever replaced whole (atomicfile),
 * so an interrupted run leaves the old index or the new one.
 */
#ifndef CAINDEX_H
#define CAINDEX_H

#include <stddef.h>

#define CAINDEX_SERIAL_MAX 40	/* hex digits of a 20-byte serial */
#define CAINDEX_NAME_MAX 64	/* ub-common-name, RFC 5280 */
#define CAINDEX_TIME_LEN 15	/* YYYYMMDDHHMMSSZ */

struct caindex_entry {
	char status;
	char serial[CAINDEX_SERIAL_MAX + 1];
	char kind[8];
	char not_after[CAINDEX_TIME_LEN + 1];
	char revoked_at[CAINDEX_TIME_LEN + 1];
	char reason[24];
	char name[CAINDEX_NAME_MAX + 1];
};

struct caindex {
	struct caindex_entry *e;
	size_t n, cap;
};

/*
 * Parse the whole text.  Returns 0, or -1 with *bad_line set to the first
 * malformed line (1-based; 0 when out of memory).
 */
int caindex_parse(const char *text, size_t len, struct caindex *idx,
    size_t *bad_line);

/* The text of the index in a fresh allocation, or NULL (out of memory). */
char *caindex_format(const struct caindex *idx, size_t *len);

/* Append a copy of e; returns 0 or -1 (out of memory). */
int caindex_add(struct caindex *idx, const struct caindex_entry *e);

/* The entry whose serial equals hex (any case, leading zeros ignored). */
struct caindex_entry *caindex_by_serial(struct caindex *idx, const char *hex);

/* 1 if s is a time in the index's form. */
int caindex_time_ok(const char *s);

void caindex_free(struct caindex *idx);

#endif
