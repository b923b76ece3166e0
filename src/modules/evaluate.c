/*
 * evaluate.c: Evaluate Model. It reads one or two scored tables (Score Model
 * or Assign Data to Clusters output), works out from their score columns
 * what kind of model scored them, computes the Azure designer's metrics with
 * src/ml, and writes a `report` artifact (docs/formats.md, "Evaluation
 * reports") that the UI draws and `weft output` summarises.
 *
 * The truth is the column with the label role, which Score Model sets on the
 * model's label column.
 */
#include "selection.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mod_port evaluate_in[] = {
    {.name = "scored_dataset", .kind = MOD_TABLE, .help = "The output of Score Model."},
    {.name = "scored_dataset_to_compare",
     .kind = MOD_TABLE,
     .optional = true,
     .help = "A second scored table, to compare two models on the same report."},
};

static const mod_port evaluate_out[] = {
    {.name = "evaluation_results",
     .kind = MOD_REPORT,
     .help = "The metrics, and the curves and tables the UI draws."},
    {.name = "evaluation_table",
     .kind = MOD_TABLE,
     .help = "The metrics as a table: a row per scored input, a column per metric (Add Rows "
             "puts the tables of several Evaluate Models side by side)."},
};

/* ---- JSON helpers ------------------------------------------------------------------- */

/* A number, or null when it is not finite (JSON has no NaN). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *confusion_json(const ml_confusion *c)
{
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "threshold",
                     num(c->threshold), "true_positives", (json_int_t)c->tp, "false_positives",
                     (json_int_t)c->fp, "true_negatives", (json_int_t)c->tn, "false_negatives",
                     (json_int_t)c->fn, "accuracy", num(c->accuracy), "precision",
                     num(c->precision), "recall", num(c->recall), "f1_score", num(c->f1));
}

/* Curve points as [x, y, threshold] triples. */
static json_t *points_json(const ml_point *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        if (json_array_append_new(
                a, json_pack("[o, o, o]", num(p[i].x), num(p[i].y), num(p[i].threshold))) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* ---- finding the columns ------------------------------------------------------------- */

typedef struct eval_columns {
    ml_task task;
    int label;          /* the truth: the label-role column */
    int scored_labels;  /* "Scored Labels" */
    int probability;    /* binary: "Scored Probabilities" */
    size_t *class_cols; /* multiclass: "Scored Probabilities_<class>", in order */
    size_t nclasses;
    int assignments; /* clustering */
    size_t *distance_cols;
    size_t k;
} eval_columns;

static void eval_columns_clear(eval_columns *c)
{
    free(c->class_cols);
    free(c->distance_cols);
}

static int eval_find_columns(mod_ctx *ctx, const char *port, const tbl_table *t, eval_columns *c)
{
    memset(c, 0, sizeof *c);
    c->label = c->scored_labels = c->probability = c->assignments = -1;
    c->class_cols = wf_mallocarray(t->ncols + 1, sizeof *c->class_cols);
    c->distance_cols = wf_mallocarray(t->ncols + 1, sizeof *c->distance_cols);
    if (c->class_cols == NULL || c->distance_cols == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; j < t->ncols; j++) {
        const char *name = t->cols[j].name;
        if (t->cols[j].role == TBL_ROLE_LABEL && c->label < 0) c->label = (int)j;
        if (strcmp(name, "Scored Labels") == 0)
            c->scored_labels = (int)j;
        else if (strcmp(name, "Scored Probabilities") == 0)
            c->probability = (int)j;
        else if (strncmp(name, "Scored Probabilities_", 21) == 0)
            c->class_cols[c->nclasses++] = j;
        else if (strcmp(name, "Assignments") == 0)
            c->assignments = (int)j;
        else if (strncmp(name, "DistancesToClusterCenter no.", 28) == 0)
            c->distance_cols[c->k++] = j;
    }
    if (c->assignments >= 0 && c->k > 0) {
        c->task = ML_CLUSTERING;
        return 0;
    }
    if (c->scored_labels < 0)
        return mod_fail(ctx, WF_EINVAL,
                        "input \"%s\" has no \"Scored Labels\" column: connect the "
                        "output of Score Model",
                        port);
    c->task = c->nclasses >= 2 ? ML_MULTICLASS : c->probability >= 0 ? ML_BINARY : ML_REGRESSION;
    if (c->label < 0)
        return mod_fail(ctx, WF_EINVAL,
                        "input \"%s\" has no label column: score rows that still "
                        "have the column the model was trained to predict",
                        port);
    return 0;
}

/* ---- one scored table per task ------------------------------------------------------------ */

/* Column j of t as doubles (NaN where missing, or not a number). */
static double *eval_numbers(mod_ctx *ctx, const tbl_table *t, size_t j)
{
    wf_error err = {0};
    double *v = NULL;
    if (ml_label_numbers(t, j, &v, &err) < 0) {
        mod_fail_with(ctx, &err);
        return NULL;
    }
    return v;
}

/* A histogram of the residuals (20 equal bins) and up to 1000 evenly spread
 * (actual, predicted) pairs, for the report's charts. */
static json_t *eval_regression_charts(const double *y, const double *p, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t present = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - p[i];
        if (isnan(e)) continue;
        present++;
        lo = fmin(lo, e);
        hi = fmax(hi, e);
    }
    enum { BINS = 20, POINTS = 1000 };
    size_t counts[BINS] = {0};
    double width = hi > lo ? (hi - lo) / BINS : 1;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - p[i];
        if (isnan(e)) continue;
        size_t b = (size_t)((e - lo) / width);
        counts[b >= BINS ? BINS - 1 : b]++;
    }
    json_t *bins = json_array(), *pairs = json_array();
    for (size_t b = 0; present > 0 && b < BINS; b++)
        json_array_append_new(bins,
                              json_pack("{s:o, s:o, s:I}", "from", num(lo + b * width), "to",
                                        num(lo + (b + 1) * width), "count", (json_int_t)counts[b]));
    size_t step = n > POINTS ? n / POINTS : 1;
    for (size_t i = 0; i < n; i += step)
        if (!isnan(y[i] - p[i]))
            json_array_append_new(pairs, json_pack("[o, o]", num(y[i]), num(p[i])));
    return json_pack("{s:o, s:o}", "residual_histogram", bins, "actual_vs_predicted", pairs);
}

