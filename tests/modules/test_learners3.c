/*
 * test_learners3.c: the learners of issue #6 through the real modules (the
 * learner, Split Data, Train Model, Score Model, Evaluate Model) against
 * independent computations in Python (tests/peers/learners3.py, with
 * scikit-learn and xgboost), on the feature matrices weft's Train Model
 * built, so that a difference is the learner's:
 *
 *   Poisson regression     coefficients within 1e-4 of PoissonRegressor at the same alpha
 *   neural networks        accuracy within 0.03 of MLPClassifier, same architecture
 *   averaged perceptron    AUC within 0.03 of scikit-learn's averaged perceptron
 *   quantile forest        Meinshausen's quantiles recomputed from the model's own trees
 *
 * and their bad inputs. The networks are in test_networks.c, PCA anomaly
 * detection in test_anomaly.c, the multiclass reductions in
 * test_reduction.c.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "learners3_test.h"

/* ---- Poisson regression -------------------------------------------------------------- */

static const char *const cars_drop[] = {"Name", "Year", NULL};

/* Cylinders of cars (counts 3..8) from the other columns, with L2 only:
 * the same coefficients as PoissonRegressor(alpha) with l2 = alpha x rows. */
static void poisson_matches_scikit_learn_coefficients(void **state)
{
    (void)state;
    tbl_table *data = load_sample("cars.json", cars_drop), *tr, *te;
    split(data, &tr, &te);
    double alpha = 0.01, l2 = alpha * (double)tr->nrows;
    char params[256];
    snprintf(params, sizeof params,
             "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": %.17g, "
             "\"optimization_tolerance\": 1e-14}",
             l2);
    json_t *learner = mt_learner("poisson-regression@1", params);
    json_t *model = train(learner, "Cylinders", tr);
    mod__model m;
    read_model(model, &m);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    write_peer_data(dir, &m, tr, te);
    snprintf(params, sizeof params, "{\"alpha\": %.17g}", alpha);
    json_t *peer = run_peer("poisson", params, dir);
    const json_t *coef = json_object_get(peer, "coef");
    assert_int_equal(json_array_size(coef), m.linear.nfeatures);
    double worst = 0;
    for (size_t j = 0; j < m.linear.nfeatures; j++) {
        double a = m.linear.weights[j], b = json_number_value(json_array_get(coef, j));
        worst = fmax(worst, fabs(a - b));
        if (fabs(a - b) > 1e-4)
            fail_msg("coefficient %zu: weft %.10g, scikit-learn %.10g", j, a, b);
    }
    close_to("cars: largest coefficient difference", worst, 0, 1e-4);
    close_to("cars: intercept", m.linear.bias[0], peer_number(peer, "intercept"), 1e-4);
    /* Scored Labels is the expected count, exp(w.x + b). */
    tbl_table *scored = score(model, te);
    const tbl_column *s = mt_column(scored, "Scored Labels");
    ml_matrix x = {0};
    wf_error err = {0};
    assert_int_equal(ml_features_matrix(&m.features, te, &x, &err), 0);
    for (size_t r = 0; r < te->nrows; r++) {
        double eta = m.linear.bias[0];
        for (size_t j = 0; j < x.cols; j++)
            eta += m.linear.weights[j] * x.data[r * x.cols + j];
        if (fabs(mt_cell(s, r) - exp(eta)) > 1e-9 * exp(eta))
            fail_msg("row %zu: scored %.12g, exp(eta) %.12g", r, mt_cell(s, r), exp(eta));
    }
    print_message("    cars: Poisson R^2 on the test rows %.4f\n",
                  evaluate(scored, "coefficient_of_determination"));
    ml_matrix_clear(&x);
    mt_rmtree(dir);
    tbl_free(scored);
    json_decref(peer);
    mod__model_clear(&m);
    json_decref(model);
    json_decref(learner);
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
}

/* With L1, the answer is checked by its optimality conditions, computed in
 * Python from the data and weft's weights: at a weight w_j != 0 the
 * smooth gradient g_j is -l1 sign(w_j); at w_j = 0 it is within [-l1, l1].
 * The slack is 1e-4 on the gradient per standard deviation of the column
 * (g_j / sd_j, the gradient of the standardised weight), which does not
 * depend on the column's units. */
