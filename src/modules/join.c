/*
 * join.c: `join-data@1`, the Azure designer's Join Data. It joins two tables
 * on one or more key columns, the way a database does, through tbl_join (a
 * hash join over the right table; table.h).
 *
 * What this file adds to tbl_join is the module's view of it: the two key
 * selections and how they pair up, the checks that name the columns at
 * fault (in configure too, so the canvas marks them before a run), and the
 * mapping from Azure's options to tbl_join_options.
 */
#include "modules_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const join_types[] = {"inner", "left-outer", "full-outer", "left-semi", NULL};

/* ---- key columns -------------------------------------------------------- */

/* True when the selection is only "include these names" rules: then the
 * names' listed order pairs the left keys with the right keys (Azure's
 * "allow duplicates and preserve column order in selection"). */
static bool join_names_only(const tbl_selection *s)
{
    if (s->start_all || s->nrules == 0) return false;
    for (size_t i = 0; i < s->nrules; i++)
        if (s->rules[i].exclude || s->rules[i].kind != TBL_RULE_NAMES) return false;
    return true;
}

/* The key columns of t that parameter `name` selects, in pairing order:
 * the listed order for a selection of names, else table order. The caller
 * frees *keys. */
static int join_keys(mod_ctx *ctx, const char *name, const tbl_table *t, size_t **keys, size_t *n)
{
    int rc = mod__resolve_selection(ctx, name, t, keys, n);
    if (rc < 0) return rc;
    tbl_selection sel;
    if ((rc = mod_param_selection(ctx, name, &sel)) < 0) {
        free(*keys);
        *keys = NULL;
        return rc;
    }
    if (join_names_only(&sel)) {
        /* Every name resolved above, so each is in t; a name listed twice
         * counts once, as the resolved selection does. */
        size_t m = 0;
        for (size_t r = 0; r < sel.nrules; r++) {
            for (size_t k = 0; k < sel.rules[r].nnames; k++) {
                int found = tbl_find_column(t, sel.rules[r].names[k]);
                if (found < 0) continue;
                size_t col = (size_t)found;
                bool seen = false;
                for (size_t j = 0; j < m && !seen; j++)
                    seen = (*keys)[j] == col;
                if (!seen && m < *n) (*keys)[m++] = col;
            }
        }
    }
    tbl_selection_clear(&sel);
    return 0;
}

/* Which keys can match which: numbers (numeric and integer compare by
 * value), booleans, date-times, and text (strings and categoricals compare
 * by their text). */
static int join_key_class(tbl_type type)
{
    switch (type) {
    case TBL_NUMERIC:
    case TBL_INTEGER:
        return 0;
    case TBL_BOOLEAN:
        return 1;
    case TBL_DATETIME:
        return 2;
    case TBL_STRING:
    case TBL_CATEGORICAL:
        break;
    }
    return 3;
}

/* Resolves both key selections and checks that they pair up: the same
 * count, and comparable types pair by pair. */
static int join_resolve(mod_ctx *ctx, const tbl_table *left, const tbl_table *right, size_t **lkeys,
                        size_t **rkeys, size_t *nkeys)
{
    size_t nl = 0, nr = 0;
    *lkeys = *rkeys = NULL;
    int rc = join_keys(ctx, "join_key_columns_for_l", left, lkeys, &nl);
    if (rc == 0) rc = join_keys(ctx, "join_key_columns_for_r", right, rkeys, &nr);
    if (rc == 0 && nl != nr)
        rc = mod_param_error(ctx, "join_key_columns_for_r",
                             "selects %zu key column%s but join_key_columns_for_l selects %zu: "
                             "the keys pair up one for one",
                             nr, nr == 1 ? "" : "s", nl);
    for (size_t k = 0; rc == 0 && k < nl; k++) {
        const tbl_column *lc = &left->cols[(*lkeys)[k]], *rcol = &right->cols[(*rkeys)[k]];
        if (join_key_class(lc->type) != join_key_class(rcol->type))
            rc = mod__field_error(ctx, "join_key_columns_for_r", WF_ETYPE,
                                  "key %zu: left column \"%s\" is %s but right column \"%s\" is "
                                  "%s; keys of different types never match (convert one with "
                                  "edit-metadata)",
                                  k + 1, lc->name, tbl_type_name(lc->type), rcol->name,
                                  tbl_type_name(rcol->type));
    }
    if (rc < 0) {
        free(*lkeys);
        free(*rkeys);
        *lkeys = *rkeys = NULL;
        return rc;
    }
    *nkeys = nl;
    return 0;
}

/* ---- run and configure -------------------------------------------------- */

/* Shared by run and configure: in configure the inputs hold no rows, and
 * joining them gives the output schema. */
