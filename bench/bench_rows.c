/*
 * bench_rows.c: how fast Join Data joins, against pandas.merge.
 *
 *     bench_rows [REPS]
 *
 * The left table has 1,000,000 rows and 20 columns: an integer key drawn
 * uniformly from 0..99,999 and 19 numeric columns. The right table has
 * 100,000 rows: every key once, in shuffled order, and 4 numeric columns.
 * An inner join on the key matches every left row once, so the result has
 * 1,000,000 rows and 23 columns (the right key dropped).
 *
 * weft: join-data@1's run on the tables in memory (context set-up, the hash
 * join and the output table; freeing it is not timed), REPS times (default
 * 5), median wall time, and CPU time beside it (a fairer figure on a busy
 * machine). Peer (DESIGN.md section 11), in the same run: Debian's
 * /usr/bin/python3, pandas.merge(left, right, on="key", how="inner") on
 * data of the same shape and key distribution made by numpy, median of REPS.
 * Target: weft at least 3x faster.
 */
#include "modules/modules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEFT_ROWS 1000000
#define LEFT_COLS 20
#define RIGHT_ROWS 100000
#define RIGHT_COLS 5

static double bench__clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench__compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double bench__median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench__compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A table of nrows rows: an integer column "key" from keys[], then
 * ncols - 1 numeric columns named prefix1, prefix2, ... */
static tbl_table *bench__table(size_t nrows, size_t ncols, const int64_t *keys, const char *prefix,
                               wf_rng *rng)
{
    tbl_table *t = tbl_new();
    wf_error err = {0};
    if (t == NULL) return NULL;
    for (size_t j = 0; j < ncols; j++) {
        char name[32];
        snprintf(name, sizeof name, "%s%zu", prefix, j);
        tbl_column c;
        if (tbl_column_init(&c, j == 0 ? "key" : name, j == 0 ? TBL_INTEGER : TBL_NUMERIC, nrows,
                            &err) < 0) {
            tbl_free(t);
            return NULL;
        }
        for (size_t r = 0; r < nrows; r++) {
            if (j == 0)
                c.v.i64[r] = keys[r];
            else
                c.v.f64[r] = wf_rng_uniform(rng);
        }
        if (tbl_add_column(t, &c, nrows, &err) < 0) {
            tbl_column_clear(&c);
            tbl_free(t);
            return NULL;
        }
    }
    return t;
}