static void poisson_l1_meets_the_optimality_conditions(void **state)
{
    (void)state;
    tbl_table *data = load_sample("cars.json", cars_drop), *tr, *te;
    split(data, &tr, &te);
    json_t *learner = mt_learner("poisson-regression@1",
                                 "{\"l1_regularization_weight\": 20, \"l2_regularization_weight\": "
                                 "1, \"optimization_tolerance\": 1e-14}");
    json_t *model = train(learner, "Cylinders", tr);
    mod__model m;
    read_model(model, &m);
    char dir[64], path[600];
    mt_mkdtemp(dir, sizeof dir);
    write_peer_data(dir, &m, tr, te);
    snprintf(path, sizeof path, "%s/w.csv", dir);
    FILE *f = fopen(path, "w");
    for (size_t j = 0; j < m.linear.nfeatures; j++)
        fprintf(f, "%.17g\n", m.linear.weights[j]);
    fprintf(f, "%.17g\n", m.linear.bias[0]);
    fclose(f);
    size_t zeros = 0;
    for (size_t j = 0; j < m.linear.nfeatures; j++)
        zeros += m.linear.weights[j] == 0;
    print_message("    cars: L1 = 20 leaves %zu of %zu weights at zero\n", zeros,
                  m.linear.nfeatures);
    assert_true(zeros > 0);
    mt_python_check(dir, "x = np.loadtxt(os.path.join(D, 'x_train.csv'), delimiter=',')\n"
                         "y = np.loadtxt(os.path.join(D, 'y_train.csv'))\n"
                         "v = np.loadtxt(os.path.join(D, 'w.csv'))\n"
                         "w, b = v[:-1], v[-1]\n"
                         "mu = np.exp(x @ w + b)\n"
                         "g = x.T @ (mu - y) + 1.0 * w\n"
                         "sd = x.std(axis=0)\n"
                         "if abs((mu - y).sum()) > 1e-4: fail('bias gradient %g' % "
                         "(mu - y).sum())\n"
                         "for j in range(len(w)):\n"
                         "    slack = 1e-4 * sd[j]\n"
                         "    if w[j] != 0 and abs(g[j] + 20 * np.sign(w[j])) > slack:\n"
                         "        fail('weight %d = %g: gradient %g' % (j, w[j], g[j]))\n"
                         "    if w[j] == 0 and abs(g[j]) > 20 + slack:\n"
                         "        fail('weight %d = 0 but gradient %g' % (j, g[j]))\n"
                         "print('OK')\n");
    mt_rmtree(dir);
    mod__model_clear(&m);
    json_decref(model);
    json_decref(learner);
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
}

static void poisson_refuses_negative_counts_naming_the_row(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,count\n1,2\n2,3\n3,-1\n4,5\n");
    json_t *learner = mt_learner("poisson-regression@1", "{}");
    char *msg = train_error(learner, "count", t);
    mt_assert_contains(msg, "row 3");
    mt_assert_contains(msg, "cannot be negative");
    mt_assert_contains(msg, "\"count\"");
    free(msg);
    json_decref(learner);
    tbl_free(t);
}

/* ---- averaged perceptron ----------------------------------------------------------------- */

static void averaged_perceptron_matches_scikit_learn(void **state)
{
    (void)state;
    const char *files[] = {"diabetes.arff", "credit-g.arff"};
    for (int i = 0; i < 2; i++) {
        json_t *peer = NULL;
        double ours = run_case(files[i], NULL, "class", "two-class-averaged-perceptron@1",
                               "{\"learning_rate\": 1, \"maximum_number_of_iterations\": 10}",
                               "auc", "perceptron", "{\"rate\": 1, \"iterations\": 10}", &peer);
        char what[128];
        snprintf(what, sizeof what, "%s: AUC, averaged perceptron", files[i]);
        close_to(what, ours, peer_number(peer, "auc"), 0.03);
        json_decref(peer);
    }
}

/* ---- quantile regression forest ------------------------------------------------------ */

