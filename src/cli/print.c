/* print.c: aligned plain-text tables for the terminal. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Display width of UTF-8 text: one column per code point, which is right for
 * the Latin, Greek and Cyrillic text the samples hold. */
static size_t cli__width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

int cli_parse_rows(const char *text, long *rows)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (end == text || *end != '\0' || n < 0 || errno != 0) return -1;
    *rows = n;
    return 0;
}

void cli_print_aligned(const char *const *cells, size_t nrows, size_t ncols,
                       const bool *right_align)
{
    size_t *width = calloc(ncols ? ncols : 1, sizeof *width);
    if (width == NULL) return;
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++) {
            size_t w = cli__width(cells[r * ncols + c]);
            if (w > width[c]) width[c] = w;
        }
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *s = cells[r * ncols + c];
            size_t pad = width[c] - cli__width(s);
            bool right = right_align && right_align[c] && r > 0;
            if (right) printf("%*s", (int)pad, "");
            fputs(s, stdout);
            if (c + 1 < ncols) printf("%*s", (int)(right ? 2 : pad + 2), "");
        }
        putchar('\n');
    }
    free(width);
}
