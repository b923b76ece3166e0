/*
 * tune.c: Tune Model Hyperparameters. A parameter sweep over the lists a
 * learner in parameter-range mode gives (its `..._range` parameters): every
 * combination (grid search), or a random sample of them (random search,
 * Bergstra and Bengio, "Random search for hyper-parameter optimization",
 * JMLR 13, 2012), each run measured on the validation set, or by k-fold
 * cross-validation of the training set when there is none (the folds of
 * Cross Validate Model: Partition and Sample's, else 10 drawn from the
 * seed). The best run by the chosen metric is trained on the whole training
 * set.
 *
 * Runs (and their folds) are independent tasks spread over the step's
 * threads (selection.c). A run's learner carries the learner's own seed, and
 * ties go to the earlier run, so the sweep results and the best model do not
 * depend on the thread count. On a Slurm target the runs may run as a job
 * array, one job per run with its folds (selection.h).
 */
#include "selection.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUNE_FOLDS 10
#define TUNE_MAX_RUNS 10000
/* Every run is in the sweep results; the log names the first ones. */
#define TUNE_LOGGED_RUNS 100
/* Grids past this many points are refused even for a random sample. */
#define TUNE_MAX_GRID ((uint64_t)1 << 53)

static const mod_port tune_in[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "A learner in parameter-range mode: its range lists are what the sweep tries."},
    {.name = "training_dataset", .kind = MOD_TABLE, .help = "The labelled rows to train on."},
    {.name = "optional_validation_dataset",
     .kind = MOD_TABLE,
     .optional = true,
     .help = "Rows to measure each run on; without them, each run is cross-validated on the "
             "training rows."},
};

static const mod_port tune_out[] = {
    {.name = "sweep_results",
     .kind = MOD_TABLE,
     .help = "One row per run, best first: the value of each swept parameter, then the "
             "metrics."},
    {.name = "trained_best_model",
     .kind = MOD_MODEL,
     .help = "The best run's learner trained on the whole training dataset."},
};

static const char *const tune_modes[] = {"entire-grid", "random-sweep", NULL};

static const mod_param tune_params[] = {
    {.name = "specify_parameter_sweeping_mode",
     .label = "Specify parameter sweeping mode",
     .type = MOD_PARAM_ENUM,
     .choices = tune_modes,
     .default_json = "\"random-sweep\"",
     .help = "entire-grid: every combination of the learner's range lists. random-sweep: a "
             "random sample of the combinations, drawn with the seed."},
    {.name = "maximum_number_of_runs_on_random_sweep",
     .label = "Maximum number of runs on random sweep",
     .type = MOD_PARAM_INT,
     .default_json = "5",
     .has_min = true,
     .min = 1,
     .has_max = true,
     .max = TUNE_MAX_RUNS,
     .visible_when = "specify_parameter_sweeping_mode=random-sweep",
     .help = "How many distinct combinations to try (all of them when the grid is smaller)."},
    {.name = "random_seed",
     .label = "Random seed",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .help = "Seeds the random sweep's choice of combinations and, without a validation "
             "dataset, the folds."},
    {.name = "label_column",
     .label = "Label column",
     .type = MOD_PARAM_COLUMN,
     .required = true,
     .input = "training_dataset",
     .help = "The column to predict."},
    {.name = "metric_for_measuring_performance_for_classification",
     .label = "Metric for measuring performance for classification",
     .type = MOD_PARAM_ENUM,
     .choices = mod__classification_metric_choices,
     .default_json = "\"accuracy\"",
     .help = "How classifiers are ranked: accuracy, precision, recall, f-score, auc (two "
             "classes only) or log-loss (lower is better). With several classes, precision, "
             "recall and f-score are macro averages."},
    {.name = "metric_for_measuring_performance_for_regression",
     .label = "Metric for measuring performance for regression",
     .type = MOD_PARAM_ENUM,
     .choices = mod__regression_metric_choices,
     .default_json = "\"mean-absolute-error\"",
     .help = "How regression models are ranked; every choice but the coefficient of "
             "determination is an error, lower is better."},
};

