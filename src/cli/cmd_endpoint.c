/*
 * cmd_endpoint.c: `weft endpoint`, real-time endpoints from the command
 * line (engine.h, store.h):
 *
 *     weft endpoint deploy NAME PIPELINE.json [--replace] [--description TEXT]
 *     weft endpoint list
 *     weft endpoint show NAME [--json]
 *     weft endpoint delete NAME
 *     weft endpoint keys NAME --regenerate primary|secondary
 *     weft endpoint export NAME DIR
 *     weft endpoint serve DIR [--host H] [--port P] [--key-file F] [--port-file F]
 *
 * All but serve work on the workspace's store; a `weft serve` of the same
 * workspace follows the store and serves the change within a second.
 * serve needs no workspace: it scores from an exported bundle.
 */
#include "cli.h"
#include "engine/engine.h"
#include "server/server.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cli__endpoint_usage =
    "weft endpoint deploy NAME PIPELINE.json [--replace] [--description TEXT]\n"
    "       weft endpoint list\n"
    "       weft endpoint show NAME [--json]\n"
    "       weft endpoint delete NAME\n"
    "       weft endpoint keys NAME --regenerate primary|secondary\n"
    "       weft endpoint export NAME DIR\n"
    "       weft endpoint serve DIR [--host 127.0.0.1] [--port 8080] [--key-file F] "
    "[--port-file F]";

static int cli__endpoint_deploy(cli_context *ctx)
{
    const char *name = NULL, *file = NULL, *description = NULL;
    bool replace = false;
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        if (strcmp(a, "--replace") == 0)
            replace = true;
        else if (strcmp(a, "--description") == 0 && i + 1 < ctx->argc)
            description = ctx->argv[++i];
        else if (a[0] == '-')
            return cli_usage(cli__endpoint_usage, "unexpected option %s", a);
        else if (name == NULL)
            name = a;
        else if (file == NULL)
            file = a;
        else
            return cli_usage(cli__endpoint_usage, "unexpected argument %s", a);
    }
    if (name == NULL || file == NULL)
        return cli_usage(cli__endpoint_usage, "deploy needs a NAME and a PIPELINE.json");
    wf_error err = {0};
    char *text = NULL;
    size_t size = 0;
    if (wf_read_file(file, &text, &size, &err) < 0) return cli_fail(&err);
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) {
        free(text);
        return 1;
    }
    char source[300];
    snprintf(source, sizeof source, "file %.280s", file);
    eng_deploy_request req = {.name = name,
                              .document_json = text,
                              .description = description,
                              .source = source,
                              .replace = replace};
    eng_deployed d = {0};
    int rc = eng_endpoint_deploy(ws, &req, &d, &err);
    free(text);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    printf("endpoint %s version %d: %s%s%s\n", d.endpoint.name, d.endpoint.version,
           d.endpoint.state, d.endpoint.reason[0] ? ": " : "", d.endpoint.reason);
    if (d.plan != NULL) {
        size_t n;
        const char *const *w = eng_scoring_warnings(d.plan, &n);
        for (size_t i = 0; i < n; i++)
            printf("warning: %s\n", w[i]);
    }
    if (d.created) {
        /* The only time the keys are shown. */
        printf("primary key:   %s\nsecondary key: %s\n", d.primary, d.secondary);
        printf("(keep them now: weft stores only their SHA-256)\n");
    }
    printf("score: POST /endpoints/%s/score with \"Authorization: Bearer <key>\"\n",
           d.endpoint.name);
    bool failed = strcmp(d.endpoint.state, "failed") == 0;
    eng_deployed_clear(&d);
    return failed ? 1 : 0;
}

static int cli__endpoint_list(cli_context *ctx)
{
    if (ctx->argc != 1) return cli_usage(cli__endpoint_usage, "list takes no arguments");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    st_endpoint *rows = NULL;
    size_t n = 0;
    wf_error err = {0};
    int rc = st_endpoint_list(ws, &rows, &n, &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    if (n == 0) {
        printf("no endpoints\n");
        return 0;
    }
    const char **cells = calloc((n + 1) * 4, sizeof *cells);
    char **versions = calloc(n + 1, sizeof *versions);
    if (cells == NULL || versions == NULL) {
        free(cells);
        free(versions);
        st_endpoints_free(rows, n);
        fputs("weft: out of memory\n", stderr);
        return 1;
    }
    cells[0] = "NAME";
    cells[1] = "VERSION";
    cells[2] = "STATE";
    cells[3] = "UPDATED";
    for (size_t i = 0; i < n; i++) {
        versions[i] = malloc(16);
        if (versions[i] != NULL) snprintf(versions[i], 16, "%d", rows[i].version);
        cells[(i + 1) * 4 + 0] = rows[i].name;
        cells[(i + 1) * 4 + 1] = versions[i] ? versions[i] : "?";
        cells[(i + 1) * 4 + 2] = rows[i].state;
        cells[(i + 1) * 4 + 3] = rows[i].updated_at;
    }
    bool right[4] = {false, true, false, false};
    cli_print_aligned(cells, n + 1, 4, right);
    for (size_t i = 0; i < n; i++)
        free(versions[i]);
    free(versions);
    free(cells);
    st_endpoints_free(rows, n);
    return 0;
}

/* The input columns of the document's Web Service Input, for people. */
static void cli__print_input_schema(const char *document_json)
{
    json_t *doc = json_loads(document_json, 0, NULL);
    size_t i;
    json_t *node;
    json_array_foreach(json_object_get(doc, "nodes"), i, node)
    {
        const char *module = json_string_value(json_object_get(node, "module"));
        if (module == NULL || strncmp(module, "web-service-input", 17) != 0) continue;
        const char *schema =
            json_string_value(json_object_get(json_object_get(node, "params"), "schema"));
        tbl_table *t = NULL;
        if (mod_web_service_schema(schema, &t, NULL) < 0) break;
        printf("input columns:\n");
        for (size_t j = 0; j < t->ncols; j++)
            printf("  %-30s %s\n", t->cols[j].name, tbl_type_name(t->cols[j].type));
        tbl_free(t);
        break;
    }
    json_decref(doc);
}

static int cli__endpoint_show(cli_context *ctx)
{
    const char *name = NULL;
    bool as_json = false;
    for (int i = 1; i < ctx->argc; i++) {
        if (strcmp(ctx->argv[i], "--json") == 0)
            as_json = true;
        else if (name == NULL && ctx->argv[i][0] != '-')
            name = ctx->argv[i];
        else
            return cli_usage(cli__endpoint_usage, "unexpected argument %s", ctx->argv[i]);
    }
    if (name == NULL) return cli_usage(cli__endpoint_usage, "show needs a NAME");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    st_endpoint e = {0};
    wf_error err = {0};
    int rc = st_endpoint_get(ws, name, &e, &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    if (as_json) {
        json_t *doc = json_loads(e.document_json, 0, NULL);
        json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o}", "name", e.name, "version",
                              e.version, "state", e.state, "reason", e.reason, "source", e.source,
                              "created_at", e.created_at, "updated_at", e.updated_at, "document",
                              doc ? doc : json_null());
        char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (text != NULL) printf("%s\n", text);
        free(text);
        json_decref(o);
    } else {
        printf("endpoint:  %s\nversion:   %d\nstate:     %s%s%s\nsource:    %s\ncreated:   "
               "%s\nupdated:   %s\n",
               e.name, e.version, e.state, e.reason[0] ? ": " : "", e.reason, e.source,
               e.created_at, e.updated_at);
        printf("score:     POST /endpoints/%s/score, /endpoints/%s/invocations, "
               "/v2/models/%s/infer\n",
               e.name, e.name, e.name);
        cli__print_input_schema(e.document_json);
    }
    st_endpoint_clear(&e);
    return 0;
}

