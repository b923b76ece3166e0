/*
 * test_ubjson.c: ml_ubjson_check, the structural check XGBoost models pass
 * before XGBoost reads them. A model XGBoost saved passes; every way of
 * damaging one that made XGBoost allocate exabytes or read past its buffer
 * (a length or count past the end, cut-short bytes, unknown markers, deep
 * nesting, trailing bytes) is refused naming the byte, and ml_trees_load
 * refuses such a model without calling XGBoost.
 */
#include "ml/ml.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ml_test.h"

/* A small boosted model, saved by XGBoost as UBJSON. */
static unsigned char *saved_model(size_t *len)
{
    ml_matrix x;
    wf_error err = {0};
    assert_int_equal(ml_matrix_init(&x, 200, 3, &err), 0);
    double *y = calloc(200, sizeof *y);
    wf_rng rng = {.state = 7};
    for (size_t r = 0; r < 200; r++) {
        for (size_t c = 0; c < 3; c++)
            x.data[3 * r + c] = wf_rng_uniform(&rng);
        y[r] = x.data[3 * r] + x.data[3 * r + 1] > 1;
    }
    ml_trees_params p = {.task = ML_BINARY,
                         .num_trees = 5,
                         .learning_rate = 0.3,
                         .max_depth = 3,
                         .min_child_weight = 1,
                         .subsample = 1,
                         .colsample_bynode = 1,
                         .lambda = 1};
    ml_env one = {.threads = 1};
    ml_trees m;
    assert_int_equal(ml_trees_fit(&x, y, &p, &one, &m, &err), 0);
    unsigned char *bytes = NULL;
    assert_int_equal(ml_trees_save(&m, &bytes, len, &err), 0);
    ml_trees_clear(&m);
    ml_matrix_clear(&x);
    free(y);
    return bytes;
}

static void refused(const void *bytes, size_t len, const char *why)
{
    wf_error err = {0};
    assert_int_equal(ml_ubjson_check(bytes, len, &err), WF_ECORRUPT);
    assert_contains(err.message, why);
    wf_error_clear(&err);
}

static void a_model_xgboost_saved_passes_and_every_cut_is_refused(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *bytes = saved_model(&len);
    wf_error err = {0};
    assert_int_equal(ml_ubjson_check(bytes, len, &err), 0);
    /* Cut anywhere, it is refused (and never read past its end: ASan). */
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *part = malloc(cut ? cut : 1);
        memcpy(part, bytes, cut);
        assert_int_equal(ml_ubjson_check(part, cut, &err), WF_ECORRUPT);
        wf_error_clear(&err);
        free(part);
    }
    /* A byte more is refused too. */
    unsigned char *more = malloc(len + 1);
    memcpy(more, bytes, len);
    more[len] = 'Z';
    refused(more, len + 1, "bytes after the model");
    free(more);
    free(bytes);
}

static void damaged_lengths_and_markers_are_refused_naming_the_byte(void **state)
{
    (void)state;
    /* {"ab": "xyz"} and the same with a string length of 2^60. */
    static const unsigned char good[] = {'{', 'i', 2, 'a', 'b', 'S', 'i', 3, 'x', 'y', 'z', '}'};
    wf_error err = {0};
    assert_int_equal(ml_ubjson_check(good, sizeof good, &err), 0);
    static const unsigned char huge[] = {'{', 'i', 2, 'a', 'b', 'S', 'L', 0x10, 0,
                                         0,   0,   0, 0,   0,   0,   'x', '}'};
    refused(huge, sizeof huge, "a length past the end of the model at byte 15");
    /* A negative length, a length that is no integer. */
    static const unsigned char negative[] = {'{', 'i', 0xff, 'a', '}'};
    refused(negative, sizeof negative, "a negative length");
    static const unsigned char real[] = {'{', 'd', 0, 0, 0, 0, '}'};
    refused(real, sizeof real, "a length that is not an integer");
    /* A typed array whose count promises more than the bytes left. */
    static const unsigned char count[] = {'{',  'i', 1, 'w', '[', '$', 'd', '#', 'l',
                                          0x40, 0,   0, 0,   0,   0,   0,   0,   '}'};
    refused(count, sizeof count, "a count past the end of the model");
    /* A typed array of 2 doubles, then an unknown marker. */
    static const unsigned char typed[] = {'{', 'i', 1, 'w', '[', '$', 'd', '#', 'i', 2,
                                          0,   0,   0, 0,   0,   0,   0,   0,   '}'};
    assert_int_equal(ml_ubjson_check(typed, sizeof typed, &err), 0);
    static const unsigned char unknown[] = {'{', 'i', 1, 'k', 'Q', '}'};
    refused(unknown, sizeof unknown, "an unknown marker at byte 4");
    static const unsigned char open[] = {'{', 'i', 1, 'k', '[', 'T', 'F'};
    refused(open, sizeof open, "the model ends inside a container");
    static const unsigned char untyped[] = {'{', 'i', 1, 'k', '[', '$', 'd', 'T', ']', '}'};
    refused(untyped, sizeof untyped, "a typed container without a count");
    /* Not an object at all: XGBoost's legacy binary reader is never used. */
    refused("[]", 2, "not XGBoost UBJSON");
    refused("", 0, "not XGBoost UBJSON");
}

static void nesting_is_bounded(void **state)
{
    (void)state;
    /* {"k": [[[[...: a hundred arrays deep. */
    unsigned char deep[4 + 100] = {'{', 'i', 1, 'k'};
    memset(deep + 4, '[', 100);
    refused(deep, sizeof deep, "containers nested too deep");
}

/* ml_trees_load checks before XGBoost reads: the damaged model of
 * fuzz/fuzz_model.c's crash (a string length of about 2^60) is refused
 * with a message instead of an allocation of exabytes. */
static void trees_load_refuses_a_damaged_model(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *bytes = saved_model(&len);
    /* The first string length in the model: "learner" after '{' 'L'. */
    assert_true(len > 10 && bytes[0] == '{' && bytes[1] == 'L');
    bytes[2] = 0x0f;
    ml_trees m;
    wf_error err = {0};
    assert_int_equal(ml_trees_load(&m, bytes, len, ML_BINARY, 2, 3, &err), WF_ECORRUPT);
    assert_contains(err.message, "trees: damaged XGBoost model: a length past the end");
    wf_error_clear(&err);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_model_xgboost_saved_passes_and_every_cut_is_refused),
        cmocka_unit_test(damaged_lengths_and_markers_are_refused_naming_the_byte),
        cmocka_unit_test(nesting_is_bounded),
        cmocka_unit_test(trees_load_refuses_a_damaged_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