/* ---- the parameter space ------------------------------------------------------ */

/* One swept parameter: the learner parameter and its values. */
typedef struct tune_range {
    const char *name; /* the learner parameter (the descriptor's name) */
    bool integer;
    double *values;
    size_t count;
} tune_range;

typedef struct tune_state {
    const json_t *learner;
    const mod__learner_spec *spec;
    const tbl_table *train, *valid;
    size_t label;
    mod__metric metric;
    tune_range *ranges;
    size_t nranges;
    size_t nruns;
    uint64_t *grid; /* per run: its grid point */
    json_t **run_learner;
    mod__folds folds;
    size_t nfolds;       /* 0: measured on the validation set */
    json_t **evaluation; /* per task (run * nfolds + fold, or run) */
    json_t **summary;    /* per run: its figures (mean over folds) */
    double *value;       /* per run: the chosen metric */
} tune_state;

/* Parses a range list ("0.01; 0.1, 1") of learner parameter `key` for the
 * parameter described by p. */
static int tune_parse_list(mod_ctx *ctx, const char *key, const char *list, const mod_param *p,
                           tune_range *out)
{
    size_t cap = strlen(list) / 2 + 1;
    out->values = wf_mallocarray(cap, sizeof *out->values);
    if (out->values == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    out->integer = p != NULL && p->type == MOD_PARAM_INT;
    for (const char *s = list;;) {
        s += strspn(s, " \t;,");
        if (*s == '\0') break;
        size_t len = strcspn(s, " \t;,");
        char *end;
        double v = strtod(s, &end);
        if (end != s + len || !isfinite(v))
            return mod_fail(ctx, WF_EINVAL,
                            "learner parameter \"%s\": \"%.*s\" in \"%s\" is not a number; give "
                            "numbers separated by semicolons, as in \"0.01; 0.1; 1\"",
                            key, (int)len, s, list);
        if (out->integer && v != floor(v))
            return mod_fail(ctx, WF_EINVAL,
                            "learner parameter \"%s\": %g in \"%s\" is not a whole number", key, v,
                            list);
        if (p != NULL && ((p->has_min && v < p->min) || (p->has_max && v > p->max)))
            return mod_fail(ctx, WF_EINVAL,
                            "learner parameter \"%s\": %g in \"%s\" is outside [%g, %g]", key, v,
                            list, p->has_min ? p->min : -INFINITY, p->has_max ? p->max : INFINITY);
        out->values[out->count++] = v;
        s += len;
    }
    if (out->count == 0)
        return mod_fail(ctx, WF_EINVAL, "learner parameter \"%s\" lists no values", key);
    return 0;
}

/* The learner's range lists, in its descriptor's order. */
static int tune_ranges(mod_ctx *ctx, tune_state *s)
{
    const json_t *params = json_object_get(s->learner, "params");
    const char *ref = json_string_value(json_object_get(s->learner, "learner"));
    const mod_descriptor *d = mod_find(ref);
    const char *mode = json_string_value(json_object_get(params, "create_trainer_mode"));
    bool range_mode = mode != NULL && strcmp(mode, "parameter-range") == 0;
    /* A learner in single-parameter mode has lists too (their defaults);
     * they are not meant to be swept. */
    if (!range_mode) d = NULL;
    if (d != NULL && (s->ranges = wf_calloc(d->nparams + 1, sizeof *s->ranges)) == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t i = 0; d != NULL && i < d->nparams; i++) {
        const char *key = d->params[i].name;
        size_t len = strlen(key);
        const char *list = json_string_value(json_object_get(params, key));
        if (len <= 6 || strcmp(key + len - 6, "_range") != 0 || list == NULL) continue;
        int base = -1;
        for (size_t j = 0; j < d->nparams && base < 0; j++)
            if (strlen(d->params[j].name) == len - 6 &&
                strncmp(d->params[j].name, key, len - 6) == 0)
                base = (int)j;
        if (base < 0) continue;
        tune_range *r = &s->ranges[s->nranges++];
        r->name = d->params[base].name;
        int rc = tune_parse_list(ctx, key, list, &d->params[base], r);
        if (rc < 0) return rc;
    }
    if (s->nranges == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "%s has no parameter ranges to sweep: set its \"Create trainer mode\" "
                        "(create_trainer_mode) to \"parameter-range\" and list the values to try "
                        "in its range parameters, as in \"0.01; 0.1; 1\"",
                        s->spec->name);
    return 0;
}

/* Which grid points to run: all of them, or `most` drawn without
 * repetition. */
static int tune_choose_runs(mod_ctx *ctx, tune_state *s, bool grid, int64_t most, uint64_t seed)
{
    uint64_t total = 1;
    for (size_t i = 0; i < s->nranges; i++) {
        if (total > TUNE_MAX_GRID / s->ranges[i].count)
            return mod_fail(ctx, WF_ELIMIT, "the parameter grid is too large to sweep");
        total *= s->ranges[i].count;
    }
    if (grid && total > TUNE_MAX_RUNS)
        return mod_fail(ctx, WF_ELIMIT,
                        "the entire grid has %llu combinations, more than %d: use random-sweep "
                        "with a maximum number of runs, or shorter range lists",
                        (unsigned long long)total, TUNE_MAX_RUNS);
    bool all = grid || (uint64_t)most >= total;
    s->nruns = all ? (size_t)total : (size_t)most;
    s->grid = wf_mallocarray(s->nruns, sizeof *s->grid);
    if (s->grid == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    wf_rng rng = {.state = seed};
    for (size_t i = 0; i < s->nruns; i++) {
        if (all) {
            s->grid[i] = i;
            continue;
        }
        /* At most TUNE_MAX_RUNS draws, each checked against those before. */
        for (bool fresh = false; !fresh;) {
            s->grid[i] = wf_rng_below(&rng, total);
            fresh = true;
            for (size_t j = 0; j < i && fresh; j++)
                fresh = s->grid[j] != s->grid[i];
        }
    }
    return 0;
}

/* The value of range p at grid point g (the first range varies slowest). */
static double tune_value(const tune_state *s, uint64_t g, size_t p)
{
    for (size_t i = s->nranges; i-- > p + 1;)
        g /= s->ranges[i].count;
    return s->ranges[p].values[g % s->ranges[p].count];
}

/* Each run's learner: the input learner in single-parameter mode with the
 * run's values. */
static int tune_run_learners(mod_ctx *ctx, tune_state *s)
{
    s->run_learner = wf_calloc(s->nruns, sizeof *s->run_learner);
    if (s->run_learner == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->nruns; k++) {
        json_t *l = json_deep_copy(s->learner);
        json_t *params = json_object_get(l, "params");
        int bad =
            l == NULL || params == NULL ||
            json_object_set_new(params, "create_trainer_mode", json_string("single-parameter")) < 0;
        for (size_t p = 0; !bad && p < s->nranges; p++) {
            double v = tune_value(s, s->grid[k], p);
            json_t *value = s->ranges[p].integer ? json_integer((json_int_t)v) : json_real(v);
            bad = json_object_set_new(params, s->ranges[p].name, value) < 0;
        }
        s->run_learner[k] = l;
        if (bad) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- the validation set ----------------------------------------------------------- */

/* Types that hold the same kind of value, as scoring accepts them. */
static int tune_type_family(tbl_type t)
{
    switch (t) {
    case TBL_NUMERIC:
    case TBL_INTEGER:
    case TBL_BOOLEAN:
        return 0;
    case TBL_STRING:
    case TBL_CATEGORICAL:
        return 1;
    default:
        return 2;
    }
}

/* Every column of the training set that training reads (the label and the
 * features) is in the validation set, with a type of the same kind. */
static int tune_check_validation(mod_ctx *ctx, const tbl_table *train, size_t label,
                                 const tbl_table *valid)
{
    for (size_t j = 0; j < train->ncols; j++) {
        const tbl_column *c = &train->cols[j];
        if (j != label && c->role != TBL_ROLE_FEATURE) continue;
        int v = tbl_find_column(valid, c->name);
        if (v < 0)
            return mod_fail(ctx, WF_EINVAL,
                            "the validation dataset does not match the training dataset: it has "
                            "no column \"%s\"",
                            c->name);
        tbl_type tv = valid->cols[v].type;
        if (tune_type_family(tv) != tune_type_family(c->type))
            return mod_fail(ctx, WF_EINVAL,
                            "the validation dataset does not match the training dataset: column "
                            "\"%s\" is %s there but %s in the training dataset",
                            c->name, tbl_type_name(tv), tbl_type_name(c->type));
    }
    return 0;
}

/* ---- the runs ------------------------------------------------------------------------ */

static void tune_task_name(void *arg, size_t k, char *buf, size_t cap)
{
    const tune_state *s = arg;
    if (s->nfolds == 0)
        snprintf(buf, cap, "run %zu", k + 1);
    else
        snprintf(buf, cap, "run %zu, fold %lld", k / s->nfolds + 1,
                 (long long)s->folds.number[k % s->nfolds]);
}

/* Task k: a run measured on the validation set, or one fold of a run. */
static int tune_task(mod_ctx *task, void *arg, size_t k)
{
    tune_state *s = arg;
    size_t run = s->nfolds == 0 ? k : k / s->nfolds;
    tbl_table *train = NULL, *test = NULL;
    const tbl_table *fit = s->train, *measure = s->valid;
    int rc = 0;
    if (s->nfolds > 0) {
        rc = mod__fold_tables(task, s->train, &s->folds, k % s->nfolds, &train, &test);
        fit = train;
        measure = test;
    }
    mod__model m;
    if (rc == 0) rc = mod__train_supervised(task, s->run_learner[run], fit, s->label, &m);
    tbl_free(train);
    if (rc == 0) {
        rc = mod__evaluate_model(task, &m, measure, NULL, &s->evaluation[k]);
        mod__model_clear(&m);
    }
    tbl_free(test);
    return rc;
}

/* A task in a job array (selection.h): its figures travel from its job to
 * the gather. The best model is trained again in the gather, from the same
 * learner and rows, rather than carried over: no run's task trains on the
 * whole training set. */
static int tune_save_task(mod_ctx *ctx, void *arg, size_t k, const char *dir)
{
    tune_state *s = arg;
    return mod__task_save_json(ctx, dir, "evaluation", s->evaluation[k]);
}

static int tune_load_task(mod_ctx *ctx, void *arg, size_t k, const char *dir)
{
    tune_state *s = arg;
    int rc = mod__task_load_json(ctx, dir, "evaluation", &s->evaluation[k]);
    if (rc == 0 && !json_is_object(json_object_get(s->evaluation[k], "metrics")))
        rc = mod_fail(ctx, WF_ECORRUPT, "its evaluation has no metrics");
    return rc;
}

/* Each run's figures and chosen metric, from its task(s). */
static int tune_summarise(mod_ctx *ctx, tune_state *s)
{
    size_t per = s->nfolds > 0 ? s->nfolds : 1;
    s->summary = wf_calloc(s->nruns, sizeof *s->summary);
    s->value = wf_mallocarray(s->nruns, sizeof *s->value);
    if (s->summary == NULL || s->value == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->nruns; k++) {
        json_t *const *e = s->evaluation + k * per;
        s->summary[k] = per == 1 ? json_incref(e[0]) : mod__metrics_summary(e, per, false);
        if (s->summary[k] == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
        /* The mean over folds of the metric, as each fold measured it. */
        double sum = 0;
        size_t n = 0;
        for (size_t f = 0; f < per; f++) {
            double v = mod__metric_value(s->metric, s->spec->task, e[f]);
            if (isnan(v)) continue;
            sum += v;
            n++;
        }
        s->value[k] = n > 0 ? sum / (double)n : NAN;
    }
    return 0;
}

/* Whether run a beats run b (an undefined metric loses; ties keep order). */
static bool tune_better(const tune_state *s, size_t a, size_t b)
{
    double x = s->value[a], y = s->value[b];
    if (isnan(x)) return false;
    if (isnan(y)) return true;
    return mod__metric_higher_is_better(s->metric) ? x > y : x < y;
}

/* ---- the outputs ------------------------------------------------------------------------ */

/* Sweep results: the runs best first, one column per swept parameter, then
 * the metrics. */
static int tune_sweep_table(mod_ctx *ctx, tune_state *s, const size_t *order, tbl_table **out)
{
    size_t n = s->nruns;
    tbl_table *res = tbl_new();
    json_t **evals = wf_calloc(n, sizeof *evals);
    int rc = res == NULL || evals == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    wf_error err = {0};
    for (size_t p = 0; rc == 0 && p < s->nranges; p++) {
        tbl_column c;
        if (tbl_column_init(&c, s->ranges[p].name, s->ranges[p].integer ? TBL_INTEGER : TBL_NUMERIC,
                            n, &err) < 0) {
            rc = mod_fail_with(ctx, &err);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            double v = tune_value(s, s->grid[order[i]], p);
            if (s->ranges[p].integer)
                c.v.i64[i] = (int64_t)v;
            else
                c.v.f64[i] = v;
        }
        if (tbl_add_column(res, &c, n, &err) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        evals[i] = s->summary[order[i]];
    if (rc == 0) rc = mod__add_metric_columns(ctx, res, evals, n);
    /* The report has no macro F1 for several classes; a sweep ranked by it
     * shows it. */
    if (rc == 0 && tbl_find_column(res, mod__metric_name(s->metric)) < 0 &&
        s->spec->task == ML_MULTICLASS && s->metric == MOD__METRIC_F_SCORE) {
        tbl_column c;
        if (tbl_column_init(&c, mod__metric_name(s->metric), TBL_NUMERIC, n, &err) < 0) {
            rc = mod_fail_with(ctx, &err);
        } else {
            for (size_t i = 0; i < n; i++) {
                c.v.f64[i] = s->value[order[i]];
                if (isnan(c.v.f64[i])) tbl_set_missing(&c, i, n);
            }
            if (tbl_add_column(res, &c, n, &err) < 0) {
                tbl_column_clear(&c);
                rc = mod_fail_with(ctx, &err);
            }
        }
    }
    free(evals);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    res->nrows = n;
    *out = res;
    return 0;
}

/* The run's values, for the log: "l2_regularization_weight=0.1, ...". */
static void tune_describe(const tune_state *s, size_t run, char *buf, size_t cap)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t p = 0; p < s->nranges && at < cap; p++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s=%g", p > 0 ? ", " : "", s->ranges[p].name,
                               tune_value(s, s->grid[run], p));
}

/* ---- the module ------------------------------------------------------------------------ */

static void tune_state_clear(tune_state *s)
{
    for (size_t i = 0; s->ranges != NULL && i < s->nranges; i++)
        free(s->ranges[i].values);
    free(s->ranges);
    size_t tasks = s->nruns * (s->nfolds > 0 ? s->nfolds : 1);
    for (size_t k = 0; s->evaluation != NULL && k < tasks; k++)
        json_decref(s->evaluation[k]);
    for (size_t k = 0; k < s->nruns; k++) {
        if (s->run_learner != NULL) json_decref(s->run_learner[k]);
        if (s->summary != NULL) json_decref(s->summary[k]);
    }
    free(s->evaluation);
    free(s->run_learner);
    free(s->summary);
    free(s->value);
    free(s->grid);
    mod__folds_clear(&s->folds);
}

/* The chosen metric for the learner's task. */
static int tune_metric(mod_ctx *ctx, tune_state *s)
{
    bool regression = s->spec->task == ML_REGRESSION;
    const char *field = regression ? "metric_for_measuring_performance_for_regression"
                                   : "metric_for_measuring_performance_for_classification";
    size_t choice;
    int rc = mod__param_choice(ctx, field, &choice);
    if (rc < 0) return rc;
    s->metric = (mod__metric)(regression ? MOD__METRIC_MAE + choice : choice);
    return mod__metric_check(ctx, field, s->metric, s->spec->task);
}

/* Reads the inputs and parameters, and lays out the sweep. */
static int tune_prepare(mod_ctx *ctx, tune_state *s)
{
    int64_t most = 5, seed = 0;
    size_t mode;
    int rc = mod__supervised_learner(ctx, s->learner, "untrained_model", &s->spec);
    if (rc == 0 && s->train == NULL)
        rc = mod_fail(ctx, WF_EINVAL, "input \"training_dataset\" is missing");
    if (rc == 0) rc = mod__column_param(ctx, "label_column", s->train, &s->label);
    if (rc == 0 && s->valid != NULL) rc = tune_check_validation(ctx, s->train, s->label, s->valid);
    if (rc == 0) rc = tune_metric(ctx, s);
    if (rc == 0) rc = mod__param_choice(ctx, "specify_parameter_sweeping_mode", &mode);
    if (rc == 0) rc = mod_param_int(ctx, "maximum_number_of_runs_on_random_sweep", &most);
    if (rc == 0) rc = mod_param_int(ctx, "random_seed", &seed);
    if (rc == 0) rc = tune_ranges(ctx, s);
    if (rc == 0) rc = tune_choose_runs(ctx, s, mode == 0, most, (uint64_t)seed);
    if (rc == 0) rc = tune_run_learners(ctx, s);
    if (rc == 0 && s->valid == NULL) {
        rc = mod__folds_make(ctx, s->train, TUNE_FOLDS, (uint64_t)seed, &s->folds);
        s->nfolds = s->folds.count;
    }
    if (rc < 0) return rc;
    size_t tasks = s->nruns * (s->nfolds > 0 ? s->nfolds : 1);
    s->evaluation = wf_calloc(tasks, sizeof *s->evaluation);
    if (s->evaluation == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    mod_log(ctx, "%zu runs (%s), each %s, ranked by %s", s->nruns,
            mode == 0 ? "the entire grid" : "a random sweep",
            s->nfolds > 0 ? "cross-validated on the training rows"
                          : "measured on the validation "
                            "rows",
            mod__metric_choice(s->metric));
    return 0;
}

static int tune_run(mod_ctx *ctx)
{
    tune_state s = {.learner = mod_input_json(ctx, "untrained_model"),
                    .train = mod_input_table(ctx, "training_dataset"),
                    .valid = mod_input_table(ctx, "optional_validation_dataset")};
    int rc = tune_prepare(ctx, &s);
    size_t tasks = s.nruns * (s.nfolds > 0 ? s.nfolds : 1);
    /* In a job array, one job per run: a run's folds stay together. */
    mod__task_set set = {.n = tasks,
                         .per_job = s.nfolds > 0 ? s.nfolds : 1,
                         .threads = mod__thread_budget(ctx),
                         .run = tune_task,
                         .name = tune_task_name,
                         .save = tune_save_task,
                         .load = tune_load_task,
                         .arg = &s};
    if (rc == 0) rc = mod__run_task_set(ctx, &set);
    if (rc == 0) rc = tune_summarise(ctx, &s);
    size_t *order = rc == 0 ? wf_mallocarray(s.nruns, sizeof *order) : NULL;
    if (rc == 0 && order == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (rc == 0) {
        /* Best first; an insertion sort keeps equal runs in run order. */
        for (size_t i = 0; i < s.nruns; i++) {
            size_t j = i;
            for (; j > 0 && tune_better(&s, i, order[j - 1]); j--)
                order[j] = order[j - 1];
            order[j] = i;
        }
        for (size_t k = 0; k < s.nruns && k < TUNE_LOGGED_RUNS; k++) {
            char values[512];
            tune_describe(&s, k, values, sizeof values);
            mod_log(ctx, "run %zu: %s: %s %.6g", k + 1, values, mod__metric_choice(s.metric),
                    s.value[k]);
        }
    }
    tbl_table *sweep = NULL;
    json_t *best = NULL;
    if (rc == 0 && s.nruns > TUNE_LOGGED_RUNS)
        mod_log(ctx, "... and %zu more runs (see sweep_results)", s.nruns - TUNE_LOGGED_RUNS);
    if (rc == 0) rc = tune_sweep_table(ctx, &s, order, &sweep);
    if (rc == 0) {
        mod_log(ctx, "best: run %zu", order[0] + 1);
        mod__model m;
        rc = mod__train_supervised(ctx, s.run_learner[order[0]], s.train, s.label, &m);
        if (rc == 0) {
            best = mod__model_to_json(ctx, &m);
            if (best == NULL) rc = ctx->err.code ? ctx->err.code : WF_ENOMEM;
            mod__model_clear(&m);
        }
    }
    free(order);
    tune_state_clear(&s);
    if (rc < 0) {
        tbl_free(sweep);
        return rc;
    }
    if ((rc = mod_output_table(ctx, "sweep_results", sweep)) < 0) {
        json_decref(best);
        return rc;
    }
    return mod_output_json(ctx, "trained_best_model", best);
}

/* The sweep's columns come from the learner, which configure does not see;
 * it checks the label column and that a connected validation set matches. */
static int tune_configure(mod_ctx *ctx)
{
    const tbl_table *train = mod_input_table(ctx, "training_dataset");
    const tbl_table *valid = mod_input_table(ctx, "optional_validation_dataset");
    size_t label;
    int rc = train != NULL ? mod__column_param(ctx, "label_column", train, &label) : 0;
    if (rc == 0 && train != NULL && valid != NULL)
        rc = tune_check_validation(ctx, train, label, valid);
    return rc;
}

const mod_descriptor mod_tune_model_hyperparameters = {
    .name = "tune-model-hyperparameters",
    .version = 1,
    .display_name = "Tune Model Hyperparameters",
    .category = "Model Training",
    .help = "Sweeps a learner's parameters and trains the best combination.\n\n"
            "- **What is swept**: set the learner's *Create trainer mode* to parameter-range and "
            "list values in its range parameters (\"0.01; 0.1; 1\"). A learner without ranges "
            "is an error.\n"
            "- **entire-grid** tries every combination (at most 10000); **random-sweep** tries "
            "`maximum_number_of_runs_on_random_sweep` distinct combinations drawn with "
            "`random_seed` (random search, Bergstra and Bengio 2012), or all of them when "
            "there are fewer.\n"
            "- **Measuring**: each run is trained on the training dataset and measured on the "
            "validation dataset, whose columns must match the training dataset's. Without one, "
            "each run is cross-validated on the training dataset (its `Fold` column from "
            "Partition and Sample, else 10 folds drawn with the seed) and its figures are the "
            "means over the folds.\n"
            "- **Metric**: for classifiers accuracy, precision, recall, f-score, auc (two "
            "classes) or log-loss; for regression mean-absolute-error, "
            "root-mean-squared-error, relative-absolute-error, relative-squared-error or "
            "coefficient-of-determination. Ties go to the earlier run.\n"
            "- **Sweep results**: one row per run, best first; one column per swept parameter "
            "(named as the learner's parameter), then Evaluate Model's metrics.\n"
            "- **Trained best model**: the best run's learner (in single-parameter mode with the "
            "run's values) trained on the whole training dataset.\n\n"
            "Runs go in parallel, up to the step's thread budget (`OMP_NUM_THREADS` when set, "
            "else every core); results do not depend on it.\n\n"
            "## Example\n\n"
            "Two-Class Boosted Decision Tree in parameter-range mode on `untrained_model`; "
            "twenty random combinations ranked by AUC, cross-validated:\n\n"
            "```json\n{\"specify_parameter_sweeping_mode\": \"random-sweep\",\n"
            " \"maximum_number_of_runs_on_random_sweep\": 20, \"label_column\": \"class\",\n"
            " \"metric_for_measuring_performance_for_classification\": \"auc\"}\n```",
    MOD_PORTS(inputs, tune_in),
    MOD_PORTS(outputs, tune_out),
    MOD_PARAMS(tune_params),
    .configure = tune_configure,
    .run = tune_run,
};
