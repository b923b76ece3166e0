/*
 * indicator.c: Convert to Indicator Values
 * (`convert-to-indicator-values@1`): turns each categorical column into
 * one 0/1 column per level (one-hot encoding), as the Azure designer's
 * module does. Fitting records each column's levels; applying makes the
 * same indicator columns for new data, so a level that was not seen in
 * training never adds a column the model does not know.
 */
#include "fitted.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* More levels than this is almost surely an identifier, not a category. */
#define INDICATOR_MAX_LEVELS 10000

static int indicator_fit(mod_ctx *ctx, const tbl_table *in, json_t **transform)
{
    const char *f = "categorical_columns_to_convert";
    bool overwrite;
    int rc = mod_param_bool(ctx, "overwrite_categorical_columns", &overwrite);
    if (rc < 0) return rc;
    if (in == NULL) {
        tbl_selection sel;
        rc = mod_param_selection(ctx, f, &sel);
        tbl_selection_clear(&sel);
        return rc;
    }
    size_t *idx = NULL, n = 0;
    if ((rc = mod__resolve_selection(ctx, f, in, &idx, &n)) < 0) return rc;
    json_t *state = json_pack("{s:b, s:[]}", "overwrite", overwrite, "parameters");
    if (state == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < n && rc == 0; k++) {
        const tbl_column *c = &in->cols[idx[k]];
        if (c->type != TBL_CATEGORICAL) {
            rc = mod__field_error(ctx, f, WF_ETYPE,
                                  "column \"%s\" is %s: only categorical columns convert to "
                                  "indicator values (Edit Metadata makes a column categorical)",
                                  c->name, tbl_type_name(c->type));
            break;
        }
        if (c->levels.count > INDICATOR_MAX_LEVELS) {
            rc = mod__field_error(ctx, f, WF_ELIMIT,
                                  "column \"%s\" has %zu levels, more than the %d indicator "
                                  "columns allowed per column",
                                  c->name, c->levels.count, INDICATOR_MAX_LEVELS);
            break;
        }
        json_t *levels = json_array();
        for (size_t i = 0; levels != NULL && i < c->levels.count; i++) {
            size_t len;
            const char *s = tbl_strings_at(&c->levels, i, &len);
            if (json_array_append_new(levels, json_stringn(s, len)) < 0) {
                json_decref(levels);
                levels = NULL;
            }
        }
        if (json_array_append_new(json_object_get(state, "parameters"),
                                  json_pack("{s:o}", "levels", levels)) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    if (rc < 0) {
        json_decref(state);
        free(idx);
        return rc;
    }
    *transform = mod__transform_new(ctx, &mod_convert_to_indicator_values, in, idx, n, state);
    free(idx);
    return *transform == NULL ? ctx->err.code : 0;
}

/* ---- applying ----------------------------------------------------------- */

/* The text of row r of a string or categorical column; NULL when missing. */
static const char *indicator_text(const tbl_column *c, size_t r, size_t *len)
{
    if (tbl_is_missing(c, r)) return NULL;
    if (c->type == TBL_STRING) return tbl_strings_at(&c->str, r, len);
    int32_t code = c->v.codes[r];
    if (code < 0 || (size_t)code >= c->levels.count) return NULL;
    return tbl_strings_at(&c->levels, (size_t)code, len);
}

/* Appends the indicator columns of src, one per level of `levels` (a JSON
 * array of strings): "<name>-<level>", 1 where the row holds that level, 0
 * elsewhere (a missing value or an unseen level is 0 everywhere). */
static int indicator_columns(mod_ctx *ctx, const json_t *levels, const tbl_column *src, size_t n,
                             tbl_table *out)
{
    size_t nl = json_array_size(levels);
    /* level[r]: the index of row r's level in `levels`, or -1. */
    long *level = wf_mallocarray(n ? n : 1, sizeof *level);
    tbl_dict d;
    memset(&d, 0, sizeof d);
    int rc = level == NULL ? mod_fail(ctx, WF_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < nl; i++) {
        const char *s = json_string_value(json_array_get(levels, i));
        if (s == NULL)
            rc = mod_fail(ctx, WF_EINVAL,
                          "the convert-to-indicator-values@1 transform is damaged: a level of "
                          "column \"%s\" is not a string",
                          src->name);
        else if (tbl_dict_intern(&d, s, json_string_length(json_array_get(levels, i))) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    size_t unseen = 0;
    for (size_t r = 0; rc == 0 && r < n; r++) {
        size_t len = 0;
        const char *s = indicator_text(src, r, &len);
        level[r] = s != NULL ? tbl_dict_find(&d, s, len) : -1;
        unseen += s != NULL && level[r] < 0;
    }
    /* A level listed twice interns once; its first column gets the ones. */
    for (size_t i = 0; rc == 0 && i < nl; i++) {
        const char *s = json_string_value(json_array_get(levels, i));
        size_t cap = strlen(src->name) + json_string_length(json_array_get(levels, i)) + 2;
        char *name = malloc(cap);
        if (name == NULL) {
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
            break;
        }
        snprintf(name, cap, "%s-%s", src->name, s);
        tbl_column c;
        wf_error err = {0};
        rc = tbl_column_init(&c, name, TBL_INTEGER, n, &err);
        free(name);
        if (rc < 0) {
            rc = mod_fail_with(ctx, &err);
            break;
        }
        long code = tbl_dict_find(&d, s, json_string_length(json_array_get(levels, i)));
        for (size_t r = 0; r < n && code == (long)i; r++)
            c.v.i64[r] = level[r] == code;
        rc = mod__add_column_unique(ctx, out, &c);
    }
    if (rc == 0 && unseen > 0 && !ctx->schema_only)
        mod_log(ctx,
                "column \"%s\": %zu rows hold a level not seen in training (all indicators "
                "0)",
                src->name, unseen);
    free(level);
    tbl_dict_free(&d);
    return rc;
}

static int indicator_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in,
                           tbl_table **out)
{
    *out = NULL;
    const mod_descriptor *m = &mod_convert_to_indicator_values;
    mod__bound b;
    int rc = mod__transform_bind(ctx, m, transform, in, &b);
    if (rc < 0) return rc;
    bool overwrite = false;
    rc = mod__state_bool(ctx, m, b.state, "overwrite", &overwrite);
    const json_t *list = rc == 0 ? mod__state_list(ctx, m, b.state, "parameters", b.n) : NULL;
    if (rc == 0 && list == NULL) rc = ctx->err.code;
    for (size_t k = 0; rc == 0 && k < b.n; k++) {
        const tbl_column *c = &b.t->cols[b.idx[k]];
        if (!json_is_array(json_object_get(json_array_get(list, k), "levels")))
            rc = mod_fail(ctx, WF_EINVAL,
                          "the convert-to-indicator-values@1 transform is damaged: column \"%s\" "
                          "has no \"levels\" list",
                          c->name);
        else if (c->type != TBL_CATEGORICAL && c->type != TBL_STRING)
            rc = mod_fail(ctx, WF_ETYPE, "column \"%s\" is %s: indicator values need text", c->name,
                          tbl_type_name(c->type));
    }
    tbl_table *res = rc == 0 ? mod__empty_like(ctx, b.t) : NULL;
    if (rc == 0 && res == NULL) rc = ctx->err.code;
    /* Each converted column's indicators follow it (or take its place). */
    for (size_t j = 0; rc == 0 && j < b.t->ncols; j++) {
        size_t k = b.n;
        for (size_t q = 0; q < b.n && k == b.n; q++)
            if (b.idx[q] == j) k = q;
        if (k == b.n || !overwrite) rc = mod__copy_column(ctx, res, b.t, j);
        if (rc == 0 && k < b.n)
            rc = indicator_columns(ctx, json_object_get(json_array_get(list, k), "levels"),
                                   &b.t->cols[j], b.t->nrows, res);
    }
    mod__bound_clear(&b);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int indicator_run(mod_ctx *ctx)
{
    return mod__fit_and_apply(ctx, "dataset", "results_dataset", "indicator_values_transformation",
                              indicator_fit);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port indicator_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table with categorical columns."},
};

static const mod_port indicator_out[] = {
    {.name = "results_dataset",
     .kind = MOD_TABLE,
     .help = "The table with an indicator column per level of each converted column."},
    {.name = "indicator_values_transformation",
     .kind = MOD_TRANSFORM,
     .help = "The training levels of each column, for Apply Transformation."},
};

static const mod_param indicator_params[] = {
    {.name = "categorical_columns_to_convert",
     .label = "Categorical columns to convert",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The categorical columns to turn into indicator columns."},
    {.name = "overwrite_categorical_columns",
     .label = "Overwrite categorical columns",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .help = "Replace each converted column by its indicator columns. Off: keep it, with the "
             "indicator columns after it."},
};

const mod_descriptor mod_convert_to_indicator_values = {
    .name = "convert-to-indicator-values",
    .version = 1,
    .display_name = "Convert to Indicator Values",
    .category = "Data Transformation",
    .help =
        "Converts categorical columns into indicator columns (one-hot encoding): one column per "
        "level, holding 1 in the rows with that level and 0 elsewhere.\n"
        "\n"
        "## Parameters\n"
        "\n"
        "- **Categorical columns to convert** (`categorical_columns_to_convert`, required): "
        "categorical columns only; a column of another type is an error naming it (Edit "
        "Metadata makes a column categorical). A column may have at most 10000 levels.\n"
        "- **Overwrite categorical columns** (`overwrite_categorical_columns`, default false): "
        "replace each converted column by its indicator columns; off, the column stays and its "
        "indicator columns follow it.\n"
        "\n"
        "## Columns\n"
        "\n"
        "The indicator columns of column `color` are named `color-<level>` (`color-red`, "
        "`color-blue`...), one per level of the column's dictionary in its order, including "
        "levels no row holds, as pandas.get_dummies does for a categorical. They are integer "
        "0/1 features, placed right after the column (or where it was). A name already taken "
        "gets \" (2)\".\n"
        "\n"
        "## Missing values and new levels\n"
        "\n"
        "A missing value gives 0 in every indicator column of its row. The levels are fitted on "
        "this input and kept in the `indicator_values_transformation` output: Apply "
        "Transformation makes exactly the same columns for new data (string or categorical), "
        "and a level that was not seen in training gives 0 everywhere (the log counts such "
        "rows), so the columns a model was trained on never change.\n"
        "\n"
        "## Outputs\n"
        "\n"
        "- **results_dataset**: the table with the indicator columns.\n"
        "- **indicator_values_transformation**: the fitted transform (docs/formats.md, "
        "\"Fitted transforms\").\n"
        "\n"
        "## Example\n"
        "\n"
        "One-hot encode `fuel` and `body`, dropping the originals:\n"
        "\n"
        "```json\n"
        "{\"categorical_columns_to_convert\": {\"include\": [{\"names\": [\"fuel\", \"body\"]}]},\n"
        " \"overwrite_categorical_columns\": true}\n"
        "```\n",
    MOD_PORTS(inputs, indicator_in),
    MOD_PORTS(outputs, indicator_out),
    MOD_PARAMS(indicator_params),
    .configure = indicator_run,
    .run = indicator_run,
    .apply = indicator_apply,
};
