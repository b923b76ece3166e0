/*
 * add_columns.c: `add-columns@1`, the Azure designer's Add Columns: two
 * tables of the same number of rows, side by side, row i beside row i (no
 * key is matched; that is Join Data). The work is tbl_add_columns; this
 * file checks the inputs and says what went wrong in the designer's words.
 */
#include "modules_int.h"

#include <string.h>

static const mod_port add_columns_in[] = {
    {.name = "left_dataset", .kind = MOD_TABLE, .help = "The columns that come first."},
    {.name = "right_dataset", .kind = MOD_TABLE, .help = "The columns added after them."},
};

static const mod_port add_columns_out[] = {
    {.name = "combined_dataset",
     .kind = MOD_TABLE,
     .help = "Every column of the left table, then every column of the right one."},
};

/* Shared by run and configure: the zero-row schemas configure sees combine
 * exactly as the tables will. */
static int add_columns_apply(mod_ctx *ctx)
{
    const tbl_table *left = mod_input_table(ctx, "left_dataset");
    const tbl_table *right = mod_input_table(ctx, "right_dataset");
    if (left == NULL || right == NULL) {
        if (ctx->schema_only) return 0; /* one unknown schema: the result is unknown */
        return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing",
                        left ? "right_dataset" : "left_dataset");
    }
    /* tbl_add_columns lets a table without columns join anything; Azure
     * refuses different row counts outright, and so does this module. */
    if (!ctx->schema_only && left->nrows != right->nrows)
        return mod_fail(ctx, WF_EINVAL,
                        "the tables must have the same number of rows: left_dataset has %zu, "
                        "right_dataset has %zu",
                        left->nrows, right->nrows);
    tbl_table *out = NULL;
    wf_error err = {0};
    if (tbl_add_columns(left, right, &out, &err) < 0) return mod_fail_with(ctx, &err);
    if (!ctx->schema_only) {
        size_t renamed = 0;
        for (size_t j = 0; j < right->ncols; j++)
            if (strcmp(out->cols[left->ncols + j].name, right->cols[j].name) != 0) renamed++;
        mod_log(ctx, "%zu + %zu columns, %zu rows; %zu right columns renamed", left->ncols,
                right->ncols, out->nrows, renamed);
    }
    return mod_output_table(ctx, "combined_dataset", out);
}

const mod_descriptor mod_add_columns = {
    .name = "add-columns",
    .version = 1,
    .display_name = "Add Columns",
    .category = "Data Transformation",
    .help = "Puts the columns of two tables side by side: row 1 of the right table beside "
            "row 1 of the left one, and so on. No key is matched (use Join Data for that), "
            "so the tables must have the same number of rows; different counts are an "
            "error that gives both.\n"
            "\n"
            "Every column keeps its type, role and values. A right column whose name the "
            "left table already has is renamed with a suffix, `price` becoming "
            "`price (2)` (then ` (3)` if that is taken too), as Azure does.\n"
            "\n"
            "## Inputs\n"
            "\n"
            "- **left_dataset**: the columns that come first.\n"
            "- **right_dataset**: the columns added after them.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **combined_dataset**: all the columns of both.\n"
            "\n"
            "## Example\n"
            "\n"
            "A left table with `id, price` and a right table with `price, Scored Labels` of 100 "
            "rows each give 100 rows of `id, price, price (2), Scored Labels`.\n",
    MOD_PORTS(inputs, add_columns_in),
    MOD_PORTS(outputs, add_columns_out),
    .configure = add_columns_apply,
    .run = add_columns_apply,
};
