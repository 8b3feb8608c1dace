/* What the unit tests share: a check that prints one "ok:"/"FAIL:" line
 * and counts failures, and a hex decoder for known answers. */
#ifndef TEST_UNIT_H
#define TEST_UNIT_H

#include <stddef.h>
#include <stdint.h>

/* Checks that failed so far. */
extern int unit_failures;

void unit_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Decodes hex into out; returns the byte count, 0 for odd length, a bad
 * digit or more than cap bytes. */
size_t unit_unhex(const char *hex, uint8_t *out, size_t cap);

#endif
