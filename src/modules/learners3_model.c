/*
 * learners3_model.c: training, saving, reading and predicting for the
 * learners of issue #6, as Train Model (train.c), the model artifact
 * (model.c) and Score Model (score.c) ask for them: Poisson regression and
 * the averaged perceptron (linear models, saved as model.c saves linear
 * models), quantile forests, neural networks, and the saved state of the
 * one-vs-all / one-vs-one reductions (reduction.c) and of PCA anomaly
 * detection (anomaly.c). docs/formats.md §4.2 describes the states.
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- training ---------------------------------------------------------------------- */

static void fit3_log(void *user, const char *line)
{
    mod_log(user, "%s", line);
}

/* A number of the learner JSON (its first `_range` value in range mode). */
#define NUMBER(name, dst)                                                                          \
    do {                                                                                           \
        double v_;                                                                                 \
        if ((rc = mod__learner_number(ctx, m->learner, name, &v_)) < 0) return rc;                 \
        dst = v_;                                                                                  \
    } while (0)

static int fit3_poisson(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *y,
                        const ml_env *env)
{
    int rc;
    ml_logreg_params p = ML_LOGREG_DEFAULTS;
    NUMBER("optimization_tolerance", p.tolerance);
    NUMBER("l1_regularization_weight", p.l1);
    NUMBER("l2_regularization_weight", p.l2);
    NUMBER("memory_size_for_l_bfgs", p.memory);
    wf_error err = {0};
    if (ml_poisson_fit(x, y, &p, env, &m->linear, &err) < 0) {
        wf_error_prefix(&err, "label column \"%s\"", m->label);
        return mod_fail_with(ctx, &err);
    }
    return 0;
}

static int fit3_perceptron(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const int32_t *y,
                           const ml_env *env)
{
    int rc;
    ml_perceptron_params p = {.learning_rate = 1, .iterations = 10};
    NUMBER("learning_rate", p.learning_rate);
    NUMBER("maximum_number_of_iterations", p.iterations);
    NUMBER("random_number_seed", p.seed);
    wf_error err = {0};
    if (ml_perceptron_fit(x, y, &p, env, &m->linear, &err) < 0) return mod_fail_with(ctx, &err);
    return 0;
}

