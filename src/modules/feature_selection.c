/*
 * feature_selection.c: `filter-based-feature-selection@1`, the Azure
 * designer's Filter Based Feature Selection (with the methods of its Studio
 * (classic) version). Each candidate column gets a score of how much it
 * tells about the target column; the best `number_of_desired_features` stay.
 *
 * The scores, over the rows where both the column and the target have a
 * value (missing values and NaN are left out):
 *
 * - Pearson: |r|, the product-moment correlation.
 * - Spearman: |rho|, Pearson's r of the ranks (ties get their mean rank).
 * - Kendall: |tau-b|, counted in O(n log n) by W. R. Knight, "A Computer
 *   Method for Calculating Kendall's Tau with Ungrouped Data", JASA 61
 *   (1966): sort by (x, y), then count the exchanges a merge sort by y makes.
 * - Chi squared: Pearson's statistic sum (O - E)^2 / E over the contingency
 *   table of the two columns' levels.
 * - Mutual information: sum p(a, b) ln(p(a, b) / (p(a) p(b))) over the same
 *   table, in nats.
 * - Fisher score: sum_k n_k (m_k - m)^2 / sum_k n_k s_k^2, the spread of the
 *   class means over the spread within classes (R. O. Duda, P. E. Hart and
 *   D. G. Stork, Pattern Classification, 2nd ed., 2001; Q. Gu, Z. Li and J.
 *   Han, "Generalized Fisher Score for Feature Selection", UAI 2011), with
 *   the target's levels as the classes and s_k^2 the variance within class k
 *   (divided by n_k).
 * - Count based: the number of values that are present and not zero.
 *
 * Levels: a string, categorical, boolean or date-time column's levels are
 * its values. A number column with at most MOD__FS_BINS (10) distinct values
 * has one level per value; with more, its range [min, max] is cut into
 * MOD__FS_BINS equal-width bins, the last one closed (numpy.histogram's
 * bins). The statistics themselves are in feature_scores.c.
 *
 * The correlations need numbers. A boolean is 1 or 0. A target that is not
 * a number (string, categorical, date-time) is replaced by the mean of the
 * column within each of its levels, and the column is correlated with
 * those conditional means, as Azure's notes describe.
 */
#include "feature_scores.h"
#include "fitted.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { FS_PEARSON, FS_MUTUAL, FS_KENDALL, FS_SPEARMAN, FS_CHI2, FS_FISHER, FS_COUNT };
static const char *const fs_methods[] = {
    "pearson-correlation", "mutual-information", "kendall-correlation", "spearman-correlation",
    "chi-squared",         "fisher-score",       "count-based",         NULL};

/* ---- columns, ready to score ------------------------------------------- */

/* A column as the scores see it: numbers (numeric, integer, boolean) or
 * levels (everything else, by value), and which rows hold a value. */
typedef struct fs_column {
    bool numeric;
    double *value; /* numeric: per row */
    size_t *level; /* not numeric: the row's group (tbl_group_by) */
    bool *present;
} fs_column;

static void fs_column_free(fs_column *c)
{
    free(c->value);
    free(c->level);
    free(c->present);
    memset(c, 0, sizeof *c);
}

