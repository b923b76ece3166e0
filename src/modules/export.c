/*
 * export.c: getting tables out of a pipeline. `export-data@1` (Azure's
 * Export Data) writes its input to a file, or registers it as a new version
 * of a named dataset through the engine's ctx->save_dataset hook (modules
 * never see the store). `convert-to-csv@1` (Azure's Convert to CSV) hands
 * its table on unchanged: every table output of a run already downloads as
 * CSV (GET /api/runs/{id}/steps/{node}/outputs/{port}/download answers CSV
 * unless asked for JSON), so the module marks the port to download rather
 * than storing a second copy of the data as text.
 */
#include "modules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* ---- export-data@1 ----------------------------------------------------- */

static const mod_port export_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table to export."},
};

enum { EXPORT_FILE, EXPORT_DATASET };
static const char *const export_destination_choices[] = {"file", "dataset", NULL};
static const char *const export_format_choices[] = {"csv", "tsv", "json", "native", NULL};
static const tbl_format export_formats[] = {TBL_FORMAT_CSV, TBL_FORMAT_TSV, TBL_FORMAT_JSON,
                                            TBL_FORMAT_NATIVE};

static const mod_param export_params[] = {
    {.name = "destination",
     .label = "Data destination",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"file\"",
     .choices = export_destination_choices,
     .help = "`file`: a file on the machine that runs the step. `dataset`: a new version of a "
             "registered dataset in this workspace."},
    {.name = "path",
     .label = "Path",
     .type = MOD_PARAM_STRING,
     .visible_when = "destination=file",
     .help = "The file to write (absolute, or relative to the directory weft was started "
             "in). Its directory must exist; a file already there is replaced."},
    {.name = "file_format",
     .label = "File format",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"csv\"",
     .choices = export_format_choices,
     .visible_when = "destination=file",
     .help = "`csv`, `tsv`, `json` (an array of records) or `native` (weft's own format, "
             "which keeps types, roles and categories)."},
    {.name = "dataset_name",
     .label = "Dataset name",
     .type = MOD_PARAM_STRING,
     .visible_when = "destination=dataset",
     .help = "The dataset to add a version to (made when new): letters, digits, '-', '_' "
             "and '.'."},
    {.name = "description",
     .label = "Description",
     .type = MOD_PARAM_STRING,
     .default_json = "\"\"",
     .visible_when = "destination=dataset",
     .help = "The new version's description."},
};

/* The checked parameters: *destination, and the path or dataset name. */
static int export_parse(mod_ctx *ctx, size_t *destination, size_t *format, const char **target)
{
    int rc = mod__param_choice(ctx, "destination", destination);
    if (rc < 0) return rc;
    *format = 0;
    if (*destination == EXPORT_FILE) {
        if ((rc = mod__param_choice(ctx, "file_format", format)) < 0) return rc;
        *target = mod_param_string(ctx, "path");
        if (*target == NULL || (*target)[strspn(*target, " \t")] == '\0')
            return mod_param_error(ctx, "path", "give the path of the file to write");
        return 0;
    }
    *target = mod_param_string(ctx, "dataset_name");
    if (*target == NULL || (*target)[0] == '\0')
        return mod_param_error(ctx, "dataset_name", "give the name of the dataset to write");
    /* The store checks the full rule when it registers; '@' would read as a
     * version everywhere a dataset is named, so catch it on the canvas. */
    if (strchr(*target, '@') != NULL)
        return mod_param_error(ctx, "dataset_name", "\"%s\": a dataset name has no '@'", *target);
    return 0;
}

static int export_configure(mod_ctx *ctx)
{
    size_t destination, format;
    const char *target;
    return export_parse(ctx, &destination, &format, &target);
}

