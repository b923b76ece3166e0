/*
 * bench_csv.c: times tbl_read_csv on a file, as the CSV import benchmark
 * (bench/csv_import.sh) runs it next to pandas.read_csv.
 *
 *     bench_csv FILE [REPS]
 *
 * Each repetition maps the file (wf_map_file), reads it with tbl_read_csv
 * and frees the table; the time covers both, as a user's import would. It
 * prints one line per repetition:
 *
 *     seconds=0.512 mb_per_s=430.1 rows=1000000 cols=20
 *
 * then, once, the peak resident memory of the process (getrusage
 * ru_maxrss, which counts the mapped file's pages) over the file size, and
 * the loaded table's bytes (tbl_column_bytes) over its raw column bytes (8
 * per number or date, 1 per boolean, the text of strings).
 */
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double bench__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t bench__raw_bytes(const tbl_column *c, size_t nrows)
{
    switch (c->type) {
    case TBL_BOOLEAN:
        return nrows;
    case TBL_STRING:
        return (size_t)c->str.offsets[c->str.count];
    case TBL_CATEGORICAL: {
        size_t bytes = 0;
        for (size_t r = 0; r < nrows; r++) {
            size_t len = 0;
            if (c->v.codes[r] >= 0) tbl_strings_at(&c->levels, (size_t)c->v.codes[r], &len);
            bytes += len;
        }
        return bytes;
    }
    default:
        return nrows * 8;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_csv FILE [REPS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 1;
    if (reps < 1) reps = 1;
    size_t file_size = 0, table_bytes = 0, raw_bytes = 0;
    for (int i = 0; i < reps; i++) {
        wf_error err = {0};
        double t0 = bench__now();
        wf_mapped_file m;
        if (wf_map_file(argv[1], &m, &err) < 0) {
            fprintf(stderr, "bench_csv: %s\n", err.message);
            return 1;
        }
        tbl_read_options opt = {.header = TBL_HEADER_GUESS};
        tbl_table *t = NULL;
        int rc = tbl_read_csv((const char *)m.data, m.size, &opt, &t, &err);
        double t1 = bench__now();
        file_size = m.size;
        if (rc < 0) {
            fprintf(stderr, "bench_csv: %s: %s\n", argv[1], err.message);
            wf_unmap_file(&m);
            return 1;
        }
        table_bytes = raw_bytes = 0;
        for (size_t j = 0; j < t->ncols; j++) {
            table_bytes += tbl_column_bytes(&t->cols[j], t->nrows);
            raw_bytes += bench__raw_bytes(&t->cols[j], t->nrows);
        }
        printf("seconds=%.4f mb_per_s=%.1f rows=%zu cols=%zu\n", t1 - t0,
               (double)m.size / 1e6 / (t1 - t0), t->nrows, t->ncols);
        tbl_free(t);
        wf_unmap_file(&m);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double peak = (double)ru.ru_maxrss * 1024.0;
    printf("file_mb=%.1f peak_rss_mb=%.1f peak_over_file=%.2f table_mb=%.1f raw_mb=%.1f "
           "table_over_raw=%.2f\n",
           (double)file_size / 1e6, peak / 1e6, peak / (double)file_size, (double)table_bytes / 1e6,
           (double)raw_bytes / 1e6, raw_bytes ? (double)table_bytes / (double)raw_bytes : 0.0);
    return 0;
}
