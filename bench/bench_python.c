/*
 * bench_python.c: what Execute Python Script costs on top of the script.
 *
 *     bench_python [REPS]
 *
 * For two tables of 1,000,000 rows by 20 columns (all numeric; and mixed:
 * numbers with and without missing values, integers, booleans,
 * categoricals, a string and a datetime column) it runs
 * execute-python-script@1 with a script that returns its input unchanged,
 * REPS times (default 3), and prints the median wall time of the whole
 * module run: writing the inputs, starting python3 and importing pandas,
 * mapping the inputs into a DataFrame, writing the result back, reading it
 * into a table. The bridge's own split (load, script, save) is printed too.
 *
 * Peer (DESIGN.md section 11), in the same run: Debian's pandas loading the
 * same table from CSV (pandas.read_csv, timed inside its process, so
 * without start-up), the way a script would get its data without weft. The
 * ratio is pandas' load time over weft's whole round trip.
 *
 * Fixed cost: the module on a 3-row table, against `python3 -c "import
 * pandas"` as a process (start-up and import, nothing else).
 */
#include "modules/python_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_ROWS 1000000
#define BENCH_COLS 20

static double bench__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
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

static uint64_t bench__state = 0x9e3779b97f4a7c15ull; /* xorshift64: fixed, so runs compare */

static uint64_t bench__next(void)
{
    bench__state ^= bench__state << 13;
    bench__state ^= bench__state >> 7;
    bench__state ^= bench__state << 17;
    return bench__state;
}

/* Column j of the mixed table: its type, and whether 5% of it is missing. */
static tbl_type bench__mixed_type(int j, bool *with_missing)
{
    static const tbl_type types[BENCH_COLS] = {
        TBL_NUMERIC, TBL_NUMERIC,     TBL_NUMERIC,     TBL_NUMERIC, TBL_NUMERIC,
        TBL_NUMERIC, TBL_NUMERIC,     TBL_NUMERIC,     TBL_NUMERIC, TBL_NUMERIC,
        TBL_INTEGER, TBL_INTEGER,     TBL_INTEGER,     TBL_INTEGER, TBL_BOOLEAN,
        TBL_BOOLEAN, TBL_CATEGORICAL, TBL_CATEGORICAL, TBL_STRING,  TBL_DATETIME};
    *with_missing = j == 0 || j == 10;
    return types[j];
}

static int bench__fill(tbl_column *c, size_t nrows, bool with_missing)
{
    tbl_strings_builder sb = {0};
    char text[32];
    for (size_t i = 0; i < nrows; i++) {
        uint64_t x = bench__next();
        switch (c->type) {
        case TBL_NUMERIC:
            c->v.f64[i] = (double)(x >> 11) * 0x1.0p-53;
            break;
        case TBL_INTEGER:
            c->v.i64[i] = (int64_t)(x % 100000);
            break;
        case TBL_BOOLEAN:
            c->v.b8[i] = x & 1;
            break;
        case TBL_CATEGORICAL:
            c->v.codes[i] = (int32_t)(x % 10);
            break;
        case TBL_DATETIME:
            c->v.i64[i] = 1600000000000000 + (int64_t)(x % 100000000000000);
            break;
        case TBL_STRING: {
            int n = snprintf(text, sizeof text, "id%06llu", (unsigned long long)(x % 1000000));
            tbl_strings_append(&sb, text, (size_t)n);
            break;
        }
        }
        if (with_missing && x % 20 == 0 && tbl_set_missing(c, i, nrows) < 0) return WF_ENOMEM;
    }
    if (c->type == TBL_CATEGORICAL) {
        tbl_strings_builder levels = {0};
        for (int k = 0; k < 10; k++) {
            int n = snprintf(text, sizeof text, "level %d", k);
            tbl_strings_append(&levels, text, (size_t)n);
        }
        tbl_strings_clear(&c->levels);
        if (tbl_strings_finish(&levels, &c->levels) < 0) return WF_ENOMEM;
    }
    if (c->type == TBL_STRING) {
        tbl_strings_clear(&c->str);
        if (tbl_strings_finish(&sb, &c->str) < 0) return WF_ENOMEM;
    }
    return 0;
}

static tbl_table *bench__make_table(size_t nrows, size_t ncols, bool mixed)
{
    tbl_table *t = tbl_new();
    for (size_t j = 0; t != NULL && j < ncols; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%zu", j + 1);
        bool with_missing = false;
        tbl_type type = mixed ? bench__mixed_type((int)j, &with_missing) : TBL_NUMERIC;
        tbl_column c;
        if (tbl_column_init(&c, name, type, nrows, NULL) < 0 ||
            bench__fill(&c, nrows, with_missing) < 0 || tbl_add_column(t, &c, nrows, NULL) < 0) {
            tbl_column_clear(&c);
            tbl_free(t);
            return NULL;
        }
    }
    return t;
}

/* The bridge's "inputs loaded in X s, script ran Y s, outputs written in
 * Z s" line, caught from the log. */
static double bench__split[3];

