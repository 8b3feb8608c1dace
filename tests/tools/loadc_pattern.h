/*
 * The bytes each loadc client connection sends, and a checksum of a stream
 * that does not depend on how the stream was split.
 */
#ifndef LOADC_PATTERN_H
#define LOADC_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "loadc.h"

/* Bytes [off, off + len) of connection idx's pattern. */
void loadc_pattern_fill(unsigned idx, uint64_t off, unsigned char *out,
                        size_t len);

void loadc_pattern_sum_init(struct loadc_sum *s);
void loadc_pattern_sum_add(struct loadc_sum *s, const unsigned char *p,
                           size_t n);
uint64_t loadc_pattern_sum_final(const struct loadc_sum *s);

#endif
