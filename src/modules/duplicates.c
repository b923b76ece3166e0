/*
 * duplicates.c: `remove-duplicate-rows@1`, the Azure designer's Remove
 * Duplicate Rows. Rows are duplicates when they agree on every key column;
 * of each set of duplicates one row stays, the first or the last, and the
 * rows that stay keep their input order (as pandas' drop_duplicates does).
 */
#include "modules_int.h"

#include <stdlib.h>

/* Marks in keep[] the one row of each key that stays. */
static int dup_choose(mod_ctx *ctx, const tbl_table *in, const size_t *keys, size_t nkeys,
                      bool retain_first, bool *keep, size_t *ngroups)
{
    size_t *group_of = NULL, *first_row = NULL;
    wf_error err = {0};
    /* Group-by counts a missing key as a value, so rows missing the same
     * keys are duplicates too (pandas treats NaN the same way). */
    if (tbl_group_by(in, keys, nkeys, &group_of, &first_row, ngroups, &err) < 0)
        return mod_fail_with(ctx, &err);
    if (!retain_first) {
        /* The last row of each group: later rows overwrite earlier ones. */
        for (size_t r = 0; r < in->nrows; r++)
            first_row[group_of[r]] = r;
    }
    for (size_t r = 0; r < in->nrows; r++)
        keep[r] = first_row[group_of[r]] == r;
    free(group_of);
    free(first_row);
    return 0;
}

/* Shared by run and configure (where the input holds no rows). */
static int dup_apply(mod_ctx *ctx)
{
    bool retain_first;
    int rc = mod_param_bool(ctx, "retain_first_duplicate_row", &retain_first);
    if (rc < 0) return rc;
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) {
        if (ctx->schema_only) return 0;
        return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    }
    size_t *keys, nkeys;
    if ((rc = mod__resolve_selection(ctx, "key_column_selection_filter_expression", in, &keys,
                                     &nkeys)) < 0)
        return rc;
    bool *keep = wf_calloc(in->nrows, sizeof *keep);
    if (keep == NULL) {
        free(keys);
        return mod_fail(ctx, WF_ENOMEM, "out of memory removing duplicates");
    }
    size_t ngroups = 0;
    rc = dup_choose(ctx, in, keys, nkeys, retain_first, keep, &ngroups);
    free(keys);
    tbl_table *out = NULL;
    wf_error err = {0};
    if (rc == 0 && tbl_filter(in, keep, &out, &err) < 0) rc = mod_fail_with(ctx, &err);
    free(keep);
    if (rc < 0) return rc;
    if (!ctx->schema_only)
        mod_log(ctx, "%zu rows, %zu distinct on %zu key column%s: removed %zu", in->nrows, ngroups,
                nkeys, nkeys == 1 ? "" : "s", in->nrows - out->nrows);
    return mod_output_table(ctx, "dataset", out);
}

static const mod_port dup_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The rows to remove duplicates from."},
};

static const mod_port dup_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "One row for each distinct key."},
};

static const mod_param dup_params[] = {
    {.name = "key_column_selection_filter_expression",
     .label = "Key column selection filter expression",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .default_json = "{\"start\": \"all\"}",
     .input = "dataset",
     .help = "The columns that decide whether two rows are duplicates (all columns by "
             "default)."},
    {.name = "retain_first_duplicate_row",
     .label = "Retain first duplicate row",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Keep the first row of each set of duplicates. Off: keep the last."},
};

const mod_descriptor mod_remove_duplicate_rows = {
    .name = "remove-duplicate-rows",
    .version = 1,
    .display_name = "Remove Duplicate Rows",
    .category = "Data Transformation",
    .help = "Removes rows that repeat the key columns of an earlier (or later) row.\n"
            "\n"
            "Two rows are duplicates when every key column holds the same value in both; a "
            "missing value equals a missing value. Text compares exactly (case counts). Of "
            "each set of duplicates one row stays: the first, or the last with "
            "`retain_first_duplicate_row` off. The rows that stay keep their input order and "
            "all their columns.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Key column selection filter expression** "
            "(`key_column_selection_filter_expression`, default: all columns).\n"
            "- **Retain first duplicate row** (`retain_first_duplicate_row`, default true).\n"
            "\n"
            "## Example\n"
            "\n"
            "One row per customer, the latest one:\n"
            "\n"
            "```json\n"
            "{\"key_column_selection_filter_expression\": {\"include\": [{\"names\": "
            "[\"customer_id\"]}]},\n"
            " \"retain_first_duplicate_row\": false}\n"
            "```\n",
    MOD_PORTS(inputs, dup_in),
    MOD_PORTS(outputs, dup_out),
    MOD_PARAMS(dup_params),
    .configure = dup_apply,
    .run = dup_apply,
};
