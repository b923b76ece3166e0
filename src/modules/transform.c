/*
 * transform.c: Apply Transformation (`apply-transformation@1`), which
 * applies any fitted transform to a table by handing it to the module that
 * fitted it, and Select Columns Transform (`select-columns-transform@1`),
 * whose transform selects the columns of its input from another table.
 * Inference pipelines stand on both: each module that fitted a transform is
 * replaced by Apply Transformation with that transform.
 */
#include "fitted.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- apply-transformation@1 --------------------------------------------- */

/* The module that fitted tr, or NULL with ctx->err set. */
static const mod_descriptor *apply_module_of(mod_ctx *ctx, const json_t *tr)
{
    const char *kind = json_string_value(json_object_get(tr, "kind"));
    if (!json_is_object(tr) || kind == NULL || strcmp(kind, "transform") != 0) {
        mod_fail(ctx, WF_EINVAL,
                 "input \"transform\" is not a fitted transform: its \"kind\" is not "
                 "\"transform\"");
        return NULL;
    }
    const char *ref = json_string_value(json_object_get(tr, "module"));
    if (ref == NULL) {
        mod_fail(ctx, WF_EINVAL, "the transform does not name the module that fitted it");
        return NULL;
    }
    const mod_descriptor *m = mod_find(ref);
    if (m == NULL) {
        mod_fail(ctx, WF_ENOTFOUND,
                 "the transform was fitted by \"%s\", which is not a known module", ref);
        return NULL;
    }
    if (m->apply == NULL) {
        mod_fail(ctx, WF_EINVAL, "the transform names \"%s\", which does not apply transforms",
                 ref);
        return NULL;
    }
    return m;
}

/* Run and configure: configure applies the transform to the zero-row
 * schema, which gives the output schema and checks the columns fit. */
static int apply_run(mod_ctx *ctx)
{
    const json_t *tr = mod_input_json(ctx, "transform");
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if ((tr == NULL || in == NULL) && !ctx->schema_only)
        return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing",
                        tr == NULL ? "transform" : "dataset");
    if (tr == NULL || in == NULL) {
        /* Configure: the output is unknown until both inputs are; a
         * transform alone can still be checked. */
        if (tr != NULL && apply_module_of(ctx, tr) == NULL) return ctx->err.code;
        return 0;
    }
    const mod_descriptor *m = apply_module_of(ctx, tr);
    if (m == NULL) return ctx->err.code;
    tbl_table *out = NULL;
    int rc = m->apply(ctx, tr, in, &out);
    if (rc < 0) {
        char ref[128];
        mod__module_ref(m, ref, sizeof ref);
        wf_error_prefix(&ctx->err, "applying the %s transform", ref);
        return rc;
    }
    if (!ctx->schema_only)
        mod_log(ctx, "applied the %s@%d transform: %zu rows, %zu columns", m->name, m->version,
                out->nrows, out->ncols);
    return mod_output_table(ctx, "dataset", out);
}

static const mod_port apply_in[] = {
    {.name = "transform",
     .kind = MOD_TRANSFORM,
     .help = "A fitted transform, from Clean Missing Data, Normalize Data, Clip Values, Group "
             "Data into Bins, Convert to Indicator Values or Select Columns Transform."},
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table to transform."},
};

static const mod_port apply_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The transformed table."},
};

