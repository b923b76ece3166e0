/*
 * normalize.c: Normalize Data (`normalize-data@1`), the Azure designer's
 * rescaling of numeric columns to a common scale: z-scores, min-max, the
 * logistic function, the log-normal CDF and tanh. Fitting computes each
 * column's statistics (the transform's state); applying rescales with them,
 * so new data is scaled with the training statistics.
 */
#include "fitted.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { NORM_ZSCORE, NORM_MINMAX, NORM_LOGISTIC, NORM_LOGNORMAL, NORM_TANH };
static const char *const norm_methods[] = {"zscore",     "min-max", "logistic",
                                           "log-normal", "tanh",    NULL};

/* One column's fitted parameters: a and b are (mean, std), (min, max) or
 * (mu, sigma), by method. */
typedef struct norm_params {
    double a, b;
    bool constant; /* every value that is not missing is the same */
} norm_params;

/* The keys of a and b in the state, by method (NULL: none). */
static const char *const norm_keys[][2] = {
    {"mean", "std"}, {"min", "max"}, {NULL, NULL}, {"mu", "sigma"}, {NULL, NULL}};

/* ---- fitting ------------------------------------------------------------ */

/* The statistics of column c that `method` needs. Missing values and NaN
 * are skipped, as pandas skips them. The standard deviation of z-scores is
 * the sample one (n - 1), as pandas' std(); sigma of the log-normal is the
 * maximum-likelihood one (n), as scipy.stats.lognorm.fit with floc=0. */
static norm_params norm_fit_column(const tbl_column *c, size_t nrows, size_t method)
{
    norm_params p = {.a = NAN, .b = NAN, .constant = false};
    if (method == NORM_ZSCORE) {
        mod__moments_t mo;
        mod__moments(c, nrows, &mo);
        p.constant = mo.count > 0 && mo.constant;
        p.a = mo.mean;
        p.b = mo.count > 1 ? sqrt(mo.ss / (double)(mo.count - 1)) : NAN;
        return p;
    }
    mod__stats s;
    mod__number_stats(c, nrows, true, &s);
    p.constant = s.count > 0 && s.min == s.max;
    if (method == NORM_MINMAX && s.count > 0) {
        p.a = s.min;
        p.b = s.max;
    } else if (method == NORM_LOGNORMAL) {
        size_t n = 0;
        double lsum = 0;
        for (size_t r = 0; r < nrows; r++) {
            if (!mod__has_number(c, r) || !(mod__number_at(c, r) > 0)) continue;
            n++;
            lsum += log(mod__number_at(c, r));
        }
        if (n > 0) {
            double mu = lsum / (double)n, ss = 0;
            for (size_t r = 0; r < nrows; r++) {
                if (!mod__has_number(c, r) || !(mod__number_at(c, r) > 0)) continue;
                double d = log(mod__number_at(c, r)) - mu;
                ss += d * d;
            }
            p.a = mu;
            p.b = sqrt(ss / (double)n);
        }
    }
    return p;
}

static json_t *norm_params_json(const norm_params *p, size_t method)
{
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "constant", json_boolean(p->constant)) < 0) goto oom;
    if (norm_keys[method][0] != NULL &&
        (json_object_set_new(o, norm_keys[method][0], mod__json_number(p->a)) < 0 ||
         json_object_set_new(o, norm_keys[method][1], mod__json_number(p->b)) < 0))
        goto oom;
    return o;
oom:
    json_decref(o);
    return NULL;
}

/* The columns' statistics, computed in parallel (mod__parallel_for). */
typedef struct norm_fit_job {
    const tbl_table *in;
    const size_t *idx;
    size_t method;
    norm_params *params;
} norm_fit_job;

static void norm_fit_one(void *arg, size_t k)
{
    norm_fit_job *job = arg;
    job->params[k] = norm_fit_column(&job->in->cols[job->idx[k]], job->in->nrows, job->method);
}

