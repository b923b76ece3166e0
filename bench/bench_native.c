/*
 * bench_native.c: how fast a native table file loads, and what it costs in
 * memory.
 *
 *     bench_native [FILE] [REPS]
 *
 * Without FILE it builds a table of 1,000,000 rows by 20 numeric columns;
 * with one it reads FILE (any format, via tbl_read_file). It encodes the
 * table (tbl_native_encode), writes it to a temporary file, then times
 * tbl_native_load of that file REPS times (default 9) and prints the median
 * (target: under 50 ms for the default table). Loading maps the file and
 * checks it; values are not touched, so the time of a first pass over
 * every value (page faults included) is printed separately.
 *
 * Memory: the loaded table's bytes (tbl_column_bytes) over its raw column
 * bytes (8 per number or date, 4 per code, 1 per boolean or mask byte, the
 * offsets and text of strings): target at most 1.3.
 *
 * Peers (DESIGN.md section 11), for the default table only, from Debian's
 * /usr/bin/python3 in the same run: pandas.read_pickle of the same shape of
 * data (pandas' own binary round trip; pyarrow is not in Debian's pandas,
 * so no feather or parquet), and numpy.load with mmap_mode='r' (the nearest
 * like-for-like: a mapped, unparsed matrix).
 */
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Resident memory now, from /proc/self/statm. */
static double bench__rss_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f == NULL) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1e6;
}

static tbl_table *bench__make_table(wf_error *err)
{
    tbl_table *t = tbl_new();
    if (t == NULL) return NULL;
    uint64_t state = 0x9e3779b97f4a7c15ull; /* xorshift64: fixed, so runs compare */
    for (int j = 0; j < BENCH_COLS; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", j + 1);
        tbl_column c;
        if (tbl_column_init(&c, name, TBL_NUMERIC, BENCH_ROWS, err) < 0) goto fail;
        for (size_t i = 0; i < BENCH_ROWS; i++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            c.v.f64[i] = (double)(state >> 11) * 0x1.0p-53;
        }
        if (tbl_add_column(t, &c, BENCH_ROWS, err) < 0) {
            tbl_column_clear(&c);
            goto fail;
        }
    }
    return t;
fail:
    tbl_free(t);
    return NULL;
}

static size_t bench__raw_bytes(const tbl_column *c, size_t nrows)
{
    size_t mask = c->missing ? nrows : 0;
    switch (c->type) {
    case TBL_BOOLEAN:
        return mask + nrows;
    case TBL_CATEGORICAL:
        return mask + nrows * 4 + (c->levels.count + 1) * 8 +
               (size_t)c->levels.offsets[c->levels.count];
    case TBL_STRING:
        return mask + (nrows + 1) * 8 + (size_t)c->str.offsets[c->str.count];
    default:
        return mask + nrows * 8;
    }
}

/* A sum over every value, so each page of the mapping is faulted in. */
static double bench__touch(const tbl_table *t)
{
    double sum = 0;
    for (size_t j = 0; j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        if (c->type == TBL_NUMERIC)
            for (size_t i = 0; i < t->nrows; i++)
                sum += c->v.f64[i];
        else if (c->type == TBL_INTEGER || c->type == TBL_DATETIME)
            for (size_t i = 0; i < t->nrows; i++)
                sum += (double)c->v.i64[i];
    }
    return sum;
}

