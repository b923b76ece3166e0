/*
 * parse_int.h: parse.c's prefix parsers, private to the table part, for a
 * reader that parses numbers in place and only then looks at the byte that
 * follows (the CSV reader's fast path): one pass over a field instead of
 * finding its end first.
 */
#ifndef WEFT_TABLE_PARSE_INT_H
#define WEFT_TABLE_PARSE_INT_H

#include "table.h"

/* The length of the longest prefix of s[0..len) that tbl_parse_double reads
 * as a decimal number (not inf), with its value in *out; 0 when there is
 * none. tbl_parse_double(s, n) succeeds with the same value exactly when
 * this returns n. */
size_t tbl__parse_double_prefix(const char *s, size_t len, double *out);

/* The same for tbl_parse_int64: 0 when no digits start s or they overflow
 * an int64. */
size_t tbl__parse_int64_prefix(const char *s, size_t len, int64_t *out);

#endif
