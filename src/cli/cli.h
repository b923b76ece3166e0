/*
 * cli: the `weft` command. main.c parses the global options and dispatches to
 * one function per subcommand; each subcommand file holds one family.
 *
 * A subcommand returns the process exit status: 0 on success, 1 when the work
 * failed (the message is already on stderr), 2 for a usage error.
 */
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include "store/store.h"

#include <stdio.h>

typedef struct cli_context {
    const char *workspace_dir; /* --workspace, $WEFT_WORKSPACE, or ./workspace */
    int argc;                  /* the subcommand's arguments, after its name */
    char **argv;
} cli_context;

/* Opens the workspace; a new one gets the sample datasets registered (unless
 * WEFT_NO_SAMPLES is set, which tests use for speed). Prints and returns NULL
 * on failure. */
st_workspace *cli_open_workspace(const cli_context *ctx);

/* Prints "weft: <message>" to stderr and returns 1. */
int cli_fail(const wf_error *err);
/* Prints "weft <cmd>: <message>" and the usage line to stderr; returns 2. */
int cli_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses the ROWS of `-n ROWS`: a non-negative decimal count. 0 or -1. */
int cli_parse_rows(const char *text, long *rows);

/* Prints rows of cells as a table with aligned columns; right-aligns the
 * columns flagged in right_align (may be NULL). cells is nrows * ncols,
 * row-major, the first row being the header. */
void cli_print_aligned(const char *const *cells, size_t nrows, size_t ncols,
                       const bool *right_align);

int cli_cmd_import(cli_context *ctx);
int cli_cmd_datasets(cli_context *ctx);
int cli_cmd_head(cli_context *ctx);
int cli_cmd_profile(cli_context *ctx);
int cli_cmd_export(cli_context *ctx);

/* Prints the first `rows` rows of t as `weft head` does (show.c). 0 or
 * WF_ENOMEM. */
int cli_print_table_head(const tbl_table *t, size_t rows);

/* Pipelines and runs: cmd_run.c (validate, run, step, cancel) and
 * cmd_runs.c (runs, run-show, output, modules). */
int cli_cmd_validate(cli_context *ctx);
int cli_cmd_run(cli_context *ctx);
int cli_cmd_step(cli_context *ctx);
int cli_cmd_cancel(cli_context *ctx);
int cli_cmd_runs(cli_context *ctx);
int cli_cmd_run_show(cli_context *ctx);
int cli_cmd_output(cli_context *ctx);
int cli_cmd_modules(cli_context *ctx);
/* The HTTP server: cmd_serve.c. */
int cli_cmd_serve(cli_context *ctx);
/* -- inference pipelines and published pipelines (#10) -- */
/* `weft inference-pipeline` (cmd_inference.c). */
int cli_cmd_inference_pipeline(cli_context *ctx);
/* -- endpoints (#10) -- */
/* `weft endpoint deploy|list|show|delete|keys|export|serve` (cmd_endpoint.c). */
int cli_cmd_endpoint(cli_context *ctx);
/* -- compute targets (#12) -- */
int cli_cmd_compute(cli_context *ctx); /* cmd_compute.c: list, show, add, remove */
/* Prints a run's steps as a table, then why those that did not complete did
 * not (cmd_runs.c). 0, or -1 after printing the error. */
int cli_print_run_steps(st_workspace *ws, int64_t run_id);

/* Prints a readable summary of an evaluation report (report.c); false when
 * the JSON is not one, and nothing was printed. */
bool cli_print_report(FILE *f, const struct json_t *report);
/* Prints the summary of every evaluation report the run's steps made
 * (cmd_runs.c). */
void cli_print_run_reports(st_workspace *ws, int64_t run_id);

#endif