/* Runs the Python peers; fills the two medians (seconds) or returns -1. */
static int bench__peers(int reps, double *pickle_s, double *npy_s)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import numpy as np, pandas as pd, time, os, tempfile, shutil, statistics\n"
             "rng = np.random.default_rng(1)\n"
             "df = pd.DataFrame(rng.random((%d, %d)), columns=[\"x%%d\" %% (i + 1) for i in "
             "range(%d)])\n"
             "d = tempfile.mkdtemp()\n"
             "p = os.path.join(d, \"t.pkl\"); df.to_pickle(p)\n"
             "n = os.path.join(d, \"t.npy\"); np.save(n, df.to_numpy())\n"
             "del df\n"
             "def med(f):\n"
             "    ts = []\n"
             "    for _ in range(%d):\n"
             "        t = time.perf_counter(); x = f(); ts.append(time.perf_counter() - t); del x\n"
             "    return statistics.median(ts)\n"
             "print(med(lambda: pd.read_pickle(p)), med(lambda: np.load(n, mmap_mode=\"r\")))\n"
             "shutil.rmtree(d)\n' 2>/dev/null",
             BENCH_ROWS, BENCH_COLS, BENCH_COLS, reps);
    FILE *p = popen(cmd, "r");
    if (p == NULL) return -1;
    int got = fscanf(p, "%lf %lf", pickle_s, npy_s);
    int status = pclose(p);
    return got == 2 && status == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *input = argc > 1 ? argv[1] : NULL;
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    if (reps < 1) reps = 1;
    wf_error err = {0};
    tbl_table *t = NULL;
    if (input != NULL ? tbl_read_file(input, NULL, &t, &err) < 0 : !(t = bench__make_table(&err))) {
        fprintf(stderr, "bench_native: %s\n", err.message[0] ? err.message : "out of memory");
        return 1;
    }

    double t0 = bench__now();
    uint8_t *buf = NULL;
    size_t size = 0;
    if (tbl_native_encode(t, &buf, &size, &err) < 0) {
        fprintf(stderr, "bench_native: %s\n", err.message);
        return 1;
    }
    double encode_s = bench__now() - t0;
    char path[] = "/tmp/weft-bench-native-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("bench_native: mkstemp");
        return 1;
    }
    close(fd);
    t0 = bench__now();
    if (wf_write_file_atomic(path, buf, size, &err) < 0) {
        fprintf(stderr, "bench_native: %s\n", err.message);
        unlink(path);
        return 1;
    }
    double write_s = bench__now() - t0;
    free(buf);

    size_t raw = 0;
    for (size_t j = 0; j < t->ncols; j++)
        raw += bench__raw_bytes(&t->cols[j], t->nrows);
    size_t nrows = t->nrows, ncols = t->ncols;
    tbl_free(t);

    double *times = calloc((size_t)reps, sizeof *times);
    double touch_s = 0, rss_load = 0, rss_touch = 0;
    size_t loaded = 0;
    for (int r = 0; r < reps; r++) {
        double rss0 = bench__rss_mb();
        t0 = bench__now();
        tbl_table *back = NULL;
        if (tbl_native_load(path, &back, &err) < 0) {
            fprintf(stderr, "bench_native: %s\n", err.message);
            unlink(path);
            return 1;
        }
        times[r] = bench__now() - t0;
        if (r == 0) {
            rss_load = bench__rss_mb() - rss0;
            for (size_t j = 0; j < back->ncols; j++)
                loaded += tbl_column_bytes(&back->cols[j], back->nrows);
            t0 = bench__now();
            volatile double sum = bench__touch(back);
            (void)sum;
            touch_s = bench__now() - t0;
            rss_touch = bench__rss_mb() - rss0;
        }
        tbl_free(back);
    }
    unlink(path);
    double load_min = times[0];
    for (int r = 1; r < reps; r++)
        if (times[r] < load_min) load_min = times[r];
    double load_s = bench__median(times, reps);
    free(times);

    printf("table: %zu rows x %zu columns%s%s\n", nrows, ncols, input ? " from " : " (numeric)",
           input ? input : "");
    printf("encode: %.1f ms; write (fsync'd): %.1f ms; file %.1f MB\n", encode_s * 1e3,
           write_s * 1e3, (double)size / 1e6);
    printf("weft tbl_native_load: median %.3f ms, min %.3f ms over %d runs (target < 50 ms): %s\n",
           load_s * 1e3, load_min * 1e3, reps, load_s < 0.050 ? "met" : "MISSED");
    printf("first pass over every value after load (page faults): %.1f ms\n", touch_s * 1e3);
    printf("memory: loaded table %.1f MB, raw columns %.1f MB, ratio %.3f (target <= 1.3): %s\n",
           (double)loaded / 1e6, (double)raw / 1e6, raw ? (double)loaded / (double)raw : 0.0,
           raw && (double)loaded <= 1.3 * (double)raw ? "met" : "MISSED");
    /* After the load alone, resident memory is the page-cache pages the
     * kernel maps around the few the checks touch (names, padding), not
     * copies: nothing is allocated for values. */
    printf("resident growth: %.1f MB after load (mapped page cache around the pages checked), "
           "%.1f MB after touching every value\n",
           rss_load, rss_touch);
    if (input == NULL) {
        double pickle_s, npy_s;
        if (bench__peers(reps, &pickle_s, &npy_s) == 0) {
            printf("peer pandas.read_pickle: median %.3f ms; ratio peer/weft %.1fx\n",
                   pickle_s * 1e3, pickle_s / load_s);
            printf("peer numpy.load(mmap_mode='r'): median %.3f ms; ratio peer/weft %.2fx\n",
                   npy_s * 1e3, npy_s / load_s);
        } else {
            printf("peers: /usr/bin/python3 with pandas and numpy is not available\n");
        }
    }
    return 0;
}
