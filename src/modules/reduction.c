/*
 * reduction.c: One-vs-All Multiclass and One-vs-One Multiclass, which turn
 * any two-class learner into a multiclass one, as the Azure designer's
 * modules of those names do.
 *
 * One-vs-all (Rifkin and Klautau, "In defense of one-vs-all
 * classification", JMLR 5, 2004): one two-class model per class c, trained
 * on every row with the label "is c"; a row's probability of class c is
 * model c's probability, normalised over the classes.
 *
 * One-vs-one (Knerr, Personnaz and Dreyfus, "Single-layer learning
 * revisited: a stepwise procedure for building and training a neural
 * network", 1990; Hastie and Tibshirani, "Classification by pairwise
 * coupling", 1998): one two-class model per pair of classes i < j, trained
 * on the rows of those two classes with the label "is j"; each model votes
 * for both of its classes with its probabilities, and a class's probability
 * is its share of the votes (the votes of each pair sum to 1, so the shares
 * sum to 1).
 *
 * The learner port carries the two-class learner inside the multiclass
 * learner JSON (`base_learner`, docs/formats.md §4.1); Train Model
 * (mod__train_supervised) hands it here, and the model holds the two-class
 * models, each a complete model of its own (§4.2).
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_PORT "untrained_binary_classification_model"

static const mod_port reduction_in[] = {
    {.name = BASE_PORT,
     .kind = MOD_LEARNER,
     .help = "A two-class learner, such as Two-Class Logistic Regression or Two-Class Boosted "
             "Decision Tree."},
};

static const mod_port reduction_out[] = {
    {.name = "untrained_model",
     .kind = MOD_LEARNER,
     .help = "The multiclass learner, to connect to Train Model."},
};

/* The two-class learner JSON `base`, checked: a learner, and two-class. */
static int reduction_check_base(mod_ctx *ctx, const json_t *base, const char *module)
{
    const char *kind = json_string_value(json_object_get(base, "kind"));
    if (kind != NULL && strcmp(kind, "model") == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "%s: input \"%s\" is a trained model; connect an untrained two-class "
                        "learner module instead",
                        module, BASE_PORT);
    const mod__learner_spec *spec =
        mod__learner_find(json_string_value(json_object_get(base, "learner")));
    if (spec == NULL || kind == NULL || strcmp(kind, "learner") != 0)
        return mod_fail(ctx, WF_EINVAL, "%s: input \"%s\" is not a learner", module, BASE_PORT);
    if (spec->task != ML_BINARY)
        return mod_fail(ctx, WF_EINVAL,
                        "%s needs a two-class learner, but %s is a %s learner; connect a "
                        "two-class learner such as Two-Class Logistic Regression",
                        module, spec->name, mod__task_name(spec->task));
    return 0;
}

/* ---- the learner modules -------------------------------------------------------------- */

