/* main.c: `weft`'s global options, the workspace, and dispatch. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const cli__usage =
    "usage: weft [--workspace DIR] COMMAND [ARGS]\n"
    "\n"
    "Datasets:\n"
    "  import FILE --name NAME [--format csv|tsv|arff|json|native] [--description TEXT]\n"
    "                       register FILE as the next version of dataset NAME\n"
    "  datasets [--all] [--names]\n"
    "                       list the datasets (--all: with archived ones)\n"
    "  head NAME[@V] [-n 20]  print the first rows\n"
    "  profile NAME[@V] [--json]\n"
    "                       print each column's statistics\n"
    "  export NAME[@V] --format csv|tsv|json [-o FILE]\n"
    "                       write a dataset out (to stdout without -o)\n"
    "\n"
    "Pipelines and runs:\n"
    "  modules [--json]     list the modules\n"
    "  validate PIPELINE.json [--param K=V]...\n"
    "                       check a pipeline; print each issue as node.field: message\n"
    "  run PIPELINE.json [--experiment E] [--param K=V]... [--jobs N] [--no-cache]\n"
    "      [--time-limit S] [--memory-limit MB] [--compute TARGET] [--verbose]\n"
    "                       run a pipeline, reusing cached steps\n"
    "  runs [--experiment E] [-n N]\n"
    "                       list runs, newest first\n"
    "  run-show ID [--json] show a run and its steps\n"
    "  output ID NODE.PORT [-n 20]\n"
    "                       print a step's output (a table's first rows, or JSON)\n"
    "  cancel ID            ask a running run to stop\n"
    "  step [--report-fd N] [FILE|-]\n"
    "                       run one step (what `weft run` starts for each node)\n"
    "  inference-pipeline RUN_ID [--batch] [--node SCORE_NODE] [--input NODE] [-o P.json]\n"
    "                       make a real-time (or batch) inference pipeline from a\n"
    "                       completed training run\n"
    "\n"
    "Compute targets (where steps run; docs/slurm.md):\n"
    "  compute list [--json]  list the targets (\"local\" is built in)\n"
    "  compute show NAME [--json]\n"
    "  compute add NAME [--kind slurm|local] [--partition P] [--account A] [--time-limit T]\n"
    "      [--cpus N] [--memory-mb N] [--sbatch-arg ARG]... [--shared-workspace PATH]\n"
    "      [--weft PATH] [--retries N] [--max-jobs N] [--config JSON] [--replace]\n"
    "                       add (or with --replace, change) a target\n"
    "  compute remove NAME  remove a target\n"
    "\n"
    "Server:\n"
    "  serve [--host 127.0.0.1] [--port 8080] [--token T] [--jobs N] [--ui DIR]\n"
    "                       serve the REST API and the UI until SIGINT or SIGTERM\n"
    "\n"
    "Endpoints (real-time scoring; docs/deploy.md):\n"
    "  endpoint deploy NAME PIPELINE.json [--replace] [--description TEXT]\n"
    "                       deploy an inference pipeline (prints its keys, once)\n"
    "  endpoint list | show NAME [--json] | delete NAME\n"
    "  endpoint keys NAME --regenerate primary|secondary\n"
    "                       replace a key (the old one stops working)\n"
    "  endpoint export NAME DIR\n"
    "                       write a self-contained bundle of the endpoint\n"
    "  endpoint serve DIR [--host 127.0.0.1] [--port 8080] [--key-file F]\n"
    "                       score from a bundle: no workspace, no database\n"
    "\n"
    "The workspace is --workspace DIR, else $WEFT_WORKSPACE, else ./workspace.\n"
    "A new workspace gets the sample datasets.\n";

typedef struct cli__command {
    const char *name;
    int (*run)(cli_context *ctx);
} cli__command;

static const cli__command cli__commands[] = {
    {"import", cli_cmd_import},     {"datasets", cli_cmd_datasets}, {"head", cli_cmd_head},
    {"profile", cli_cmd_profile},   {"export", cli_cmd_export},     {"modules", cli_cmd_modules},
    {"validate", cli_cmd_validate}, {"run", cli_cmd_run},           {"runs", cli_cmd_runs},
    {"run-show", cli_cmd_run_show}, {"output", cli_cmd_output},     {"cancel", cli_cmd_cancel},
    {"step", cli_cmd_step},         {"serve", cli_cmd_serve},
    /* -- inference pipelines and published pipelines (#10) -- */
    {"inference-pipeline", cli_cmd_inference_pipeline},
    /* -- endpoints (#10) -- */
    {"endpoint", cli_cmd_endpoint},
    /* -- compute targets (#12) -- */
    {"compute", cli_cmd_compute},
};

int cli_fail(const wf_error *err)
{
    fprintf(stderr, "weft: %s\n", err->message[0] ? err->message : wf_strerror(err->code));
    return 1;
}

int cli_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("weft: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nusage: %s\n", usage);
    va_end(ap);
    return 2;
}

st_workspace *cli_open_workspace(const cli_context *ctx)
{
    wf_error err = {0};
    char *db = malloc(strlen(ctx->workspace_dir) + 16);
    if (db == NULL) {
        fputs("weft: out of memory\n", stderr);
        return NULL;
    }
    sprintf(db, "%s/weft.db", ctx->workspace_dir);
    struct stat st;
    bool is_new = stat(db, &st) != 0;
    free(db);

    st_workspace *ws = NULL;
    if (st_open(ctx->workspace_dir, &ws, &err) < 0) {
        cli_fail(&err);
        return NULL;
    }
    const char *skip = getenv("WEFT_NO_SAMPLES");
    if (is_new && (skip == NULL || skip[0] == '\0')) {
        char *dir = st_samples_dir();
        char *warnings = NULL;
        if (dir == NULL || st_register_samples(ws, dir, &warnings, &err) < 0) {
            fprintf(stderr, "weft: could not register the sample datasets: %s\n",
                    err.message[0] ? err.message : "out of memory");
        }
        if (warnings) fprintf(stderr, "weft: %s", warnings);
        free(warnings);
        free(dir);
    }
    return ws;
}

int main(int argc, char **argv)
{
    cli_context ctx = {0};
    const char *env = getenv("WEFT_WORKSPACE");
    ctx.workspace_dir = env && env[0] ? env : "workspace";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--workspace") == 0 && i + 1 < argc) {
            ctx.workspace_dir = argv[++i];
        } else if (strncmp(argv[i], "--workspace=", 12) == 0) {
            ctx.workspace_dir = argv[i] + 12;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(cli__usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "weft: unknown option %s\n\n%s", argv[i], cli__usage);
            return 2;
        }
    }
    if (i == argc) {
        fputs(cli__usage, stderr);
        return 2;
    }
    if (strcmp(argv[i], "help") == 0) {
        fputs(cli__usage, stdout);
        return 0;
    }
    for (size_t c = 0; c < sizeof cli__commands / sizeof cli__commands[0]; c++) {
        if (strcmp(argv[i], cli__commands[c].name) == 0) {
            ctx.argc = argc - i - 1;
            ctx.argv = argv + i + 1;
            return cli__commands[c].run(&ctx);
        }
    }
    fprintf(stderr, "weft: unknown command \"%s\"\n\n%s", argv[i], cli__usage);
    return 2;
}