static json_t *eval_regression(mod_ctx *ctx, const tbl_table *t, const eval_columns *c)
{
    double *y = eval_numbers(ctx, t, (size_t)c->label);
    double *p = y != NULL ? eval_numbers(ctx, t, (size_t)c->scored_labels) : NULL;
    json_t *out = NULL;
    ml_regression_metrics m;
    wf_error err = {0};
    if (p != NULL && ml_regression_evaluate(y, p, t->nrows, &m, &err) < 0)
        mod_fail_with(ctx, &err);
    else if (p != NULL)
        out =
            json_pack("{s:{s:I, s:o, s:o, s:o, s:o, s:o}, s:o}", "metrics", "rows", (json_int_t)m.n,
                      "mean_absolute_error", num(m.mae), "root_mean_squared_error", num(m.rmse),
                      "relative_absolute_error", num(m.rae), "relative_squared_error", num(m.rse),
                      "coefficient_of_determination", num(m.r2), "charts",
                      eval_regression_charts(y, p, t->nrows));
    free(y);
    free(p);
    return out;
}

static json_t *eval_binary(mod_ctx *ctx, const tbl_table *t, const eval_columns *c)
{
    wf_error err = {0};
    ml_classes classes = {0};
    int32_t *y = NULL;
    double *p = NULL;
    json_t *out = NULL;
    /* The class order is the model's: Score Model writes a text label's
     * Scored Labels with the model's classes as its levels, so the positive
     * class is the one Scored Probabilities measures even when the truth
     * column orders its levels otherwise. Numbers and booleans order
     * themselves. */
    const tbl_column *scored = &t->cols[c->scored_labels];
    int rc = 0;
    if (scored->type == TBL_CATEGORICAL && scored->levels.count == 2) {
        classes.names = wf_calloc(3, sizeof(char *));
        classes.count = 2;
        for (size_t k = 0; rc == 0 && k < 2; k++) {
            size_t len;
            const char *name = tbl_strings_at(&scored->levels, k, &len);
            if (classes.names == NULL || (classes.names[k] = wf_strndup(name, len)) == NULL)
                rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
        }
        if (rc == 0) rc = ml_label_lookup(t, (size_t)c->label, &classes, &y, &err);
    } else {
        rc = ml_label_classes(t, (size_t)c->label, &classes, &y, &err);
    }
    if (rc < 0) {
        mod_fail_with(ctx, &err);
        goto done;
    }
    if (classes.count != 2) {
        mod_fail(ctx, WF_EINVAL,
                 classes.count < 2 ? "label column \"%s\" has only one class in the scored data: "
                                     "AUC and the curves need both"
                                   : "label column \"%s\" has more than two classes, but the "
                                     "scores are two-class",
                 t->cols[c->label].name);
        goto done;
    }
    size_t seen[2] = {0, 0};
    for (size_t r = 0; r < t->nrows; r++)
        if (y[r] >= 0) seen[y[r]]++;
    if (seen[0] == 0 || seen[1] == 0) {
        mod_fail(ctx, WF_EINVAL,
                 "label column \"%s\" has only the class \"%s\" in the scored data: AUC and "
                 "the curves need rows of both classes",
                 t->cols[c->label].name, classes.names[seen[0] == 0 ? 1 : 0]);
        goto done;
    }
    if ((p = eval_numbers(ctx, t, (size_t)c->probability)) == NULL) goto done;
    ml_binary_metrics m = {0};
    if (ml_binary_evaluate(y, p, t->nrows, &m, &err) < 0) {
        mod_fail_with(ctx, &err);
        goto done;
    }
    json_t *thresholds = json_array();
    for (size_t i = 0; i < ML_THRESHOLDS; i++)
        json_array_append_new(thresholds, confusion_json(&m.thresholds[i]));
    out = json_pack("{s:s, s:s, s:{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:o, s:o, "
                    "s:o, s:o}",
                    "positive_class", classes.names[1], "negative_class", classes.names[0],
                    "metrics", "rows", (json_int_t)m.n, "positives", (json_int_t)m.positives,
                    "accuracy", num(m.at_half.accuracy), "precision", num(m.at_half.precision),
                    "recall", num(m.at_half.recall), "f1_score", num(m.at_half.f1), "auc",
                    num(m.auc), "log_loss", num(m.log_loss), "threshold", num(0.5),
                    "confusion_matrix", confusion_json(&m.at_half), "thresholds", thresholds, "roc",
                    points_json(m.roc, m.nroc), "precision_recall", points_json(m.pr, m.npr),
                    "lift", points_json(m.lift, m.nlift));
    ml_binary_metrics_clear(&m);
done:
    ml_classes_clear(&classes);
    free(y);
    free(p);
    return out;
}

