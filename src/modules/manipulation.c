/*
 * manipulation.c: the Azure designer's basic data manipulation modules:
 * Select Columns in Dataset, Edit Metadata, Add Rows and Enter Data Manually.
 * Each works on whole tables through table.h; run and configure share one
 * code path, since the table operations work just as well on the zero-row
 * tables configure sees (so configure reports exactly what run would).
 */
#include "modules_int.h"

#include <stdlib.h>
#include <string.h>

static const mod_port one_table_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table to work on."},
};

/* ---- select-columns@1 ------------------------------------------------- */

static const mod_port select_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The selected columns, in table order."},
};

static const mod_param select_params[] = {
    {.name = "columns",
     .label = "Select columns",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The columns to keep: by name, type, role or index, with include and exclude "
             "rules applied in order (docs/formats.md, section 2)."},
};

/* A new table of t's columns idx[0..n), sharing t's buffers (modules.h:
 * an output may share an input's columns), so selecting costs nothing per
 * row. */
static int take_columns(mod_ctx *ctx, const tbl_table *t, const size_t *idx, size_t n,
                        tbl_table **out)
{
    wf_error err = {0};
    tbl_table *res = tbl_new();
    if (res == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory selecting columns");
    res->nrows = t->nrows;
    for (size_t k = 0; k < n; k++) {
        tbl_column c;
        int rc = tbl_column_share(&c, &t->cols[idx[k]], &err);
        if (rc == 0 && (rc = tbl_add_column(res, &c, t->nrows, &err)) < 0) tbl_column_clear(&c);
        if (rc < 0) {
            tbl_free(res);
            return mod_fail_with(ctx, &err);
        }
    }
    *out = res;
    return 0;
}

/* Shared by run and configure: both produce the selected columns. */
static int select_columns_apply(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) {
        if (!ctx->schema_only) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
        /* The schema is unknown: still check that the selection parses. */
        tbl_selection sel;
        int rc = mod_param_selection(ctx, "columns", &sel);
        tbl_selection_clear(&sel);
        return rc;
    }
    size_t *idx = NULL, n = 0;
    int rc = mod__resolve_selection(ctx, "columns", in, &idx, &n);
    tbl_table *out = NULL;
    if (rc == 0) rc = take_columns(ctx, in, idx, n, &out);
    free(idx);
    if (rc < 0) return rc;
    if (!ctx->schema_only) mod_log(ctx, "kept %zu of %zu columns", out->ncols, in->ncols);
    return mod_output_table(ctx, "dataset", out);
}

const mod_descriptor mod_select_columns = {
    .name = "select-columns",
    .version = 1,
    .display_name = "Select Columns in Dataset",
    .category = "Data Transformation",
    .help = "Keeps a subset of the columns of a table and drops the rest.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Select columns** (`columns`, required): a column selection. Rules pick "
            "columns by name, by type (`numeric` also matches integers), by role or by "
            "1-based index range, and apply in order; a name that is not in the input is "
            "an error, and so is a selection that matches no column.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the selected columns with all their rows, types and roles.\n"
            "\n"
            "The columns come out in the input's order, whatever order the rules name "
            "them in.\n"
            "\n"
            "## Example\n"
            "\n"
            "Every numeric column except the label:\n"
            "\n"
            "```json\n"
            "{\"columns\": {\"include\": [{\"type\": \"numeric\"}],\n"
            "             \"exclude\": [{\"role\": \"label\"}]}}\n"
            "```\n",
    MOD_PORTS(inputs, one_table_in),
    MOD_PORTS(outputs, select_out),
    MOD_PARAMS(select_params),
    .configure = select_columns_apply,
    .run = select_columns_apply,
};

/* ---- edit-metadata@1 -------------------------------------------------- */

static const char *const edit_type_choices[] = {"unchanged", "string",   "integer", "numeric",
                                                "boolean",   "datetime", NULL};
static const tbl_type edit_types[] = {0,           TBL_STRING,  TBL_INTEGER,
                                      TBL_NUMERIC, TBL_BOOLEAN, TBL_DATETIME};
static const char *const edit_categorical_choices[] = {"unchanged", "categorical",
                                                       "non-categorical", NULL};