static int fs_column_make(mod_ctx *ctx, const tbl_table *in, size_t col, fs_column *out)
{
    memset(out, 0, sizeof *out);
    const tbl_column *c = &in->cols[col];
    size_t n = in->nrows;
    out->numeric = c->type == TBL_NUMERIC || c->type == TBL_INTEGER || c->type == TBL_BOOLEAN;
    out->present = wf_mallocarray(n, sizeof *out->present);
    if (out->present == NULL) goto oom;
    if (out->numeric) {
        if ((out->value = wf_mallocarray(n, sizeof *out->value)) == NULL) goto oom;
        for (size_t r = 0; r < n; r++) {
            double v = c->type == TBL_NUMERIC   ? c->v.f64[r]
                       : c->type == TBL_INTEGER ? (double)c->v.i64[r]
                                                : (double)c->v.b8[r];
            out->value[r] = v;
            out->present[r] = !tbl_is_missing(c, r) && !isnan(v);
        }
        return 0;
    }
    size_t *first_row = NULL, ngroups;
    wf_error err = {0};
    if (tbl_group_by(in, &col, 1, &out->level, &first_row, &ngroups, &err) < 0) {
        fs_column_free(out);
        return mod_fail_with(ctx, &err);
    }
    free(first_row);
    for (size_t r = 0; r < n; r++)
        out->present[r] = !tbl_is_missing(c, r) &&
                          !(c->type == TBL_CATEGORICAL &&
                            (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count));
    return 0;
oom:
    fs_column_free(out);
    return mod_fail(ctx, WF_ENOMEM, "out of memory scoring \"%s\"", c->name);
}

/* ---- scoring one column --------------------------------------------------- */

/* The work arrays for one (column, target) pair, over the rows where both
 * have a value. */
typedef struct fs_work {
    size_t m;
    double *x, *y;   /* numbers of the column and of the target (or its
                        conditional means) */
    size_t *lx, *ly; /* levels */
    size_t nlx, nly;
} fs_work;

static void fs_work_free(fs_work *w)
{
    free(w->x);
    free(w->y);
    free(w->lx);
    free(w->ly);
    memset(w, 0, sizeof *w);
}

/* Levels of column c over the chosen rows: numbers by value or bins, others
 * by group. */
static int fs_levels(const fs_column *c, const size_t *rows, size_t m, size_t ngroups,
                     const double *values, size_t *out, size_t *nlevels)
{
    if (c->numeric) return mod__fs_number_levels(values, m, out, nlevels);
    size_t *g = wf_mallocarray(m, sizeof *g);
    if (g == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < m; i++)
        g[i] = c->level[rows[i]];
    int rc = mod__fs_group_levels(g, m, ngroups, out, nlevels);
    free(g);
    return rc;
}

/* The score of column f against target t by method; NaN when the method
 * does not apply to the column (a correlation of text). */
static int fs_score(const fs_column *f, const fs_column *t, size_t nrows, size_t method,
                    double *score)
{
    *score = NAN;
    if (method == FS_COUNT) {
        size_t count = 0;
        for (size_t r = 0; f->numeric && r < nrows; r++)
            count += f->present[r] && f->value[r] != 0;
        *score = (double)count;
        return 0;
    }
    bool needs_numbers = method != FS_CHI2 && method != FS_MUTUAL;
    if (needs_numbers && !f->numeric) return 0;
    size_t *rows = wf_mallocarray(nrows, sizeof *rows);
    fs_work w = {0};
    int rc = rows != NULL ? 0 : WF_ENOMEM;
    for (size_t r = 0; rc == 0 && r < nrows; r++)
        if (f->present[r] && t->present[r]) rows[w.m++] = r;
    size_t m = w.m;
    if (rc == 0) {
        w.x = wf_mallocarray(m, sizeof *w.x);
        w.y = wf_mallocarray(m, sizeof *w.y);
        w.lx = wf_mallocarray(m, sizeof *w.lx);
        w.ly = wf_mallocarray(m, sizeof *w.ly);
        if (!w.x || !w.y || !w.lx || !w.ly) rc = WF_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < m; i++) {
        w.x[i] = f->numeric ? f->value[rows[i]] : 0;
        w.y[i] = t->numeric ? t->value[rows[i]] : 0;
    }
    /* Group ids are below nrows, which bounds their count. */
    if (rc == 0) rc = fs_levels(t, rows, m, nrows, w.y, w.ly, &w.nly);
    if (rc == 0 && !needs_numbers) rc = fs_levels(f, rows, m, nrows, w.x, w.lx, &w.nlx);
    if (rc == 0 && needs_numbers && !t->numeric && method != FS_FISHER) {
        /* A target of levels: correlate with the column's mean per level. */
        double *sum = wf_calloc(w.nly, sizeof *sum);
        size_t *n = wf_calloc(w.nly, sizeof *n);
        if (sum == NULL || n == NULL) rc = WF_ENOMEM;
        for (size_t i = 0; rc == 0 && i < m; i++) {
            sum[w.ly[i]] += w.x[i];
            n[w.ly[i]]++;
        }
        for (size_t i = 0; rc == 0 && i < m; i++)
            w.y[i] = sum[w.ly[i]] / (double)n[w.ly[i]];
        free(sum);
        free(n);
    }
    double chi2, mi;
    if (rc == 0) {
        switch (method) {
        case FS_PEARSON:
            *score = fabs(mod__fs_pearson(w.x, w.y, m));
            break;
        case FS_SPEARMAN:
            rc = mod__fs_spearman(w.x, w.y, m, score);
            *score = fabs(*score);
            break;
        case FS_KENDALL:
            rc = mod__fs_kendall(w.x, w.y, m, score);
            *score = fabs(*score);
            break;
        case FS_FISHER:
            rc = mod__fs_fisher(w.x, w.ly, w.nly, m, score);
            break;
        default:
            rc = mod__fs_contingency(w.lx, w.nlx, w.ly, w.nly, m, &chi2, &mi);
            *score = method == FS_CHI2 ? chi2 : mi;
        }
    }
    free(rows);
    fs_work_free(&w);
    return rc;
}

