/*
 * svm.c: the linear two-class support vector machine, through LIBLINEAR
 * (Fan, Chang, Hsieh, Wang and Lin, "LIBLINEAR: A library for large linear
 * classification", JMLR 2008). It minimises
 *
 *     (lambda / 2) |w|^2 + (1 / n) sum_i max(0, 1 - t_i (w . x_i + b))
 *
 * with t_i = +1 for class 1 and -1 for class 0, by dual coordinate descent
 * (Hsieh, Chang, Lin, Keerthi and Sundararajan, "A dual coordinate descent
 * method for large-scale linear SVM", ICML 2008; LIBLINEAR's
 * L2R_L1LOSS_SVC_DUAL). LIBLINEAR's form is (1/2)|w|^2 + C sum_i hinge_i,
 * the objective above times 1 / lambda when C = 1 / (lambda n).
 *
 * With normalize, x is the standardised features (as Azure's option means:
 * the penalty then weighs every feature alike), and the weights are folded
 * back onto the original scale afterwards.
 *
 * The bias: LIBLINEAR learns it as the weight of one more feature, constant
 * 1, so it is regularised like the weights (as in scikit-learn's LinearSVC);
 * with normalize, features are centred first, which keeps that penalty mild.
 *
 * Iterations: Azure's Two-Class SVM counts passes over the data, but
 * LIBLINEAR's dual solver runs to a tolerance (its passes are capped at
 * 1000 inside the library and cannot be set). weft maps `iterations` onto
 * that tolerance: eps = 0.1 / iterations, so 1 (the default) is LIBLINEAR's
 * own default of 0.1, and each tenfold increase in iterations asks for a
 * tenfold tighter solution, until the cap of 1000 passes decides (on
 * diabetes, from about 100 iterations on).
 *
 * The seed: LIBLINEAR visits the dual variables in an order drawn from the C
 * library's rand(); srand(seed) before training makes runs repeat exactly.
 */
#include "ml.h"

#include <linear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LIBLINEAR prints through one process-wide function without a user
 * pointer, so the environment to log to is kept per thread, and text is
 * gathered into whole lines. */
static _Thread_local const ml_env *svm__env;
static _Thread_local char svm__line[512];
static _Thread_local size_t svm__used;

static void svm__flush(void)
{
    if (svm__used > 0 && svm__env != NULL && svm__env->log != NULL) {
        svm__line[svm__used] = '\0';
        svm__env->log(svm__env->user, svm__line);
    }
    svm__used = 0;
}

static void svm__print(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || svm__used == sizeof svm__line - 1) svm__flush();
        if (*s != '\n') svm__line[svm__used++] = *s;
    }
}

static int check(const ml_matrix *x, const int32_t *y, const ml_svm_params *p, wf_error *err)
{
    if (!(p->lambda > 0) || !isfinite(p->lambda))
        return wf_error_set(err, WF_EINVAL, "lambda must be a number > 0 (got %g)", p->lambda);
    if (p->iterations < 1)
        return wf_error_set(err, WF_EINVAL, "iterations must be at least 1 (got %d)",
                            p->iterations);
    if (x->rows == 0 || x->cols == 0)
        return wf_error_set(err, WF_EINVAL, "the SVM needs rows and features to train on");
    if (x->rows > INT32_MAX || x->cols > INT32_MAX - 2)
        return wf_error_set(err, WF_ELIMIT, "a %zu x %zu matrix is too large", x->rows, x->cols);
    size_t count[2] = {0, 0};
    for (size_t i = 0; i < x->rows; i++) {
        if (y[i] < 0)
            return wf_error_set(err, WF_EINVAL,
                                "row %zu has no class (a missing label); remove such rows first",
                                i + 1);
        if (y[i] > 1)
            return wf_error_set(err, WF_EINVAL,
                                "row %zu: class %d; the two-class SVM needs classes 0 and 1", i + 1,
                                (int)y[i]);
        count[y[i]]++;
    }
    if (count[0] == 0 || count[1] == 0)
        return wf_error_set(err, WF_EINVAL,
                            "every row has the same class; the SVM needs both classes");
    for (size_t i = 0; i < x->rows * x->cols; i++)
        if (isinf(x->data[i]))
            return wf_error_set(err, WF_EINVAL, "row %zu, feature %zu: an infinite value",
                                i / x->cols + 1, i % x->cols + 1);
    return 0;
}

/* Means and standard deviations (NaN as 0); identity when not normalising,
 * and for constant columns. */
