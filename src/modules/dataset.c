/*
 * dataset.c: `dataset@1`, the node that stands for a registered dataset on
 * the canvas. It never sees the workspace: the engine hands it a loader
 * (ctx->load_dataset) that resolves "name@version" to a table. Loading is a
 * memory map of a native artifact, so configure loads too, to learn the
 * schema that flows downstream.
 */
#include "modules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const mod_port dataset_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The dataset's rows and columns."},
};

static const mod_param dataset_params[] = {
    {.name = "dataset",
     .label = "Dataset",
     .type = MOD_PARAM_DATASET,
     .required = true,
     .help = "The name of a registered dataset."},
    {.name = "version",
     .label = "Version",
     .type = MOD_PARAM_STRING,
     .default_json = "\"latest\"",
     .help = "Which version to read: `latest`, or a version number such as `2` (a JSON "
             "number or a string of digits). A run records the version it resolved, so "
             "running its snapshot again reads the same data."},
};

/* Builds "name@version" into ref, checking both parameters. */
static int dataset_ref(mod_ctx *ctx, char *ref, size_t cap)
{
    const char *name = mod_param_string(ctx, "dataset");
    if (name == NULL || name[0] == '\0')
        return mod_param_error(ctx, "dataset", "choose a registered dataset");
    if (strchr(name, '@') != NULL)
        return mod_param_error(ctx, "dataset",
                               "\"%s\": a dataset name has no '@'; set the version in "
                               "\"version\"",
                               name);
    /* The context reads a number given for this string parameter as its
     * digits, so `2` and `"2"` both arrive here as "2". */
    const json_t *v = mod_param_value(ctx, "version");
    if (v != NULL && !json_is_null(v) && !json_is_string(v))
        return mod_param_error(ctx, "version", "use \"latest\" or a version number from 1");
    const char *version = v != NULL && json_is_string(v) ? json_string_value(v) : "latest";
    size_t n = strlen(version);
    bool digits = n > 0 && n < 16 && version[0] != '0';
    for (size_t i = 0; digits && i < n; i++)
        digits = version[i] >= '0' && version[i] <= '9';
    if (strcmp(version, "latest") != 0 && !digits)
        return mod_param_error(
            ctx, "version", "\"%s\" is not a version: use \"latest\" or a number from 1", version);
    if ((size_t)snprintf(ref, cap, "%s@%s", name, version) >= cap)
        return mod_param_error(ctx, "dataset", "the dataset name is too long");
    return 0;
}

static int dataset_load(mod_ctx *ctx, const char *ref, tbl_table **out)
{
    wf_error err = {0};
    *out = NULL;
    int rc = ctx->load_dataset(ctx->user, ref, out, &err);
    if (rc < 0 || *out == NULL) {
        tbl_free(*out);
        *out = NULL;
        if (rc >= 0) rc = WF_EINVAL;
        /* A dataset that cannot be found is the "dataset" field's fault;
         * anything else (a corrupt artifact) is the node's. */
        const char *field = rc == WF_ENOTFOUND ? "dataset" : "";
        return mod__field_error(ctx, field, rc, "dataset %s: %s", ref,
                                err.message[0] ? err.message : wf_strerror(rc));
    }
    return 0;
}

static int dataset_configure(mod_ctx *ctx)
{
    char ref[1024];
    int rc = dataset_ref(ctx, ref, sizeof ref);
    if (rc < 0) return rc;
    if (ctx->load_dataset == NULL) return 0; /* the schema stays unknown */
    tbl_table *t = NULL;
    rc = dataset_load(ctx, ref, &t);
    if (rc == 0) rc = mod__output_schema(ctx, "dataset", t);
    tbl_free(t);
    return rc;
}

static int dataset_run(mod_ctx *ctx)
{
    char ref[1024];
    int rc = dataset_ref(ctx, ref, sizeof ref);
    if (rc < 0) return rc;
    if (ctx->load_dataset == NULL)
        return mod_fail(ctx, WF_EINVAL,
                        "dataset %s: no dataset loader (dataset@1 runs inside a pipeline)", ref);
    tbl_table *t = NULL;
    rc = dataset_load(ctx, ref, &t);
    if (rc < 0) return rc;
    mod_log(ctx, "read dataset %s: %zu rows, %zu columns", ref, t->nrows, t->ncols);
    return mod_output_table(ctx, "dataset", t);
}

const mod_descriptor mod_dataset = {
    .name = "dataset",
    .version = 1,
    .display_name = "Dataset",
    .category = "Datasets",
    .help = "Reads a registered dataset: a named, versioned, immutable table.\n"
            "\n"
            "Drag a dataset from the palette onto the canvas and connect its output to the "
            "modules that use it. The schema (column names, types and roles) is known as "
            "soon as the dataset is chosen, so the modules downstream can check their "
            "column selections before anything runs.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Dataset** (`dataset`, required): the dataset's registered name.\n"
            "- **Version** (`version`, default `latest`): `latest`, or a version number. "
            "A run resolves `latest` to a number and records it in its snapshot.\n"
            "\n"
            "## Output\n"
            "\n"
            "- **dataset**: the dataset as a table.\n"
            "\n"
            "## Example\n"
            "\n"
            "```json\n"
            "{\"id\": \"cars\", \"module\": \"dataset@1\",\n"
            " \"params\": {\"dataset\": \"automobile-price\", \"version\": 2}}\n"
            "```\n",
    MOD_PORTS(outputs, dataset_out),
    MOD_PARAMS(dataset_params),
    .configure = dataset_configure,
    .run = dataset_run,
};