static int reduction_run(mod_ctx *ctx)
{
    const json_t *base = mod_input_json(ctx, BASE_PORT);
    if (base == NULL) return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing", BASE_PORT);
    int rc = reduction_check_base(ctx, base, ctx->module->display_name);
    if (rc < 0) return rc;
    char id[128];
    snprintf(id, sizeof id, "%s@%d", ctx->module->name, ctx->module->version);
    json_t *out = json_pack("{s:s, s:s, s:s, s:O, s:O}", "kind", "learner", "learner", id, "task",
                            "multiclass", "params", ctx->params, "base_learner", base);
    if (out == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    return mod_output_json(ctx, "untrained_model", out);
}

/* The learner port's JSON is known to configure only when it is at hand
 * (a learner is not a table, so usually it is not). */
static int reduction_configure(mod_ctx *ctx)
{
    const json_t *base = mod_input_json(ctx, BASE_PORT);
    return base != NULL ? reduction_check_base(ctx, base, ctx->module->display_name) : 0;
}

const mod_descriptor mod_one_vs_all_multiclass = {
    .name = "one-vs-all-multiclass",
    .version = 1,
    .display_name = "One-vs-All Multiclass",
    .category = "Machine Learning Algorithms: Classification",
    .help = "Makes a multiclass classifier from any two-class learner: one two-class model per "
            "class, each telling its class from all the others (Rifkin and Klautau, 2004). A "
            "row's probability of a class is that model's probability, normalised over the "
            "classes; `Scored Labels` is the most probable class.\n\n"
            "Connect a two-class learner (its parameters are used for every model) and connect "
            "the output to Train Model. A learner that is not two-class is refused.\n\n"
            "## Example\n\n"
            "Two-Class Boosted Decision Tree → One-vs-All Multiclass → Train Model with the "
            "label `class` of iris; the module itself has no parameters:\n\n```json\n{}\n```",
    MOD_PORTS(inputs, reduction_in),
    MOD_PORTS(outputs, reduction_out),
    .configure = reduction_configure,
    .run = reduction_run,
};

const mod_descriptor mod_one_vs_one_multiclass = {
    .name = "one-vs-one-multiclass",
    .version = 1,
    .display_name = "One-vs-One Multiclass",
    .category = "Machine Learning Algorithms: Classification",
    .help = "Makes a multiclass classifier from any two-class learner: one two-class model per "
            "pair of classes, k(k - 1)/2 for k classes, each trained on the rows of its two "
            "classes only. Each model votes for its two classes with its probabilities; a "
            "class's probability is its share of the votes, and `Scored Labels` the class with "
            "the most.\n\n"
            "Connect a two-class learner and connect the output to Train Model. A learner that "
            "is not two-class is refused.\n\n"
            "## Example\n\n"
            "Two-Class Support Vector Machine → One-vs-One Multiclass → Train Model; the module "
            "itself has no parameters:\n\n```json\n{}\n```",
    MOD_PORTS(inputs, reduction_in),
    MOD_PORTS(outputs, reduction_out),
    .configure = reduction_configure,
    .run = reduction_run,
};

/* ---- training ---------------------------------------------------------------------------- */

/* The training table of one two-class model: the rows of t whose class is
 * `positive` or, when negative >= 0, `negative` (else every row), with the
 * label column replaced by an integer 0/1 column ("is positive") of the
 * same name. Other columns are shared with t (or with *rows, the filtered
 * copy, which the caller frees after the table). */
static int reduction_table(mod_ctx *ctx, const tbl_table *t, size_t label, const int32_t *y,
                           int32_t negative, int32_t positive, tbl_table **rows, tbl_table **out)
{
    wf_error err = {0};
    const tbl_table *src = t;
    int32_t *ys = NULL;
    *rows = NULL;
    *out = NULL;
    if (negative >= 0) {
        bool *keep = wf_mallocarray(t->nrows + 1, sizeof *keep);
        ys = wf_mallocarray(t->nrows + 1, sizeof *ys);
        if (keep == NULL || ys == NULL) {
            free(keep);
            free(ys);
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
        size_t n = 0;
        for (size_t r = 0; r < t->nrows; r++) {
            keep[r] = y[r] == negative || y[r] == positive;
            if (keep[r]) ys[n++] = y[r];
        }
        int rc = tbl_filter(t, keep, rows, &err);
        free(keep);
        if (rc < 0) {
            free(ys);
            return mod_fail_with(ctx, &err);
        }
        src = *rows;
        y = ys;
    }
    tbl_table *res = tbl_new();
    int rc = res != NULL ? 0 : mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < src->ncols; j++) {
        tbl_column c;
        if (j == label) {
            if (tbl_column_init(&c, src->cols[j].name, TBL_INTEGER, src->nrows, &err) < 0) {
                rc = mod_fail_with(ctx, &err);
                break;
            }
            c.role = TBL_ROLE_LABEL;
            for (size_t r = 0; r < src->nrows; r++)
                c.v.i64[r] = y[r] == positive;
        } else if (tbl_column_share(&c, &src->cols[j], &err) < 0) {
            rc = mod_fail_with(ctx, &err);
            break;
        }
        if (tbl_add_column(res, &c, src->nrows, &err) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        }
    }
    free(ys);
    if (rc < 0) {
        tbl_free(res);
        tbl_free(*rows);
        *rows = NULL;
        return rc;
    }
    res->nrows = src->nrows;
    *out = res;
    return 0;
}

int mod__reduction_fit(mod_ctx *ctx, mod__model *m, const tbl_table *t, size_t label)
{
    const json_t *base = json_object_get(m->learner, "base_learner");
    int rc = reduction_check_base(ctx, base, m->spec->name);
    if (rc < 0) return rc;
    wf_error err = {0};
    int32_t *y = NULL;
    if (ml_label_classes(t, label, &m->classes, &y, &err) < 0) return mod_fail_with(ctx, &err);
    size_t k = m->classes.count;
    if (k < 2) {
        free(y);
        return mod_fail(ctx, WF_EINVAL,
                        "label column \"%s\" has only one class (\"%s\"): a classifier needs at "
                        "least two",
                        t->cols[label].name, k ? m->classes.names[0] : "");
    }
    bool ova = m->spec->algo == MOD__ALGO_OVA;
    size_t n = ova ? k : k * (k - 1) / 2;
    m->subs = wf_calloc(n, sizeof *m->subs);
    if (m->subs == NULL) {
        free(y);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    const char *base_name = json_string_value(json_object_get(base, "learner"));
    for (size_t i = 0, a = 0, b = 1; rc == 0 && i < n; i++) {
        /* one-vs-all: class i against the rest; one-vs-one: pair (a, b) */
        int32_t negative = ova ? -1 : (int32_t)a, positive = ova ? (int32_t)i : (int32_t)b;
        if (mod_cancelled(ctx)) {
            rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
            break;
        }
        tbl_table *rows = NULL, *sub = NULL;
        rc = reduction_table(ctx, t, label, y, negative, positive, &rows, &sub);
        if (rc == 0) {
            if (ova)
                mod_log(ctx, "%s: class \"%s\" against the rest (%zu of %zu), with %s",
                        m->spec->name, m->classes.names[i], i + 1, n, base_name);
            else
                mod_log(ctx, "%s: \"%s\" against \"%s\" (%zu of %zu), with %s", m->spec->name,
                        m->classes.names[b], m->classes.names[a], i + 1, n, base_name);
            rc = mod__train_supervised(ctx, base, sub, label, &m->subs[i]);
            if (rc == 0)
                m->nsubs = i + 1;
            else if (ova)
                wf_error_prefix(&ctx->err, "one-vs-all, class \"%s\"", m->classes.names[i]);
            else
                wf_error_prefix(&ctx->err, "one-vs-one, classes \"%s\" and \"%s\"",
                                m->classes.names[a], m->classes.names[b]);
        }
        tbl_free(sub);
        tbl_free(rows);
        if (++b == k) {
            a++;
            b = a + 1;
        }
        mod_progress(ctx, (double)(i + 1) / (double)n);
    }
    free(y);
    /* The parent lists the feature columns too (the first model's), for
     * those who ask a model what its features are; each model still
     * encodes the rows itself. */
    if (rc == 0 && ml_features_copy(&m->features, &m->subs[0].features, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    return rc;
}

/* ---- predicting ---------------------------------------------------------------------------- */

int mod__reduction_predict(mod_ctx *ctx, const mod__model *m, const tbl_table *t, double *out)
{
    size_t n = t->nrows, k = m->classes.count;
    bool ova = m->spec->algo == MOD__ALGO_OVA;
    size_t want = ova ? k : k * (k - 1) / 2;
    if (m->nsubs != want)
        return mod_fail(ctx, WF_ECORRUPT, "the model has %zu two-class models, not %zu", m->nsubs,
                        want);
    double *p = wf_mallocarray(n + 1, sizeof *p);
    if (p == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n * k; i++)
        out[i] = 0;
    int rc = 0;
    for (size_t i = 0, a = 0, b = 1; rc == 0 && i < m->nsubs; i++) {
        rc = mod__model_predict(ctx, &m->subs[i], t, p);
        for (size_t r = 0; rc == 0 && r < n; r++) {
            if (ova) {
                out[r * k + i] = p[r];
            } else {
                out[r * k + b] += p[r];
                out[r * k + a] += 1 - p[r];
            }
        }
        if (++b == k) {
            a++;
            b = a + 1;
        }
    }
    /* Each row's scores as probabilities: one-vs-all's normalised (equal
     * when every model says 0), one-vs-one's votes over the pairs. */
    for (size_t r = 0; rc == 0 && r < n; r++) {
        double *o = out + r * k, sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += o[c];
        for (size_t c = 0; c < k; c++)
            o[c] = sum > 0 ? o[c] / sum : 1 / (double)k;
    }
    free(p);
    return rc;
}
