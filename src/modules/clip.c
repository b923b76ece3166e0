/*
 * clip.c: Clip Values (`clip-values@1`): replaces the values of numeric
 * columns above an upper threshold (peaks), below a lower one (subpeaks),
 * or both, by the threshold, the column's mean or median, or a missing
 * value, as the Azure designer's module does. Thresholds are constants or
 * percentiles of the column.
 *
 * Azure's module has no transform output; weft's has one: fitting resolves
 * the percentiles, means and medians on the training data, so that Apply
 * Transformation clips new rows (one scoring request at a time, say) with
 * the training thresholds rather than with statistics of the new rows.
 */
#include "fitted.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { CLIP_PEAKS, CLIP_SUBPEAKS, CLIP_BOTH };
static const char *const clip_sets[] = {"clip-peaks", "clip-subpeaks", "clip-peaks-and-subpeaks",
                                        NULL};
enum { CLIP_CONSTANT, CLIP_PERCENTILE };
static const char *const clip_kinds[] = {"constant", "percentile", NULL};
enum { CLIP_BY_THRESHOLD, CLIP_BY_MEAN, CLIP_BY_MEDIAN, CLIP_BY_MISSING };
static const char *const clip_substitutes[] = {"threshold", "mean", "median", "missing", NULL};

#define CLIP_VALUE_SUFFIX "_clipped"
#define CLIP_FLAG_SUFFIX "_is_clipped"

/* One side's settings, from the parameters. */
typedef struct clip_side {
    bool on;
    size_t kind;       /* CLIP_CONSTANT or CLIP_PERCENTILE */
    double value;      /* the constant, or the percentile (0 to 100) */
    size_t substitute; /* CLIP_BY_* */
} clip_side;

/* One column's fitted thresholds: NaN threshold = that side is off (or
 * undefined); NaN value = clipped values become missing. */
typedef struct clip_fitted {
    double upper, upper_value, lower, lower_value;
} clip_fitted;

/* ---- parameters --------------------------------------------------------- */

static int clip_side_params(mod_ctx *ctx, const char *which, clip_side *s)
{
    char kind[64], constant[64], percentile[64], substitute[64];
    snprintf(kind, sizeof kind, "%s_threshold", which);
    snprintf(constant, sizeof constant, "constant_value_for_%s_threshold", which);
    snprintf(percentile, sizeof percentile, "percentile_value_for_%s_threshold", which);
    snprintf(substitute, sizeof substitute, "%s_substitute_value", which);
    int rc = mod__param_choice(ctx, kind, &s->kind);
    if (rc == 0)
        rc = mod_param_number(ctx, s->kind == CLIP_CONSTANT ? constant : percentile, &s->value);
    if (rc == 0) rc = mod__param_choice(ctx, substitute, &s->substitute);
    if (rc == 0 && !isfinite(s->value))
        rc = mod_param_error(ctx, s->kind == CLIP_CONSTANT ? constant : percentile,
                             "the threshold must be a finite number");
    return rc;
}

static int clip_params(mod_ctx *ctx, clip_side *upper, clip_side *lower, bool *overwrite,
                       bool *indicators)
{
    size_t set;
    memset(upper, 0, sizeof *upper);
    memset(lower, 0, sizeof *lower);
    int rc = mod__param_choice(ctx, "set_of_thresholds", &set);
    if (rc < 0) return rc;
    upper->on = set != CLIP_SUBPEAKS;
    lower->on = set != CLIP_PEAKS;
    if (upper->on) rc = clip_side_params(ctx, "upper", upper);
    if (rc == 0 && lower->on) rc = clip_side_params(ctx, "lower", lower);
    if (rc == 0) rc = mod_param_bool(ctx, "overwrite_flag", overwrite);
    if (rc == 0) rc = mod_param_bool(ctx, "add_indicator_columns", indicators);
    if (rc < 0) return rc;
    /* Thresholds of the same kind compare before any data is seen. */
    if (upper->on && lower->on && upper->kind == lower->kind && lower->value > upper->value)
        return mod_param_error(ctx,
                               lower->kind == CLIP_CONSTANT
                                   ? "constant_value_for_lower_threshold"
                                   : "percentile_value_for_lower_threshold",
                               "the lower threshold, %.17g, is above the upper one, %.17g",
                               lower->value, upper->value);
    return 0;
}