static void bench__quiet(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* One timed run of join-data@1: wall and CPU seconds; *rows gets the
 * output's row count. */
static int bench__join(tbl_table *left, tbl_table *right, double *seconds, double *cpu,
                       size_t *rows)
{
    json_t *params = json_loads("{\"join_key_columns_for_l\": {\"include\": [{\"names\": "
                                "[\"key\"]}]}, \"join_key_columns_for_r\": {\"include\": "
                                "[{\"names\": [\"key\"]}]}, \"join_type\": \"inner\","
                                " \"keep_right_key_columns_in_joined_table\": false}",
                                0, NULL);
    mod_ctx ctx;
    double t0 = bench__clock(CLOCK_MONOTONIC), c0 = bench__clock(CLOCK_PROCESS_CPUTIME_ID);
    int rc = mod_ctx_init(&ctx, mod_find("join-data@1"), params);
    if (rc == 0) {
        ctx.on_log = bench__quiet;
        ctx.inputs[0].table = left;
        ctx.inputs[0].borrowed = true;
        ctx.inputs[1].table = right;
        ctx.inputs[1].borrowed = true;
        rc = ctx.module->run(&ctx);
    }
    *seconds = bench__clock(CLOCK_MONOTONIC) - t0;
    *cpu = bench__clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (rc < 0)
        fprintf(stderr, "bench_rows: %s\n", ctx.err.message);
    else
        *rows = ctx.outputs[0].table->nrows;
    mod_ctx_clear(&ctx);
    json_decref(params);
    return rc;
}

/* pandas.merge on tables of the same shape: median wall milliseconds (and
 * CPU milliseconds in *cpu_ms) and the result's rows, or -1 when the peer
 * cannot run. */
static double bench__pandas(int reps, double *cpu_ms, long *rows)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import time, numpy as np, pandas as pd\n"
             "g = np.random.default_rng(1)\n"
             "left = pd.DataFrame({\"key\": g.integers(0, %d, %d)})\n"
             "for j in range(1, %d): left[\"l%%d\" %% j] = g.random(%d)\n"
             "right = pd.DataFrame({\"key\": g.permutation(%d)})\n"
             "for j in range(1, %d): right[\"r%%d\" %% j] = g.random(%d)\n"
             "times, cpu = [], []\n"
             "for _ in range(%d):\n"
             "    t, c = time.perf_counter(), time.process_time()\n"
             "    out = pd.merge(left, right, on=\"key\", how=\"inner\")\n"
             "    times.append(time.perf_counter() - t)\n"
             "    cpu.append(time.process_time() - c)\n"
             "    n = len(out)\n"
             "    del out\n"
             "med = lambda v: sorted(v)[len(v) // 2] * 1e3\n"
             "print(\"%%.3f %%.3f %%d\" %% (med(times), med(cpu), n))\n"
             "' 2>/dev/null",
             RIGHT_ROWS, LEFT_ROWS, LEFT_COLS, LEFT_ROWS, RIGHT_ROWS, RIGHT_COLS, RIGHT_ROWS, reps);
    FILE *p = popen(cmd, "r");
    if (p == NULL) return -1;
    double ms = -1;
    if (fscanf(p, "%lf %lf %ld", &ms, cpu_ms, rows) != 3) ms = -1;
    if (pclose(p) != 0) ms = -1;
    return ms;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    if (reps < 1 || reps > 100) {
        fprintf(stderr, "usage: bench_rows [REPS (1 to 100)]\n");
        return 2;
    }
    wf_rng rng = {.state = 2024};
    int64_t *lkeys = malloc(LEFT_ROWS * sizeof *lkeys), *rkeys = malloc(RIGHT_ROWS * sizeof *rkeys);
    if (lkeys == NULL || rkeys == NULL) return 1;
    for (size_t r = 0; r < LEFT_ROWS; r++)
        lkeys[r] = (int64_t)wf_rng_below(&rng, RIGHT_ROWS);
    for (size_t r = 0; r < RIGHT_ROWS; r++)
        rkeys[r] = (int64_t)r;
    for (size_t r = RIGHT_ROWS - 1; r > 0; r--) { /* shuffled, every key once */
        size_t j = (size_t)wf_rng_below(&rng, r + 1);
        int64_t tmp = rkeys[r];
        rkeys[r] = rkeys[j];
        rkeys[j] = tmp;
    }
    tbl_table *left = bench__table(LEFT_ROWS, LEFT_COLS, lkeys, "l", &rng);
    tbl_table *right = bench__table(RIGHT_ROWS, RIGHT_COLS, rkeys, "r", &rng);
    free(lkeys);
    free(rkeys);
    if (left == NULL || right == NULL) {
        fprintf(stderr, "bench_rows: out of memory\n");
        return 1;
    }
    double times[100], cpu[100];
    size_t rows = 0;
    for (int i = 0; i < reps; i++) {
        if (bench__join(left, right, &times[i], &cpu[i], &rows) < 0) return 1;
    }
    double weft_ms = bench__median(times, reps) * 1e3, weft_cpu = bench__median(cpu, reps) * 1e3;
    printf("join-data@1 inner, %d x %d with %d x %d on one integer key -> %zu rows\n", LEFT_ROWS,
           LEFT_COLS, RIGHT_ROWS, RIGHT_COLS, rows);
    printf("weft join-data@1: median %.1f ms (CPU %.1f ms) over %d runs\n", weft_ms, weft_cpu,
           reps);
    long peer_rows = 0;
    double pandas_cpu = 0, pandas_ms = bench__pandas(reps, &pandas_cpu, &peer_rows);
    if (pandas_ms < 0) {
        printf("peer: /usr/bin/python3 with pandas is not available\n");
    } else {
        printf("peer pandas.merge: median %.1f ms (CPU %.1f ms) over %d runs -> %ld rows\n",
               pandas_ms, pandas_cpu, reps, peer_rows);
        printf("ratio pandas/weft: %.2fx wall, %.2fx CPU (target >= 3x): %s\n", pandas_ms / weft_ms,
               pandas_cpu / weft_cpu, pandas_ms / weft_ms >= 3 ? "met" : "NOT met");
    }
    tbl_free(left);
    tbl_free(right);
    return 0;
}