/* The model's booster, decoded, written to dir/booster.ubj for the peer. */
static void write_booster(const json_t *model, const char *dir)
{
    const char *b64 =
        json_string_value(json_object_get(json_object_get(model, "state"), "booster"));
    assert_non_null(b64);
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(wf_base64_decode(b64, strlen(b64), &bytes, &len), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/booster.ubj", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
    free(bytes);
}

/* Every leaf keeps all its rows (sample count above the rows): each test
 * row's quantiles are exactly Meinshausen's, recomputed in Python from the
 * leaves XGBoost gives the training and test rows in weft's own trees. The
 * median is Scored Labels, and the quantiles behave as quantiles. */
static void meinshausen_case(tbl_table *data, const char *label_name, const char *what)
{
    tbl_table *tr, *te;
    split(data, &tr, &te);
    json_t *learner = mt_learner("fast-forest-quantile-regression@1",
                                 "{\"number_of_trees\": 12, \"number_of_leaves\": 8, "
                                 "\"minimum_number_of_training_instances_required_to_form_a_leaf\":"
                                 " 5, \"quantile_sample_count\": 5000, "
                                 "\"quantiles_to_be_estimated\": \"0.1; 0.5; 0.9; 0; 1\"}");
    json_t *model = train(learner, label_name, tr);
    tbl_table *scored = score(model, te);
    const tbl_column *q[5] = {mt_column(scored, "Quantile:0.1"), mt_column(scored, "Quantile:0.5"),
                              mt_column(scored, "Quantile:0.9"), mt_column(scored, "Quantile:0"),
                              mt_column(scored, "Quantile:1")};
    const tbl_column *labels = mt_column(scored, "Scored Labels");
    mod__model m;
    read_model(model, &m);
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    write_peer_data(dir, &m, tr, te);
    write_booster(model, dir);
    char params[700];
    snprintf(params, sizeof params,
             "{\"booster\": \"%s/booster.ubj\", \"quantiles\": [0.1, 0.5, 0.9, 0, 1]}", dir);
    json_t *peer = run_peer("qforest", params, dir);
    const json_t *rows = json_object_get(peer, "quantiles");
    assert_int_equal(json_array_size(rows), te->nrows);
    const tbl_column *y = mt_column(te, label_name);
    size_t below[3] = {0, 0, 0};
    for (size_t r = 0; r < te->nrows; r++) {
        for (int k = 0; k < 5; k++) {
            double want = json_number_value(json_array_get(json_array_get(rows, r), (size_t)k));
            if (fabs(mt_cell(q[k], r) - want) > 1e-12)
                fail_msg("row %zu, quantile %d: weft %.12g, Meinshausen %.12g", r, k,
                         mt_cell(q[k], r), want);
            if (k < 3) below[k] += mt_cell(y, r) <= mt_cell(q[k], r);
        }
        assert_true(mt_cell(q[3], r) <= mt_cell(q[0], r) && mt_cell(q[0], r) <= mt_cell(q[1], r) &&
                    mt_cell(q[1], r) <= mt_cell(q[2], r) && mt_cell(q[2], r) <= mt_cell(q[4], r));
        assert_true(mt_cell(labels, r) == mt_cell(q[1], r));
    }
    double n = (double)te->nrows;
    print_message("    %s: test labels below the 0.1, 0.5, 0.9 quantiles: %.3f %.3f %.3f\n", what,
                  below[0] / n, below[1] / n, below[2] / n);
    assert_true(below[0] / n < 0.25 && below[2] / n > 0.75);
    assert_true(below[1] / n > 0.3 && below[1] / n < 0.7);
    /* Evaluate Model reads the median as a regression. */
    print_message("    %s: R^2 of the median %.4f\n", what,
                  evaluate(scored, "coefficient_of_determination"));
    mt_rmtree(dir);
    json_decref(peer);
    mod__model_clear(&m);
    tbl_free(scored);
    json_decref(model);
    json_decref(learner);
    tbl_free(tr);
    tbl_free(te);
}

/* cars: fewer distinct labels than rows (weft tabulates each leaf's
 * distribution function); 2000 random rows with a continuous label: more
 * distinct labels than the table takes (weft bisects on the leaves). */
static void quantile_forest_gives_meinshausens_quantiles(void **state)
{
    (void)state;
    tbl_table *cars = load_sample("cars.json", cars_drop);
    meinshausen_case(cars, "Miles_per_Gallon", "cars");
    tbl_free(cars);
    tbl_table *t = mt_random_table(2000, 4, 0, 21);
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "y", TBL_NUMERIC, t->nrows, NULL), 0);
    wf_rng rng = {.state = 5};
    for (size_t r = 0; r < t->nrows; r++)
        c.v.f64[r] = t->cols[0].v.f64[r] / 37 + 3 * wf_rng_normal(&rng);
    assert_int_equal(tbl_add_column(t, &c, t->nrows, NULL), 0);
    meinshausen_case(t, "y", "random");
    tbl_free(t);
}

