/*
 * test_networks.c: the neural networks of issue #6 (Neural Network
 * Regression, Two-Class and Multiclass Neural Network) through the real
 * modules, against scikit-learn's MLPClassifier and MLPRegressor at the
 * same architecture (hidden logistic layers, SGD with the same rate,
 * momentum, minibatch and passes, the same input scaling) on the feature
 * matrices weft's Train Model built: test accuracy within 0.03; and the
 * networks' own contracts (normalisers, determinism, bad parameters).
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

static const char *const cars_drop[] = {"Name", "Year", NULL};

/* One hidden layer of 100 logistic units, min-max inputs, SGD with the same
 * rate, momentum, minibatch and passes as MLPClassifier(activation =
 * "logistic", solver = "sgd"): test accuracy within 0.03. */
static void two_class_network_matches_mlp_classifier(void **state)
{
    (void)state;
    json_t *peer = NULL;
    double ours = run_case("diabetes.arff", NULL, "class", "two-class-neural-network@1",
                           "{\"learning_rate\": 0.1, \"the_momentum\": 0.5, \"minibatch_size\": 8, "
                           "\"number_of_learning_iterations\": 100}",
                           "accuracy", "mlp-classifier",
                           "{\"hidden\": [100], \"rate\": 0.1, \"momentum\": 0.5, \"batch\": 8, "
                           "\"iterations\": 100}",
                           &peer);
    close_to("diabetes: accuracy, network vs MLPClassifier", ours, peer_number(peer, "accuracy"),
             0.03);
    json_decref(peer);
}

static void multiclass_network_matches_mlp_classifier(void **state)
{
    (void)state;
    json_t *peer = NULL;
    double ours = run_case("soybean.arff", NULL, "class", "multiclass-neural-network@1",
                           "{\"learning_rate\": 0.2, \"the_momentum\": 0.5, \"minibatch_size\": 8, "
                           "\"number_of_learning_iterations\": 60}",
                           "overall_accuracy", "mlp-classifier",
                           "{\"hidden\": [100], \"rate\": 0.2, \"momentum\": 0.5, \"batch\": 8, "
                           "\"iterations\": 60}",
                           &peer);
    close_to("soybean: accuracy, network vs MLPClassifier", ours, peer_number(peer, "accuracy"),
             0.03);
    json_decref(peer);
}

/* Gaussian inputs, two hidden layers, squared error: the mean test R^2 of
 * three initialisations within 0.03 of MLPRegressor's mean over three (one
 * small network's R^2 on cars varies by 0.2 with its starting weights). */
static void regression_network_matches_mlp_regressor(void **state)
{
    (void)state;
    tbl_table *data = load_sample("cars.json", cars_drop), *tr, *te;
    split(data, &tr, &te);
    double sum = 0;
    mod__model m;
    for (int seed = 1; seed <= 3; seed++) {
        char params[512];
        snprintf(params, sizeof params,
                 "{\"learning_rate\": 0.04, \"the_momentum\": 0.5, \"minibatch_size\": 16, "
                 "\"the_initial_learning_weights_diameter\": 1, \"random_number_seed\": %d, "
                 "\"number_of_learning_iterations\": 100, \"number_of_hidden_nodes\": \"20, 10\", "
                 "\"the_type_of_normalizer\": \"gaussian-normalizer\"}",
                 seed);
        json_t *learner = mt_learner("neural-network-regression@1", params);
        json_t *model = train(learner, "Miles_per_Gallon", tr);
        tbl_table *scored = score(model, te);
        sum += evaluate(scored, "coefficient_of_determination");
        if (seed == 3) read_model(model, &m);
        tbl_free(scored);
        json_decref(model);
        json_decref(learner);
    }
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    write_peer_data(dir, &m, tr, te);
    json_t *peer =
        run_peer("mlp-regressor",
                 "{\"hidden\": [20, 10], \"rate\": 0.04, \"momentum\": 0.5, \"batch\": 16, "
                 "\"iterations\": 100, \"normalizer\": \"gaussian\", \"seeds\": 3}",
                 dir);
    close_to("cars: mean R^2 of 3, network vs MLPRegressor", sum / 3, peer_number(peer, "r2"),
             0.03);
    mt_rmtree(dir);
    json_decref(peer);
    mod__model_clear(&m);
    tbl_free(tr);
    tbl_free(te);
    tbl_free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_class_network_matches_mlp_classifier),
        cmocka_unit_test(multiclass_network_matches_mlp_classifier),
        cmocka_unit_test(regression_network_matches_mlp_regressor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