static int norm_fit(mod_ctx *ctx, const tbl_table *in, json_t **transform)
{
    const char *f = "columns_to_transform";
    size_t method;
    bool zero;
    int rc = mod__param_choice(ctx, "transformation_method", &method);
    if (rc == 0) rc = mod_param_bool(ctx, "use_0_for_constant_columns_when_checked", &zero);
    if (rc < 0) return rc;
    if (in == NULL) {
        tbl_selection sel;
        rc = mod_param_selection(ctx, f, &sel);
        tbl_selection_clear(&sel);
        return rc;
    }
    size_t *idx = NULL, n = 0;
    if ((rc = mod__resolve_selection(ctx, f, in, &idx, &n)) < 0) return rc;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const tbl_column *c = &in->cols[idx[k]];
        if (!mod__is_number_type(c->type))
            rc = mod__field_error(ctx, f, WF_ETYPE,
                                  "column \"%s\" is %s: only numeric and integer columns can be "
                                  "normalized",
                                  c->name, tbl_type_name(c->type));
    }
    json_t *state = json_pack("{s:s, s:b, s:[]}", "method", norm_methods[method],
                              "constant_columns_to_zero", zero, "parameters");
    json_t *list = json_object_get(state, "parameters");
    norm_fit_job job = {.in = in, .idx = idx, .method = method};
    job.params = rc == 0 ? wf_calloc(n, sizeof *job.params) : NULL;
    if (rc == 0 && (state == NULL || job.params == NULL))
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (rc == 0) mod__parallel_for(n, n * in->nrows, norm_fit_one, &job);
    for (size_t k = 0; k < n && rc == 0; k++)
        if (json_array_append_new(list, norm_params_json(&job.params[k], method)) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    free(job.params);
    if (rc == 0 && mod_cancelled(ctx)) rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
    if (rc < 0) {
        json_decref(state);
        free(idx);
        return rc;
    }
    mod_progress(ctx, 0.5);
    *transform = mod__transform_new(ctx, &mod_normalize_data, in, idx, n, state);
    free(idx);
    if (*transform == NULL) return ctx->err.code;
    if (!ctx->schema_only)
        mod_log(ctx, "%s: fitted %zu columns on %zu rows", norm_methods[method], n, in->nrows);
    return 0;
}

/* ---- applying ----------------------------------------------------------- */

/* One loop per method: y[r] = EXPR of x = xs[r], 0 where the mask says
 * missing, counting NaN results on the way. No call or branch but the
 * select inside, so the compiler can vectorise it. */
