/*
 * model.c: trained models as JSON artifacts (docs/formats.md, "Models"), and
 * the feature matrix a model scores. A model holds everything scoring needs
 * and nothing else: the learner and its parameters, the label and its
 * classes, the feature columns with their training levels and means, and the
 * fitted state (linear weights, an XGBoost booster in base64 UBJSON, or
 * k-means centroids), plus the weft version that wrote it.
 */
#include "modules_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_FORMAT 1

/* ---- writing ---------------------------------------------------------------- */

json_t *mod__schema_json(const tbl_table *t)
{
    json_t *cols = json_array();
    for (size_t j = 0; cols != NULL && j < t->ncols; j++) {
        json_t *c =
            json_pack("{s:s, s:s, s:s}", "name", t->cols[j].name, "type",
                      tbl_type_name(t->cols[j].type), "role", tbl_role_name(t->cols[j].role));
        if (json_array_append_new(cols, c) < 0) {
            json_decref(cols);
            return NULL;
        }
    }
    return cols;
}

static json_t *model_numbers(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        if (json_array_append_new(a, json_real(v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *mod__json_numbers(const double *v, size_t n)
{
    return model_numbers(v, n);
}

static json_t *model_strings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        if (json_array_append_new(a, json_string(v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* Rows of a row-major matrix as arrays of numbers. */
static json_t *model_rows(const double *v, size_t rows, size_t cols)
{
    json_t *a = json_array();
    for (size_t r = 0; a != NULL && r < rows; r++)
        if (json_array_append_new(a, model_numbers(v + r * cols, cols)) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *model_features_json(const ml_features *f)
{
    json_t *cols = json_array();
    for (size_t i = 0; cols != NULL && i < f->count; i++) {
        const ml_feature *c = &f->items[i];
        json_t *o = json_pack("{s:s, s:s}", "name", c->name, "type", tbl_type_name(c->type));
        if (o != NULL && c->nlevels > 0)
            json_object_set_new(o, "levels", model_strings(c->levels, c->nlevels));
        if (o != NULL && f->impute &&
            (c->type == TBL_NUMERIC || c->type == TBL_INTEGER || c->type == TBL_BOOLEAN ||
             c->type == TBL_DATETIME))
            json_object_set_new(o, "fill", json_real(isfinite(c->fill) ? c->fill : 0));
        if (json_array_append_new(cols, o) < 0) {
            json_decref(cols);
            return NULL;
        }
    }
    return json_pack("{s:s, s:b, s:o*}", "encoding",
                     f->encoding == ML_ONE_HOT ? "one-hot" : "codes", "impute", f->impute,
                     "columns", cols);
}

static json_t *model_state_json(mod_ctx *ctx, const mod__model *m)
{
    switch (m->spec->algo) {
    case MOD__ALGO_LINREG:
    case MOD__ALGO_LOGREG:
    case MOD__ALGO_SVM:
    case MOD__ALGO_POISSON:
    case MOD__ALGO_PERCEPTRON:
        return json_pack("{s:s, s:o*, s:o*, s:b}", "kind", "linear", "weights",
                         model_rows(m->linear.weights, m->linear.noutputs, m->linear.nfeatures),
                         "bias", model_numbers(m->linear.bias, m->linear.noutputs), "unit_sphere",
                         m->unit_sphere);
    case MOD__ALGO_BOOSTED:
    case MOD__ALGO_FOREST: {
        unsigned char *bytes = NULL;
        size_t len = 0;
        wf_error err = {0};
        if (ml_trees_save(&m->trees, &bytes, &len, &err) < 0) {
            mod_fail_with(ctx, &err);
            return NULL;
        }
        char *text = wf_base64_encode(bytes, len);
        char digest[WF_SHA256_HEX];
        wf_sha256_hex(bytes, len, digest);
        free(bytes);
        json_t *o = json_pack("{s:s, s:s*, s:s, s:I}", "kind", "xgboost", "booster", text,
                              "booster_sha256", digest, "nfeatures",
                              (json_int_t)m->trees.nfeatures);
        free(text);
        return o;
    }
    case MOD__ALGO_KMEANS: {
        json_t *o = json_pack("{s:s, s:s, s:o*}", "kind", "kmeans", "metric",
                              m->kmeans.metric == ML_COSINE ? "cosine" : "euclidean", "centroids",
                              model_rows(m->kmeans.centroids, m->kmeans.k, m->kmeans.dims));
        if (o != NULL && m->shift != NULL) {
            json_object_set_new(o, "shift", model_numbers(m->shift, m->features.width));
            json_object_set_new(o, "scale", model_numbers(m->scale, m->features.width));
        }
        return o;
    }
    case MOD__ALGO_QFOREST:
    case MOD__ALGO_NN:
    case MOD__ALGO_OVA:
    case MOD__ALGO_OVO:
    case MOD__ALGO_PCA:
        return mod__state3_json(ctx, m);
    }
    return NULL;
}

json_t *mod__model_to_json(mod_ctx *ctx, const mod__model *m)
{
    json_t *state = model_state_json(ctx, m);
    if (state == NULL) {
        if (ctx->err.code == 0) mod_fail(ctx, WF_ENOMEM, "out of memory writing the model");
        return NULL;
    }
    json_t *label = json_null();
    if (m->label != NULL) {
        label = json_pack("{s:s, s:s}", "name", m->label, "type", tbl_type_name(m->label_type));
        if (label != NULL && m->classes.count > 0)
            json_object_set_new(label, "classes",
                                model_strings(m->classes.names, m->classes.count));
    }
    json_t *out = json_pack("{s:s, s:i, s:s, s:O, s:s, s:o*, s:O*, s:o*, s:b, s:o}", "kind",
                            "model", "format", MODEL_FORMAT, "weft", WEFT_VERSION, "learner",
                            m->learner, "task", mod__task_name(m->task), "label", label, "schema",
                            m->schema, "features", model_features_json(&m->features),
                            "allow_unknown_levels", m->allow_unknown_levels, "state", state);
    if (out == NULL) mod_fail(ctx, WF_ENOMEM, "out of memory writing the model");
    return out;
}

/* ---- reading ------------------------------------------------------------------ */

/* Fails reading a model, saying what is wrong with it. */
static int model_bad(mod_ctx *ctx, const char *what)
{
    return mod_fail(ctx, WF_ECORRUPT, "the model is not a weft model: %s", what);
}

/* Reads n numbers of a JSON array into a new buffer. */
static int model_read_numbers(const json_t *a, size_t n, double **out)
{
    if (!json_is_array(a) || json_array_size(a) != n) return WF_ECORRUPT;
    double *v = wf_mallocarray(n + 1, sizeof *v);
    if (v == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(a, i);
        if (!json_is_number(x)) {
            free(v);
            return WF_ECORRUPT;
        }
        v[i] = json_number_value(x);
    }
    *out = v;
    return 0;
}

int mod__json_read_numbers(const json_t *a, size_t n, double **out)
{
    return model_read_numbers(a, n, out);
}

/* Reads rows x cols numbers from an array of arrays. */
static int model_read_rows(const json_t *a, size_t rows, size_t cols, double **out)
{
    if (!json_is_array(a) || json_array_size(a) != rows || (rows > 0 && cols > SIZE_MAX / rows))
        return WF_ECORRUPT;
    double *v = wf_mallocarray(rows * cols + 1, sizeof *v);
    if (v == NULL) return WF_ENOMEM;
    for (size_t r = 0; r < rows; r++) {
        double *row = NULL;
        int rc = model_read_numbers(json_array_get(a, r), cols, &row);
        if (rc < 0) {
            free(v);
            return rc;
        }
        memcpy(v + r * cols, row, cols * sizeof *v);
        free(row);
    }
    *out = v;
    return 0;
}

static int model_read_strings(const json_t *a, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (a == NULL) return 0;
    if (!json_is_array(a)) return WF_ECORRUPT;
    char **v = wf_calloc(json_array_size(a) + 1, sizeof *v);
    if (v == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s == NULL || (v[i] = wf_strdup(s)) == NULL) {
            for (size_t k = 0; k < i; k++)
                free(v[k]);
            free(v);
            return s == NULL ? WF_ECORRUPT : WF_ENOMEM;
        }
    }
    *out = v;
    *n = json_array_size(a);
    return 0;
}

static int model_read_features(mod_ctx *ctx, const json_t *j, ml_features *f)
{
    const char *encoding = json_string_value(json_object_get(j, "encoding"));
    const json_t *cols = json_object_get(j, "columns");
    if (encoding == NULL || !json_is_array(cols)) return model_bad(ctx, "no feature columns");
    f->encoding = strcmp(encoding, "codes") == 0 ? ML_CODES : ML_ONE_HOT;
    f->impute = json_is_true(json_object_get(j, "impute"));
    f->items = wf_calloc(json_array_size(cols) + 1, sizeof *f->items);
    if (f->items == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory reading the model");
    for (size_t i = 0; i < json_array_size(cols); i++) {
        const json_t *c = json_array_get(cols, i);
        ml_feature *it = &f->items[f->count++];
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *type = json_string_value(json_object_get(c, "type"));
        if (name == NULL || type == NULL || tbl_type_parse(type, &it->type) < 0)
            return model_bad(ctx, "a feature column has no name or type");
        if ((it->name = wf_strdup(name)) == NULL)
            return mod_fail(ctx, WF_ENOMEM, "out of memory reading the model");
        int rc = model_read_strings(json_object_get(c, "levels"), &it->levels, &it->nlevels);
        if (rc < 0)
            return rc == WF_ENOMEM ? mod_fail(ctx, rc, "out of memory reading the model")
                                   : model_bad(ctx, "bad levels");
        const json_t *fill = json_object_get(c, "fill");
        it->fill = json_is_number(fill) ? json_number_value(fill) : 0;
        it->first = f->width;
        bool one_hot =
            f->encoding == ML_ONE_HOT && (it->type == TBL_STRING || it->type == TBL_CATEGORICAL);
        it->width = one_hot ? it->nlevels : 1;
        f->width += it->width;
    }
    return 0;
}

static int model_read_state(mod_ctx *ctx, const json_t *state, mod__model *m)
{
    const char *kind = json_string_value(json_object_get(state, "kind"));
    if (kind == NULL) return model_bad(ctx, "no fitted state");
    size_t width = m->features.width;
    int rc = 0;
    switch (m->spec->algo) {
    case MOD__ALGO_LINREG:
    case MOD__ALGO_LOGREG:
    case MOD__ALGO_SVM:
    case MOD__ALGO_POISSON:
    case MOD__ALGO_PERCEPTRON: {
        const json_t *w = json_object_get(state, "weights");
        size_t outputs = json_array_size(w);
        if (strcmp(kind, "linear") != 0 || outputs == 0)
            return model_bad(ctx, "a linear model without weights");
        m->linear.nfeatures = width;
        m->linear.noutputs = outputs;
        m->unit_sphere = json_is_true(json_object_get(state, "unit_sphere"));
        if ((rc = model_read_rows(w, outputs, width, &m->linear.weights)) < 0 ||
            (rc = model_read_numbers(json_object_get(state, "bias"), outputs, &m->linear.bias)) < 0)
            break;
        return 0;
    }
    case MOD__ALGO_BOOSTED:
    case MOD__ALGO_FOREST: {
        const char *text = json_string_value(json_object_get(state, "booster"));
        if (strcmp(kind, "xgboost") != 0 || text == NULL)
            return model_bad(ctx, "a tree model without its booster");
        uint8_t *bytes = NULL;
        size_t len = 0;
        if ((rc = wf_base64_decode(text, strlen(text), &bytes, &len)) < 0)
            return rc == WF_ENOMEM ? mod_fail(ctx, rc, "out of memory reading the model")
                                   : model_bad(ctx, "the booster is not base64");
        /* XGBoost 1.7's UBJSON reader trusts its input (fuzz/fuzz_model.c
         * found overruns and exabyte allocations): the digest catches
         * accidental damage, and ml_trees_load checks the structure, since
         * a made-up model can carry a digest of its own damaged bytes. */
        const char *want = json_string_value(json_object_get(state, "booster_sha256"));
        char digest[WF_SHA256_HEX];
        wf_sha256_hex(bytes, len, digest);
        if (want == NULL || strcmp(want, digest) != 0) {
            free(bytes);
            return model_bad(ctx, "its booster does not match its SHA-256 digest (damaged)");
        }
        wf_error err = {0};
        rc = ml_trees_load(&m->trees, bytes, len, m->task, m->classes.count, width, &err);
        free(bytes);
        return rc < 0 ? mod_fail_with(ctx, &err) : 0;
    }
    case MOD__ALGO_KMEANS: {
        const json_t *c = json_object_get(state, "centroids");
        size_t k = json_array_size(c);
        if (strcmp(kind, "kmeans") != 0 || k == 0) return model_bad(ctx, "no centroids");
        const char *metric = json_string_value(json_object_get(state, "metric"));
        m->kmeans.k = k;
        m->kmeans.dims = width;
        m->kmeans.metric =
            metric != NULL && strcmp(metric, "cosine") == 0 ? ML_COSINE : ML_EUCLIDEAN;
        if ((rc = model_read_rows(c, k, width, &m->kmeans.centroids)) < 0) break;
        if (json_object_get(state, "shift") != NULL &&
            ((rc = model_read_numbers(json_object_get(state, "shift"), width, &m->shift)) < 0 ||
             (rc = model_read_numbers(json_object_get(state, "scale"), width, &m->scale)) < 0))
            break;
        return 0;
    }
    case MOD__ALGO_QFOREST:
    case MOD__ALGO_NN:
    case MOD__ALGO_OVA:
    case MOD__ALGO_OVO:
    case MOD__ALGO_PCA:
        return mod__read_state3(ctx, state, m);
    }
    if (rc == WF_ENOMEM) return mod_fail(ctx, rc, "out of memory reading the model");
    return model_bad(ctx, "its fitted state does not match its feature columns");
}

int mod__model_from_json(mod_ctx *ctx, const json_t *json, mod__model *m)
{
    memset(m, 0, sizeof *m);
    const char *kind = json_string_value(json_object_get(json, "kind"));
    if (kind != NULL && strcmp(kind, "learner") == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "this is an untrained learner, not a trained model: "
                        "connect it to Train Model first");
    if (kind == NULL || strcmp(kind, "model") != 0) return model_bad(ctx, "its kind is not model");
    json_int_t format = json_integer_value(json_object_get(json, "format"));
    if (format != MODEL_FORMAT)
        return mod_fail(ctx, WF_EFORMAT, "the model has format %lld; this weft reads format %d",
                        (long long)format, MODEL_FORMAT);
    json_t *learner = json_object_get(json, "learner");
    m->spec = mod__learner_find(json_string_value(json_object_get(learner, "learner")));
    if (m->spec == NULL) return model_bad(ctx, "its learner is unknown");
    m->learner = json_incref(learner);
    m->task = m->spec->task;
    m->schema = json_incref(json_object_get(json, "schema"));
    m->allow_unknown_levels = !json_is_false(json_object_get(json, "allow_unknown_levels"));
    const json_t *label = json_object_get(json, "label");
    if (json_is_object(label)) {
        const char *name = json_string_value(json_object_get(label, "name"));
        const char *type = json_string_value(json_object_get(label, "type"));
        if (name == NULL || type == NULL || tbl_type_parse(type, &m->label_type) < 0)
            return model_bad(ctx, "its label has no name or type");
        if ((m->label = wf_strdup(name)) == NULL)
            return mod_fail(ctx, WF_ENOMEM, "out of memory reading the model");
        int rc = model_read_strings(json_object_get(label, "classes"), &m->classes.names,
                                    &m->classes.count);
        if (rc < 0) return model_bad(ctx, "bad classes");
    }
    if ((m->task == ML_BINARY && m->classes.count != 2) ||
        (m->task == ML_MULTICLASS && m->classes.count < 2))
        return model_bad(ctx, "a classifier without its classes");
    int rc = model_read_features(ctx, json_object_get(json, "features"), &m->features);
    if (rc < 0) return rc;
    return model_read_state(ctx, json_object_get(json, "state"), m);
}

void mod__model_clear(mod__model *m)
{
    json_decref(m->learner);
    json_decref(m->schema);
    free(m->label);
    ml_classes_clear(&m->classes);
    ml_features_clear(&m->features);
    free(m->shift);
    free(m->scale);
    ml_linear_clear(&m->linear);
    ml_trees_clear(&m->trees);
    ml_kmeans_clear(&m->kmeans);
    mod__model_clear3(m);
    memset(m, 0, sizeof *m);
}

/* ---- the matrix a model scores ------------------------------------------------ */

/* With unknown levels refused: the first value of a categorical or string
 * feature that training never saw, reported by column and row. */
static int model_check_levels(mod_ctx *ctx, const mod__model *m, const tbl_table *t)
{
    for (size_t i = 0; i < m->features.count; i++) {
        const ml_feature *f = &m->features.items[i];
        if (f->nlevels == 0) continue;
        int j = tbl_find_column(t, f->name);
        if (j < 0) continue; /* the matrix builder names it */
        const tbl_column *c = &t->cols[j];
        if (c->type != TBL_STRING && c->type != TBL_CATEGORICAL) continue;
        /* The training levels in a hash dictionary: one lookup per row (per
         * level, for a categorical column), not a scan of every level. */
        tbl_dict known = {0};
        for (size_t l = 0; l < f->nlevels; l++)
            tbl_dict_intern(&known, f->levels[l], strlen(f->levels[l]));
        int rc = known.failed ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
        for (size_t r = 0; rc == 0 && r < t->nrows; r++) {
            if (tbl_is_missing(c, r)) continue;
            size_t len;
            const char *s = c->type == TBL_STRING
                                ? tbl_strings_at(&c->str, r, &len)
                                : tbl_strings_at(&c->levels, (size_t)c->v.codes[r], &len);
            if (tbl_dict_find(&known, s, len) < 0)
                rc = mod_fail(ctx, WF_EINVAL,
                              "row %zu, column \"%s\": \"%.*s\" is a level the model never saw in "
                              "training (set \"allow_unknown_categorical_levels\" on the learner "
                              "to score it as unknown)",
                              r + 1, f->name, (int)(len > 80 ? 80 : len), s);
        }
        tbl_dict_free(&known);
        if (rc < 0) return rc;
    }
    return 0;
}

void mod__model_scale_rows(const mod__model *m, ml_matrix *x)
{
    for (size_t r = 0; r < x->rows; r++) {
        double *row = x->data + r * x->cols;
        if (m->shift != NULL)
            for (size_t j = 0; j < x->cols; j++)
                row[j] = (row[j] - m->shift[j]) * m->scale[j];
        if (m->unit_sphere) {
            double norm = 0;
            for (size_t j = 0; j < x->cols; j++)
                if (!isnan(row[j])) norm += row[j] * row[j];
            if (norm > 0)
                for (size_t j = 0; j < x->cols; j++)
                    row[j] /= sqrt(norm);
        }
    }
}

int mod__model_matrix(mod_ctx *ctx, const mod__model *m, const tbl_table *t, ml_matrix *x)
{
    if (!m->allow_unknown_levels) {
        int rc = model_check_levels(ctx, m, t);
        if (rc < 0) return rc;
    }
    wf_error err = {0};
    if (ml_features_matrix(&m->features, t, x, &err) < 0) {
        wf_error_prefix(&err, "scoring data");
        return mod_fail_with(ctx, &err);
    }
    mod__model_scale_rows(m, x);
    return 0;
}

/* Rows scored at a time: a block of the matrix (8192 x 20 doubles is
 * 1.3 MB) stays in cache between encoding and predicting, where one matrix
 * of every row would be written to memory and read back. */
#define MODEL_BLOCK_ROWS 8192

int mod__model_predict(mod_ctx *ctx, const mod__model *m, const tbl_table *t, double *out)
{
    /* One-vs-all and one-vs-one ask their two-class models, which encode
     * the rows themselves. */
    if (m->spec->algo == MOD__ALGO_OVA || m->spec->algo == MOD__ALGO_OVO)
        return mod__reduction_predict(ctx, m, t, out);
    if (!m->allow_unknown_levels) {
        int rc = model_check_levels(ctx, m, t);
        if (rc < 0) return rc;
    }
    wf_error err = {0};
    ml_encoder *enc = NULL;
    if (ml_encoder_new(&m->features, t, &enc, &err) < 0) {
        wf_error_prefix(&err, "scoring data");
        return mod_fail_with(ctx, &err);
    }
    size_t k = m->task == ML_MULTICLASS ? m->classes.count : 1;
    size_t block = t->nrows < MODEL_BLOCK_ROWS ? t->nrows : MODEL_BLOCK_ROWS;
    ml_matrix x = {0};
    int rc = ml_matrix_init(&x, block, m->features.width, &err) < 0 ? mod_fail_with(ctx, &err) : 0;
    bool trees = m->spec->algo == MOD__ALGO_BOOSTED || m->spec->algo == MOD__ALGO_FOREST;
    ml_env env = {.cancel = ctx->cancel};
    for (size_t r0 = 0; rc == 0 && r0 < t->nrows; r0 += block) {
        if (mod_cancelled(ctx)) {
            rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
            break;
        }
        x.rows = t->nrows - r0 < block ? t->nrows - r0 : block;
        ml_encoder_fill(enc, r0, x.rows, x.data);
        mod__model_scale_rows(m, &x);
        double *o = out + r0 * k;
        if (trees) {
            if (ml_trees_predict(&m->trees, &x, &env, o, &err) < 0) rc = mod_fail_with(ctx, &err);
            continue;
        }
        if (m->spec->algo == MOD__ALGO_POISSON || m->spec->algo == MOD__ALGO_QFOREST ||
            m->spec->algo == MOD__ALGO_NN || m->spec->algo == MOD__ALGO_PCA) {
            rc = mod__predict3_block(ctx, m, &x, o);
            continue;
        }
        ml_linear_predict(&m->linear, &x, o);
        if (m->task == ML_BINARY)
            for (size_t r = 0; r < x.rows; r++)
                o[r] = ml_sigmoid(o[r]);
        else if (m->task == ML_MULTICLASS)
            ml_softmax(o, x.rows, k);
    }
    x.rows = block;
    ml_matrix_clear(&x);
    ml_encoder_free(enc);
    return rc;
}
