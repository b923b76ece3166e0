/*
 * fuzz_csv.c: libFuzzer harness for tbl_read_csv and tbl_write_csv.
 *
 * The first byte picks the options (header mode, delimiter or sniffing, a
 * tiny field limit); the rest is the CSV text. A table that reads must be
 * well formed, and writing it and reading the text back (header on,
 * delimiter ',') must give the same names, types, missing rows and cells:
 * any difference aborts, so the fuzzer reports it like a crash.
 *
 *     CC=clang CFLAGS=-fsanitize=fuzzer-no-link cmake -S . -B build-fuzz -DWEFT_FUZZ=ON
 *     cmake --build build-fuzz --target fuzz_csv
 *     build-fuzz/fuzz_csv -max_total_time=60 -rss_limit_mb=2048 scratch tests/fuzz/csv
 *     build-fuzz/fuzz_csv -set_cover_merge=1 -use_counters=0 tests/fuzz/csv scratch
 *
 * (CFLAGS puts coverage into the weft libraries too; without it only this
 * file is instrumented and the fuzzer is nearly blind. The merge keeps the
 * few inputs that reach new edges, so the committed corpus stays small.)
 */
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz__check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_csv: %s\n", what);
        abort();
    }
}

/* The table's buffers are consistent with its types. */
static void fuzz__check_table(const tbl_table *t)
{
    for (size_t j = 0; j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        fuzz__check(c->name != NULL, "column without a name");
        for (size_t k = 0; k < j; k++)
            fuzz__check(strcmp(c->name, t->cols[k].name) != 0, "duplicate column name");
        if (c->type == TBL_STRING) {
            fuzz__check(c->str.count == t->nrows && c->str.offsets[0] == 0, "string count");
            for (size_t r = 0; r < t->nrows; r++)
                fuzz__check(c->str.offsets[r] <= c->str.offsets[r + 1], "string offsets");
        }
        if (c->type == TBL_CATEGORICAL)
            for (size_t r = 0; r < t->nrows; r++) {
                int32_t code = c->v.codes[r];
                bool missing = tbl_is_missing(c, r);
                fuzz__check(missing ? code == -1 : code >= 0 && (size_t)code < c->levels.count,
                            "categorical code");
            }
    }
}

static void fuzz__check_same(const tbl_table *a, const tbl_table *b)
{
    static char x[1 << 16], y[1 << 16];
    fuzz__check(a->nrows == b->nrows, "row count changed in the round trip");
    fuzz__check(a->ncols == b->ncols, "column count changed in the round trip");
    for (size_t j = 0; j < a->ncols; j++) {
        const tbl_column *ca = &a->cols[j], *cb = &b->cols[j];
        fuzz__check(strcmp(ca->name, cb->name) == 0, "name changed in the round trip");
        fuzz__check(ca->type == cb->type, "type changed in the round trip");
        for (size_t r = 0; r < a->nrows; r++) {
            fuzz__check(tbl_is_missing(ca, r) == tbl_is_missing(cb, r), "missing changed");
            size_t nx = tbl_format_cell(ca, r, x, sizeof x);
            size_t ny = tbl_format_cell(cb, r, y, sizeof y);
            fuzz__check(nx == ny && memcmp(x, y, nx < sizeof x ? nx : sizeof x) == 0,
                        "value changed in the round trip");
            if (ca->type == TBL_NUMERIC)
                fuzz__check(memcmp(&ca->v.f64[r], &cb->v.f64[r], sizeof(double)) == 0,
                            "double changed in the round trip");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[8] = {0, ',', '\t', ';', '|', 0, 0, ','};
    if (size == 0) return 0;
    uint8_t o = data[0];
    const char *csv = (const char *)data + 1;
    size_t len = size - 1;
    /* A copy of exactly len bytes, so any read past the end is caught. */
    char *copy = malloc(len ? len : 1);
    if (copy == NULL) return 0;
    memcpy(copy, csv, len);
    char *warnings = NULL;
    tbl_read_options opt = {
        .header = (tbl_header)((o & 3) % 3),
        .delimiter = delims[(o >> 2) & 7],
        .format = (o & 0x20) ? TBL_FORMAT_TSV : TBL_FORMAT_CSV,
        .max_field = (o & 0x40) ? 16 : 0,
        .warnings = &warnings,
    };
    wf_error err = {0};
    tbl_table *t = NULL;
    int rc = tbl_read_csv(copy, len, &opt, &t, &err);
    if (rc < 0) {
        fuzz__check(t == NULL && warnings == NULL, "output left after a failure");
        fuzz__check(err.code == rc && err.message[0] != '\0', "failure without a message");
        free(copy);
        return 0;
    }
    fuzz__check_table(t);
    wf_buf out = {0};
    fuzz__check(tbl_write_csv(t, ',', &out, &err) == 0, "tbl_write_csv failed");
    tbl_read_options again = {.header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *back = NULL;
    if (tbl_read_csv(out.data, out.len, &again, &back, &err) < 0) {
        fprintf(stderr, "fuzz_csv: reading back failed: %s\n", err.message);
        abort();
    }
    fuzz__check_same(t, back);
    tbl_free(back);
    wf_buf_free(&out);
    tbl_free(t);
    free(warnings);
    free(copy);
    return 0;
}
