/*
 * test_reduction.c: One-vs-All Multiclass and One-vs-One Multiclass through
 * the real modules: with two-class logistic regression inside, the same
 * test accuracy as scikit-learn's OneVsRestClassifier and
 * OneVsOneClassifier around LogisticRegression (the same convex problems);
 * any two-class learner works inside; a learner that is not two-class is
 * refused.
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

/* The multiclass learner `ref` around two-class learner `base` (caller
 * decrefs). */
static json_t *reduction_learner(const char *ref, json_t *base)
{
    mod_value in[1] = {{.kind = MOD_LEARNER, .json = base}};
    mod_ctx ctx;
    mt_ok(&ctx, mt_run_inputs(&ctx, ref, "{}", in, 1, false));
    json_t *out = mt_take_json(&ctx, 0);
    mod_ctx_clear(&ctx);
    return out;
}

static void reduction_matches_scikit_learn(const char *ref, const char *kind, size_t models)
{
    tbl_table *data = load_sample("soybean.arff", NULL), *tr, *te;
    split(data, &tr, &te);
    json_t *base = mt_learner("two-class-logistic-regression@1",
                              "{\"l1_regularization_weight\": 0, \"l2_regularization_weight\": 1, "
                              "\"optimization_tolerance\": 1e-10}");
    json_t *learner = reduction_learner(ref, base);
    assert_string_equal(json_string_value(json_object_get(learner, "task")), "multiclass");
    json_t *model = train(learner, "class", tr);
    const json_t *subs = json_object_get(json_object_get(model, "state"), "models");
    mod__model m;
    read_model(model, &m);
    size_t k = m.classes.count, want = models == 1 ? k : k * (k - 1) / 2;
    assert_int_equal(json_array_size(subs), want);
    tbl_table *scored = score(model, te);
    /* probabilities: one column per class, summing to 1 */
    size_t first = (size_t)tbl_find_column(scored, "Scored Labels") - k;
    for (size_t r = 0; r < te->nrows; r++) {
        double sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += mt_cell(&scored->cols[first + c], r);
        assert_true(fabs(sum - 1) < 1e-9);
    }
    double ours = evaluate(scored, "overall_accuracy");
    char dir[64], params[128];
    mt_mkdtemp(dir, sizeof dir);
    /* the peer sees the parent's label and the first two-class model's
     * matrix, which is every model's (one-hot of the same columns) */
    mod__model sub = m.subs[0];
    sub.task = ML_MULTICLASS;
    sub.classes = m.classes;
    sub.label = m.label;
    write_peer_data(dir, &sub, tr, te);
    snprintf(params, sizeof params, "{\"kind\": \"%s\", \"l2\": 1}", kind);
    json_t *peer = run_peer("reduction", params, dir);
    char what[96];
    snprintf(what, sizeof what, "soybean: accuracy, %s vs scikit-learn", ref);
    close_to(what, ours, peer_number(peer, "accuracy"), 0.012);
    mt_rmtree(dir);
    json_decref(peer);
    mod__model_clear(&m);
    tbl_free(scored);
    json_decref(model);
    json_decref(learner);
    json_decref(base);
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
}

static void one_vs_all_matches_one_vs_rest_classifier(void **state)
{
    (void)state;
    reduction_matches_scikit_learn("one-vs-all-multiclass@1", "ova", 1);
}

static void one_vs_one_matches_one_vs_one_classifier(void **state)
{
    (void)state;
    reduction_matches_scikit_learn("one-vs-one-multiclass@1", "ovo", 2);
}

/* Trees and networks work inside too, and Evaluate Model reads the result
 * as a multiclass model. */
static void any_two_class_learner_works_inside(void **state)
{
    (void)state;
    tbl_table *data = load_sample("iris.arff", NULL), *tr, *te;
    split(data, &tr, &te);
    static const char *const bases[][2] = {
        {"two-class-boosted-decision-tree@1", "{\"number_of_trees_constructed\": 20}"},
        {"two-class-neural-network@1", "{\"number_of_hidden_nodes\": \"10\", "
                                       "\"number_of_learning_iterations\": 50}"},
        {"two-class-averaged-perceptron@1", "{}"},
    };
    const char *refs[] = {"one-vs-all-multiclass@1", "one-vs-one-multiclass@1"};
    for (size_t b = 0; b < 3; b++)
        for (int i = 0; i < 2; i++) {
            json_t *base = mt_learner(bases[b][0], bases[b][1]);
            json_t *learner = reduction_learner(refs[i], base);
            json_t *model = train(learner, "class", tr);
            tbl_table *scored = score(model, te);
            double acc = evaluate(scored, "overall_accuracy");
            print_message("    iris: %s around %s: accuracy %.3f\n", refs[i], bases[b][0], acc);
            assert_true(acc > 0.8);
            assert_non_null(mt_column(scored, "Scored Probabilities_Iris-setosa"));
            tbl_free(scored);
            json_decref(model);
            json_decref(learner);
            json_decref(base);
        }
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
}

static void a_learner_that_is_not_two_class_is_refused(void **state)
{
    (void)state;
    static const char *const others[] = {"multiclass-logistic-regression@1", "linear-regression@1",
                                         "k-means-clustering@1", "pca-based-anomaly-detection@1"};
    for (size_t i = 0; i < 4; i++) {
        json_t *base = mt_learner(others[i], "{}");
        mod_value in[1] = {{.kind = MOD_LEARNER, .json = base}};
        mod_ctx ctx;
        assert_true(mt_run_inputs(&ctx, "one-vs-all-multiclass@1", "{}", in, 1, false) < 0);
        mt_assert_contains(ctx.err.message, "needs a two-class learner");
        mod_ctx_clear(&ctx);
        /* configure sees it too, when the learner is at hand */
        assert_true(mt_run_inputs(&ctx, "one-vs-one-multiclass@1", "{}", in, 1, true) < 0);
        mod_ctx_clear(&ctx);
        json_decref(base);
    }
    /* a trained model is not a learner */
    tbl_table *t = mt_csv("x,y\n1,0\n2,1\n3,0\n4,1\n5,1\n");
    json_t *base = mt_learner("two-class-averaged-perceptron@1", "{}");
    json_t *model = train(base, "y", t);
    mod_value in[1] = {{.kind = MOD_MODEL, .json = model}};
    mod_ctx ctx;
    assert_true(mt_run_inputs(&ctx, "one-vs-all-multiclass@1", "{}", in, 1, false) < 0);
    mt_assert_contains(ctx.err.message, "is a trained model");
    mod_ctx_clear(&ctx);
    /* and a one-class label is refused by name */
    tbl_table *one = mt_csv("x,y\n1,a\n2,a\n3,a\n");
    json_t *learner = reduction_learner("one-vs-all-multiclass@1", base);
    char *msg = train_error(learner, "y", one);
    mt_assert_contains(msg, "only one class");
    free(msg);
    json_decref(learner);
    tbl_free(one);
    json_decref(model);
    json_decref(base);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_vs_all_matches_one_vs_rest_classifier),
        cmocka_unit_test(one_vs_one_matches_one_vs_one_classifier),
        cmocka_unit_test(any_two_class_learner_works_inside),
        cmocka_unit_test(a_learner_that_is_not_two_class_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
