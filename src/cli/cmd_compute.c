/* cmd_compute.c: compute targets: weft compute list|add|show|remove. */
#include "cli.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cli__compute_usage =
    "weft compute list [--json]\n"
    "       weft compute show NAME [--json]\n"
    "       weft compute add NAME [--kind slurm|local] [--partition P] [--account A]\n"
    "           [--time-limit T] [--cpus N] [--memory-mb N] [--sbatch-arg ARG]...\n"
    "           [--shared-workspace PATH] [--weft PATH] [--retries N] [--max-jobs N]\n"
    "           [--config JSON] [--replace]\n"
    "       weft compute remove NAME";

/* ---- list and show ---------------------------------------------------------- */

static json_t *cli__target_json(const st_compute_target *t)
{
    json_t *config = json_loads(t->config_json, 0, NULL);
    return json_pack("{s:s, s:s, s:o, s:s, s:b}", "name", t->name, "kind", t->kind, "config",
                     config ? config : json_object(), "created_at", t->created_at, "builtin",
                     strcmp(t->name, ST_COMPUTE_LOCAL) == 0);
}

static int cli__print_json(json_t *v)
{
    char *text = v ? json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(v);
    if (text == NULL) {
        fputs("weft: out of memory\n", stderr);
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}

static int cli__compute_list(st_workspace *ws, bool as_json)
{
    st_compute_target *t = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_compute_list(ws, &t, &n, &err) < 0) return cli_fail(&err);
    int status = 0;
    if (as_json) {
        json_t *list = json_array();
        for (size_t i = 0; list != NULL && i < n; i++)
            json_array_append_new(list, cli__target_json(&t[i]));
        status = cli__print_json(list ? json_pack("{s:o}", "targets", list) : NULL);
    } else {
        const char **cells = wf_calloc((n + 1) * 3, sizeof *cells);
        if (cells == NULL) {
            st_compute_targets_free(t, n);
            fputs("weft: out of memory\n", stderr);
            return 1;
        }
        cells[0] = "NAME";
        cells[1] = "KIND";
        cells[2] = "SETTINGS";
        for (size_t i = 0; i < n; i++) {
            cells[(i + 1) * 3] = t[i].name;
            cells[(i + 1) * 3 + 1] = t[i].kind;
            cells[(i + 1) * 3 + 2] = strcmp(t[i].name, ST_COMPUTE_LOCAL) == 0
                                         ? "(built in: this machine)"
                                         : t[i].config_json;
        }
        cli_print_aligned(cells, n + 1, 3, NULL);
        free(cells);
    }
    st_compute_targets_free(t, n);
    return status;
}

static int cli__compute_show(st_workspace *ws, const char *name, bool as_json)
{
    st_compute_target t;
    wf_error err = {0};
    if (st_compute_get(ws, name, &t, &err) < 0) return cli_fail(&err);
    int status = 0;
    if (as_json) {
        status = cli__print_json(cli__target_json(&t));
    } else {
        printf("name: %s\nkind: %s\n", t.name, t.kind);
        if (t.created_at[0] != '\0') printf("created: %s\n", t.created_at);
        json_t *config = json_loads(t.config_json, 0, NULL);
        const char *key;
        json_t *v;
        json_object_foreach(config, key, v)
        {
            char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            printf("%s: %s\n", key, text ? text : "?");
            free(text);
        }
        json_decref(config);
    }
    st_compute_target_clear(&t);
    return status;
}

/* ---- add ----------------------------------------------------------------------- */

typedef struct cli__flag {
    const char *flag;
    const char *key;
    bool integer;
} cli__flag;

static const cli__flag cli__flags[] = {
    {"--partition", "partition", false},
    {"--account", "account", false},
    {"--time-limit", "time_limit", false},
    {"--cpus", "cpus", true},
    {"--memory-mb", "memory_mb", true},
    {"--shared-workspace", "workspace", false},
    {"--weft", "weft", false},
    {"--retries", "retries", true},
    {"--max-jobs", "max_jobs", true},
};

/* Sets config[key] from a flag's text. -1 (after a usage message) when an
 * integer flag is not one. */