enum {
    EDIT_FIELDS_UNCHANGED,
    EDIT_FEATURES,
    EDIT_LABELS,
    EDIT_WEIGHTS,
    EDIT_CLEAR_FEATURES,
    EDIT_CLEAR_LABELS,
    EDIT_CLEAR_WEIGHTS,
    EDIT_CLEAR_SCORES
};
static const char *const edit_fields_choices[] = {"unchanged",     "features",       "labels",
                                                  "weights",       "clear-features", "clear-labels",
                                                  "clear-weights", "clear-scores",   NULL};

static const mod_param edit_params[] = {
    {.name = "columns",
     .label = "Column",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The columns whose metadata to change."},
    {.name = "data_type",
     .label = "Data type",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"unchanged\"",
     .choices = edit_type_choices,
     .help = "Converts the selected columns to this type. `numeric` is Azure's "
             "\"Floating point\". A value that does not convert fails the step, naming its "
             "column and row."},
    {.name = "categorical",
     .label = "Categorical",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"unchanged\"",
     .choices = edit_categorical_choices,
     .help = "`categorical` makes the columns categorical (a dictionary of levels); "
             "`non-categorical` turns categorical columns back into strings."},
    {.name = "fields",
     .label = "Fields",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"unchanged\"",
     .choices = edit_fields_choices,
     .help = "The role of the columns for learners: features, the label, the weight, or "
             "clearing one of those roles (or the score role)."},
    {.name = "new_names",
     .label = "New column names",
     .type = MOD_PARAM_STRING,
     .default_json = "\"\"",
     .help = "Comma-separated new names for the selected columns, in table order; as many "
             "names as selected columns. Empty: keep the names."},
};

/* Applies the data type and categorical changes to column i. */
static int edit_retype(mod_ctx *ctx, tbl_table *t, size_t i, size_t type_choice, size_t cat_choice)
{
    wf_error err = {0};
    if (type_choice != 0 && tbl_cast_column(t, i, edit_types[type_choice], false, &err) < 0)
        return mod__field_error(ctx, "data_type", err.code, "%s", err.message);
    tbl_type now = t->cols[i].type;
    tbl_type want = now;
    if (cat_choice == 1) want = TBL_CATEGORICAL;
    if (cat_choice == 2 && now == TBL_CATEGORICAL) want = TBL_STRING;
    if (want != now && tbl_cast_column(t, i, want, false, &err) < 0)
        return mod__field_error(ctx, "categorical", err.code, "%s", err.message);
    return 0;
}

/* Sets the role change of `fields` on the selected columns. A table has at
 * most one label and one weight (learners take "the" label), so naming a new
 * one demotes the old one to a feature. */
static int edit_roles(mod_ctx *ctx, tbl_table *t, const size_t *idx, size_t n, size_t fields)
{
    if (fields == EDIT_LABELS || fields == EDIT_WEIGHTS) {
        const char *what = fields == EDIT_LABELS ? "label" : "weight";
        if (n != 1)
            return mod_param_error(
                ctx, "columns", "a table has one %s column, but %zu columns are selected", what, n);
        tbl_role role = fields == EDIT_LABELS ? TBL_ROLE_LABEL : TBL_ROLE_WEIGHT;
        tbl_column *c = &t->cols[idx[0]];
        if (role == TBL_ROLE_WEIGHT && c->type != TBL_NUMERIC && c->type != TBL_INTEGER)
            return mod_param_error(ctx, "fields",
                                   "column \"%s\" is %s: a weight column must be numeric", c->name,
                                   tbl_type_name(c->type));
        for (size_t j = 0; j < t->ncols; j++)
            if (t->cols[j].role == role && j != idx[0]) t->cols[j].role = TBL_ROLE_FEATURE;
        c->role = role;
        return 0;
    }
    for (size_t k = 0; k < n; k++) {
        tbl_column *c = &t->cols[idx[k]];
        switch (fields) {
        case EDIT_FEATURES:
            c->role = TBL_ROLE_FEATURE;
            break;
        case EDIT_CLEAR_FEATURES:
            if (c->role == TBL_ROLE_FEATURE) c->role = TBL_ROLE_CLEAR;
            break;
        case EDIT_CLEAR_LABELS:
            if (c->role == TBL_ROLE_LABEL) c->role = TBL_ROLE_FEATURE;
            break;
        case EDIT_CLEAR_WEIGHTS:
            if (c->role == TBL_ROLE_WEIGHT) c->role = TBL_ROLE_FEATURE;
            break;
        case EDIT_CLEAR_SCORES:
            if (c->role == TBL_ROLE_SCORE) c->role = TBL_ROLE_FEATURE;
            break;
        default:
            break;
        }
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Renames the selected columns from the comma-separated `new_names`. */
static int edit_rename(mod_ctx *ctx, tbl_table *t, const size_t *idx, size_t n)
{
    const char *list = mod_param_string(ctx, "new_names");
    if (list == NULL || strspn(list, " \t") == strlen(list)) return 0;
    char **names = wf_calloc(n, sizeof *names);
    if (names == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory renaming columns");
    int rc = 0;
    size_t count = 0;
    for (const char *p = list;; count++) {
        const char *end = strchr(p, ',');
        if (end == NULL) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (a == b) {
            rc = mod_param_error(ctx, "new_names", "name %zu is empty", count + 1);
            goto done;
        }
        if (count < n && (names[count] = wf_strndup(a, (size_t)(b - a))) == NULL) {
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory renaming columns");
            goto done;
        }
        if (*end == '\0') break;
        p = end + 1;
    }
    count++;
    if (count != n) {
        rc =
            mod_param_error(ctx, "new_names", "%zu names given for %zu selected columns", count, n);
        goto done;
    }
    /* Check the resulting names are unique before changing anything: sort
     * them, and equal names end up side by side. */
    const char **final = wf_calloc(t->ncols, sizeof *final);
    if (final == NULL) {
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory renaming columns");
        goto done;
    }
    for (size_t j = 0; j < t->ncols; j++)
        final[j] = t->cols[j].name;
    for (size_t k = 0; k < n; k++)
        final[idx[k]] = names[k];
    qsort(final, t->ncols, sizeof *final, compare_names);
    for (size_t j = 1; j < t->ncols && rc == 0; j++)
        if (strcmp(final[j - 1], final[j]) == 0)
            rc = mod_param_error(ctx, "new_names", "two columns would be named \"%s\"", final[j]);
    free(final);
    for (size_t k = 0; k < n && rc == 0; k++) {
        free(t->cols[idx[k]].name);
        t->cols[idx[k]].name = names[k];
        names[k] = NULL;
    }
done:
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
    return rc;
}

static int edit_metadata_apply(mod_ctx *ctx)
{
    size_t type_choice, cat_choice, fields;
    int rc = mod__param_choice(ctx, "data_type", &type_choice);
    if (rc == 0) rc = mod__param_choice(ctx, "categorical", &cat_choice);
    if (rc == 0) rc = mod__param_choice(ctx, "fields", &fields);
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (rc == 0 && in == NULL) {
        if (!ctx->schema_only) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
        /* The schema is unknown: still check that the selection parses. */
        tbl_selection sel;
        rc = mod_param_selection(ctx, "columns", &sel);
        tbl_selection_clear(&sel);
        return rc;
    }
    if (rc < 0) return rc;
    size_t *idx = NULL, n = 0;
    rc = mod__resolve_selection(ctx, "columns", in, &idx, &n);
    if (rc < 0) return rc;
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_clone(in, &t, &err) < 0) {
        free(idx);
        return mod_fail_with(ctx, &err);
    }
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = edit_retype(ctx, t, idx[k], type_choice, cat_choice);
    if (rc == 0) rc = edit_roles(ctx, t, idx, n, fields);
    if (rc == 0) rc = edit_rename(ctx, t, idx, n);
    free(idx);
    if (rc < 0) {
        tbl_free(t);
        return rc;
    }
    if (!ctx->schema_only) mod_log(ctx, "edited the metadata of %zu columns", n);
    return mod_output_table(ctx, "dataset", t);
}

static const mod_port edit_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table with the new metadata."},
};

const mod_descriptor mod_edit_metadata = {
    .name = "edit-metadata",
    .version = 1,
    .display_name = "Edit Metadata",
    .category = "Data Transformation",
    .help = "Changes the metadata of columns: their data type, whether they are "
            "categorical, their role for learners, and their names. The values are kept "
            "(converted when the type changes).\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Column** (`columns`, required): the columns to edit.\n"
            "- **Data type** (`data_type`, default `unchanged`): `string`, `integer`, "
            "`numeric` (Azure's \"Floating point\"), `boolean` or `datetime`. Text converts "
            "as the CSV reader would parse it; numbers, integers and booleans convert among "
            "themselves without rounding (2.5 is not an integer); datetimes convert only "
            "to and from text. A value that does not convert fails the step.\n"
            "- **Categorical** (`categorical`, default `unchanged`): `categorical` or "
            "`non-categorical`. It applies after the data type. weft's categorical columns "
            "hold text levels, so a categorical integer column has the levels \"1\", "
            "\"2\"...; `non-categorical` turns a categorical column into a string column.\n"
            "- **Fields** (`fields`, default `unchanged`): `features`, `labels`, `weights`, "
            "`clear-features` (learners ignore the column), `clear-labels`, "
            "`clear-weights` or `clear-scores` (the cleared column becomes a feature). A "
            "table has one label and one weight column: `labels` and `weights` take "
            "exactly one column and demote the previous one to a feature. `weights` and "
            "`clear-weights` are weft additions.\n"
            "- **New column names** (`new_names`): comma-separated names for the selected "
            "columns, in table order, as many as there are selected columns.\n"
            "\n"
            "Changes apply in that order: type, categorical, role, names.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the input with the selected columns' metadata changed.\n"
            "\n"
            "## Example\n"
            "\n"
            "Make `class` the categorical label:\n"
            "\n"
            "```json\n"
            "{\"columns\": {\"include\": [{\"names\": [\"class\"]}]},\n"
            " \"categorical\": \"categorical\", \"fields\": \"labels\"}\n"
            "```\n",
    MOD_PORTS(inputs, one_table_in),
    MOD_PORTS(outputs, edit_out),
    MOD_PARAMS(edit_params),
    .configure = edit_metadata_apply,
    .run = edit_metadata_apply,
};

/* ---- add-rows@1 ------------------------------------------------------- */

static const mod_port add_rows_in[] = {
    {.name = "dataset1", .kind = MOD_TABLE, .help = "The rows that come first."},
    {.name = "dataset2", .kind = MOD_TABLE, .help = "The rows appended after them."},
};

static const mod_port add_rows_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The rows of both tables."},
};

static int add_rows_apply(mod_ctx *ctx)
{
    const tbl_table *a = mod_input_table(ctx, "dataset1");
    const tbl_table *b = mod_input_table(ctx, "dataset2");
    if (a == NULL || b == NULL) {
        /* In configure, one unknown schema makes the result unknown. */
        if (ctx->schema_only) return 0;
        return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing", a ? "dataset2" : "dataset1");
    }
    tbl_table *out = NULL;
    wf_error err = {0};
    if (tbl_concat_rows(a, b, &out, &err) < 0)
        return mod__field_error(ctx, "", err.code,
                                "cannot add the rows of dataset2 to dataset1: %s", err.message);
    if (!ctx->schema_only) mod_log(ctx, "%zu + %zu = %zu rows", a->nrows, b->nrows, out->nrows);
    return mod_output_table(ctx, "dataset", out);
}

const mod_descriptor mod_add_rows = {
    .name = "add-rows",
    .version = 1,
    .display_name = "Add Rows",
    .category = "Data Transformation",
    .help = "Appends the rows of one table to the rows of another (a SQL `UNION ALL`).\n"
            "\n"
            "The two tables must have the same column names, in any order; the output has "
            "the first table's column order. Types must agree, except that an integer "
            "column widens to numeric when the other table's column is numeric, and "
            "categorical columns merge their levels. Roles come from the first table.\n"
            "\n"
            "## Inputs\n"
            "\n"
            "- **dataset1**: the rows that come first.\n"
            "- **dataset2**: the rows appended after them.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: every row of dataset1, then every row of dataset2.\n"
            "\n"
            "## Example\n"
            "\n"
            "Adding a table of 3 rows to one of 5 rows with the columns `a, b` and `b, a` "
            "gives 8 rows with the columns `a, b`.\n",
    MOD_PORTS(inputs, add_rows_in),
    MOD_PORTS(outputs, add_rows_out),
    .configure = add_rows_apply,
    .run = add_rows_apply,
};

/* ---- enter-data@1 ----------------------------------------------------- */

static const char *const enter_format_choices[] = {"csv", "tsv", "arff", NULL};

static const mod_param enter_params[] = {
    {.name = "data_format",
     .label = "DataFormat",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"csv\"",
     .choices = enter_format_choices,
     .help = "How the data is written: `csv` (comma-separated), `tsv` (tab-separated) or "
             "`arff` (Weka's format)."},
    {.name = "has_header",
     .label = "HasHeader",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "data_format=csv|tsv",
     .help = "Whether the first line names the columns. Without a header the columns are "
             "named \"Column 1\", \"Column 2\"..."},
    {.name = "data",
     .label = "Data",
     .type = MOD_PARAM_TEXT,
     .required = true,
     .help = "The rows, typed or pasted."},
};

static const mod_port enter_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table the text describes."},
};

