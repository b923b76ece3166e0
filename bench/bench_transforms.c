/*
 * bench_transforms.c: Normalize Data (zscore) and Clean Missing Data
 * (replace with mean) on an in-memory numeric table, timed by calling each
 * module's run directly (fit, then apply, building the output table), as a
 * step does after its inputs are loaded. bench/transforms.sh runs it and the
 * same pandas operations on the same values, and prints the ratio.
 *
 *     bench_transforms [rows] [columns] [repetitions] [data.f64]
 *
 * The table: `columns` numeric columns of `rows` values, normal with a
 * different scale per column, about 2% missing in each, from SplitMix64
 * seeded with 42. With a path, the values are also written there as raw
 * float64, column after column, NaN where missing, for pandas to read.
 * Prints one line: rows, columns, and the median wall-clock and CPU
 * seconds of each module.
 */
#include "modules/modules.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static tbl_table *make_table(size_t rows, size_t cols)
{
    wf_rng rng = {.state = 42};
    tbl_table *t = tbl_new();
    if (t == NULL) return NULL;
    t->nrows = rows;
    for (size_t j = 0; j < cols; j++) {
        char name[32];
        snprintf(name, sizeof name, "x%zu", j + 1);
        tbl_column c;
        if (tbl_column_init(&c, name, TBL_NUMERIC, rows, NULL) < 0) goto fail;
        double scale = (double)(j + 1) * 10;
        for (size_t r = 0; r < rows; r++) {
            c.v.f64[r] = 100 * (double)j + scale * wf_rng_normal(&rng);
            if (wf_rng_below(&rng, 50) == 0 && tbl_set_missing(&c, r, rows) < 0) {
                tbl_column_clear(&c);
                goto fail;
            }
        }
        if (tbl_add_column(t, &c, rows, NULL) < 0) {
            tbl_column_clear(&c);
            goto fail;
        }
    }
    return t;
fail:
    tbl_free(t);
    return NULL;
}

/* Writes the values column after column as float64, NaN where missing. */
static int write_raw(const tbl_table *t, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) return -1;
    double *buf = malloc(t->nrows * sizeof *buf);
    int rc = buf == NULL ? -1 : 0;
    for (size_t j = 0; rc == 0 && j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        for (size_t r = 0; r < t->nrows; r++)
            buf[r] = tbl_is_missing(c, r) ? NAN : c->v.f64[r];
        if (fwrite(buf, sizeof *buf, t->nrows, f) != t->nrows) rc = -1;
    }
    free(buf);
    if (fclose(f) != 0) rc = -1;
    return rc;
}

static void quiet(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* Sorts v[0..n) and returns its median. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return v[n / 2];
}

/* The median wall-clock and CPU seconds of `reps` runs of module ref on t.
 * CPU time is the process's, so it says what the work costs when other
 * processes share the cores. */
static void time_module(const char *ref, const char *params_json, tbl_table *t, int reps,
                        double *wall, double *cpu)
{
    const mod_descriptor *m = mod_find(ref);
    double *w = calloc((size_t)reps, sizeof *w), *c = calloc((size_t)reps, sizeof *c);
    if (m == NULL || w == NULL || c == NULL) {
        fprintf(stderr, "bench_transforms: no module %s\n", ref);
        exit(1);
    }
    for (int i = 0; i < reps; i++) {
        json_t *params = json_loads(params_json, 0, NULL);
        mod_ctx ctx;
        if (mod_ctx_init(&ctx, m, params) < 0) exit(1);
        json_decref(params);
        ctx.inputs[0].table = t;
        ctx.inputs[0].borrowed = true;
        ctx.on_log = quiet; /* the modules log a line per run */
        double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
        int rc = m->run(&ctx);
        w[i] = seconds(CLOCK_MONOTONIC) - w0;
        c[i] = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (rc < 0) {
            fprintf(stderr, "bench_transforms: %s: %s\n", ref, ctx.err.message);
            exit(1);
        }
        mod_ctx_clear(&ctx);
    }
    *wall = median(w, reps);
    *cpu = median(c, reps);
    free(w);
    free(c);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t cols = argc > 2 ? strtoull(argv[2], NULL, 10) : 20;
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    const char *raw = argc > 4 ? argv[4] : NULL;
    if (rows == 0 || cols == 0 || reps < 1) {
        fprintf(stderr, "usage: bench_transforms [rows] [columns] [repetitions] [data.f64]\n");
        return 2;
    }
    tbl_table *t = make_table(rows, cols);
    if (t == NULL) {
        fprintf(stderr, "bench_transforms: out of memory\n");
        return 1;
    }
    if (raw != NULL && write_raw(t, raw) < 0) {
        fprintf(stderr, "bench_transforms: cannot write %s\n", raw);
        return 1;
    }
    const char *all = "{\"include\": [{\"type\": \"numeric\"}]}";
    char params[256];
    snprintf(params, sizeof params,
             "{\"transformation_method\": \"zscore\", \"columns_to_transform\": %s}", all);
    double zw, zc, cw, cc;
    time_module("normalize-data@1", params, t, reps, &zw, &zc);
    snprintf(params, sizeof params,
             "{\"cleaning_mode\": \"replace-with-mean\", \"columns_to_be_cleaned\": %s}", all);
    time_module("clean-missing-data@1", params, t, reps, &cw, &cc);
    /* Select Columns: every other column, by name; Split Data: 70% of the
     * rows at random (both as issue #4 lists them). */
    wf_buf names = {0};
    for (size_t j = 0; j < cols; j += 2)
        wf_buf_printf(&names, "%s\"%s\"", j ? ", " : "", t->cols[j].name);
    char select[4096];
    snprintf(select, sizeof select, "{\"columns\": {\"include\": [{\"names\": [%s]}]}}",
             names.data ? names.data : "");
    wf_buf_free(&names);
    double sw, sc, pw, pc;
    time_module("select-columns@1", select, t, reps, &sw, &sc);
    time_module("split-data@1", "{\"fraction\": 0.7, \"randomize\": true, \"seed\": 1}", t, reps,
                &pw, &pc);
    printf("rows=%zu columns=%zu normalize_zscore_s=%.4f clean_mean_s=%.4f "
           "normalize_zscore_cpu=%.4f clean_mean_cpu=%.4f select_s=%.6f select_cpu=%.6f "
           "split_s=%.4f split_cpu=%.4f\n",
           rows, cols, zw, cw, zc, cc, sw, sc, pw, pc);
    tbl_free(t);
    return 0;
}