static void bench__on_log(void *user, const char *line)
{
    (void)user;
    const char *p = strstr(line, "inputs loaded in ");
    if (p != NULL)
        sscanf(p, "inputs loaded in %lf s, script ran %lf s, outputs written in %lf s",
               &bench__split[0], &bench__split[1], &bench__split[2]);
}

/* One identity run of the module on t; its wall time, or -1. */
static double bench__run_module(const tbl_table *t)
{
    json_t *params = json_pack("{s:s}", "python_script",
                               "def azureml_main(dataframe1=None, dataframe2=None):\n"
                               "    return dataframe1,\n");
    mod_ctx ctx;
    if (mod_ctx_init(&ctx, &mod_execute_python_script, params) < 0) return -1;
    json_decref(params);
    ctx.inputs[0].table = (tbl_table *)t;
    ctx.inputs[0].borrowed = true;
    ctx.on_log = bench__on_log;
    double t0 = bench__now();
    int rc = ctx.module->run(&ctx);
    double took = bench__now() - t0;
    if (rc < 0)
        fprintf(stderr, "bench_python: %s\n", ctx.err.message);
    else if (ctx.outputs[0].table->nrows != t->nrows)
        rc = -1;
    mod_ctx_clear(&ctx);
    return rc < 0 ? -1 : took;
}

/* Runs python code and reads one number it prints; -1 on failure. */
static double bench__python(const char *code, const char *arg)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c '%s' %s", code, arg ? arg : "");
    FILE *p = popen(cmd, "r");
    if (p == NULL) return -1;
    double v = -1;
    if (fscanf(p, "%lf", &v) != 1) v = -1;
    return pclose(p) == 0 ? v : -1;
}

static const char *const bench__read_csv =
    "import sys, time, statistics\n"
    "import pandas as pd\n"
    "ts = []\n"
    "for _ in range(int(sys.argv[2])):\n"
    "    t = time.perf_counter(); df = pd.read_csv(sys.argv[1]); "
    "ts.append(time.perf_counter() - t); del df\n"
    "print(statistics.median(ts))\n";

static int bench__table(const char *what, const tbl_table *t, int reps)
{
    double *times = calloc((size_t)reps, sizeof *times);
    double split[3] = {0, 0, 0};
    for (int r = 0; r < reps; r++) {
        if ((times[r] = bench__run_module(t)) < 0) {
            free(times);
            return -1;
        }
        for (int k = 0; k < 3; k++)
            split[k] += bench__split[k] / reps;
    }
    double weft = bench__median(times, reps);
    free(times);
    char csv[] = "/tmp/weft-bench-python-XXXXXX";
    int fd = mkstemp(csv);
    if (fd < 0) return -1;
    close(fd);
    wf_error err = {0};
    if (tbl_write_file(t, csv, TBL_FORMAT_CSV, &err) < 0) {
        fprintf(stderr, "bench_python: %s\n", err.message);
        unlink(csv);
        return -1;
    }
    char arg[128];
    snprintf(arg, sizeof arg, "%s %d", csv, reps);
    double pandas = bench__python(bench__read_csv, arg);
    unlink(csv);
    printf("%s, %zu x %zu:\n", what, t->nrows, t->ncols);
    printf("  weft execute-python-script@1, identity script: %.3f s (median of %d)\n", weft, reps);
    printf("    of which in python3: load %.3f s, script %.3f s, save %.3f s (means)\n", split[0],
           split[1], split[2]);
    printf("  pandas.read_csv of the same table:             %.3f s\n", pandas);
    printf("  ratio (pandas load / weft round trip):         %.2fx\n", pandas / weft);
    return 0;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    if (reps < 1) reps = 1;
    /* Both tables' python3 runs use the default temporary folder. */
    for (int mixed = 0; mixed < 2; mixed++) {
        tbl_table *t = bench__make_table(BENCH_ROWS, BENCH_COLS, mixed);
        if (t == NULL || bench__table(mixed ? "mixed" : "numeric", t, reps) < 0) {
            fprintf(stderr, "bench_python: the %s table failed\n", mixed ? "mixed" : "numeric");
            tbl_free(t);
            return 1;
        }
        tbl_free(t);
    }
    tbl_table *tiny = bench__make_table(3, 2, false);
    int n = reps < 5 ? 5 : reps;
    double *times = calloc((size_t)n, sizeof *times);
    double *bare = calloc((size_t)n, sizeof *bare);
    for (int r = 0; r < n; r++) {
        times[r] = bench__run_module(tiny);
        double t0 = bench__now();
        bench__python("import pandas; print(0)", NULL);
        bare[r] = bench__now() - t0;
    }
    double fixed = bench__median(times, n), start = bench__median(bare, n);
    printf("fixed cost, 3 x 2 table:\n");
    printf("  weft execute-python-script@1, identity script: %.3f s (median of %d)\n", fixed, n);
    printf("  python3 -c \"import pandas\" as a process:      %.3f s\n", start);
    printf("  weft's own share:                              %.3f s\n", fixed - start);
    free(times);
    free(bare);
    tbl_free(tiny);
    return 0;
}