/* Shared by run and configure: parsing the text is cheap, and configure
 * needs the resulting schema anyway. */
static int enter_data_apply(mod_ctx *ctx)
{
    size_t format;
    bool header = true;
    int rc = mod__param_choice(ctx, "data_format", &format);
    if (rc == 0 && format != 2) rc = mod_param_bool(ctx, "has_header", &header);
    if (rc < 0) return rc;
    const char *data = mod_param_string(ctx, "data");
    if (data == NULL || data[strspn(data, " \t\r\n")] == '\0')
        return mod_param_error(ctx, "data", "there is no data: type or paste some rows");
    char *warnings = NULL;
    tbl_read_options opt = {.header = header ? TBL_HEADER_PRESENT : TBL_HEADER_ABSENT,
                            .warnings = &warnings};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (format == 2) {
        opt.format = TBL_FORMAT_ARFF;
        rc = tbl_read_arff(data, strlen(data), &opt, &t, &err);
    } else {
        opt.format = format == 0 ? TBL_FORMAT_CSV : TBL_FORMAT_TSV;
        opt.delimiter = format == 0 ? ',' : '\t';
        rc = tbl_read_csv(data, strlen(data), &opt, &t, &err);
    }
    if (rc < 0) {
        free(warnings);
        /* The reader's message already says where: "line 3: ...". */
        return mod__field_error(ctx, "data", rc, "%s", err.message);
    }
    if (warnings != NULL && !ctx->schema_only) mod_log(ctx, "%s", warnings);
    free(warnings);
    /* In configure, mod_output_table keeps only the schema. */
    if (!ctx->schema_only) mod_log(ctx, "read %zu rows, %zu columns", t->nrows, t->ncols);
    return mod_output_table(ctx, "dataset", t);
}