const mod_descriptor mod_apply_transformation = {
    .name = "apply-transformation",
    .version = 1,
    .display_name = "Apply Transformation",
    .category = "Model Scoring and Evaluation",
    .help = "Applies a transform that another module fitted to a new table: the same "
            "normalization, cleaning, clipping, binning, indicator columns or column selection, "
            "with the statistics learned from the training data. Inference pipelines put this "
            "module where a transformation module stood in training.\n"
            "\n"
            "On the training table itself, it gives exactly the output of the module that "
            "fitted the transform.\n"
            "\n"
            "## Inputs\n"
            "\n"
            "- **transform**: the `transform` output of Clean Missing Data, Normalize Data, "
            "Clip Values, Group Data into Bins, Convert to Indicator Values or Select Columns "
            "Transform.\n"
            "- **dataset**: the table to transform.\n"
            "\n"
            "No parameters.\n"
            "\n"
            "## Columns\n"
            "\n"
            "The transform lists the columns it was fitted on. Each must be in the table, found "
            "by name, with the fitted type or the other type of its family (integer for numeric "
            "and the reverse; string for categorical and the reverse), else the step fails "
            "naming the column. Other columns pass through as the fitting module passed them.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the transformed table.\n"
            "\n"
            "## Example\n"
            "\n"
            "Connect Normalize Data's `transformation_function` output to `transform` and the "
            "test split to `dataset`: the test rows are scaled with the training mean and "
            "standard deviation.\n",
    MOD_PORTS(inputs, apply_in),
    MOD_PORTS(outputs, apply_out),
    .configure = apply_run,
    .run = apply_run,
};

/* ---- select-columns-transform@1 ------------------------------------------ */

static int select_transform_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in,
                                  tbl_table **out)
{
    *out = NULL;
    mod__bound b;
    int rc = mod__transform_bind(ctx, &mod_select_columns_transform, transform, in, &b);
    if (rc < 0) return rc;
    tbl_table *res = mod__empty_like(ctx, b.t);
    if (res == NULL) rc = ctx->err.code;
    /* In the transform's order, which was the training table's. */
    for (size_t k = 0; rc == 0 && k < b.n; k++)
        rc = mod__copy_column(ctx, res, b.t, b.idx[k]);
    mod__bound_clear(&b);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int select_transform_run(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset_with_desired_columns");
    if (ctx->schema_only) return 0; /* no table output */
    if (in == NULL)
        return mod_fail(ctx, WF_EINVAL, "input \"dataset_with_desired_columns\" is missing");
    size_t *idx = wf_mallocarray(in->ncols ? in->ncols : 1, sizeof *idx);
    json_t *state = json_object();
    if (idx == NULL || state == NULL) {
        free(idx);
        json_decref(state);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < in->ncols; j++)
        idx[j] = j;
    json_t *tr = mod__transform_new(ctx, &mod_select_columns_transform, in, idx, in->ncols, state);
    free(idx);
    if (tr == NULL) return ctx->err.code;
    mod_log(ctx, "the transform selects %zu columns", in->ncols);
    return mod_output_json(ctx, "columns_selection_transformation", tr);
}

static const mod_port select_transform_in[] = {
    {.name = "dataset_with_desired_columns",
     .kind = MOD_TABLE,
     .help = "A table with the columns to keep, usually the output of Select Columns in "
             "Dataset; its rows are not used."},
};

static const mod_port select_transform_out[] = {
    {.name = "columns_selection_transformation",
     .kind = MOD_TRANSFORM,
     .help = "A transform that selects the same columns, by name, from another table."},
};

const mod_descriptor mod_select_columns_transform = {
    .name = "select-columns-transform",
    .version = 1,
    .display_name = "Select Columns Transform",
    .category = "Data Transformation",
    .help = "Makes a transform that selects the columns of its input from other tables, so "
            "that scoring data gets the columns the model was trained on, in the same order.\n"
            "\n"
            "## Input\n"
            "\n"
            "- **dataset_with_desired_columns**: a table holding exactly the wanted columns, "
            "usually from Select Columns in Dataset or Filter Based Feature Selection. Only its "
            "schema matters.\n"
            "\n"
            "No parameters.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **columns_selection_transformation**: the transform. Apply Transformation with it "
            "keeps those columns of another table, by name, in the input's order, with their "
            "roles and types. A column that the other table lacks fails naming it, and so does "
            "one of another kind of type (text where a number was, say; integer and numeric are "
            "one kind, string and categorical another). Missing values are kept as they are.\n"
            "\n"
            "## Example\n"
            "\n"
            "Select Columns in Dataset (the features and the label) -> Select Columns Transform "
            "-> Apply Transformation on the scoring data.\n",
    MOD_PORTS(inputs, select_transform_in),
    MOD_PORTS(outputs, select_transform_out),
    .configure = select_transform_run,
    .run = select_transform_run,
    .apply = select_transform_apply,
};
