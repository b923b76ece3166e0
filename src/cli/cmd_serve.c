/* cmd_serve.c: `weft serve`, the workspace as an HTTP service (server.h). */
#include "cli.h"
#include "server/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cli__serve_usage =
    "weft serve [--host 127.0.0.1] [--port 8080] [--token T] [--jobs N] [--ui DIR]\n"
    "       [--port-file FILE] [--body-seconds S]";

/* Reads an integer option value in [lo, hi]. */
static bool cli__int_arg(const char *text, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) return false;
    *out = (int)v;
    return true;
}

int cli_cmd_serve(cli_context *ctx)
{
    srv_options opt = {.workspace_dir = ctx->workspace_dir};
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        const char *v = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
        if (strcmp(a, "--workspace") == 0 && v) {
            opt.workspace_dir = ctx->argv[++i];
        } else if (strcmp(a, "--host") == 0 && v) {
            opt.host = ctx->argv[++i];
        } else if (strcmp(a, "--port") == 0 && v) {
            /* -1: any free port (tests; the port is printed and written to
             * --port-file). */
            if (!cli__int_arg(v, -1, 65535, &opt.port))
                return cli_usage(cli__serve_usage, "--port must be from 1 to 65535 (or -1)");
            i++;
        } else if (strcmp(a, "--token") == 0 && v) {
            opt.token = ctx->argv[++i];
        } else if (strcmp(a, "--jobs") == 0 && v) {
            if (!cli__int_arg(v, 1, 1024, &opt.jobs))
                return cli_usage(cli__serve_usage, "--jobs must be from 1 to 1024");
            i++;
        } else if (strcmp(a, "--body-seconds") == 0 && v) {
            if (!cli__int_arg(v, 1, 86400, &opt.body_seconds))
                return cli_usage(cli__serve_usage, "--body-seconds must be from 1 to 86400");
            i++;
        } else if (strcmp(a, "--ui") == 0 && v) {
            opt.ui_dir = ctx->argv[++i];
        } else if (strcmp(a, "--port-file") == 0 && v) {
            opt.port_file = ctx->argv[++i];
        } else {
            return cli_usage(cli__serve_usage, "unexpected argument %s", a);
        }
    }

    /* A new workspace gets its samples as with every other command. */
    cli_context open_ctx = *ctx;
    open_ctx.workspace_dir = opt.workspace_dir;
    st_workspace *ws = cli_open_workspace(&open_ctx);
    if (ws == NULL) return 1;
    st_close(ws);

    wf_error err = {0};
    if (srv_run(&opt, &err) < 0) return cli_fail(&err);
    return 0;
}
