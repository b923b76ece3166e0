/* arff_int.h: what arff_read.c and arff_date.c share; private to the table part. */
#ifndef WEFT_ARFF_INT_H
#define WEFT_ARFF_INT_H

#include "table.h"

/* True when s[0, n) equals the lowercase keyword kw[0, n), ignoring ASCII case. */
bool tbl__arff_nocase_eq(const char *s, const char *kw, size_t n);
/* True when the word s[0, len) is the keyword kw, ignoring ASCII case. */
bool tbl__arff_is_word(const char *s, size_t len, const char *kw);

/* Checks a SimpleDateFormat pattern: 0 when every letter is one this reader
 * understands and quoted text ends, else the offending letter ('\'' for an
 * unterminated quote). */
char tbl__arff_check_date_format(const char *fmt);
/* Parses s[0, len) as the whole of pattern fmt into microseconds since the
 * epoch (UTC). 0 or WF_EPARSE. */
int tbl__arff_parse_date(const char *fmt, const char *s, size_t len, int64_t *micros);

#endif