/* ---- fitting ------------------------------------------------------------ */

/* The threshold and substitute of one side, given the column's sorted
 * numbers (n may be 0: everything statistical is then NaN). */
static void clip_fit_side(const clip_side *s, const double *sorted, size_t n, double mean,
                          double *threshold, double *value)
{
    *threshold = *value = NAN;
    if (!s->on) return;
    if (s->kind == CLIP_CONSTANT)
        *threshold = s->value;
    else if (n > 0)
        *threshold = mod__quantile_sorted(sorted, n, s->value / 100);
    switch (s->substitute) {
    case CLIP_BY_THRESHOLD:
        *value = *threshold;
        break;
    case CLIP_BY_MEAN:
        *value = mean;
        break;
    case CLIP_BY_MEDIAN:
        if (n > 0) *value = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        break;
    default:
        break; /* missing */
    }
}

static int clip_fit(mod_ctx *ctx, const tbl_table *in, json_t **transform)
{
    const char *f = "list_of_columns";
    clip_side upper, lower;
    bool overwrite, indicators;
    int rc = clip_params(ctx, &upper, &lower, &overwrite, &indicators);
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
                                  "clipped",
                                  c->name, tbl_type_name(c->type));
    }
    json_t *state = json_pack("{s:b, s:b, s:[]}", "overwrite", overwrite, "indicators", indicators,
                              "parameters");
    json_t *list = json_object_get(state, "parameters");
    if (rc == 0 && state == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < n && rc == 0; k++) {
        const tbl_column *c = &in->cols[idx[k]];
        double *sorted = NULL;
        size_t m = 0;
        if ((rc = mod__sorted_numbers(ctx, c, in->nrows, &sorted, &m)) < 0) break;
        mod__stats st;
        mod__number_stats(c, in->nrows, false, &st);
        double mean = st.count > 0 ? st.sum / (double)st.count : NAN;
        clip_fitted fit;
        clip_fit_side(&upper, sorted, m, mean, &fit.upper, &fit.upper_value);
        clip_fit_side(&lower, sorted, m, mean, &fit.lower, &fit.lower_value);
        free(sorted);
        if (fit.lower > fit.upper) {
            rc = mod__field_error(ctx, f, WF_EINVAL,
                                  "column \"%s\": the lower threshold, %.17g, is above the upper "
                                  "one, %.17g",
                                  c->name, fit.lower, fit.upper);
            break;
        }
        json_t *p =
            json_pack("{s:o, s:o, s:o, s:o}", "upper", mod__json_number(fit.upper), "upper_value",
                      mod__json_number(fit.upper_value), "lower", mod__json_number(fit.lower),
                      "lower_value", mod__json_number(fit.lower_value));
        if (json_array_append_new(list, p) < 0) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        if (mod_cancelled(ctx)) rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
    }
    if (rc < 0) {
        json_decref(state);
        free(idx);
        return rc;
    }
    *transform = mod__transform_new(ctx, &mod_clip_values, in, idx, n, state);
    free(idx);
    return *transform == NULL ? ctx->err.code : 0;
}

/* ---- applying ----------------------------------------------------------- */

/* A new column name: src's name and a suffix. */
static char *clip_name(const char *name, const char *suffix)
{
    size_t len = strlen(name) + strlen(suffix) + 1;
    char *s = malloc(len);
    if (s != NULL) snprintf(s, len, "%s%s", name, suffix);
    return s;
}

/* Clips src into dst (a numeric column named `name`) and, when flags is
 * given, sets flags[r] where row r was clipped. Missing values (and NaN)
 * stay missing and are never clipped. */
static int clip_column(mod_ctx *ctx, const clip_fitted *p, const tbl_column *src, size_t n,
                       const char *name, tbl_column *dst, uint8_t *flags)
{
    wf_error err = {0};
    if (tbl_column_init(dst, name, TBL_NUMERIC, n, &err) < 0) return mod_fail_with(ctx, &err);
    dst->role = src->role;
    double *y = dst->v.f64;
    for (size_t r = 0; r < n; r++) {
        if (!mod__has_number(src, r)) {
            if (tbl_set_missing(dst, r, n) < 0) return mod_fail(ctx, WF_ENOMEM, "out of memory");
            continue;
        }
        double x = mod__number_at(src, r), v = x;
        bool clipped = false;
        /* A NaN threshold compares false: that side is off. */
        if (x > p->upper) {
            v = p->upper_value;
            clipped = true;
        } else if (x < p->lower) {
            v = p->lower_value;
            clipped = true;
        }
        if (flags != NULL) flags[r] = clipped;
        if (isnan(v) && tbl_set_missing(dst, r, n) < 0)
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        y[r] = isnan(v) ? 0 : v;
    }
    return 0;
}