/* ---- choosing ----------------------------------------------------------- */

typedef struct fs_ranked {
    size_t col;
    double score; /* NaN: not scored */
} fs_ranked;

/* Best first; unscored last; ties in column order. */
static int fs_by_score(const void *a, const void *b)
{
    const fs_ranked *p = a, *q = b;
    bool pn = isnan(p->score), qn = isnan(q->score);
    if (pn != qn) return pn ? 1 : -1;
    if (!pn && p->score != q->score) return p->score > q->score ? -1 : 1;
    return (p->col > q->col) - (p->col < q->col);
}

/* The parameters, checked against in's schema when it is known. *target is
 * SIZE_MAX when no target is set (allowed for count-based only). */
static int fs_params(mod_ctx *ctx, const tbl_table *in, size_t *method, bool *features_only,
                     int64_t *wanted, size_t *target)
{
    int rc = mod__param_choice(ctx, "feature_scoring_method", method);
    if (rc == 0) rc = mod_param_bool(ctx, "operate_on_feature_columns_only", features_only);
    if (rc == 0) rc = mod_param_int(ctx, "number_of_desired_features", wanted);
    if (rc < 0) return rc;
    *target = SIZE_MAX;
    const char *name = mod_param_string(ctx, "target_column");
    bool unset = name == NULL || name[0] == '\0';
    if (unset && *method != FS_COUNT)
        return mod_param_error(ctx, "target_column",
                               "choose the target column (only count-based scores without one)");
    if (unset || in == NULL) return 0;
    return mod__column_param(ctx, "target_column", in, target);
}

/* Whether column j is a candidate: not the target; a feature when
 * features_only; never a label or a score (Azure's rule). */
static bool fs_candidate(const tbl_table *in, size_t j, size_t target, bool features_only)
{
    tbl_role role = in->cols[j].role;
    if (j == target || role == TBL_ROLE_LABEL || role == TBL_ROLE_SCORE) return false;
    return !features_only || role == TBL_ROLE_FEATURE;
}

