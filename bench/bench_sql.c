/*
 * bench_sql.c: times apply-sql-transformation@1 on a table, as the SQL
 * benchmark (bench/sql.sh) runs it next to pandas.
 *
 *     bench_sql FILE QUERY [REPS]
 *
 * FILE is read once (any format tbl_read_file knows; not timed). Then each
 * repetition runs the module on it twice: with QUERY, the whole step a
 * user waits for (loading the table into an in-memory SQLite database,
 * then the query), and with `SELECT 1`, which is the loading alone. It
 * prints one line per repetition:
 *
 *     seconds=2.104 load_seconds=1.380 cpu_seconds=2.0 load_cpu_seconds=1.3 rows=100 cols=7
 *
 * The CPU seconds (CLOCK_PROCESS_CPUTIME_ID) tell what the work costs when
 * other processes share the machine.
 */
#include "modules/modules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double bench__clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench__quiet(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* Runs the module on t with query; *rows and *cols describe its output,
 * *cpu gets the CPU seconds of the process (all threads). Returns the wall
 * seconds. */
static double bench__run(tbl_table *t, const char *query, size_t *rows, size_t *cols, double *cpu)
{
    const mod_descriptor *m = mod_find("apply-sql-transformation@1");
    json_t *params = json_pack("{s:s}", "sql_query_script", query);
    mod_ctx ctx;
    if (m == NULL || params == NULL || mod_ctx_init(&ctx, m, params) < 0) {
        fprintf(stderr, "bench_sql: cannot set up the module\n");
        exit(1);
    }
    json_decref(params);
    ctx.inputs[0].table = t;
    ctx.inputs[0].borrowed = true;
    ctx.on_log = bench__quiet;
    double t0 = bench__clock(CLOCK_MONOTONIC), c0 = bench__clock(CLOCK_PROCESS_CPUTIME_ID);
    int rc = m->run(&ctx);
    double seconds = bench__clock(CLOCK_MONOTONIC) - t0;
    *cpu = bench__clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (rc < 0) {
        fprintf(stderr, "bench_sql: %s\n", ctx.err.message);
        exit(1);
    }
    *rows = ctx.outputs[0].table->nrows;
    *cols = ctx.outputs[0].table->ncols;
    mod_ctx_clear(&ctx);
    return seconds;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_sql FILE QUERY [REPS]\n");
        return 2;
    }
    int reps = argc > 3 ? atoi(argv[3]) : 1;
    if (reps < 1) reps = 1;
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_file(argv[1], NULL, &t, &err) < 0) {
        fprintf(stderr, "bench_sql: %s\n", err.message);
        return 1;
    }
    for (int i = 0; i < reps; i++) {
        size_t rows, cols, r1, c1;
        double cpu, load_cpu;
        double seconds = bench__run(t, argv[2], &rows, &cols, &cpu);
        double load = bench__run(t, "SELECT 1", &r1, &c1, &load_cpu);
        printf("seconds=%.4f load_seconds=%.4f cpu_seconds=%.4f load_cpu_seconds=%.4f rows=%zu "
               "cols=%zu\n",
               seconds, load, cpu, load_cpu, rows, cols);
        fflush(stdout);
    }
    tbl_free(t);
    return 0;
}