#define NORM_LOOP(EXPR)                                                                            \
    do {                                                                                           \
        if (m != NULL) {                                                                           \
            for (size_t r = 0; r < n; r++) {                                                       \
                const double x = xs[r];                                                            \
                const double v = m[r] ? 0.0 : (EXPR);                                              \
                y[r] = v;                                                                          \
                nan += v != v;                                                                     \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t r = 0; r < n; r++) {                                                       \
                const double x = xs[r];                                                            \
                const double v = (EXPR);                                                           \
                y[r] = v;                                                                          \
                nan += v != v;                                                                     \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Rescales src into dst (a new numeric column with src's name and role).
 * The result of a missing value, and a NaN result (a constant column
 * without use_0, a statistic that was undefined), is missing. It runs in
 * worker threads, so it only returns 0 or WF_ENOMEM. */
static int norm_column(size_t method, bool zero, const norm_params *p, const tbl_column *src,
                       size_t n, tbl_column *dst)
{
    int rc = mod__column_for_writing(NULL, dst, src->name, TBL_NUMERIC, n);
    if (rc < 0) return rc;
    dst->role = src->role;
    double *y = dst->v.f64;
    const double *xs = src->v.f64;
    if (src->type != TBL_NUMERIC) {
        /* Integers: converted in place first; each loop reads x before it
         * writes y at the same row. */
        for (size_t r = 0; r < n; r++)
            y[r] = (double)src->v.i64[r];
        xs = y;
    }
    const uint8_t *m = src->missing;
    const double a = p->a, b = p->b, range = b - a, scale = b * M_SQRT2;
    size_t nan = 0;
    if (p->constant && zero)
        NORM_LOOP(x == x ? 0.0 : x);
    else if (method == NORM_ZSCORE)
        nan = mod__affine_f64(xs, m, n, a, b, y);
    else if (method == NORM_MINMAX)
        nan = mod__affine_f64(xs, m, n, a, range, y);
    else if (method == NORM_LOGISTIC)
        NORM_LOOP(1 / (1 + exp(-x)));
    else if (method == NORM_LOGNORMAL)
        /* The log-normal CDF, Phi((ln x - mu) / sigma); 0 for x <= 0 (NaN
         * stays NaN). */
        NORM_LOOP(x > 0 ? 0.5 * erfc(-(log(x) - a) / scale) : x == x ? 0 : x);
    else
        NORM_LOOP(tanh(x));
    if (m != NULL) {
        dst->missing = malloc(n ? n : 1);
        if (dst->missing == NULL) return WF_ENOMEM;
        memcpy(dst->missing, m, n);
    }
    for (size_t r = 0; nan > 0 && r < n; r++) {
        if (y[r] != y[r]) {
            if (tbl_set_missing(dst, r, n) < 0) return WF_ENOMEM;
            y[r] = 0;
        }
    }
    /* No compaction: rows only ever become missing here, so the mask is
     * non-empty exactly when the input's was or a result was NaN. */
    return 0;
}

#undef NORM_LOOP

/* Reads the fitted parameters of transform column k. */
static int norm_read_params(mod_ctx *ctx, const json_t *entry, size_t method, norm_params *p)
{
    const mod_descriptor *m = &mod_normalize_data;
    p->a = p->b = NAN;
    int rc = mod__state_bool(ctx, m, entry, "constant", &p->constant);
    if (rc == 0 && norm_keys[method][0] != NULL) {
        rc = mod__state_number(ctx, m, entry, norm_keys[method][0], &p->a);
        if (rc == 0) rc = mod__state_number(ctx, m, entry, norm_keys[method][1], &p->b);
    }
    return rc;
}

/* One rescaled column, made by a worker thread. */
typedef struct norm_task {
    const tbl_column *src;
    norm_params params;
    tbl_column dst;
    int rc;
} norm_task;

typedef struct norm_apply_job {
    norm_task *tasks;
    size_t method, nrows;
    bool zero;
} norm_apply_job;

static void norm_apply_one(void *arg, size_t k)
{
    norm_apply_job *job = arg;
    norm_task *t = &job->tasks[k];
    t->rc = norm_column(job->method, job->zero, &t->params, t->src, job->nrows, &t->dst);
    if (t->rc < 0) tbl_column_clear(&t->dst);
}

static int norm_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in, tbl_table **out)
{
    *out = NULL;
    const mod_descriptor *m = &mod_normalize_data;
    mod__bound b;
    int rc = mod__transform_bind(ctx, m, transform, in, &b);
    if (rc < 0) return rc;
    size_t method = 0;
    bool zero = false;
    const char *name = mod__state_string(ctx, m, b.state, "method");
    while (name != NULL && norm_methods[method] != NULL && strcmp(norm_methods[method], name) != 0)
        method++;
    if (name == NULL)
        rc = ctx->err.code;
    else if (norm_methods[method] == NULL)
        rc = mod_fail(ctx, WF_EINVAL,
                      "the normalize-data@1 transform names an unknown method \"%s\"", name);
    if (rc == 0) rc = mod__state_bool(ctx, m, b.state, "constant_columns_to_zero", &zero);
    const json_t *list = rc == 0 ? mod__state_list(ctx, m, b.state, "parameters", b.n) : NULL;
    if (rc == 0 && list == NULL) rc = ctx->err.code;
    /* which[j]: the transform column that rescales input column j, or -1. */
    long *which = rc == 0 ? wf_mallocarray(b.t->ncols ? b.t->ncols : 1, sizeof *which) : NULL;
    if (rc == 0 && which == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < b.t->ncols; j++)
        which[j] = -1;
    for (size_t k = 0; rc == 0 && k < b.n; k++) {
        which[b.idx[k]] = (long)k;
        if (!mod__is_number_type(b.t->cols[b.idx[k]].type))
            rc = mod_fail(ctx, WF_ETYPE, "column \"%s\" is %s: only numbers can be normalized",
                          b.t->cols[b.idx[k]].name, tbl_type_name(b.t->cols[b.idx[k]].type));
    }
    /* The parameters first (reading them can fail, naming the field), then
     * every column rescaled in parallel, then the table in input order. */
    norm_apply_job job = {.method = method, .zero = zero, .nrows = b.t->nrows};
    job.tasks = rc == 0 ? wf_calloc(b.n, sizeof *job.tasks) : NULL;
    if (rc == 0 && job.tasks == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < b.n; k++) {
        job.tasks[k].src = &b.t->cols[b.idx[k]];
        rc = norm_read_params(ctx, json_array_get(list, k), method, &job.tasks[k].params);
    }
    if (rc == 0) mod__parallel_for(b.n, b.n * b.t->nrows, norm_apply_one, &job);
    for (size_t k = 0; rc == 0 && k < b.n; k++)
        if (job.tasks[k].rc < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory rescaling column \"%s\"",
                          job.tasks[k].src->name);
    tbl_table *res = rc == 0 ? mod__empty_like(ctx, b.t) : NULL;
    if (rc == 0 && res == NULL) rc = ctx->err.code;
    for (size_t j = 0; rc == 0 && j < b.t->ncols; j++) {
        if (which[j] < 0)
            rc = mod__copy_column(ctx, res, b.t, j);
        else
            rc = mod__add_column_unique(ctx, res, &job.tasks[which[j]].dst);
    }
    if (rc == 0 && mod_cancelled(ctx)) rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
    for (size_t k = 0; job.tasks != NULL && k < b.n; k++)
        tbl_column_clear(&job.tasks[k].dst);
    free(job.tasks);
    free(which);
    mod__bound_clear(&b);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int norm_run(mod_ctx *ctx)
{
    return mod__fit_and_apply(ctx, "dataset", "transformed_dataset", "transformation_function",
                              norm_fit);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port norm_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table whose columns to rescale."},
};

static const mod_port norm_out[] = {
    {.name = "transformed_dataset",
     .kind = MOD_TABLE,
     .help = "The input with the selected columns rescaled (as numeric columns)."},
    {.name = "transformation_function",
     .kind = MOD_TRANSFORM,
     .help = "The fitted statistics, for Apply Transformation on new data."},
};

static const mod_param norm_params_spec[] = {
    {.name = "transformation_method",
     .label = "Transformation method",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"zscore\"",
     .choices = norm_methods,
     .help = "`zscore`, `min-max`, `logistic`, `log-normal` or `tanh` (Azure's ZScore, MinMax, "
             "Logistic, LogNormal and Tanh)."},
    {.name = "use_0_for_constant_columns_when_checked",
     .label = "Use 0 for constant columns when checked",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "A column whose values are all the same becomes 0 (where not missing) instead of "
             "being rescaled."},
    {.name = "columns_to_transform",
     .label = "Columns to transform",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The numeric and integer columns to rescale. Selecting a column of another type "
             "is an error that names it."},
};

const mod_descriptor mod_normalize_data = {
    .name = "normalize-data",
    .version = 1,
    .display_name = "Normalize Data",
    .category = "Data Transformation",
    .help = "Rescales numeric columns to a common scale, so that columns with large values do not "
            "dominate those with small ones. Every selected column gets the same method; the "
            "statistics are computed per column, on this input, and kept in the "
            "`transformation_function` output so that Apply Transformation scales new data the "
            "same way.\n"
            "\n"
            "## Methods\n"
            "\n"
            "- **zscore**: `(x - mean) / std`, with the *sample* standard deviation (divisor "
            "n - 1), as pandas' `std()`. Azure's documentation says it uses the population "
            "standard deviation (divisor n); weft follows pandas.\n"
            "- **min-max**: `(x - min) / (max - min)`, into [0, 1] on the training data.\n"
            "- **logistic**: `1 / (1 + exp(-x))`; nothing is fitted.\n"
            "- **log-normal**: the log-normal CDF, `Phi((ln x - mu) / sigma)`, where mu and sigma "
            "are the mean and the maximum-likelihood (divisor n) standard deviation of `ln x` over "
            "the positive values. Values at or below 0 become 0.\n"
            "- **tanh**: `tanh(x)`; nothing is fitted.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Transformation method** (`transformation_method`, default `zscore`).\n"
            "- **Use 0 for constant columns when checked** "
            "(`use_0_for_constant_columns_when_checked`, default true): a column whose values "
            "that are not missing are all equal becomes 0, whatever the method. Unchecked, such a "
            "column gives `0 / 0` for zscore and min-max, and those values become missing.\n"
            "- **Columns to transform** (`columns_to_transform`, required): numeric and integer "
            "columns only; a column of another type is an error naming it.\n"
            "\n"
            "## Missing values and roles\n"
            "\n"
            "Missing values (and NaN) are skipped when fitting and stay missing in the output. A "
            "result that is not a number (an undefined statistic, `0 / 0`) is missing too. The "
            "rescaled columns keep their names, positions and roles (a label can be normalized); "
            "integer columns become numeric. Other columns pass through unchanged.\n"
            "\n"
            "## Outputs\n"
            "\n"
            "- **transformed_dataset**: the input with the selected columns rescaled.\n"
            "- **transformation_function**: the fitted transform (docs/formats.md, \"Fitted "
            "transforms\").\n"
            "\n"
            "## Example\n"
            "\n"
            "Z-scores of every numeric column except the label:\n"
            "\n"
            "```json\n"
            "{\"transformation_method\": \"zscore\",\n"
            " \"columns_to_transform\": {\"include\": [{\"type\": \"numeric\"}],\n"
            "                          \"exclude\": [{\"role\": \"label\"}]}}\n"
            "```\n",
    MOD_PORTS(inputs, norm_in),
    MOD_PORTS(outputs, norm_out),
    MOD_PARAMS(norm_params_spec),
    .configure = norm_run,
    .run = norm_run,
    .apply = norm_apply,
};