static int export_run(mod_ctx *ctx)
{
    size_t destination, format;
    const char *target;
    int rc = export_parse(ctx, &destination, &format, &target);
    if (rc < 0) return rc;
    const tbl_table *t = mod_input_table(ctx, "dataset");
    if (t == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    wf_error err = {0};
    if (destination == EXPORT_FILE) {
        /* tbl_write_file writes beside the file and renames: a reader never
         * sees half a file, and a failure leaves the old one. */
        if (tbl_write_file(t, target, export_formats[format], &err) < 0)
            return mod_fail_with(ctx, &err);
        mod_log(ctx, "wrote %zu rows, %zu columns to %s (%s)", t->nrows, t->ncols, target,
                export_format_choices[format]);
        return 0;
    }
    if (ctx->save_dataset == NULL)
        return mod_fail(ctx, WF_EINVAL,
                        "dataset %s: no dataset store here (export to a dataset runs inside a "
                        "pipeline)",
                        target);
    const char *description = mod_param_string(ctx, "description");
    int version = 0;
    rc = ctx->save_dataset(ctx->user, target, t, description, &version, &err);
    if (rc < 0) {
        /* A bad name is the field's fault; a failing store is the node's. */
        if (rc == WF_EINVAL) return mod__field_error(ctx, "dataset_name", rc, "%s", err.message);
        return mod_fail_with(ctx, &err);
    }
    if (version > 0)
        mod_log(ctx, "registered %zu rows, %zu columns as dataset %s@%d", t->nrows, t->ncols,
                target, version);
    else
        mod_log(ctx, "stored %zu rows, %zu columns to register as the next version of dataset %s",
                t->nrows, t->ncols, target);
    return 0;
}

/* Writing is the point of the step: a run always writes again, even when
 * nothing upstream changed (the file may have been deleted since). */
static bool export_cacheable(const json_t *params)
{
    (void)params;
    return false;
}

const mod_descriptor mod_export_data = {
    .name = "export-data",
    .version = 1,
    .display_name = "Export Data",
    .category = "Data Input and Output",
    .help = "Saves a table outside the pipeline: to a file, or as a new version of a "
            "registered dataset that other pipelines can read.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Data destination** (`destination`, default `file`): `file` or `dataset`.\n"
            "- **Path** (`path`, destination `file`): the file to write. It is written "
            "atomically (beside the target, then renamed), so it is never half-written, and "
            "an existing file is replaced.\n"
            "- **File format** (`file_format`, default `csv`): `csv`, `tsv`, `json` or "
            "`native`. Only `native` keeps roles and categorical levels.\n"
            "- **Dataset name** (`dataset_name`, destination `dataset`): every run adds a "
            "version; the first makes the dataset.\n"
            "- **Description** (`description`): the new dataset version's description.\n"
            "\n"
            "The step always runs: its result is never reused from an earlier run, since "
            "writing is what it is for.\n"
            "\n"
            "## Outputs\n"
            "\n"
            "None. The step's log says what was written where (`registered ... as dataset "
            "sales@3`).\n"
            "\n"
            "## Differences from Azure\n"
            "\n"
            "Azure writes to its cloud datastores; weft writes local files or workspace "
            "datasets. Parquet is not offered; `json` and `native` are.\n"
            "\n"
            "## Example\n"
            "\n"
            "```json\n"
            "{\"destination\": \"dataset\", \"dataset_name\": \"scored-customers\",\n"
            " \"description\": \"nightly scoring\"}\n"
            "```\n",
    MOD_PORTS(inputs, export_in),
    MOD_PARAMS(export_params),
    .configure = export_configure,
    .run = export_run,
    .cacheable = export_cacheable,
};

/* ---- convert-to-csv@1 -------------------------------------------------- */

static const mod_port convert_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table to convert."},
};

static const mod_port convert_out[] = {
    {.name = "results_dataset",
     .kind = MOD_TABLE,
     .help = "The same table; download it to get the CSV file."},
};

static int convert_apply(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) {
        if (ctx->schema_only) return 0;
        return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    }
    tbl_table *t = NULL;
    wf_error err = {0};
    /* The same bytes make the same artifact, so the copy costs no storage. */
    if (tbl_clone(in, &t, &err) < 0) return mod_fail_with(ctx, &err);
    if (!ctx->schema_only)
        mod_log(ctx, "%zu rows, %zu columns: download results_dataset for the CSV file", t->nrows,
                t->ncols);
    return mod_output_table(ctx, "results_dataset", t);
}

const mod_descriptor mod_convert_to_csv = {
    .name = "convert-to-csv",
    .version = 1,
    .display_name = "Convert to CSV",
    .category = "Data Transformation",
    .help = "Makes a table available as a CSV file, to download and open in a spreadsheet or "
            "another tool.\n"
            "\n"
            "In weft every table output already downloads as CSV: the run's output menu, or "
            "`GET /api/runs/{id}/steps/{node}/outputs/results_dataset/download`, answers "
            "RFC 4180 CSV with a header row (`?format=json` gives JSON records instead). So "
            "this module stores nothing new: it passes its table on, and its output port is "
            "the one to download. Numbers print so that they read back exactly, date-times "
            "as ISO 8601 UTC, booleans as `true`/`false`, and missing values as empty "
            "fields.\n"
            "\n"
            "## Inputs\n"
            "\n"
            "- **dataset**: the table to convert.\n"
            "\n"
            "## Outputs\n"
            "\n"
            "- **results_dataset**: the same table, which downloads as CSV. Modules downstream "
            "read it as a table, with its types and roles (Azure's output is a CSV file that "
            "downstream modules parse again).\n"
            "\n"
            "## Example\n"
            "\n"
            "Connect a Score Model's output here, run, then download `results_dataset`:\n"
            "\n"
            "```\n"
            "curl -o scored.csv \\\n"
            "  http://localhost:8080/api/runs/7/steps/csv/outputs/results_dataset/download\n"
            "```\n",
    MOD_PORTS(inputs, convert_in),
    MOD_PORTS(outputs, convert_out),
    .configure = convert_apply,
    .run = convert_apply,
};
