/* show.c: the first rows of a table, as `weft head` and `weft output` print
 * them: a header of names, a line of types and roles, then the cells. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cells longer than this many code points are cut with an ellipsis. */
#define CLI__SHOW_CELL_MAX 40

/* The cell as text, cut to CLI__SHOW_CELL_MAX code points; NULL on OOM. */
static char *cli__show_cell(const tbl_column *c, size_t row)
{
    if (tbl_is_missing(c, row)) return wf_strdup("NA");
    char buf[CLI__SHOW_CELL_MAX * 4 + 8];
    tbl_format_cell(c, row, buf, sizeof buf);
    size_t points = 0, i = 0;
    for (; buf[i] && points < CLI__SHOW_CELL_MAX; i++)
        points += ((unsigned char)buf[i] & 0xc0) != 0x80;
    while (buf[i] && ((unsigned char)buf[i] & 0xc0) == 0x80)
        i++;
    if (buf[i] == '\0') return wf_strdup(buf);
    char *out = malloc(i + 4);
    if (out == NULL) return NULL;
    memcpy(out, buf, i);
    memcpy(out + i, "\xe2\x80\xa6", 4); /* … */
    return out;
}

int cli_print_table_head(const tbl_table *t, size_t rows)
{
    size_t shown = rows < t->nrows ? rows : t->nrows;
    size_t ncols = t->ncols, nlines = shown + 2;
    char **cells = calloc(nlines * ncols + 1, sizeof *cells);
    bool *right = calloc(ncols + 1, sizeof *right);
    bool ok = cells != NULL && right != NULL;
    for (size_t c = 0; ok && c < ncols; c++) {
        const tbl_column *col = &t->cols[c];
        right[c] = col->type == TBL_NUMERIC || col->type == TBL_INTEGER;
        cells[c] = wf_strdup(col->name);
        char type[48];
        snprintf(type, sizeof type, "<%s%s%s>", tbl_type_name(col->type),
                 col->role == TBL_ROLE_FEATURE ? "" : ", ",
                 col->role == TBL_ROLE_FEATURE ? "" : tbl_role_name(col->role));
        cells[ncols + c] = wf_strdup(type);
        for (size_t r = 0; r < shown; r++)
            cells[(r + 2) * ncols + c] = cli__show_cell(col, r);
    }
    for (size_t i = 0; ok && i < nlines * ncols; i++)
        ok = cells[i] != NULL;
    if (ok) {
        cli_print_aligned((const char *const *)cells, nlines, ncols, right);
        if (shown < t->nrows) printf("… %zu more rows\n", t->nrows - shown);
    }
    for (size_t i = 0; cells != NULL && i < nlines * ncols; i++)
        free(cells[i]);
    free(cells);
    free(right);
    return ok ? 0 : WF_ENOMEM;
}