/* A leaf keeps at most `quantile sample count` labels. */
static void quantile_forest_leaves_keep_at_most_the_sample_count(void **state)
{
    (void)state;
    tbl_table *data = load_sample("cars.json", cars_drop);
    json_t *learner = mt_learner("fast-forest-quantile-regression@1",
                                 "{\"number_of_trees\": 4, \"quantile_sample_count\": 3, "
                                 "\"minimum_number_of_training_instances_required_to_form_a_leaf\":"
                                 " 20}");
    json_t *model = train(learner, "Miles_per_Gallon", data);
    const json_t *starts = json_object_get(json_object_get(model, "state"), "value_start");
    assert_true(json_array_size(starts) > 4);
    for (size_t l = 1; l < json_array_size(starts); l++) {
        json_int_t k = json_integer_value(json_array_get(starts, l)) -
                       json_integer_value(json_array_get(starts, l - 1));
        assert_true(k >= 1 && k <= 3);
    }
    json_decref(model);
    json_decref(learner);
    tbl_free(data);
}

/* ---- every new learner ------------------------------------------------------------------- */

/* The same data and parameters give the same model, to the byte. */
static void training_twice_gives_the_same_model(void **state)
{
    (void)state;
    static const char *const learners[][3] = {
        {"poisson-regression@1", "{}", "Cylinders"},
        {"fast-forest-quantile-regression@1", "{\"number_of_trees\": 5}", "Miles_per_Gallon"},
        {"neural-network-regression@1",
         "{\"number_of_hidden_nodes\": \"8\", "
         "\"number_of_learning_iterations\": 5}",
         "Miles_per_Gallon"},
        {"two-class-averaged-perceptron@1", "{}", "high"},
        {"two-class-neural-network@1",
         "{\"number_of_hidden_nodes\": \"8\", "
         "\"number_of_learning_iterations\": 5, "
         "\"the_type_of_normalizer\": \"binning-normalizer\"}",
         "high"},
    };
    tbl_table *data = load_sample("cars.json", cars_drop);
    /* a two-class label: more than 25 miles per gallon */
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "high", TBL_BOOLEAN, data->nrows, NULL), 0);
    const tbl_column *mpg = mt_column(data, "Miles_per_Gallon");
    for (size_t r = 0; r < data->nrows; r++)
        c.v.b8[r] = mt_cell(mpg, r) > 25;
    assert_int_equal(tbl_add_column(data, &c, data->nrows, NULL), 0);
    for (size_t i = 0; i < sizeof learners / sizeof learners[0]; i++) {
        tbl_table *t = NULL;
        assert_int_equal(tbl_clone(data, &t, NULL), 0);
        /* the other label must not be a feature */
        const char *other = strcmp(learners[i][2], "high") == 0 ? "Miles_per_Gallon" : "high";
        tbl_drop_column(t, (size_t)tbl_find_column(t, other));
        json_t *learner = mt_learner(learners[i][0], learners[i][1]);
        json_t *a = train(learner, learners[i][2], t), *b = train(learner, learners[i][2], t);
        char *ta = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
        char *tb = json_dumps(b, JSON_SORT_KEYS | JSON_COMPACT);
        if (strcmp(ta, tb) != 0) fail_msg("%s: two trainings differ", learners[i][0]);
        /* and it scores after a round trip through its JSON */
        tbl_table *scored = score(a, t);
        assert_true(tbl_find_column(scored, "Scored Labels") >= 0);
        tbl_free(scored);
        free(ta);
        free(tb);
        json_decref(a);
        json_decref(b);
        json_decref(learner);
        tbl_free(t);
    }
    tbl_free(data);
}

/* Parameters that cannot be parsed are field errors naming the parameter,
 * both in configure and in a run. */