static int clip_read(mod_ctx *ctx, const json_t *entry, clip_fitted *p)
{
    const mod_descriptor *m = &mod_clip_values;
    int rc = mod__state_number(ctx, m, entry, "upper", &p->upper);
    if (rc == 0) rc = mod__state_number(ctx, m, entry, "upper_value", &p->upper_value);
    if (rc == 0) rc = mod__state_number(ctx, m, entry, "lower", &p->lower);
    if (rc == 0) rc = mod__state_number(ctx, m, entry, "lower_value", &p->lower_value);
    return rc;
}

/* Adds the clipped column of transform column k: in place of the input
 * column (at position j of res) or, without overwrite, after all others;
 * and its indicator column when asked (after those). */
static int clip_apply_columns(mod_ctx *ctx, const mod__bound *b, const json_t *list, bool overwrite,
                              bool indicators, tbl_table *res)
{
    const tbl_table *t = b->t;
    size_t n = t->nrows;
    long *which = wf_mallocarray(t->ncols ? t->ncols : 1, sizeof *which);
    clip_fitted *fits = wf_calloc(b->n ? b->n : 1, sizeof *fits);
    uint8_t *flags = indicators ? wf_calloc(b->n ? b->n : 1, n ? n : 1) : NULL;
    int rc = 0;
    if (which == NULL || fits == NULL || (indicators && flags == NULL))
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < t->ncols; j++)
        which[j] = -1;
    for (size_t k = 0; rc == 0 && k < b->n; k++) {
        which[b->idx[k]] = (long)k;
        rc = clip_read(ctx, json_array_get(list, k), &fits[k]);
        if (rc == 0 && !mod__is_number_type(t->cols[b->idx[k]].type))
            rc = mod_fail(ctx, WF_ETYPE, "column \"%s\" is %s: only numbers can be clipped",
                          t->cols[b->idx[k]].name, tbl_type_name(t->cols[b->idx[k]].type));
    }
    /* Pass 1: the input's columns, clipped in place when overwriting. */
    for (size_t j = 0; rc == 0 && j < t->ncols; j++) {
        if (which[j] < 0 || !overwrite) {
            rc = mod__copy_column(ctx, res, t, j);
            continue;
        }
        size_t k = (size_t)which[j];
        tbl_column c;
        memset(&c, 0, sizeof c);
        rc = clip_column(ctx, &fits[k], &t->cols[j], n, t->cols[j].name, &c,
                         indicators ? flags + k * n : NULL);
        if (rc == 0)
            rc = mod__add_column_unique(ctx, res, &c);
        else
            tbl_column_clear(&c);
    }
    /* Pass 2: without overwrite, the clipped copies; then the indicators. */
    for (size_t k = 0; rc == 0 && !overwrite && k < b->n; k++) {
        const tbl_column *src = &t->cols[b->idx[k]];
        char *name = clip_name(src->name, CLIP_VALUE_SUFFIX);
        tbl_column c;
        memset(&c, 0, sizeof c);
        rc = name == NULL
                 ? mod_fail(ctx, WF_ENOMEM, "out of memory")
                 : clip_column(ctx, &fits[k], src, n, name, &c, indicators ? flags + k * n : NULL);
        free(name);
        c.role = TBL_ROLE_FEATURE;
        if (rc == 0)
            rc = mod__add_column_unique(ctx, res, &c);
        else
            tbl_column_clear(&c);
    }
    for (size_t k = 0; rc == 0 && indicators && k < b->n; k++) {
        char *name = clip_name(t->cols[b->idx[k]].name, CLIP_FLAG_SUFFIX);
        tbl_column c;
        wf_error err = {0};
        if (name == NULL) {
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
            break;
        }
        rc = tbl_column_init(&c, name, TBL_BOOLEAN, n, &err);
        free(name);
        if (rc < 0) {
            rc = mod_fail_with(ctx, &err);
            break;
        }
        if (n > 0) memcpy(c.v.b8, flags + k * n, n);
        rc = mod__add_column_unique(ctx, res, &c);
    }
    free(which);
    free(fits);
    free(flags);
    return rc;
}

