/*
 * bench_util.h: what the benchmark drivers that call modules directly share
 * (bench_learn, bench_learners3, bench_selection): a clock, running one
 * module on borrowed inputs, loading a table and taking a median. Each
 * helper exits with a message on failure: a benchmark that cannot run has
 * nothing to report.
 */
#ifndef WEFT_BENCH_UTIL_H
#define WEFT_BENCH_UTIL_H

#include "modules/modules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Monotonic seconds. */
static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline void bench_quiet(void *user, const char *line)
{
    (void)user;
    (void)line;
}

/* Runs module ref with params (defaults filled in) on the n inputs in,
 * which stay the caller's; the outputs are in ctx, which the caller
 * clears. Exits on failure. */
static inline void bench_run(mod_ctx *ctx, const char *ref, const char *params_json, mod_value *in,
                             size_t n)
{
    json_t *params = json_loads(params_json, 0, NULL);
    const mod_descriptor *m = mod_find(ref);
    if (params == NULL || m == NULL || mod_ctx_init(ctx, m, params) < 0) {
        fprintf(stderr, "bench: cannot set up %s\n", ref);
        exit(1);
    }
    json_decref(params);
    for (size_t k = 0; k < m->nparams; k++)
        if (json_object_get(ctx->params, m->params[k].name) == NULL &&
            m->params[k].default_json != NULL)
            json_object_set_new(ctx->params, m->params[k].name,
                                json_loads(m->params[k].default_json, JSON_DECODE_ANY, NULL));
    for (size_t i = 0; i < n; i++) {
        ctx->inputs[i] = in[i];
        ctx->inputs[i].borrowed = true;
        if (in[i].json != NULL) json_incref(in[i].json);
    }
    ctx->on_log = bench_quiet;
    if (m->run(ctx) < 0) {
        fprintf(stderr, "bench: %s: %s\n", ref, ctx->err.message);
        exit(1);
    }
}

/* The table in path (format from its extension). Exits on failure. */
static inline tbl_table *bench_load(const char *path)
{
    tbl_read_options opt = {0};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_file(path, &opt, &t, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    return t;
}

static inline int bench__compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v). */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench__compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
