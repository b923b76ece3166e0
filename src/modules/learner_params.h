/*
 * learner_params.h: the parameters every learner module shares, as
 * designated initialisers of mod_param (learners.c, learners3.c,
 * anomaly.c). The including file defines `trainer_modes`, the choices of
 * create_trainer_mode: {"single-parameter", "parameter-range", NULL}.
 *
 * Tunable parameters come in pairs: NUMBER_PARAM or INT_PARAM, shown in
 * single-parameter mode, and RANGE_PARAM, its `_range` list, shown in
 * parameter-range mode.
 */
#ifndef WEFT_MODULES_LEARNER_PARAMS_H
#define WEFT_MODULES_LEARNER_PARAMS_H

#define RANGE_ONLY "create_trainer_mode=parameter-range"
#define SINGLE_ONLY "create_trainer_mode=single-parameter"

#define TRAINER_MODE_PARAM                                                                         \
    {                                                                                              \
        .name = "create_trainer_mode", .label = "Create trainer mode", .type = MOD_PARAM_ENUM,     \
        .choices = trainer_modes, .default_json = "\"single-parameter\"",                           \
        .help =                                                                                    \
            "single-parameter: train with the values below. parameter-range: give lists of "         \
            "values for Tune Model Hyperparameters to sweep; Train Model uses the first value "    \
            "of each list."                                                                        \
    }

#define SEED_PARAM                                                                                 \
    {                                                                                              \
        .name = "random_number_seed", .label = "Random number seed", .type = MOD_PARAM_INT,        \
        .default_json = "0", .has_min = true, .min = 0,                                            \
        .help = "Seeds every random choice, so training is reproducible."                          \
    }

#define UNKNOWN_LEVELS_PARAM                                                                       \
    {                                                                                              \
        .name = "allow_unknown_categorical_levels", .label = "Allow unknown categorical levels",   \
        .type = MOD_PARAM_BOOL, .default_json = "true",                                            \
        .help = "When set, a category that training never saw scores as an unknown level (no "     \
                "indicator set; trees treat it as missing). When cleared, scoring such a row "     \
                "fails, naming the column and the value."                                          \
    }

/* A single value and its range companion. */
#define NUMBER_PARAM(id, text, def, lo, hi, explain)                                               \
    {                                                                                              \
        .name = id, .label = text, .type = MOD_PARAM_NUMBER, .default_json = def, .has_min = true, \
        .min = lo, .has_max = (hi) > (lo), .max = hi, .visible_when = SINGLE_ONLY, .help = explain \
    }
#define INT_PARAM(id, text, def, lo, hi, explain)                                                  \
    {                                                                                              \
        .name = id, .label = text, .type = MOD_PARAM_INT, .default_json = def, .has_min = true,    \
        .min = lo, .has_max = (hi) > (lo), .max = hi, .visible_when = SINGLE_ONLY, .help = explain \
    }
#define RANGE_PARAM(id, text, def)                                                                 \
    {                                                                                              \
        .name = id "_range", .label = "Range for " text, .type = MOD_PARAM_STRING,                 \
        .default_json = def, .visible_when = RANGE_ONLY,                                           \
        .help = "Values to sweep, separated by semicolons or commas."                              \
    }

#endif