static json_t *eval_multiclass(mod_ctx *ctx, const tbl_table *t, const eval_columns *c)
{
    size_t n = t->nrows, k = c->nclasses;
    ml_classes classes = {.names = wf_calloc(k + 1, sizeof(char *)), .count = k};
    double *probs = wf_mallocarray(n * k + 1, sizeof *probs);
    int32_t *pred = wf_mallocarray(n + 1, sizeof *pred), *y = NULL;
    json_t *out = NULL;
    wf_error err = {0};
    if (classes.names == NULL || probs == NULL || pred == NULL) {
        mod_fail(ctx, WF_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        const tbl_column *col = &t->cols[c->class_cols[j]];
        if ((classes.names[j] = wf_strdup(col->name + 21)) == NULL) {
            mod_fail(ctx, WF_ENOMEM, "out of memory");
            goto done;
        }
        double *v = eval_numbers(ctx, t, c->class_cols[j]);
        if (v == NULL) goto done;
        for (size_t r = 0; r < n; r++)
            probs[r * k + j] = v[r];
        free(v);
    }
    for (size_t r = 0; r < n; r++) {
        size_t best = 0;
        for (size_t j = 1; j < k; j++)
            if (probs[r * k + j] > probs[r * k + best]) best = j;
        pred[r] = (int32_t)best;
    }
    if (ml_label_lookup(t, (size_t)c->label, &classes, &y, &err) < 0) {
        mod_fail_with(ctx, &err);
        goto done;
    }
    size_t unknown = 0;
    for (size_t r = 0; r < n; r++)
        unknown += y[r] < 0;
    if (unknown > 0)
        mod_log(ctx,
                "%zu rows have a missing label or a class the model does not know; they "
                "are not counted",
                unknown);
    ml_multiclass_metrics m = {0};
    if (ml_multiclass_evaluate(y, pred, probs, n, k, &m, &err) < 0) {
        mod_fail_with(ctx, &err);
        goto done;
    }
    json_t *per_class = json_array(), *matrix = json_array(), *names = json_array();
    for (size_t a = 0; a < k; a++) {
        json_array_append_new(names, json_string(classes.names[a]));
        json_array_append_new(per_class,
                              json_pack("{s:s, s:o, s:o}", "class", classes.names[a], "precision",
                                        num(m.precision[a]), "recall", num(m.recall[a])));
        json_t *row = json_array();
        for (size_t b = 0; b < k; b++)
            json_array_append_new(row, json_integer((json_int_t)m.confusion[a * k + b]));
        json_array_append_new(matrix, row);
    }
    out =
        json_pack("{s:o, s:{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:o}", "classes", names,
                  "metrics", "rows", (json_int_t)m.n, "overall_accuracy", num(m.overall_accuracy),
                  "average_accuracy", num(m.average_accuracy), "micro_precision",
                  num(m.micro_precision), "macro_precision", num(m.macro_precision), "micro_recall",
                  num(m.micro_recall), "macro_recall", num(m.macro_recall), "log_loss",
                  num(m.log_loss), "per_class", per_class, "confusion_matrix", matrix);
    ml_multiclass_metrics_clear(&m);
done:
    ml_classes_clear(&classes);
    free(probs);
    free(pred);
    free(y);
    return out;
}

static json_t *stats_json(const ml_cluster_stats *s)
{
    return json_pack("{s:I, s:o, s:o, s:o}", "count", (json_int_t)s->count,
                     "average_distance_to_cluster_center", num(s->mean_to_own),
                     "average_distance_to_other_centers", num(s->mean_to_other),
                     "maximal_distance_to_cluster_center", num(s->max_to_own));
}

/* ---- the clustering's 2-D projection ------------------------------------------------- */

/* The most columns and rows the projection reads, and the points it keeps. */
enum { PROJ_MAX_COLS = 256, PROJ_FIT_ROWS = 5000, PROJ_POINTS = 1000 };

/* The columns the projection reads: the numeric, integer and boolean
 * feature columns (what k-means measured, less the one-hot levels), or, when
 * the scored table kept none (Assign Data to Clusters without the input
 * columns), the distances to the centres. */
static size_t proj_columns(const tbl_table *t, const eval_columns *c, size_t *cols,
                           const char **space)
{
    size_t d = 0;
    for (size_t j = 0; j < t->ncols && d < PROJ_MAX_COLS; j++) {
        tbl_type ty = t->cols[j].type;
        if (t->cols[j].role == TBL_ROLE_FEATURE &&
            (ty == TBL_NUMERIC || ty == TBL_INTEGER || ty == TBL_BOOLEAN))
            cols[d++] = j;
    }
    *space = "features";
    if (d > 0) return d;
    *space = "distances";
    for (size_t j = 0; j < c->k && d < PROJ_MAX_COLS; j++)
        cols[d++] = c->distance_cols[j];
    return d;
}

/* The rows projected on the first two principal components (ml_pca_fit) of
 * the standardised columns, fitted on up to PROJ_FIT_ROWS evenly spread
 * rows. Standardising keeps a column in large units from being the whole
 * picture; a missing value counts as the column's mean, and a constant
 * column adds nothing. Up to PROJ_POINTS evenly spread rows (row
 * floor(i n / points)) are projected, as [pc1, pc2, cluster], with each
 * component's share of the total variance. Returns NULL on OOM or when the
 * decomposition fails: the report then has no projection. */
static json_t *eval_projection(const tbl_table *t, const eval_columns *c, const int32_t *assign)
{
    size_t n = t->nrows, *cols = wf_mallocarray(PROJ_MAX_COLS, sizeof *cols);
    const char *space = NULL;
    size_t d = cols != NULL ? proj_columns(t, c, cols, &space) : 0;
    size_t fit_step = n > PROJ_FIT_ROWS ? n / PROJ_FIT_ROWS : 1, m = (n + fit_step - 1) / fit_step;
    size_t npts = n < PROJ_POINTS ? n : PROJ_POINTS;
    ml_matrix fit = {0};
    ml_pca pca = {0};
    double *pts = wf_mallocarray(npts * d + 1, sizeof *pts), total = 0;
    json_t *out = NULL;
    if (cols == NULL || pts == NULL || d == 0 || m < 2 || ml_matrix_init(&fit, m, d, NULL) < 0)
        goto done;
    /* Each column once: its mean and deviation over the fitted rows, then
     * its standardised values at the fitted and at the projected rows. */
    for (size_t k = 0; k < d; k++) {
        double *v = NULL, mean = 0, ss = 0, sd;
        size_t present = 0;
        if (ml_label_numbers(t, cols[k], &v, NULL) < 0) goto done;
        for (size_t r = 0; r < n; r += fit_step)
            if (isfinite(v[r])) {
                present++;
                mean += v[r];
            }
        mean = present > 0 ? mean / (double)present : 0;
        for (size_t r = 0; r < n; r += fit_step)
            if (isfinite(v[r])) ss += (v[r] - mean) * (v[r] - mean);
        sd = present > 1 ? sqrt(ss / (double)(present - 1)) : 0;
        for (size_t i = 0; i < m; i++) {
            double y = v[i * fit_step];
            fit.data[i * d + k] = isfinite(y) && sd > 0 ? (y - mean) / sd : 0;
            total += fit.data[i * d + k] * fit.data[i * d + k] / (double)(m - 1);
        }
        for (size_t i = 0; i < npts; i++) {
            double y = v[i * n / npts];
            pts[i * d + k] = isfinite(y) && sd > 0 ? (y - mean) / sd : 0;
        }
        free(v);
    }
    size_t ncomp = d < 2 ? d : 2;
    ml_pca_params params = {.components = ncomp, .oversampling = 8, .center = true, .seed = 1};
    if (ml_pca_fit(&fit, &params, NULL, &pca, NULL) < 0) goto done;
    json_t *points = json_array(), *names = json_array();
    for (size_t i = 0; points != NULL && i < npts; i++) {
        double p[2] = {0, 0};
        for (size_t q = 0; q < ncomp; q++)
            for (size_t k = 0; k < d; k++)
                p[q] += pca.components[q * d + k] * (pts[i * d + k] - pca.mean[k]);
        json_array_append_new(
            points, json_pack("[o, o, I]", num(p[0]), num(p[1]), (json_int_t)assign[i * n / npts]));
    }
    for (size_t k = 0; names != NULL && k < d; k++)
        json_array_append_new(names, json_string(t->cols[cols[k]].name));
    double ratio[2] = {0, 0};
    for (size_t q = 0; q < ncomp; q++)
        ratio[q] = total > 0 ? pca.variance[q] / total : 0;
    out = json_pack("{s:s, s:o, s:[o, o], s:o}", "space", space, "columns", names,
                    "explained_variance_ratio", num(ratio[0]), num(ratio[1]), "points", points);
done:
    free(cols);
    free(pts);
    ml_matrix_clear(&fit);
    ml_pca_clear(&pca);
    return out;
}

static json_t *eval_clustering(mod_ctx *ctx, const tbl_table *t, const eval_columns *c)
{
    size_t n = t->nrows, k = c->k;
    double *dist = wf_mallocarray(n * k + 1, sizeof *dist), *a = NULL;
    int32_t *assign = wf_mallocarray(n + 1, sizeof *assign);
    json_t *out = NULL;
    if (dist == NULL || assign == NULL) {
        mod_fail(ctx, WF_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        double *v = eval_numbers(ctx, t, c->distance_cols[j]);
        if (v == NULL) goto done;
        for (size_t r = 0; r < n; r++)
            dist[r * k + j] = v[r];
        free(v);
    }
    if ((a = eval_numbers(ctx, t, (size_t)c->assignments)) == NULL) goto done;
    for (size_t r = 0; r < n; r++) {
        if (!(a[r] >= 0 && a[r] < (double)k)) {
            mod_fail(ctx, WF_EINVAL, "row %zu: Assignments is %g, not a cluster between 0 and %zu",
                     r + 1, a[r], k - 1);
            goto done;
        }
        assign[r] = (int32_t)a[r];
    }
    ml_cluster_metrics m = {0};
    wf_error err = {0};
    if (ml_cluster_evaluate(assign, dist, n, k, &m, &err) < 0) {
        mod_fail_with(ctx, &err);
        goto done;
    }
    json_t *clusters = json_array();
    for (size_t j = 0; j < k; j++) {
        json_t *s = stats_json(&m.clusters[j]);
        json_object_set_new(s, "cluster", json_integer((json_int_t)j));
        json_array_append_new(clusters, s);
    }
    /* The projection is a picture: without it the report still stands. */
    json_t *projection = eval_projection(t, c, assign);
    out = json_pack("{s:o, s:o, s:{s:o}}", "metrics", stats_json(&m.combined), "clusters", clusters,
                    "charts", "projection", projection ? projection : json_null());
    ml_cluster_metrics_clear(&m);
done:
    free(dist);
    free(a);
    free(assign);
    return out;
}

/* ---- the module ------------------------------------------------------------------------- */

/* A report has no schema; what kind of scores arrive is known only at run. */
static int evaluate_configure(mod_ctx *ctx)
{
    (void)ctx;
    return 0;
}

/* The metrics of each model as a row: the input port it came from, then a
 * column per metric (named as in the Azure designer, as Cross Validate
 * Model's by-fold table). */
static int evaluate_table(mod_ctx *ctx, json_t *models, tbl_table **out)
{
    size_t n = json_array_size(models);
    json_t **evals = wf_calloc(n ? n : 1, sizeof *evals);
    tbl_table *t = tbl_new();
    tbl_column input = {0};
    tbl_strings_builder b = {0};
    wf_error err = {0};
    int rc = evals == NULL || t == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    if (rc == 0 && tbl_column_init(&input, "Scored dataset", TBL_STRING, 0, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        evals[i] = json_array_get(models, i);
        const char *port = json_string_value(json_object_get(evals[i], "input"));
        tbl_strings_append(&b, port ? port : "", port ? strlen(port) : 0);
    }
    if (rc == 0) {
        input.role = TBL_ROLE_CLEAR;
        tbl_strings_clear(&input.str);
        if (tbl_strings_finish(&b, &input.str) < 0) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    tbl_strings_builder_free(&b);
    if (rc == 0 && tbl_add_column(t, &input, n, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0) rc = mod__add_metric_columns(ctx, t, evals, n);
    tbl_column_clear(&input);
    free(evals);
    if (rc < 0) {
        tbl_free(t);
        return rc;
    }
    t->nrows = n;
    *out = t;
    return 0;
}

static int evaluate_run(mod_ctx *ctx)
{
    const char *ports[] = {"scored_dataset", "scored_dataset_to_compare"};
    json_t *models = json_array();
    if (models == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    ml_task task = ML_REGRESSION;
    const char *label = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        const tbl_table *t = mod_input_table(ctx, ports[i]);
        if (t == NULL) {
            if (i == 0) rc = mod_fail(ctx, WF_EINVAL, "input \"scored_dataset\" is missing");
            continue;
        }
        eval_columns c;
        rc = eval_find_columns(ctx, ports[i], t, &c);
        if (rc == 0 && i == 1 && c.task != task)
            rc = mod_fail(ctx, WF_EINVAL,
                          "the two inputs were scored by different kinds of "
                          "model (%s and %s)",
                          mod__task_name(task), mod__task_name(c.task));
        json_t *one = NULL;
        if (rc == 0) {
            task = c.task;
            one = c.task == ML_REGRESSION   ? eval_regression(ctx, t, &c)
                  : c.task == ML_BINARY     ? eval_binary(ctx, t, &c)
                  : c.task == ML_MULTICLASS ? eval_multiclass(ctx, t, &c)
                                            : eval_clustering(ctx, t, &c);
            if (one == NULL) rc = ctx->err.code ? ctx->err.code : WF_ENOMEM;
        }
        if (rc == 0) {
            if (i == 0 && c.label >= 0) label = t->cols[c.label].name;
            json_object_set_new(one, "input", json_string(ports[i]));
            if (json_array_append_new(models, one) < 0)
                rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
        eval_columns_clear(&c);
    }
    if (rc < 0) {
        json_decref(models);
        return rc;
    }
    json_t *report =
        json_pack("{s:s, s:s, s:i, s:s, s:s*, s:o}", "kind", "report", "report", "evaluation",
                  "format", 1, "task", mod__task_name(task), "label", label, "models", models);
    if (report == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    tbl_table *table = NULL;
    rc = evaluate_table(ctx, models, &table);
    if (rc < 0) {
        json_decref(report);
        return rc;
    }
    rc = mod_output_json(ctx, "evaluation_results", report);
    int rc2 = mod_output_table(ctx, "evaluation_table", table);
    return rc < 0 ? rc : rc2;
}

const mod_descriptor mod_evaluate_model = {
    .name = "evaluate-model",
    .version = 1,
    .display_name = "Evaluate Model",
    .category = "Model Scoring and Evaluation",
    .help = "Measures how well a model scored, from the output of Score Model (or Assign Data "
            "to Clusters). Connect a second scored table to compare two models on the same "
            "report.\n\n"
            "The kind of model is read from the score columns:\n\n"
            "- **Regression**: mean absolute error, root mean squared error, relative absolute "
            "error, relative squared error and the coefficient of determination (R²), with a "
            "residual histogram and predicted-against-actual points.\n"
            "- **Two classes**: accuracy, precision, recall, F1 score at threshold 0.5, AUC and "
            "log loss; the confusion matrix; a table over thresholds 0 to 1 in steps of 0.01; "
            "the ROC, precision-recall and lift curves.\n"
            "- **Several classes**: overall and average accuracy, micro and macro precision and "
            "recall, per-class precision and recall, and the confusion matrix.\n"
            "- **Clustering**: per cluster and overall, the number of points and the average "
            "and largest distances to the centres, and the rows projected on their first two "
            "principal components.\n\n"
            "The truth is the column with the label role (Score Model marks the model's label "
            "column). Rows whose label is missing are not counted.\n\n"
            "Besides the report, `evaluation_table` holds the metrics as a table, a row per "
            "scored input (`Scored dataset` names its port) and a column per metric, as the "
            "Azure designer's Evaluation results table: connect several Evaluate Models to Add "
            "Rows to put their figures side by side.\n\n"
            "## Example\n\n"
            "Compare two classifiers: connect one Score Model to `scored_dataset` and the other "
            "to `scored_dataset_to_compare`. There are no parameters:\n\n"
            "```json\n{}\n```",
    MOD_PORTS(inputs, evaluate_in),
    MOD_PORTS(outputs, evaluate_out),
    .configure = evaluate_configure,
    .run = evaluate_run,
};