static int clip_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in, tbl_table **out)
{
    *out = NULL;
    const mod_descriptor *m = &mod_clip_values;
    mod__bound b;
    int rc = mod__transform_bind(ctx, m, transform, in, &b);
    if (rc < 0) return rc;
    bool overwrite = true, indicators = false;
    rc = mod__state_bool(ctx, m, b.state, "overwrite", &overwrite);
    if (rc == 0) rc = mod__state_bool(ctx, m, b.state, "indicators", &indicators);
    const json_t *list = rc == 0 ? mod__state_list(ctx, m, b.state, "parameters", b.n) : NULL;
    if (rc == 0 && list == NULL) rc = ctx->err.code;
    tbl_table *res = rc == 0 ? mod__empty_like(ctx, b.t) : NULL;
    if (rc == 0 && res == NULL) rc = ctx->err.code;
    if (rc == 0) rc = clip_apply_columns(ctx, &b, list, overwrite, indicators, res);
    mod__bound_clear(&b);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int clip_run(mod_ctx *ctx)
{
    return mod__fit_and_apply(ctx, "dataset", "results_dataset", "clipping_transformation",
                              clip_fit);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port clip_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table whose values to clip."},
};

static const mod_port clip_out[] = {
    {.name = "results_dataset", .kind = MOD_TABLE, .help = "The table with clipped values."},
    {.name = "clipping_transformation",
     .kind = MOD_TRANSFORM,
     .help = "The fitted thresholds and substitutes, for Apply Transformation (a weft "
             "addition)."},
};

#define CLIP_UPPER_SHOWN "set_of_thresholds=clip-peaks|clip-peaks-and-subpeaks"
#define CLIP_LOWER_SHOWN "set_of_thresholds=clip-subpeaks|clip-peaks-and-subpeaks"

static const mod_param clip_params_spec[] = {
    {.name = "set_of_thresholds",
     .label = "Set of thresholds",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"clip-peaks\"",
     .choices = clip_sets,
     .help = "Clip values above the upper threshold (`clip-peaks`), below the lower one "
             "(`clip-subpeaks`), or both."},
    {.name = "upper_threshold",
     .label = "Upper threshold",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"constant\"",
     .choices = clip_kinds,
     .visible_when = CLIP_UPPER_SHOWN,
     .help = "A `constant` threshold, or a `percentile` of the column."},
    {.name = "constant_value_for_upper_threshold",
     .label = "Constant value for upper threshold",
     .type = MOD_PARAM_NUMBER,
     .default_json = "99",
     .visible_when = "upper_threshold=constant",
     .help = "Values above this are peaks."},
    {.name = "percentile_value_for_upper_threshold",
     .label = "Percentile value for upper threshold",
     .type = MOD_PARAM_NUMBER,
     .default_json = "99",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 100,
     .visible_when = "upper_threshold=percentile",
     .help = "Values above this percentile of the column (0 to 100) are peaks."},
    {.name = "upper_substitute_value",
     .label = "Substitute value for peaks",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"threshold\"",
     .choices = clip_substitutes,
     .visible_when = CLIP_UPPER_SHOWN,
     .help = "What replaces a peak: the `threshold`, the column's `mean` or `median`, or a "
             "`missing` value."},
    {.name = "lower_threshold",
     .label = "Lower threshold",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"constant\"",
     .choices = clip_kinds,
     .visible_when = CLIP_LOWER_SHOWN,
     .help = "A `constant` threshold, or a `percentile` of the column."},
    {.name = "constant_value_for_lower_threshold",
     .label = "Constant value for lower threshold",
     .type = MOD_PARAM_NUMBER,
     .default_json = "1",
     .visible_when = "lower_threshold=constant",
     .help = "Values below this are subpeaks."},
    {.name = "percentile_value_for_lower_threshold",
     .label = "Percentile value for lower threshold",
     .type = MOD_PARAM_NUMBER,
     .default_json = "1",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 100,
     .visible_when = "lower_threshold=percentile",
     .help = "Values below this percentile of the column (0 to 100) are subpeaks."},
    {.name = "lower_substitute_value",
     .label = "Substitute value for subpeaks",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"threshold\"",
     .choices = clip_substitutes,
     .visible_when = CLIP_LOWER_SHOWN,
     .help = "What replaces a subpeak: the `threshold`, the column's `mean` or `median`, or a "
             "`missing` value."},
    {.name = "list_of_columns",
     .label = "List of columns",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The numeric and integer columns to clip."},
    {.name = "overwrite_flag",
     .label = "Overwrite flag",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Replace the columns with their clipped values. Off: keep them and add "
             "`<name>_clipped` columns."},
    {.name = "add_indicator_columns",
     .label = "Add indicator columns",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .help = "Add a boolean `<name>_is_clipped` column per clipped column, true where a value "
             "was clipped."},
};

const mod_descriptor mod_clip_values = {
    .name = "clip-values",
    .version = 1,
    .display_name = "Clip Values",
    .category = "Data Transformation",
    .help = "Replaces outliers: values above an upper threshold (peaks), below a lower threshold "
            "(subpeaks), or both, in the selected numeric columns. A value equal to a threshold "
            "is kept.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Set of thresholds** (`set_of_thresholds`, default `clip-peaks`): `clip-peaks`, "
            "`clip-subpeaks` or `clip-peaks-and-subpeaks`.\n"
            "- **Upper threshold** (`upper_threshold`, default `constant`) with **Constant value "
            "for upper threshold** (`constant_value_for_upper_threshold`, default 99) or "
            "**Percentile value for upper threshold** (`percentile_value_for_upper_threshold`, "
            "default 99, from 0 to 100).\n"
            "- **Substitute value for peaks** (`upper_substitute_value`, default `threshold`): "
            "`threshold`, `mean`, `median` or `missing`.\n"
            "- **Lower threshold** (`lower_threshold`), **Constant value for lower threshold** "
            "(`constant_value_for_lower_threshold`, default 1), **Percentile value for lower "
            "threshold** (`percentile_value_for_lower_threshold`, default 1) and **Substitute "
            "value for subpeaks** (`lower_substitute_value`): the same for subpeaks.\n"
            "- **List of columns** (`list_of_columns`, required): numeric and integer columns; "
            "another type is an error naming the column.\n"
            "- **Overwrite flag** (`overwrite_flag`, default true): off, the columns are kept and "
            "the clipped values go to new `<name>_clipped` columns after all others.\n"
            "- **Add indicator columns** (`add_indicator_columns`, default false): adds a boolean "
            "`<name>_is_clipped` per column, true where the value was clipped.\n"
            "\n"
            "Percentiles are numpy.percentile's default (linear interpolation between the closest "
            "ranks, Hyndman and Fan's definition 7) over the column's values that are not "
            "missing. The mean and the median are those of the values before clipping. A lower "
            "threshold above the upper one is an error.\n"
            "\n"
            "## Missing values and roles\n"
            "\n"
            "Missing values (and NaN) are never clipped and stay missing; statistics skip them. "
            "With `missing` as the substitute, clipped values become missing. Clipped columns are "
            "numeric (integer columns become numeric) and keep their names and roles when "
            "overwritten; added columns are features.\n"
            "\n"
            "## Outputs\n"
            "\n"
            "- **results_dataset**: the clipped table.\n"
            "- **clipping_transformation** (a weft addition: Azure's module has no transform "
            "output): the thresholds and substitutes resolved on this input, so that Apply "
            "Transformation clips new data with the training percentiles, means and medians.\n"
            "\n"
            "## Example\n"
            "\n"
            "Clip both tails of `price` at its 1st and 99th percentiles:\n"
            "\n"
            "```json\n"
            "{\"set_of_thresholds\": \"clip-peaks-and-subpeaks\",\n"
            " \"upper_threshold\": \"percentile\", \"lower_threshold\": \"percentile\",\n"
            " \"list_of_columns\": {\"include\": [{\"names\": [\"price\"]}]}}\n"
            "```\n",
    MOD_PORTS(inputs, clip_in),
    MOD_PORTS(outputs, clip_out),
    MOD_PARAMS(clip_params_spec),
    .configure = clip_run,
    .run = clip_run,
    .apply = clip_apply,
};
