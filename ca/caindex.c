#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caindex.h"

#define CAINDEX_FIELDS 7

int
caindex_time_ok(const char *s)
{
	size_t i;

	if (strlen(s) != CAINDEX_TIME_LEN || s[CAINDEX_TIME_LEN - 1] != 'Z')
		return 0;
	for (i = 0; i < CAINDEX_TIME_LEN - 1; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
caindex_hex_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return i > 0;
}

/* Copy field f (length n) into dst of size cap; 0 if it does not fit. */
static int
caindex_copy(char *dst, size_t cap, const char *f, size_t n)
{
	if (n == 0 || n >= cap)
		return 0;
	memcpy(dst, f, n);
	dst[n] = '\0';
	return 1;
}

/* One line without its '\n'; 0 if malformed. */
static int
caindex_line(const char *p, size_t len, struct caindex_entry *e)
{
	const char *f[CAINDEX_FIELDS];
	size_t fl[CAINDEX_FIELDS], i, k = 0, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '\t')
			continue;
		if (k == CAINDEX_FIELDS)
			return 0;
		f[k] = p + start;
		fl[k++] = i - start;
		start = i + 1;
	}
	if (k != CAINDEX_FIELDS || fl[0] != 1 ||
	    !caindex_copy(e->serial, sizeof(e->serial), f[1], fl[1]) ||
	    !caindex_copy(e->kind, sizeof(e->kind), f[2], fl[2]) ||
	    !caindex_copy(e->not_after, sizeof(e->not_after), f[3], fl[3]) ||
	    !caindex_copy(e->revoked_at, sizeof(e->revoked_at), f[4], fl[4]) ||
	    !caindex_copy(e->reason, sizeof(e->reason), f[5], fl[5]) ||
	    !caindex_copy(e->name, sizeof(e->name), f[6], fl[6]))
		return 0;
	e->status = f[0][0];
	for (i = 0; e->name[i] != '\0'; i++)
		if ((unsigned char)e->name[i] < 0x20)
			return 0;
	if (!caindex_hex_ok(e->serial) || !caindex_time_ok(e->not_after) ||
	    (strcmp(e->kind, "server") != 0 && strcmp(e->kind, "client") != 0))
		return 0;
	if (e->status == 'V')
		return strcmp(e->revoked_at, "-") == 0 &&
		    strcmp(e->reason, "-") == 0;
	return e->status == 'R' && caindex_time_ok(e->revoked_at);
}

int
caindex_parse(const char *text, size_t len, struct caindex *idx,
    size_t *bad_line)
{
	struct caindex_entry e;
	size_t pos = 0, line = 0, n;
	const char *nl;

	memset(idx, 0, sizeof(*idx));
	while (pos < len) {
		line++;
		nl = memchr(text + pos, '\n', len - pos);
		/* Every line ends with '\n': a missing one means a cut file. */
		if (nl == NULL)
			goto bad;
		n = (size_t)(nl - (text + pos));
		memset(&e, 0, sizeof(e));
		if (!caindex_line(text + pos, n, &e))
			goto bad;
		if (caindex_add(idx, &e) != 0) {
			line = 0;
			goto bad;
		}
		pos += n + 1;
	}
	return 0;
bad:
	*bad_line = line;
	caindex_free(idx);
	return -1;
}

char *
caindex_format(const struct caindex *idx, size_t *len)
{
	/* Bounded by the field sizes plus separators. */
	size_t per = sizeof(struct caindex_entry) + CAINDEX_FIELDS + 1;
	size_t i, used = 0;
	char *out;
	const struct caindex_entry *e;

	if ((out = malloc(idx->n * per + 1)) == NULL)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < idx->n; i++) {
		e = &idx->e[i];
		used += (size_t)snprintf(out + used, per + 1,
		    "%c\t%s\t%s\t%s\t%s\t%s\t%s\n", e->status, e->serial, e->kind, e->not_after,
		    e->revoked_at, e->reason, e->name);
	}
	*len = used;
	return out;
}

int
caindex_add(struct caindex *idx, const struct caindex_entry *e)
{
	struct caindex_entry *grown;
	size_t cap;

	if (idx->n == idx->cap) {
		cap = idx->cap != 0 ? idx->cap * 2 : 16;
		if ((grown = realloc(idx->e, cap * sizeof(*grown))) == NULL)
			return -1;
		idx->e = grown;
		idx->cap = cap;
	}
	idx->e[idx->n++] = *e;
	return 0;
}

/* Skip leading zeros so "00AB" and "ab" name the same serial. */
static const char *
caindex_strip(const char *hex)
{
	while (hex[0] == '0' && hex[1] != '\0')
		hex++;
	return hex;
}

static int
caindex_casecmp(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
			return 1;
	return *a != *b;
}

struct caindex_entry *
caindex_by_serial(struct caindex *idx, const char *hex)
{
	size_t i;
	const char *want = caindex_strip(hex), *have;

	for (i = 0; i < idx->n; i++) {
		have = caindex_strip(idx->e[i].serial);
		if (strlen(have) == strlen(want) &&
		    caindex_casecmp(have, want) == 0)
			return &idx->e[i];
	}
	return NULL;
}

void
caindex_free(struct caindex *idx)
{
	free(idx->e);
	memset(idx, 0, sizeof(*idx));
}