static int standardisation(const ml_matrix *x, bool normalize, double *mean, double *sd)
{
    size_t n = x->rows, d = x->cols;
    for (size_t j = 0; j < d; j++) {
        mean[j] = 0;
        sd[j] = 1;
    }
    if (!normalize) return 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = x->data[i * d + j];
            mean[j] += isnan(v) ? 0 : v;
        }
    for (size_t j = 0; j < d; j++)
        mean[j] /= (double)n;
    double *sq = wf_calloc(d, sizeof *sq);
    if (sq == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = x->data[i * d + j];
            double c = (isnan(v) ? 0 : v) - mean[j];
            sq[j] += c * c;
        }
    for (size_t j = 0; j < d; j++) {
        /* A spread at the level of rounding (tanh of large values: 1 - 1e-16
         * beside 1) counts as constant, as in logreg.c: its weight folded
         * back, v / sd, would be so large that the bias b - w . mean would
         * lose every digit of the margin. */
        double s = sqrt(sq[j] / (double)n);
        if (s > 1e-12 * fabs(mean[j])) sd[j] = s;
    }
    free(sq);
    return 0;
}

int ml_svm_fit(const ml_matrix *x, const int32_t *y, const ml_svm_params *p, const ml_env *env,
               ml_linear *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check(x, y, p, err);
    if (rc < 0) return rc;
    size_t n = x->rows, d = x->cols;
    double *mean = wf_mallocarray(d, sizeof *mean), *sd = wf_mallocarray(d, sizeof *sd);
    double *labels = wf_mallocarray(n, sizeof *labels);
    struct feature_node **rows = wf_mallocarray(n, sizeof *rows);
    struct feature_node *nodes = NULL;
    struct model *model = NULL;
    if (!mean || !sd || !labels || !rows) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    if (env != NULL && env->cancel != NULL && *env->cancel) {
        rc = wf_error_set(err, WF_ECANCELED, "SVM: cancelled");
        goto done;
    }
    if (standardisation(x, p->normalize, mean, sd) < 0) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    /* LIBLINEAR's sparse rows: the nonzero features, the bias feature (index
     * d + 1, value 1) and a terminator. */
    size_t used = 0;
    for (size_t i = 0; i < n * d; i++) {
        double v = x->data[i];
        if ((isnan(v) ? 0 : v) - mean[i % d] != 0) used++;
    }
    nodes = wf_mallocarray(used + 2 * n, sizeof *nodes);
    if (nodes == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory for the SVM's %zu x %zu rows", n, d);
        goto done;
    }
    struct feature_node *at = nodes;
    for (size_t i = 0; i < n; i++) {
        rows[i] = at;
        for (size_t j = 0; j < d; j++) {
            double v = x->data[i * d + j];
            double z = ((isnan(v) ? 0 : v) - mean[j]) / sd[j];
            if (z != 0) *at++ = (struct feature_node){.index = (int)j + 1, .value = z};
        }
        *at++ = (struct feature_node){.index = (int)d + 1, .value = 1};
        *at++ = (struct feature_node){.index = -1, .value = 0};
        labels[i] = y[i] == 1 ? 1 : -1;
    }
    struct problem prob = {.l = (int)n, .n = (int)d + 1, .y = labels, .x = rows, .bias = 1};
    struct parameter param = {.solver_type = L2R_L1LOSS_SVC_DUAL,
                              .eps = 0.1 / p->iterations,
                              .C = 1 / (p->lambda * (double)n)};
    const char *bad = check_parameter(&prob, &param);
    if (bad != NULL) {
        rc = wf_error_set(err, WF_EINVAL, "SVM: %s", bad);
        goto done;
    }
    svm__env = env;
    svm__used = 0;
    set_print_string_function(svm__print);
    srand((unsigned)(p->seed ^ (p->seed >> 32)));
    model = train(&prob, &param);
    svm__flush();
    svm__env = NULL;
    if (model == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "SVM: LIBLINEAR could not train");
        goto done;
    }
    /* LIBLINEAR's first label is the first row's; the margin must be class
     * 1's. */
    double sign = model->label[0] == 1 ? 1 : -1;
    out->weights = wf_mallocarray(d, sizeof(double));
    out->bias = wf_mallocarray(1, sizeof(double));
    if (out->weights == NULL || out->bias == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    out->nfeatures = d;
    out->noutputs = 1;
    /* Fold the standardisation back: w_j = v_j / s_j, b = c - w . mean. */
    double b = sign * model->w[d];
    for (size_t j = 0; j < d; j++) {
        out->weights[j] = sign * model->w[j] / sd[j];
        b -= out->weights[j] * mean[j];
    }
    out->bias[0] = b;
done:
    if (rc < 0) ml_linear_clear(out);
    if (model != NULL) free_and_destroy_model(&model);
    free(mean);
    free(sd);
    free(labels);
    free(rows);
    free(nodes);
    return rc;
}