const mod_descriptor mod_enter_data = {
    .name = "enter-data",
    .version = 1,
    .display_name = "Enter Data Manually",
    .category = "Data Input and Output",
    .help = "Makes a small table from text typed or pasted into the properties pane: "
            "lookup tables, test rows, a handful of labels.\n"
            "\n"
            "Column types are inferred from every value, as when a CSV file is uploaded: "
            "integers, numbers, booleans, date-times, and otherwise strings (categorical "
            "when few distinct values repeat). Empty fields, `NA`, `NaN` and `?` are "
            "missing.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **DataFormat** (`data_format`, default `csv`): `csv`, `tsv` or `arff`. "
            "(Azure's SvmLight is not supported.)\n"
            "- **HasHeader** (`has_header`, default `true`; CSV and TSV only): whether the "
            "first line names the columns.\n"
            "- **Data** (`data`, required): the text. An error names the line, and the "
            "column or field, that is wrong.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the table.\n"
            "\n"
            "## Example\n"
            "\n"
            "```\n"
            "city,population,coastal\n"
            "Lisbon,545000,true\n"
            "Madrid,3223000,false\n"
            "```\n"
            "\n"
            "gives three columns: `city` (string), `population` (integer) and `coastal` "
            "(boolean).\n",
    MOD_PORTS(outputs, enter_out),
    MOD_PARAMS(enter_params),
    .configure = enter_data_apply,
    .run = enter_data_apply,
};
