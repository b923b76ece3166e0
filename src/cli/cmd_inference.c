/*
 * cmd_inference.c: `weft inference-pipeline`, "Create inference pipeline"
 * from the command line (engine/inference.c does the work):
 *
 *     weft inference-pipeline RUN_ID [--batch] [--node SCORE_NODE] [--input NODE] [-o P.json]
 *
 * The document goes to P.json (or standard output) and runs with `weft run`;
 * warnings go to standard error.
 */
#include "cli.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int cli_cmd_inference_pipeline(cli_context *ctx)
{
    static const char *usage =
        "weft inference-pipeline RUN_ID [--batch] [--node SCORE_NODE] [--input NODE] [-o P.json]";
    const char *id_text = NULL, *out = NULL;
    eng_inference_options opt = {.kind = ENG_INFERENCE_REALTIME};
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        bool has_value = i + 1 < ctx->argc;
        if (strcmp(a, "--batch") == 0) {
            opt.kind = ENG_INFERENCE_BATCH;
        } else if (strcmp(a, "--node") == 0 || strcmp(a, "--input") == 0 || strcmp(a, "-o") == 0) {
            if (!has_value) return cli_usage(usage, "%s needs a value", a);
            const char *v = ctx->argv[++i];
            if (strcmp(a, "--node") == 0)
                opt.score_node = v;
            else if (strcmp(a, "--input") == 0)
                opt.input_node = v;
            else
                out = v;
        } else if (id_text == NULL && a[0] != '-') {
            id_text = a;
        } else {
            return cli_usage(usage, "unexpected argument \"%s\"", a);
        }
    }
    if (id_text == NULL) return cli_usage(usage, "no run given");
    char *end = NULL;
    long long id = strtoll(id_text, &end, 10);
    if (*end != '\0' || id < 1 || id_text[0] == '+')
        return cli_usage(usage, "\"%s\" is not a run id", id_text);
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    json_t *doc = NULL, *warnings = NULL;
    int rc = eng_inference_pipeline(ws, (int64_t)id, &opt, &doc, &warnings, &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    size_t i;
    json_t *w;
    json_array_foreach(warnings, i, w) fprintf(stderr, "weft: warning: %s\n", json_string_value(w));
    json_decref(warnings);
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    if (text == NULL) return cli_fail(&(wf_error){WF_ENOMEM, "out of memory"});
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: the text is written by length from here */
    rc = 0;
    if (out == NULL) {
        if (fwrite(text, 1, len + 1, stdout) != len + 1) rc = 1;
    } else if (wf_write_file_atomic(out, text, len + 1, &err) < 0) {
        rc = cli_fail(&err);
    } else {
        fprintf(stderr, "wrote the %s inference pipeline of run %lld to %s\n",
                opt.kind == ENG_INFERENCE_BATCH ? "batch" : "real-time", id, out);
    }
    free(text);
    return rc;
}