/* The scores table: Feature and Score, best first. */
static int fs_scores_table(mod_ctx *ctx, const tbl_table *in, const fs_ranked *ranked, size_t n,
                           tbl_table **out)
{
    wf_error err = {0};
    tbl_table *t = tbl_new();
    tbl_column name, score;
    memset(&name, 0, sizeof name);
    memset(&score, 0, sizeof score);
    tbl_strings_builder b = {0};
    int rc = t != NULL ? 0 : wf_error_set(&err, WF_ENOMEM, "out of memory");
    if (rc == 0) rc = tbl_column_init(&name, "Feature", TBL_STRING, n, &err);
    if (rc == 0) rc = tbl_column_init(&score, "Score", TBL_NUMERIC, n, &err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *s = in->cols[ranked[i].col].name;
        tbl_strings_append(&b, s, strlen(s));
        score.v.f64[i] = isnan(ranked[i].score) ? 0 : ranked[i].score;
        if (isnan(ranked[i].score) && tbl_set_missing(&score, i, n) < 0)
            rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        tbl_strings_clear(&name.str);
        if (tbl_strings_finish(&b, &name.str) < 0)
            rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    } else {
        tbl_strings_builder_free(&b);
    }
    if (rc == 0) rc = tbl_add_column(t, &name, n, &err);
    if (rc == 0) rc = tbl_add_column(t, &score, n, &err);
    tbl_column_clear(&name);
    tbl_column_clear(&score);
    if (rc < 0) {
        tbl_free(t);
        return mod_fail_with(ctx, &err);
    }
    *out = t;
    return 0;
}

/* The transform (fitted.h's form): the chosen columns, best first, and in
 * its state the target's name (or null), which apply keeps when the data
 * has it (scoring data usually does not). */