/* The quantiles of the learner JSON, into m (checked: in [0, 1]). */
static int fit3_quantiles(mod_ctx *ctx, mod__model *m)
{
    const char *text = mod__learner_string(m->learner, "quantiles_to_be_estimated");
    double v[101];
    size_t n = 0;
    int rc = mod__number_list(text, v, 100, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!(v[i] >= 0 && v[i] <= 1)) rc = WF_EINVAL;
    if (rc < 0)
        return mod_fail(ctx, WF_EINVAL,
                        "learner parameter \"quantiles_to_be_estimated\": \"%s\" is not a list of "
                        "up to 100 quantiles in [0, 1]",
                        text ? text : "");
    m->quantiles = wf_mallocarray(n, sizeof *m->quantiles);
    if (m->quantiles == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    memcpy(m->quantiles, v, n * sizeof *v);
    m->nquantiles = n;
    return 0;
}

static int fit3_qforest(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *y,
                        const ml_env *env)
{
    int rc = fit3_quantiles(ctx, m);
    if (rc < 0) return rc;
    ml_qforest_params p = {.trees = {.task = ML_REGRESSION,
                                     .forest = true,
                                     .bootstrap = true,
                                     .learning_rate = 1,
                                     .lambda = 0}};
    double rows = 10, samples = 100;
    NUMBER("number_of_trees", p.trees.num_trees);
    NUMBER("number_of_leaves", p.trees.max_leaves);
    NUMBER("minimum_number_of_training_instances_required_to_form_a_leaf", rows);
    NUMBER("bagging_fraction", p.trees.subsample);
    NUMBER("feature_fraction", p.trees.colsample_bytree);
    NUMBER("split_fraction", p.trees.colsample_bynode);
    NUMBER("quantile_sample_count", samples);
    NUMBER("random_number_seed", p.trees.seed);
    /* A leaf of n rows under squared error weighs n (trees.c, decisions.md). */
    p.trees.min_child_weight = rows;
    /* A bagging fraction of 1 grows every tree on every row (trees.c would
     * read 1 with bagging as "a bootstrap's share"). */
    p.trees.bootstrap = p.trees.subsample < 1;
    p.sample_count = samples >= 1 ? (size_t)samples : 1;
    p.seed = p.trees.seed;
    wf_error err = {0};
    if (ml_qforest_fit(x, y, &p, env, &m->qforest, &err) < 0) return mod_fail_with(ctx, &err);
    return 0;
}

static int fit3_nn(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *yn,
                   const int32_t *yc, const ml_env *env)
{
    int rc;
    ml_nn_params p = {.task = m->task, .nclasses = m->classes.count};
    const char *hidden = mod__learner_string(m->learner, "number_of_hidden_nodes");
    double layers[ML_NN_MAX_LAYERS];
    size_t sizes[ML_NN_MAX_LAYERS], n = 0;
    if (mod__number_list(hidden, layers, ML_NN_MAX_LAYERS, &n) < 0)
        return mod_fail(ctx, WF_EINVAL,
                        "learner parameter \"number_of_hidden_nodes\": \"%s\" is not a list of "
                        "node counts",
                        hidden ? hidden : "");
    for (size_t l = 0; l < n; l++) {
        if (!(layers[l] >= 1 && layers[l] <= ML_NN_MAX_UNITS))
            return mod_fail(ctx, WF_EINVAL,
                            "learner parameter \"number_of_hidden_nodes\": %g is not a node count "
                            "from 1 to %d",
                            layers[l], ML_NN_MAX_UNITS);
        sizes[l] = (size_t)layers[l];
    }
    p.hidden = sizes;
    p.nhidden = n;
    double batch = 1;
    NUMBER("learning_rate", p.learning_rate);
    NUMBER("number_of_learning_iterations", p.iterations);
    NUMBER("the_initial_learning_weights_diameter", p.init_diameter);
    NUMBER("the_momentum", p.momentum);
    NUMBER("minibatch_size", batch);
    NUMBER("random_number_seed", p.seed);
    p.batch_size = batch >= 1 ? (size_t)batch : 1;
    if ((rc = mod__learner_bool(ctx, m->learner, "shuffle_examples", &p.shuffle)) < 0) return rc;
    const char *norm = mod__learner_string(m->learner, "the_type_of_normalizer");
    p.normalizer = norm == NULL                               ? ML_NN_MIN_MAX
                   : strcmp(norm, "gaussian-normalizer") == 0 ? ML_NN_GAUSSIAN
                   : strcmp(norm, "binning-normalizer") == 0  ? ML_NN_BINNING
                   : strcmp(norm, "do-not-normalize") == 0    ? ML_NN_NONE
                                                              : ML_NN_MIN_MAX;
    /* Classes go to the network as numbers. */
    double *y = NULL;
    if (yn == NULL) {
        if ((y = wf_mallocarray(x->rows + 1, sizeof *y)) == NULL)
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        for (size_t r = 0; r < x->rows; r++)
            y[r] = yc[r];
    }
    wf_error err = {0};
    rc =
        ml_nn_fit(x, yn != NULL ? yn : y, &p, env, &m->nn, &err) < 0 ? mod_fail_with(ctx, &err) : 0;
    free(y);
    return rc;
}

int mod__fit3(mod_ctx *ctx, mod__model *m, const ml_matrix *x, const double *yn, const int32_t *yc)
{
    ml_env env = {.cancel = ctx->cancel, .log = fit3_log, .user = ctx};
    switch (m->spec->algo) {
    case MOD__ALGO_POISSON:
        return fit3_poisson(ctx, m, x, yn, &env);
    case MOD__ALGO_PERCEPTRON:
        return fit3_perceptron(ctx, m, x, yc, &env);
    case MOD__ALGO_QFOREST:
        return fit3_qforest(ctx, m, x, yn, &env);
    case MOD__ALGO_NN:
        return fit3_nn(ctx, m, x, yn, yc, &env);
    default:
        return mod_fail(ctx, WF_EINVAL, "%s is not trained here", m->spec->name);
    }
}

/* ---- writing the state ---------------------------------------------------------------- */

static json_t *sizes_json(const size_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        if (json_array_append_new(a, json_integer((json_int_t)v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *state3_nn(const ml_nn *nn)
{
    static const char *const names[] = {"min-max", "gaussian", "binning", "none"};
    json_t *o = json_pack("{s:s, s:s, s:o*, s:o*}", "kind", "neural-network", "normalizer",
                          names[nn->normalizer], "sizes", sizes_json(nn->sizes, nn->nlayers + 1),
                          "params", mod__json_numbers(nn->params, nn->nparams));
    if (o == NULL) return NULL;
    int rc = 0;
    if (nn->shift != NULL) {
        rc |= json_object_set_new(o, "shift", mod__json_numbers(nn->shift, nn->ninputs));
        rc |= json_object_set_new(o, "scale", mod__json_numbers(nn->scale, nn->ninputs));
    }
    if (nn->edge_start != NULL) {
        rc |= json_object_set_new(o, "edge_start", sizes_json(nn->edge_start, nn->ninputs + 1));
        rc |= json_object_set_new(o, "edges",
                                  mod__json_numbers(nn->edges, nn->edge_start[nn->ninputs]));
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *state3_qforest(mod_ctx *ctx, const mod__model *m)
{
    const ml_qforest *q = &m->qforest;
    unsigned char *bytes = NULL;
    size_t len = 0;
    wf_error err = {0};
    if (ml_trees_save(&q->trees, &bytes, &len, &err) < 0) {
        mod_fail_with(ctx, &err);
        return NULL;
    }
    char *text = wf_base64_encode(bytes, len);
    char digest[WF_SHA256_HEX];
    wf_sha256_hex(bytes, len, digest);
    free(bytes);
    json_t *nodes = json_array();
    for (size_t l = 0; nodes != NULL && l < q->nleaves; l++)
        if (json_array_append_new(nodes, json_integer(q->leaf_node[l])) < 0) {
            json_decref(nodes);
            nodes = NULL;
        }
    json_t *o = json_pack("{s:s, s:s*, s:s, s:I, s:o*, s:o*, s:o*, s:o*, s:o*}", "kind",
                          "quantile-forest", "booster", text, "booster_sha256", digest, "nfeatures",
                          (json_int_t)q->trees.nfeatures, "quantiles",
                          mod__json_numbers(m->quantiles, m->nquantiles), "leaf_start",
                          sizes_json(q->leaf_start, q->ntrees + 1), "leaf_node", nodes,
                          "value_start", sizes_json(q->value_start, q->nleaves + 1), "values",
                          mod__json_numbers(q->values, q->nvalues));
    free(text);
    return o;
}

static json_t *state3_pca(const ml_pca *p)
{
    json_t *rows = json_array();
    for (size_t c = 0; rows != NULL && c < p->k; c++)
        if (json_array_append_new(rows, mod__json_numbers(p->components + c * p->dims, p->dims)) <
            0) {
            json_decref(rows);
            rows = NULL;
        }
    return json_pack("{s:s, s:b, s:o*, s:o*, s:o*}", "kind", "pca", "center", p->center, "mean",
                     mod__json_numbers(p->mean, p->dims), "components", rows, "variance",
                     mod__json_numbers(p->variance, p->k));
}

static json_t *state3_reduction(mod_ctx *ctx, const mod__model *m)
{
    json_t *models = json_array();
    if (models == NULL) return NULL;
    for (size_t i = 0; i < m->nsubs; i++) {
        json_t *sub = mod__model_to_json(ctx, &m->subs[i]);
        if (sub == NULL || json_array_append_new(models, sub) < 0) {
            json_decref(models);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o}", "kind",
                     m->spec->algo == MOD__ALGO_OVA ? "one-vs-all" : "one-vs-one", "models",
                     models);
}

json_t *mod__state3_json(mod_ctx *ctx, const mod__model *m)
{
    switch (m->spec->algo) {
    case MOD__ALGO_NN:
        return state3_nn(&m->nn);
    case MOD__ALGO_QFOREST:
        return state3_qforest(ctx, m);
    case MOD__ALGO_PCA:
        return state3_pca(&m->pca);
    case MOD__ALGO_OVA:
    case MOD__ALGO_OVO:
        return state3_reduction(ctx, m);
    default:
        mod_fail(ctx, WF_EINVAL, "%s has no state here", m->spec->name);
        return NULL;
    }
}

/* ---- reading the state ------------------------------------------------------------------- */

static int bad3(mod_ctx *ctx, const char *what)
{
    return mod_fail(ctx, WF_ECORRUPT, "the model is not a weft model: %s", what);
}

/* n whole numbers in [0, most] from a JSON array into a new buffer. */
static int read_sizes(const json_t *a, size_t n, size_t most, size_t **out)
{
    if (!json_is_array(a) || json_array_size(a) != n) return WF_ECORRUPT;
    size_t *v = wf_mallocarray(n + 1, sizeof *v);
    if (v == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(a, i);
        if (!json_is_integer(x) || json_integer_value(x) < 0 ||
            (uint64_t)json_integer_value(x) > most) {
            free(v);
            return WF_ECORRUPT;
        }
        v[i] = (size_t)json_integer_value(x);
    }
    *out = v;
    return 0;
}

static int read3_nn(mod_ctx *ctx, const json_t *s, mod__model *m)
{
    const char *norm = json_string_value(json_object_get(s, "normalizer"));
    const json_t *sizes = json_object_get(s, "sizes");
    size_t nsizes = json_array_size(sizes), width = m->features.width;
    static const char *const names[] = {"min-max", "gaussian", "binning", "none"};
    int which = -1;
    for (int i = 0; norm != NULL && i < 4; i++)
        if (strcmp(norm, names[i]) == 0) which = i;
    if (which < 0 || nsizes < 2 || nsizes > ML_NN_MAX_LAYERS + 2)
        return bad3(ctx, "a network without its normaliser or layers");
    size_t *sz = NULL;
    if (read_sizes(sizes, nsizes, ML_NN_MAX_UNITS > width ? ML_NN_MAX_UNITS : width, &sz) < 0)
        return bad3(ctx, "a network with bad layer sizes");
    size_t want_out = m->task == ML_MULTICLASS ? m->classes.count : 1;
    bool ok = sz[0] == width && sz[nsizes - 1] == want_out;
    size_t nparams = 0;
    for (size_t l = 0; l < nsizes; l++)
        ok = ok && sz[l] >= 1;
    /* The weights the layers need must be the weights the model holds,
     * checked before anything of that size is allocated. */
    for (size_t l = 0; ok && l + 1 < nsizes; l++)
        nparams += sz[l + 1] * (sz[l] + 1);
    ok = ok && nparams == json_array_size(json_object_get(s, "params"));
    wf_error err = {0};
    int rc = ok ? ml_nn_init(&m->nn, m->task, width, sz + 1, nsizes - 2, want_out,
                             (ml_nn_normalizer)which, &err)
                : WF_ECORRUPT;
    free(sz);
    if (rc == WF_ECORRUPT) return bad3(ctx, "a network whose layers do not match its features");
    if (rc < 0) return mod_fail_with(ctx, &err);
    ml_nn *nn = &m->nn;
    double *v = NULL;
    if (mod__json_read_numbers(json_object_get(s, "params"), nn->nparams, &v) < 0)
        return bad3(ctx, "a network without its weights");
    memcpy(nn->params, v, nn->nparams * sizeof *v);
    free(v);
    if (nn->shift != NULL) {
        double *shift = NULL, *scale = NULL;
        if (mod__json_read_numbers(json_object_get(s, "shift"), width, &shift) < 0 ||
            mod__json_read_numbers(json_object_get(s, "scale"), width, &scale) < 0) {
            free(shift);
            return bad3(ctx, "a network without its normaliser");
        }
        memcpy(nn->shift, shift, width * sizeof *shift);
        memcpy(nn->scale, scale, width * sizeof *scale);
        free(shift);
        free(scale);
    }
    if (nn->normalizer == ML_NN_BINNING) {
        if (read_sizes(json_object_get(s, "edge_start"), width + 1, (size_t)width * ML_NN_BINS,
                       &nn->edge_start) < 0)
            return bad3(ctx, "a network without its bins");
        for (size_t j = 0; j < width; j++)
            if (nn->edge_start[j] > nn->edge_start[j + 1] || nn->edge_start[0] != 0)
                return bad3(ctx, "a network with bad bins");
        if (mod__json_read_numbers(json_object_get(s, "edges"), nn->edge_start[width], &nn->edges) <
            0)
            return bad3(ctx, "a network without its bin edges");
    }
    return 0;
}

static int read3_qforest(mod_ctx *ctx, const json_t *s, mod__model *m)
{
    ml_qforest *q = &m->qforest;
    const char *text = json_string_value(json_object_get(s, "booster"));
    if (text == NULL) return bad3(ctx, "a quantile forest without its booster");
    size_t nq = json_array_size(json_object_get(s, "quantiles"));
    size_t ntrees = json_array_size(json_object_get(s, "leaf_start"));
    size_t nleaves = json_array_size(json_object_get(s, "leaf_node"));
    size_t nvalues = json_array_size(json_object_get(s, "values"));
    if (nq == 0 || ntrees < 2 || nleaves == 0 || nvalues == 0)
        return bad3(ctx, "a quantile forest without its quantiles or leaves");
    if (mod__json_read_numbers(json_object_get(s, "quantiles"), nq, &m->quantiles) < 0)
        return bad3(ctx, "bad quantiles");
    m->nquantiles = nq;
    for (size_t i = 0; i < nq; i++)
        if (!(m->quantiles[i] >= 0 && m->quantiles[i] <= 1)) return bad3(ctx, "bad quantiles");
    q->ntrees = ntrees - 1;
    q->nleaves = nleaves;
    q->nvalues = nvalues;
    if (read_sizes(json_object_get(s, "leaf_start"), ntrees, nleaves, &q->leaf_start) < 0 ||
        read_sizes(json_object_get(s, "value_start"), nleaves + 1, nvalues, &q->value_start) < 0 ||
        mod__json_read_numbers(json_object_get(s, "values"), nvalues, &q->values) < 0)
        return bad3(ctx, "a quantile forest with bad leaves");
    q->leaf_node = wf_mallocarray(nleaves, sizeof *q->leaf_node);
    if (q->leaf_node == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory reading the model");
    for (size_t l = 0; l < nleaves; l++) {
        const json_t *v = json_array_get(json_object_get(s, "leaf_node"), l);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
            return bad3(ctx, "a quantile forest with bad leaves");
        q->leaf_node[l] = (int32_t)json_integer_value(v);
    }
    /* As for boosted trees (model.c): XGBoost reads only the bytes weft
     * wrote, checked by their digest. */
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = wf_base64_decode(text, strlen(text), &bytes, &len);
    if (rc < 0)
        return rc == WF_ENOMEM ? mod_fail(ctx, rc, "out of memory reading the model")
                               : bad3(ctx, "the booster is not base64");
    const char *want = json_string_value(json_object_get(s, "booster_sha256"));
    char digest[WF_SHA256_HEX];
    wf_sha256_hex(bytes, len, digest);
    if (want == NULL || strcmp(want, digest) != 0) {
        free(bytes);
        return bad3(ctx, "its booster does not match its SHA-256 digest (damaged)");
    }
    wf_error err = {0};
    rc = ml_trees_load(&q->trees, bytes, len, ML_REGRESSION, 0, m->features.width, &err);
    free(bytes);
    if (rc == 0) rc = ml_qforest_check(q, &err);
    return rc < 0 ? mod_fail_with(ctx, &err) : 0;
}

static int read3_pca(mod_ctx *ctx, const json_t *s, mod__model *m)
{
    ml_pca *p = &m->pca;
    const json_t *rows = json_object_get(s, "components");
    size_t k = json_array_size(rows), d = m->features.width;
    if (k == 0 || k > d) return bad3(ctx, "a PCA model without its components");
    p->dims = d;
    p->k = k;
    p->center = json_is_true(json_object_get(s, "center"));
    p->components = wf_mallocarray(k * d, sizeof *p->components);
    if (p->components == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory reading the model");
    if (mod__json_read_numbers(json_object_get(s, "mean"), d, &p->mean) < 0 ||
        mod__json_read_numbers(json_object_get(s, "variance"), k, &p->variance) < 0)
        return bad3(ctx, "a PCA model without its mean or variances");
    for (size_t c = 0; c < k; c++) {
        double *row = NULL;
        if (mod__json_read_numbers(json_array_get(rows, c), d, &row) < 0)
            return bad3(ctx, "a PCA component that does not match the features");
        memcpy(p->components + c * d, row, d * sizeof *row);
        free(row);
    }
    return 0;
}

static int read3_reduction(mod_ctx *ctx, const json_t *s, mod__model *m)
{
    const char *kind = json_string_value(json_object_get(s, "kind"));
    const char *want = m->spec->algo == MOD__ALGO_OVA ? "one-vs-all" : "one-vs-one";
    const json_t *models = json_object_get(s, "models");
    size_t k = m->classes.count, n = m->spec->algo == MOD__ALGO_OVA ? k : k * (k - 1) / 2;
    if (kind == NULL || strcmp(kind, want) != 0 || json_array_size(models) != n)
        return bad3(ctx, "a multiclass reduction without one two-class model per class or pair");
    m->subs = wf_calloc(n, sizeof *m->subs);
    if (m->subs == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory reading the model");
    for (size_t i = 0; i < n; i++) {
        const json_t *sub = json_array_get(models, i);
        /* Two-class models only: checked before reading, so that a damaged
         * model cannot nest reductions in reductions. */
        const mod__learner_spec *spec = mod__learner_find(
            json_string_value(json_object_get(json_object_get(sub, "learner"), "learner")));
        if (spec == NULL || spec->task != ML_BINARY)
            return bad3(ctx, "a multiclass reduction over a model that is not two-class");
        /* counted first, so that mod__model_clear frees a half-read one */
        m->nsubs = i + 1;
        int rc = mod__model_from_json(ctx, sub, &m->subs[i]);
        if (rc < 0) return rc;
    }
    return 0;
}

int mod__read_state3(mod_ctx *ctx, const json_t *state, mod__model *m)
{
    const char *kind = json_string_value(json_object_get(state, "kind"));
    static const char *const kinds[] = {
        [MOD__ALGO_NN] = "neural-network", [MOD__ALGO_QFOREST] = "quantile-forest",
        [MOD__ALGO_PCA] = "pca",           [MOD__ALGO_OVA] = "one-vs-all",
        [MOD__ALGO_OVO] = "one-vs-one",
    };
    mod__algo a = m->spec->algo;
    if (kind == NULL || (unsigned)a >= sizeof kinds / sizeof kinds[0] || kinds[a] == NULL ||
        strcmp(kind, kinds[a]) != 0)
        return bad3(ctx, "its fitted state is not the learner's");
    switch (a) {
    case MOD__ALGO_NN:
        return read3_nn(ctx, state, m);
    case MOD__ALGO_QFOREST:
        return read3_qforest(ctx, state, m);
    case MOD__ALGO_PCA:
        return read3_pca(ctx, state, m);
    default:
        return read3_reduction(ctx, state, m);
    }
}

void mod__model_clear3(mod__model *m)
{
    ml_nn_clear(&m->nn);
    ml_qforest_clear(&m->qforest);
    free(m->quantiles);
    ml_pca_clear(&m->pca);
    for (size_t i = 0; i < m->nsubs; i++)
        mod__model_clear(&m->subs[i]);
    free(m->subs);
    m->quantiles = NULL;
    m->nquantiles = 0;
    m->subs = NULL;
    m->nsubs = 0;
}

/* ---- predicting ----------------------------------------------------------------------------- */

int mod__predict3_block(mod_ctx *ctx, const mod__model *m, const ml_matrix *x, double *out)
{
    wf_error err = {0};
    int rc = 0;
    switch (m->spec->algo) {
    case MOD__ALGO_POISSON:
        ml_linear_predict(&m->linear, x, out);
        for (size_t r = 0; r < x->rows; r++)
            out[r] = exp(out[r]);
        return 0;
    case MOD__ALGO_NN:
        rc = ml_nn_predict(&m->nn, x, out, &err);
        break;
    case MOD__ALGO_QFOREST: {
        const double half = 0.5;
        rc = ml_qforest_predict(&m->qforest, x, &half, 1, out, &err);
        break;
    }
    case MOD__ALGO_PCA:
        rc = ml_pca_score(&m->pca, x, out, &err);
        break;
    default:
        return mod_fail(ctx, WF_EINVAL, "%s does not predict here", m->spec->name);
    }
    return rc < 0 ? mod_fail_with(ctx, &err) : 0;
}

/* ---- Score Model's extra columns --------------------------------------------------------------
 */

int mod__add_score_column(mod_ctx *ctx, tbl_table *res, const char *name, const double *values,
                          size_t stride)
{
    size_t n = res->nrows;
    wf_error err = {0};
    tbl_column c;
    if (tbl_column_init(&c, name, TBL_NUMERIC, n, &err) < 0) return mod_fail_with(ctx, &err);
    c.role = TBL_ROLE_SCORE;
    for (size_t r = 0; r < n; r++) {
        c.v.f64[r] = values[r * stride];
        if (isnan(c.v.f64[r]) && tbl_set_missing(&c, r, n) < 0) {
            tbl_column_clear(&c);
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
    }
    if (tbl_add_column(res, &c, n, &err) < 0) {
        tbl_column_clear(&c);
        return mod_fail_with(ctx, &err);
    }
    return 0;
}

int mod__quantile_columns(mod_ctx *ctx, const mod__model *m, const tbl_table *t, tbl_table *res)
{
    size_t n = t->nrows, nq = m->nquantiles;
    ml_matrix x = {0};
    int rc = mod__model_matrix(ctx, m, t, &x);
    double *q = rc == 0 ? wf_mallocarray(n * nq + 1, sizeof *q) : NULL;
    if (rc == 0 && q == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    wf_error err = {0};
    if (rc == 0 && ml_qforest_predict(&m->qforest, &x, m->quantiles, nq, q, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    for (size_t i = 0; rc == 0 && i < nq; i++) {
        char name[64];
        snprintf(name, sizeof name, "Quantile:%g", m->quantiles[i]);
        /* two quantiles that print alike (0.1 and 0.10000001) keep the first */
        if (tbl_find_column(res, name) >= 0) continue;
        rc = mod__add_score_column(ctx, res, name, q + i, nq);
    }
    free(q);
    ml_matrix_clear(&x);
    return rc;
}