static void bad_lists_are_refused_by_name(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"neural-network-regression@1",
         "{\"create_trainer_mode\": \"parameter-range\", \"learning_rate_range\": \"1;x;3\"}",
         "learning_rate_range"},
        {"two-class-averaged-perceptron@1",
         "{\"create_trainer_mode\": \"parameter-range\", "
         "\"maximum_number_of_iterations_range\": \"1;x;3\"}",
         "maximum_number_of_iterations_range"},
        {"fast-forest-quantile-regression@1", "{\"quantiles_to_be_estimated\": \"0.5; 1.5\"}",
         "quantiles_to_be_estimated"},
        {"fast-forest-quantile-regression@1", "{\"quantiles_to_be_estimated\": \"a; b\"}",
         "quantiles_to_be_estimated"},
        {"two-class-neural-network@1", "{\"number_of_hidden_nodes\": \"10, 0\"}",
         "number_of_hidden_nodes"},
        {"multiclass-neural-network@1", "{\"number_of_hidden_nodes\": \"ten\"}",
         "number_of_hidden_nodes"},
        {"poisson-regression@1",
         "{\"create_trainer_mode\": \"parameter-range\", \"l1_regularization_weight_range\": "
         "\"0.1; -1\"}",
         "l1_regularization_weight_range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int configure = 0; configure < 2; configure++) {
            mod_ctx ctx;
            int rc = mt_run_inputs(&ctx, cases[i][0], cases[i][1], NULL, 0, configure == 1);
            if (rc == 0) fail_msg("%s accepted %s", cases[i][0], cases[i][1]);
            const char *msg = mt_field_error(&ctx, cases[i][2]);
            if (msg == NULL) fail_msg("%s: no error on %s", cases[i][0], cases[i][2]);
            if (configure == 0) mt_assert_contains(ctx.err.message, cases[i][2]);
            mod_ctx_clear(&ctx);
        }
    }
}

/* A learner given to the wrong trainer says which trainer to use. */
static void learners_refuse_the_wrong_trainer(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y\n1,0\n2,1\n3,0\n4,1\n");
    json_t *pca = mt_learner("pca-based-anomaly-detection@1", "{}");
    char *msg = train_error(pca, "y", t);
    mt_assert_contains(msg, "Train Anomaly Detection Model");
    free(msg);
    json_t *nn = mt_learner("two-class-neural-network@1", "{}");
    mod_value in[2] = {{.kind = MOD_LEARNER, .json = nn}, {.kind = MOD_TABLE, .table = t}};
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "train-anomaly-detection-model@1", "{}", in, 2, false) < 0);
    mt_assert_contains(ctx.err.message, "not an anomaly detector: train it with Train Model");
    mod_ctx_clear(&ctx);
    json_decref(nn);
    json_decref(pca);
    tbl_free(t);
}

/* ---- damaged models ----------------------------------------------------------------- */

/* Reads json as a model and, if it reads, scores t with it: either may
 * refuse, but with a message, and nothing may crash or leak. */
static void read_and_score(json_t *json, const tbl_table *t)
{
    mod_ctx ctx;
    assert_int_equal(mod_ctx_init(&ctx, mod_find("score-model@1"), NULL), 0);
    mod__model m;
    if (mod__model_from_json(&ctx, json, &m) < 0) {
        assert_true(ctx.err.message[0] != '\0');
    } else {
        tbl_table *out = NULL;
        if (mod__score_table(&ctx, &m, t, true, &out) < 0) assert_true(ctx.err.message[0] != '\0');
        tbl_free(out);
    }
    mod__model_clear(&m);
    mod_ctx_clear(&ctx);
}

/* Every key of every state, removed, emptied, made a string, shortened,
 * or its first number made negative or huge (at any depth of nesting
 * reached through arrays and objects of the state). */
static void damage(json_t *model, json_t *node, const tbl_table *t, int depth)
{
    if (depth > 3) return;
    if (json_is_object(node)) {
        /* The keys first: putting a key back moves it to the end of the
         * object's order, so iterating while changing would not end. */
        size_t n = json_object_size(node), i = 0;
        char **keys = calloc(n + 1, sizeof *keys);
        const char *key;
        json_t *value;
        json_object_foreach(node, key, value) keys[i++] = wf_strdup(key);
        for (i = 0; i < n; i++) {
            json_t *keep = json_incref(json_object_get(node, keys[i]));
            json_object_del(node, keys[i]);
            read_and_score(model, t);
            json_t *variants[] = {json_array(), json_string("x"), json_integer(-1),
                                  json_real(1e300)};
            for (size_t v = 0; v < 4; v++) {
                json_object_set_new(node, keys[i], variants[v]);
                read_and_score(model, t);
            }
            json_object_set(node, keys[i], keep);
            damage(model, keep, t, depth + 1);
            json_decref(keep);
            free(keys[i]);
        }
        free(keys);
    } else if (json_is_array(node) && json_array_size(node) > 0) {
        size_t n = json_array_size(node);
        json_t *last = json_incref(json_array_get(node, n - 1));
        json_array_remove(node, n - 1);
        read_and_score(model, t);
        json_array_append_new(node, last);
        json_t *first = json_incref(json_array_get(node, 0));
        if (json_is_number(first)) {
            json_array_set_new(node, 0, json_real(-1));
            read_and_score(model, t);
            json_array_set_new(node, 0, json_real(1e300));
            read_and_score(model, t);
            json_array_set(node, 0, first);
        } else {
            damage(model, first, t, depth + 1);
        }
        json_decref(first);
    }
}