static int cli__endpoint_delete(cli_context *ctx)
{
    if (ctx->argc != 2) return cli_usage(cli__endpoint_usage, "delete needs exactly a NAME");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    int rc = st_endpoint_delete(ws, ctx->argv[1], &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    printf("deleted endpoint %s\n", ctx->argv[1]);
    return 0;
}

static int cli__endpoint_keys(cli_context *ctx)
{
    if (ctx->argc != 4 || strcmp(ctx->argv[2], "--regenerate") != 0)
        return cli_usage(cli__endpoint_usage, "keys needs NAME --regenerate primary|secondary");
    const char *which = ctx->argv[3];
    int slot = strcmp(which, "primary") == 0 ? 0 : strcmp(which, "secondary") == 0 ? 1 : -1;
    if (slot < 0) return cli_usage(cli__endpoint_usage, "a key is primary or secondary");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    char key[ST_KEY_TEXT];
    wf_error err = {0};
    int rc = st_endpoint_regenerate_key(ws, ctx->argv[1], slot, key, &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    printf("new %s key: %s\n(the old one no longer works)\n", which, key);
    memset(key, 0, sizeof key);
    return 0;
}

static int cli__endpoint_export(cli_context *ctx)
{
    if (ctx->argc != 3) return cli_usage(cli__endpoint_usage, "export needs a NAME and a DIR");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    int rc = eng_endpoint_export(ws, ctx->argv[1], ctx->argv[2], &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    printf("exported endpoint %s to %s\nserve it with: weft endpoint serve %s --port 8081\n",
           ctx->argv[1], ctx->argv[2], ctx->argv[2]);
    return 0;
}

static int cli__endpoint_serve(cli_context *ctx)
{
    srv_options opt = {0};
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        const char *v = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
        if (strcmp(a, "--host") == 0 && v) {
            opt.host = ctx->argv[++i];
        } else if (strcmp(a, "--port") == 0 && v) {
            char *end;
            errno = 0;
            long port = strtol(v, &end, 10);
            if (*end != '\0' || errno != 0 || port < -1 || port > 65535)
                return cli_usage(cli__endpoint_usage, "--port must be from 1 to 65535 (or -1)");
            opt.port = (int)port;
            i++;
        } else if (strcmp(a, "--key-file") == 0 && v) {
            opt.key_file = ctx->argv[++i];
        } else if (strcmp(a, "--port-file") == 0 && v) {
            opt.port_file = ctx->argv[++i];
        } else if (a[0] != '-' && opt.bundle_dir == NULL) {
            opt.bundle_dir = a;
        } else {
            return cli_usage(cli__endpoint_usage, "unexpected argument %s", a);
        }
    }
    if (opt.bundle_dir == NULL) return cli_usage(cli__endpoint_usage, "serve needs a bundle DIR");
    wf_error err = {0};
    if (srv_run(&opt, &err) < 0) return cli_fail(&err);
    return 0;
}

int cli_cmd_endpoint(cli_context *ctx)
{
    static const struct {
        const char *name;
        int (*run)(cli_context *ctx);
    } verbs[] = {
        {"deploy", cli__endpoint_deploy}, {"list", cli__endpoint_list},
        {"show", cli__endpoint_show},     {"delete", cli__endpoint_delete},
        {"keys", cli__endpoint_keys},     {"export", cli__endpoint_export},
        {"serve", cli__endpoint_serve},
    };
    if (ctx->argc < 1) return cli_usage(cli__endpoint_usage, "endpoint needs a verb");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(ctx->argv[0], verbs[i].name) == 0) return verbs[i].run(ctx);
    return cli_usage(cli__endpoint_usage, "unknown verb \"%s\"", ctx->argv[0]);
}