static json_t *fs_transform(mod_ctx *ctx, const tbl_table *in, size_t target,
                            const fs_ranked *ranked, size_t chosen)
{
    size_t *idx = wf_mallocarray(chosen ? chosen : 1, sizeof *idx);
    json_t *state = json_object();
    if (idx == NULL || state == NULL ||
        json_object_set_new(state, "target",
                            target == SIZE_MAX ? json_null() : json_string(in->cols[target].name)) <
            0) {
        free(idx);
        json_decref(state);
        mod_fail(ctx, WF_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < chosen; i++)
        idx[i] = ranked[i].col;
    json_t *tr =
        mod__transform_new(ctx, &mod_filter_based_feature_selection, in, idx, chosen, state);
    free(idx);
    return tr;
}

/* Applies a transform written by run: the target, when `in` has it, then
 * the chosen columns in their order. A chosen column that `in` lacks (or
 * whose type does not convert) fails, naming it. */
static int fs_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in, tbl_table **out)
{
    *out = NULL;
    mod__bound b;
    int rc = mod__transform_bind(ctx, &mod_filter_based_feature_selection, transform, in, &b);
    if (rc < 0) return rc;
    const char *target = json_string_value(json_object_get(b.state, "target"));
    int t = target != NULL ? tbl_find_column(b.t, target) : -1;
    tbl_table *res = mod__empty_like(ctx, b.t);
    if (res == NULL) rc = ctx->err.code;
    if (rc == 0 && t >= 0) rc = mod__copy_column(ctx, res, b.t, (size_t)t);
    for (size_t k = 0; rc == 0 && k < b.n; k++)
        rc = mod__copy_column(ctx, res, b.t, b.idx[k]);
    mod__bound_clear(&b);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* ---- run and configure -------------------------------------------------- */

static int fs_configure(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    size_t method, target;
    bool features_only;
    int64_t wanted;
    int rc = fs_params(ctx, in, &method, &features_only, &wanted, &target);
    if (rc < 0) return rc;
    /* Which columns stay depends on the data; the scores' schema does not. */
    tbl_table *scores = NULL;
    if ((rc = fs_scores_table(ctx, in, NULL, 0, &scores)) < 0) return rc;
    return mod_output_table(ctx, "features", scores);
}

static int fs_run(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    size_t method, target;
    bool features_only;
    int64_t wanted;
    int rc = fs_params(ctx, in, &method, &features_only, &wanted, &target);
    if (rc < 0) return rc;
    fs_column t = {0};
    if (target != SIZE_MAX) {
        if ((rc = fs_column_make(ctx, in, target, &t)) < 0) return rc;
        size_t present = 0;
        for (size_t r = 0; r < in->nrows; r++)
            present += t.present[r];
        if (present == 0) {
            fs_column_free(&t);
            return mod_param_error(ctx, "target_column", "\"%s\" has no values",
                                   in->cols[target].name);
        }
    }
    fs_ranked *ranked = wf_mallocarray(in->ncols, sizeof *ranked);
    if (ranked == NULL) {
        fs_column_free(&t);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t j = 0; rc == 0 && j < in->ncols; j++) {
        if (!fs_candidate(in, j, target, features_only)) continue;
        if (mod_cancelled(ctx)) {
            rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
            break;
        }
        fs_column f;
        if ((rc = fs_column_make(ctx, in, j, &f)) < 0) break;
        ranked[n].col = j;
        if (fs_score(&f, &t, in->nrows, method, &ranked[n].score) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory scoring \"%s\"", in->cols[j].name);
        fs_column_free(&f);
        n++;
        mod_progress(ctx, (double)(j + 1) / (double)in->ncols);
    }
    fs_column_free(&t);
    if (rc == 0 && n == 0)
        rc = mod_param_error(ctx, "operate_on_feature_columns_only",
                             "no column to score: every column is the target, a label, a score%s",
                             features_only ? " or not a feature" : "");
    tbl_table *scores = NULL, *selected = NULL;
    json_t *transform = NULL;
    if (rc < 0) goto done;
    qsort(ranked, n, sizeof *ranked, fs_by_score);
    /* The best `wanted`, among the columns the method could score (and, for
     * counts, only those with some values). */
    size_t chosen = 0;
    while (chosen < n && chosen < (uint64_t)wanted && !isnan(ranked[chosen].score) &&
           !(method == FS_COUNT && ranked[chosen].score == 0))
        chosen++;
    if ((transform = fs_transform(ctx, in, target, ranked, chosen)) == NULL) {
        rc = ctx->err.code;
        goto done;
    }
    if ((rc = fs_scores_table(ctx, in, ranked, n, &scores)) < 0) goto done;
    /* The output is the transform applied to the input, so Apply
     * Transformation on the same table gives the same columns. */
    if ((rc = fs_apply(ctx, transform, in, &selected)) < 0) goto done;
    mod_log(ctx, "%s: scored %zu columns, kept %zu", fs_methods[method], n, chosen);
    rc = mod_output_table(ctx, "dataset", selected);
    selected = NULL;
    if (rc == 0) rc = mod_output_table(ctx, "features", scores);
    scores = NULL;
    if (rc == 0) rc = mod_output_json(ctx, "transform", transform);
    transform = NULL;
done:
    free(ranked);
    tbl_free(scores);
    tbl_free(selected);
    json_decref(transform);
    return rc;
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port fs_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table whose columns to score."},
};

static const mod_port fs_out[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "The target column, then the chosen columns, best first."},
    {.name = "features",
     .kind = MOD_TABLE,
     .help = "Every scored column (`Feature`) and its `Score`, best first."},
    {.name = "transform",
     .kind = MOD_TRANSFORM,
     .help = "The choice of columns, to apply to other data (scoring data)."},
};

static const mod_param fs_params_spec[] = {
    {.name = "feature_scoring_method",
     .label = "Feature scoring method",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"pearson-correlation\"",
     .choices = fs_methods,
     .help = "The statistic that scores each column against the target."},
    {.name = "operate_on_feature_columns_only",
     .label = "Operate on feature columns only",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Score only columns with the feature role. Off: every column but labels, "
             "scores and the target."},
    {.name = "target_column",
     .label = "Target column",
     .type = MOD_PARAM_COLUMN,
     .input = "dataset",
     .help = "The column to predict. Required, except for `count-based`."},
    {.name = "number_of_desired_features",
     .label = "Number of desired features",
     .type = MOD_PARAM_INT,
     .default_json = "1",
     .has_min = true,
     .min = 1,
     .help = "How many of the best columns to keep."},
};