static int join_apply(mod_ctx *ctx)
{
    size_t type;
    bool match_case, keep_right;
    int rc = mod__param_choice(ctx, "join_type", &type);
    if (rc == 0) rc = mod_param_bool(ctx, "match_case", &match_case);
    if (rc == 0) rc = mod_param_bool(ctx, "keep_right_key_columns_in_joined_table", &keep_right);
    if (rc < 0) return rc;
    const tbl_table *left = mod_input_table(ctx, "left_dataset");
    const tbl_table *right = mod_input_table(ctx, "right_dataset");
    if (left == NULL || right == NULL) {
        /* In configure, one unknown schema makes the result unknown. */
        if (ctx->schema_only) return 0;
        return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing",
                        left == NULL ? "left_dataset" : "right_dataset");
    }
    size_t *lkeys, *rkeys, nkeys;
    if ((rc = join_resolve(ctx, left, right, &lkeys, &rkeys, &nkeys)) < 0) return rc;
    static const tbl_join_kind kinds[] = {TBL_JOIN_INNER, TBL_JOIN_LEFT_OUTER, TBL_JOIN_FULL_OUTER,
                                          TBL_JOIN_LEFT_SEMI};
    tbl_join_options opt = {.kind = kinds[type],
                            .left_keys = lkeys,
                            .right_keys = rkeys,
                            .nkeys = nkeys,
                            .case_sensitive = match_case,
                            .keep_right_keys = keep_right};
    tbl_table *out = NULL;
    wf_error err = {0};
    rc = tbl_join(left, right, &opt, &out, &err);
    free(lkeys);
    free(rkeys);
    if (rc < 0) return mod_fail_with(ctx, &err);
    if (!ctx->schema_only)
        mod_log(ctx, "%s join of %zu and %zu rows on %zu key%s: %zu rows", join_types[type],
                left->nrows, right->nrows, nkeys, nkeys == 1 ? "" : "s", out->nrows);
    return mod_output_table(ctx, "dataset", out);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port join_in[] = {
    {.name = "left_dataset", .kind = MOD_TABLE, .help = "The left table."},
    {.name = "right_dataset", .kind = MOD_TABLE, .help = "The right table."},
};

static const mod_port join_out[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "The joined rows: the left table's columns, then the right table's."},
};

static const mod_param join_params[] = {
    {.name = "join_key_columns_for_l",
     .label = "Join key columns for L",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "left_dataset",
     .help = "The key columns of the left table."},
    {.name = "join_key_columns_for_r",
     .label = "Join key columns for R",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "right_dataset",
     .help = "The key columns of the right table: as many as on the left, paired in order."},
    {.name = "match_case",
     .label = "Match case",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Text keys match only with the same case. Off: ASCII letters match either case."},
    {.name = "join_type",
     .label = "Join type",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"inner\"",
     .choices = join_types,
     .help = "`inner`: matching rows only; `left-outer`: every left row; `full-outer`: every "
             "row of both; `left-semi`: the left rows that have a match, left columns only."},
    {.name = "keep_right_key_columns_in_joined_table",
     .label = "Keep right key columns in joined table",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Keep the right table's key columns in the output. Off: only the left keys."},
};

const mod_descriptor mod_join_data = {
    .name = "join-data",
    .version = 1,
    .display_name = "Join Data",
    .category = "Data Transformation",
    .help = "Joins two tables on key columns, as a database does.\n"
            "\n"
            "Each output row pairs a left row with a right row whose keys are all equal. The "
            "output has the left table's columns, then the right table's (without its keys "
            "unless `keep_right_key_columns_in_joined_table`); a right column whose name is "
            "already taken gets \" (2)\" after it.\n"
            "\n"
            "## Join types\n"
            "\n"
            "- **inner**: the matching pairs only.\n"
            "- **left-outer**: the matching pairs, and every left row without a match, with "
            "missing values in the right columns.\n"
            "- **full-outer**: as left-outer, plus every right row without a match at the end, "
            "with missing values in the left columns. When the right keys are dropped, the "
            "left key columns carry the keys of those rows (as pandas' `merge` does).\n"
            "- **left-semi**: the left rows that have at least one match, once each, with the "
            "left columns only.\n"
            "\n"
            "Left rows keep their order; a left row that matches several right rows comes out "
            "once per match, in right order.\n"
            "\n"
            "## Keys\n"
            "\n"
            "The two selections must select as many columns, and the keys pair up in order: "
            "the listed order when a selection lists names, else table order. Paired keys "
            "must be of comparable types: numbers (numeric and integer match by value), "
            "booleans, date-times, or text (string and categorical). A missing key, or NaN, "
            "never matches anything (as in SQL; pandas matches NaN with NaN). With "
            "`match_case` off, text keys match ignoring the case of ASCII letters.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Join key columns for L** (`join_key_columns_for_l`): required.\n"
            "- **Join key columns for R** (`join_key_columns_for_r`): required.\n"
            "- **Match case** (`match_case`, default true).\n"
            "- **Join type** (`join_type`, default `inner`): `inner`, `left-outer`, "
            "`full-outer` or `left-semi` (Azure's Inner Join, Left Outer Join, Full Outer Join "
            "and Left Semi-Join).\n"
            "- **Keep right key columns in joined table** "
            "(`keep_right_key_columns_in_joined_table`, default true).\n"
            "\n"
            "## Example\n"
            "\n"
            "Orders joined with customers on the customer id, keeping orders without a "
            "customer:\n"
            "\n"
            "```json\n"
            "{\"join_key_columns_for_l\": {\"include\": [{\"names\": [\"customer_id\"]}]},\n"
            " \"join_key_columns_for_r\": {\"include\": [{\"names\": [\"id\"]}]},\n"
            " \"join_type\": \"left-outer\", \"keep_right_key_columns_in_joined_table\": "
            "false}\n"
            "```\n",
    MOD_PORTS(inputs, join_in),
    MOD_PORTS(outputs, join_out),
    MOD_PARAMS(join_params),
    .configure = join_apply,
    .run = join_apply,
};