static void damaged_models_are_refused_without_crashing(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,y,c,label\n1,2,a,0\n2,1,b,1\n3,5,a,0\n4,3,b,1\n5,8,a,0\n6,5,b,1\n"
                          "7,9,a,2\n8,6,b,2\n9,12,a,2\n10,9,b,2\n");
    static const char *const learners[][2] = {
        {"two-class-neural-network@1", "{\"number_of_hidden_nodes\": \"3\", "
                                       "\"number_of_learning_iterations\": 2, "
                                       "\"the_type_of_normalizer\": \"binning-normalizer\"}"},
        {"neural-network-regression@1", "{\"number_of_hidden_nodes\": \"3, 2\", "
                                        "\"number_of_learning_iterations\": 2}"},
        {"fast-forest-quantile-regression@1",
         "{\"number_of_trees\": 2, \"number_of_leaves\": 2, "
         "\"minimum_number_of_training_instances_required_to_form_a_leaf\": 1}"},
        {"poisson-regression@1", "{}"},
    };
    for (size_t i = 0; i < sizeof learners / sizeof learners[0]; i++) {
        tbl_table *rows = NULL;
        assert_int_equal(tbl_clone(t, &rows, NULL), 0);
        bool binary = strstr(learners[i][0], "two-class") != NULL;
        if (binary) /* keep labels 0 and 1 */
            for (size_t r = 0; r < rows->nrows; r++)
                rows->cols[3].v.i64[r] %= 2;
        json_t *learner = mt_learner(learners[i][0], learners[i][1]);
        json_t *model = train(learner, "label", rows);
        damage(model, json_object_get(model, "state"), rows, 0);
        json_decref(model);
        json_decref(learner);
        tbl_free(rows);
    }
    /* one-vs-all around a network, and PCA */
    json_t *base = mt_learner("two-class-averaged-perceptron@1", "{}");
    mod_value in[1] = {{.kind = MOD_LEARNER, .json = base}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, "one-vs-one-multiclass@1", "{}", in, 1, false));
    json_t *model = train(mt_json(&ctx, 0), "label", t);
    damage(model, json_object_get(model, "state"), t, 0);
    json_decref(model);
    mod_ctx_clear(&ctx);
    json_decref(base);
    json_t *pca = mt_learner("pca-based-anomaly-detection@1", "{}");
    mod_value pin[2] = {{.kind = MOD_LEARNER, .json = pca}, {.kind = MOD_TABLE, .table = t}};
    mt_ok(&ctx, mt_run_inputs(&ctx, "train-anomaly-detection-model@1", "{}", pin, 2, false));
    damage(mt_json(&ctx, 0), json_object_get(mt_json(&ctx, 0), "state"), t, 0);
    mod_ctx_clear(&ctx);
    json_decref(pca);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(poisson_matches_scikit_learn_coefficients),
        cmocka_unit_test(poisson_l1_meets_the_optimality_conditions),
        cmocka_unit_test(poisson_refuses_negative_counts_naming_the_row),
        cmocka_unit_test(averaged_perceptron_matches_scikit_learn),
        cmocka_unit_test(quantile_forest_gives_meinshausens_quantiles),
        cmocka_unit_test(quantile_forest_leaves_keep_at_most_the_sample_count),
        cmocka_unit_test(training_twice_gives_the_same_model),
        cmocka_unit_test(bad_lists_are_refused_by_name),
        cmocka_unit_test(learners_refuse_the_wrong_trainer),
        cmocka_unit_test(damaged_models_are_refused_without_crashing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