const mod_descriptor mod_filter_based_feature_selection = {
    .name = "filter-based-feature-selection",
    .version = 1,
    .display_name = "Filter Based Feature Selection",
    .category = "Feature Selection",
    .help = "Scores how much each column tells about a target column, and keeps the best "
            "ones.\n"
            "\n"
            "## Methods\n"
            "\n"
            "Scores use the rows where both the column and the target have a value.\n"
            "\n"
            "- **pearson-correlation**: |Pearson's r|.\n"
            "- **spearman-correlation**: |Spearman's rho| (ties get their mean rank).\n"
            "- **kendall-correlation**: |Kendall's tau-b| (scipy's kendalltau).\n"
            "- **chi-squared**: Pearson's chi-squared statistic of the table of levels "
            "(no continuity correction).\n"
            "- **mutual-information**: the mutual information of the levels, in nats "
            "(scikit-learn's mutual_info_score). Azure's scores are scaled differently "
            "(a column scores 1 against itself), and scikit-learn's mutual_info_classif "
            "estimates continuous columns with nearest neighbours; weft bins them.\n"
            "- **fisher-score**: the spread of the class means over the spread within the "
            "classes, with the target's levels as classes (+Infinity when every class is "
            "constant and they differ; JSON shows it as null).\n"
            "- **count-based**: the number of values that are present and not zero. Text "
            "scores 0. No target needed; columns that score 0 are not kept.\n"
            "\n"
            "The correlations and the Fisher score need number columns (numeric, integer "
            "or boolean, true = 1): other columns are listed without a score and never "
            "kept. A target that is not a number is replaced, for the correlations, by the "
            "column's mean within each target value (Azure's rule).\n"
            "\n"
            "Levels (chi-squared, mutual information, Fisher classes): text, boolean and "
            "date-time values are levels as they are; a number column with at most 10 "
            "distinct values has one level per value, and one with more is cut into 10 "
            "equal-width bins from its minimum to its maximum.\n"
            "\n"
            "A constant column correlates with nothing: it scores 0.\n"
            "\n"
            "## Candidates\n"
            "\n"
            "With `operate_on_feature_columns_only`, the columns with the feature role; "
            "otherwise every column. Never the target, a label or a score column.\n"
            "\n"
            "## Outputs\n"
            "\n"
            "- **dataset**: the target, then the `number_of_desired_features` best columns, "
            "best first (ties in column order).\n"
            "- **features**: one row per candidate column: `Feature` and `Score`, best first, "
            "unscored columns last (Azure shows one row with a column per feature).\n"
            "- **transform**: the chosen columns, so that apply-transformation keeps the same "
            "columns of scoring data (where the target may be absent).\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Feature scoring method** (`feature_scoring_method`, default "
            "`pearson-correlation`): `pearson-correlation`, `mutual-information`, "
            "`kendall-correlation`, `spearman-correlation`, `chi-squared`, `fisher-score` or "
            "`count-based` (Azure's method names in kebab-case).\n"
            "- **Operate on feature columns only** (`operate_on_feature_columns_only`, "
            "default true).\n"
            "- **Target column** (`target_column`).\n"
            "- **Number of desired features** (`number_of_desired_features`, default 1).\n"
            "\n"
            "## Example\n"
            "\n"
            "The five columns that best predict `price`:\n"
            "\n"
            "```json\n"
            "{\"feature_scoring_method\": \"pearson-correlation\", \"target_column\": "
            "\"price\",\n"
            " \"number_of_desired_features\": 5}\n"
            "```\n",
    MOD_PORTS(inputs, fs_in),
    MOD_PORTS(outputs, fs_out),
    MOD_PARAMS(fs_params_spec),
    .configure = fs_configure,
    .run = fs_run,
    .apply = fs_apply,
};