static int cli__set_flag(json_t *config, const cli__flag *f, const char *text)
{
    json_t *v;
    if (f->integer) {
        char *end;
        long long n = strtoll(text, &end, 10);
        if (end == text || *end != '\0') {
            cli_usage(cli__compute_usage, "%s takes an integer, not \"%s\"", f->flag, text);
            return -1;
        }
        v = json_integer(n);
    } else {
        v = json_string(text);
    }
    return json_object_set_new(config, f->key, v) < 0 ? -1 : 0;
}

static int cli__compute_add(st_workspace *ws, int argc, char **argv)
{
    const char *name = NULL, *kind = "slurm", *config_text = NULL;
    bool replace = false;
    json_t *config = json_object(), *extra = json_array();
    int status = 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        const cli__flag *f = NULL;
        for (size_t k = 0; k < sizeof cli__flags / sizeof cli__flags[0]; k++)
            if (strcmp(a, cli__flags[k].flag) == 0) f = &cli__flags[k];
        if (f != NULL && has_value) {
            if (cli__set_flag(config, f, argv[++i]) < 0) goto done;
        } else if (strcmp(a, "--kind") == 0 && has_value) {
            kind = argv[++i];
        } else if (strcmp(a, "--sbatch-arg") == 0 && has_value) {
            json_array_append_new(extra, json_string(argv[++i]));
        } else if (strcmp(a, "--config") == 0 && has_value) {
            config_text = argv[++i];
        } else if (strcmp(a, "--replace") == 0) {
            replace = true;
        } else if (a[0] == '-' || name != NULL) {
            status = cli_usage(cli__compute_usage, "unexpected argument \"%s\"", a);
            goto done;
        } else {
            name = a;
        }
    }
    if (name == NULL) {
        status = cli_usage(cli__compute_usage, "give the target a name");
        goto done;
    }
    if (config_text != NULL) {
        /* --config is the base; the flags override it. */
        json_error_t jerr;
        json_t *base = json_loads(config_text, 0, &jerr);
        if (!json_is_object(base)) {
            json_decref(base);
            status = cli_usage(cli__compute_usage, "--config takes a JSON object: %s",
                               jerr.text[0] ? jerr.text : "not an object");
            goto done;
        }
        json_object_update(base, config);
        json_decref(config);
        config = base;
    }
    if (json_array_size(extra) > 0) json_object_set(config, "sbatch_args", extra);
    wf_error err = {0};
    char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
    status = 1;
    if (text == NULL)
        fputs("weft: out of memory\n", stderr);
    else if (eng_compute_check(kind, config, &err) < 0 ||
             st_compute_save(ws, name, kind, text, replace, &err) < 0)
        cli_fail(&err);
    else {
        printf("compute target %s (%s) %s\n", name, kind, replace ? "saved" : "added");
        status = 0;
    }
    free(text);
done:
    json_decref(config);
    json_decref(extra);
    return status;
}

int cli_cmd_compute(cli_context *ctx)
{
    if (ctx->argc < 1) return cli_usage(cli__compute_usage, "give a subcommand");
    const char *sub = ctx->argv[0];
    int argc = ctx->argc - 1;
    char **argv = ctx->argv + 1;
    bool as_json = argc > 0 && strcmp(argv[argc - 1], "--json") == 0;
    if (as_json) argc--;
    if (strcmp(sub, "list") == 0 && argc != 0)
        return cli_usage(cli__compute_usage, "list takes no arguments but --json");
    if ((strcmp(sub, "show") == 0 || strcmp(sub, "remove") == 0) &&
        (argc != 1 || argv[0][0] == '-'))
        return cli_usage(cli__compute_usage, "%s takes one target's name", sub);
    if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "add") != 0 &&
        strcmp(sub, "remove") != 0)
        return cli_usage(cli__compute_usage, "unknown subcommand \"%s\"", sub);
    if (as_json && (strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0))
        return cli_usage(cli__compute_usage, "%s does not take --json", sub);
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    int status;
    wf_error err = {0};
    if (strcmp(sub, "list") == 0) {
        status = cli__compute_list(ws, as_json);
    } else if (strcmp(sub, "show") == 0) {
        status = cli__compute_show(ws, argv[0], as_json);
    } else if (strcmp(sub, "add") == 0) {
        status = cli__compute_add(ws, argc, argv);
    } else if (st_compute_remove(ws, argv[0], &err) < 0) {
        status = cli_fail(&err);
    } else {
        printf("compute target %s removed\n", argv[0]);
        status = 0;
    }
    st_close(ws);
    return status;
}
