/* cmd_runs.c: looking at runs and modules: runs, run-show, output and
 * modules, and the steps table that `weft run` prints at its end too. */
#include "cli.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Digests are shown by their first 12 hex digits, as git shows commits. */
#define CLI__SHORT_DIGEST 12

static void cli__free_cells(char **cells, size_t n)
{
    for (size_t i = 0; cells != NULL && i < n; i++)
        free(cells[i]);
    free(cells);
}

/* Prints a table of ncols columns from cells (the header first); a NULL
 * cell means an allocation failed. Frees the cells. Returns 0 or -1. */
static int cli__print_cells(char **cells, size_t nrows, size_t ncols, const bool *right)
{
    bool ok = cells != NULL;
    for (size_t i = 0; ok && i < nrows * ncols; i++)
        ok = cells[i] != NULL;
    if (ok)
        cli_print_aligned((const char *const *)cells, nrows, ncols, right);
    else
        fputs("weft: out of memory\n", stderr);
    cli__free_cells(cells, nrows * ncols);
    return ok ? 0 : -1;
}

/* Parses a run id; prints the usage error and returns -1 when it is not
 * one. */
static int64_t cli__run_id(const char *s, const char *usage)
{
    char *end;
    long long id = s ? strtoll(s, &end, 10) : 0;
    if (s == NULL || *end != '\0' || id < 1) {
        cli_usage(usage, "\"%s\" is not a run id", s ? s : "");
        return -1;
    }
    return (int64_t)id;
}

/* Seconds since the epoch of "2024-05-01T12:00:00.123Z"; -1 if it is not
 * one (an empty time: not reached yet). */
static double cli__parse_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int ms = 0;
    if (s == NULL || sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) + ms / 1000.0;
}

static void cli__duration(const char *from, const char *to, char *buf, size_t cap)
{
    double a = cli__parse_time(from), b = cli__parse_time(to);
    if (a < 0 || b < 0)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.2f s", b - a);
}

/* "first=ab12cd34ef56 second=…" from {"first": "ab12…", ...}. */
static char *cli__outputs_text(const char *outputs_json)
{
    json_t *o = json_loads(outputs_json ? outputs_json : "{}", 0, NULL);
    wf_buf b = {0};
    wf_buf_puts(&b, "");
    const char *port;
    json_t *v;
    json_object_foreach(o, port, v)
    {
        const char *d = json_string_value(v);
        wf_buf_printf(&b, "%s%s=%.*s", b.len ? " " : "", port, CLI__SHORT_DIGEST, d ? d : "?");
    }
    json_decref(o);
    if (b.failed) {
        wf_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int cli_print_run_steps(st_workspace *ws, int64_t run_id)
{
    wf_error err = {0};
    st_step *steps = NULL;
    size_t n = 0;
    if (st_run_steps(ws, run_id, &steps, &n, &err) < 0) {
        cli_fail(&err);
        return -1;
    }
    enum { NCOLS = 7 };
    static const char *header[NCOLS] = {"NODE",     "MODULE", "STATUS", "TIME",
                                        "PEAK RSS", "REUSED", "OUTPUTS"};
    static const bool right[NCOLS] = {false, false, false, true, true, false, false};
    char **cells = calloc((n + 1) * NCOLS, sizeof *cells);
    for (size_t c = 0; cells != NULL && c < NCOLS; c++)
        cells[c] = wf_strdup(header[c]);
    for (size_t i = 0; cells != NULL && i < n; i++) {
        const st_step *s = &steps[i];
        char **row = cells + (i + 1) * NCOLS;
        char time[32], rss[32], reused[48];
        if (s->elapsed_ms >= 0)
            snprintf(time, sizeof time, "%.3f s", s->elapsed_ms / 1000.0);
        else
            snprintf(time, sizeof time, "-");
        if (s->peak_rss_kb > 0)
            snprintf(rss, sizeof rss, "%.1f MB", s->peak_rss_kb / 1024.0);
        else
            snprintf(rss, sizeof rss, "-");
        if (strcmp(s->status, "reused") == 0)
            snprintf(reused, sizeof reused, "yes (run %lld)", (long long)s->reused_from_run);
        else
            snprintf(reused, sizeof reused, "no");
        row[0] = wf_strdup(s->node_id);
        row[1] = wf_strdup(s->module);
        row[2] = wf_strdup(s->status);
        row[3] = wf_strdup(time);
        row[4] = wf_strdup(rss);
        row[5] = wf_strdup(reused);
        row[6] = cli__outputs_text(s->outputs_json);
    }
    int rc = cli__print_cells(cells, n + 1, NCOLS, right);
    /* Why steps did not complete, and where their logs are. */
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (steps[i].error[0] != '\0')
            printf("%s: %s%s%s%s\n", steps[i].node_id, steps[i].error,
                   steps[i].log_path[0] && strcmp(steps[i].status, "failed") == 0 ? " (log: " : "",
                   strcmp(steps[i].status, "failed") == 0 ? steps[i].log_path : "",
                   steps[i].log_path[0] && strcmp(steps[i].status, "failed") == 0 ? ")" : "");
    st_steps_free(steps, n);
    return rc;
}

int cli_cmd_runs(cli_context *ctx)
{
    static const char *usage = "weft runs [--experiment E] [-n N]";
    const char *experiment = NULL;
    long limit = 50;
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        if (strcmp(a, "--experiment") == 0 && i + 1 < ctx->argc) {
            experiment = ctx->argv[++i];
        } else if (strcmp(a, "-n") == 0 && i + 1 < ctx->argc) {
            char *end;
            limit = strtol(ctx->argv[++i], &end, 10);
            if (*end != '\0' || limit < 0)
                return cli_usage(usage, "-n takes a count, not \"%s\"", ctx->argv[i]);
        } else {
            return cli_usage(usage, "unexpected argument \"%s\"", a);
        }
    }
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    st_run *runs = NULL;
    size_t n = 0;
    /* A run whose process died still says "running" until someone looks:
     * looking is when to set it right. */
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 ||
        st_run_list(ws, experiment, (size_t)limit, &runs, &n, &err) < 0) {
        st_close(ws);
        return cli_fail(&err);
    }
    enum { NCOLS = 6 };
    static const char *header[NCOLS] = {"RUN",    "EXPERIMENT", "PIPELINE",
                                        "STATUS", "CREATED",    "DURATION"};
    static const bool right[NCOLS] = {true, false, false, false, false, true};
    char **cells = calloc((n + 1) * NCOLS, sizeof *cells);
    for (size_t c = 0; cells != NULL && c < NCOLS; c++)
        cells[c] = wf_strdup(header[c]);
    for (size_t i = 0; cells != NULL && i < n; i++) {
        char id[32], duration[32];
        snprintf(id, sizeof id, "%lld", (long long)runs[i].id);
        cli__duration(runs[i].started_at, runs[i].finished_at, duration, sizeof duration);
        const char *row[NCOLS] = {
            id,      runs[i].experiment, runs[i].pipeline_name, runs[i].status, runs[i].created_at,
            duration};
        for (size_t c = 0; c < NCOLS; c++)
            cells[(i + 1) * NCOLS + c] = wf_strdup(row[c]);
    }
    int rc = cli__print_cells(cells, n + 1, NCOLS, right);
    st_runs_free(runs, n);
    st_close(ws);
    return rc < 0 ? 1 : 0;
}

static int cli__show_json(st_workspace *ws, const st_run *r)
{
    wf_error err = {0};
    st_step *steps = NULL;
    size_t n = 0;
    if (st_run_steps(ws, r->id, &steps, &n, &err) < 0) return cli_fail(&err);
    json_t *snapshot = json_loads(r->snapshot_json, 0, NULL);
    json_t *params = json_loads(r->parameters_json, 0, NULL);
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++) {
        const st_step *s = &steps[i];
        json_t *outputs = json_loads(s->outputs_json, 0, NULL);
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:i, s:I, s:I}", "node",
                      s->node_id, "module", s->module, "status", s->status, "cache_key",
                      s->cache_key, "started_at", s->started_at, "finished_at", s->finished_at,
                      "elapsed_ms", (json_int_t)s->elapsed_ms, "outputs",
                      outputs ? outputs : json_object(), "log_path", s->log_path, "error", s->error,
                      "signal", s->signal, "peak_rss_kb", (json_int_t)s->peak_rss_kb,
                      "reused_from_run", (json_int_t)s->reused_from_run));
    }
    json_t *root = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)r->id,
        "experiment", r->experiment, "pipeline", r->pipeline_name, "status", r->status, "error",
        r->error, "created_at", r->created_at, "started_at", r->started_at, "finished_at",
        r->finished_at, "parameters", params ? params : json_object(), "snapshot",
        snapshot ? snapshot : json_null(), "steps", list ? list : json_array());
    char *text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
    json_decref(root);
    st_steps_free(steps, n);
    if (text == NULL) {
        fputs("weft: out of memory\n", stderr);
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}

int cli_cmd_run_show(cli_context *ctx)
{
    static const char *usage = "weft run-show ID [--json]";
    const char *id_text = NULL;
    bool json = false;
    for (int i = 0; i < ctx->argc; i++) {
        if (strcmp(ctx->argv[i], "--json") == 0)
            json = true;
        else if (id_text == NULL && ctx->argv[i][0] != '-')
            id_text = ctx->argv[i];
        else
            return cli_usage(usage, "unexpected argument \"%s\"", ctx->argv[i]);
    }
    if (id_text == NULL) return cli_usage(usage, "no run given");
    int64_t id = cli__run_id(id_text, usage);
    if (id < 0) return 2;
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    st_run r;
    if (st_runs_mark_interrupted(ws, NULL, &err) < 0 || st_run_get(ws, id, &r, &err) < 0) {
        st_close(ws);
        return cli_fail(&err);
    }
    int rc = 0;
    if (json) {
        rc = cli__show_json(ws, &r);
    } else {
        char duration[32];
        cli__duration(r.started_at, r.finished_at, duration, sizeof duration);
        printf("run %lld: %s\n", (long long)r.id, r.status);
        printf("experiment: %s\npipeline:   %s\nparameters: %s\n", r.experiment, r.pipeline_name,
               r.parameters_json);
        printf("created:    %s\nstarted:    %s\nfinished:   %s (%s)\n", r.created_at,
               r.started_at[0] ? r.started_at : "-", r.finished_at[0] ? r.finished_at : "-",
               duration);
        if (r.error[0] != '\0') printf("error:      %s\n", r.error);
        putchar('\n');
        rc = cli_print_run_steps(ws, id) < 0 ? 1 : 0;
    }
    st_run_clear(&r);
    st_close(ws);
    return rc;
}

/* Loads a JSON artifact (NULL with err set). */
static json_t *cli__load_json_artifact(st_workspace *ws, const char *digest, wf_error *err)
{
    char *path = st_artifact_path(ws, digest);
    char *text = NULL;
    size_t size = 0;
    int rc = path ? wf_read_file(path, &text, &size, err)
                  : wf_error_set(err, WF_EINVAL, "\"%s\" is not a digest", digest);
    free(path);
    if (rc < 0) return NULL;
    json_t *v = json_loadb(text, size, JSON_DECODE_ANY, NULL);
    free(text);
    if (v == NULL) wf_error_set(err, WF_ECORRUPT, "artifact %s is not JSON", digest);
    return v;
}

void cli_print_run_reports(st_workspace *ws, int64_t run_id)
{
    wf_error err = {0};
    st_step *steps = NULL;
    size_t n = 0;
    if (st_run_steps(ws, run_id, &steps, &n, &err) < 0) return;
    for (size_t i = 0; i < n; i++) {
        const mod_descriptor *m = mod_find(steps[i].module);
        json_t *outputs = json_loads(steps[i].outputs_json ? steps[i].outputs_json : "{}", 0, NULL);
        for (size_t k = 0; m != NULL && k < m->noutputs; k++) {
            const char *digest = json_string_value(json_object_get(outputs, m->outputs[k].name));
            if (m->outputs[k].kind != MOD_REPORT || digest == NULL) continue;
            json_t *report = cli__load_json_artifact(ws, digest, &err);
            if (report != NULL) {
                printf("\n%s.%s: ", steps[i].node_id, m->outputs[k].name);
                if (!cli_print_report(stdout, report)) puts("(not an evaluation report)");
            }
            json_decref(report);
        }
        json_decref(outputs);
    }
    st_steps_free(steps, n);
}

/* Prints a JSON artifact: an evaluation report as its summary (unless
 * raw), anything else indented. */
static int cli__print_json_artifact(st_workspace *ws, const char *digest, bool raw)
{
    wf_error err = {0};
    json_t *v = cli__load_json_artifact(ws, digest, &err);
    if (v == NULL) return cli_fail(&err);
    if (!raw && cli_print_report(stdout, v)) {
        json_decref(v);
        return 0;
    }
    char *pretty = v ? json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (pretty == NULL) {
        fprintf(stderr, "weft: artifact %s is not JSON\n", digest);
        return 1;
    }
    puts(pretty);
    free(pretty);
    return 0;
}

int cli_cmd_output(cli_context *ctx)
{
    static const char *usage = "weft output ID NODE.PORT [-n ROWS] [--json]";
    const char *id_text = NULL, *target = NULL;
    long rows = 20;
    bool raw = false;
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        if (strcmp(a, "--json") == 0) {
            raw = true;
        } else if (strcmp(a, "-n") == 0 && i + 1 < ctx->argc) {
            if (cli_parse_rows(ctx->argv[++i], &rows) < 0)
                return cli_usage(usage, "-n takes a row count, not \"%s\"", ctx->argv[i]);
        } else if (a[0] == '-') {
            return cli_usage(usage, "unknown option %s", a);
        } else if (id_text == NULL) {
            id_text = a;
        } else if (target == NULL) {
            target = a;
        } else {
            return cli_usage(usage, "unexpected argument \"%s\"", a);
        }
    }
    if (id_text == NULL || target == NULL) return cli_usage(usage, "give a run and NODE.PORT");
    int64_t id = cli__run_id(id_text, usage);
    if (id < 0) return 2;
    const char *dot = strrchr(target, '.');
    if (dot == NULL || dot == target || dot[1] == '\0')
        return cli_usage(usage, "\"%s\" is not NODE.PORT", target);
    char *node = wf_strndup(target, (size_t)(dot - target));
    const char *port = dot + 1;
    st_workspace *ws = node ? cli_open_workspace(ctx) : NULL;
    if (ws == NULL) {
        free(node);
        return 1;
    }
    wf_error err = {0};
    st_step step;
    int rc = 1;
    if (st_step_get(ws, id, node, &step, &err) < 0) {
        cli_fail(&err);
        goto done;
    }
    json_t *outputs = json_loads(step.outputs_json, 0, NULL);
    const char *digest = json_string_value(json_object_get(outputs, port));
    const mod_descriptor *m = mod_find(step.module);
    int k = mod_output_index(m, port);
    if (digest == NULL) {
        if (m != NULL && k < 0)
            fprintf(stderr, "weft: %s (%s) has no output port \"%s\"\n", node, step.module, port);
        else
            fprintf(stderr, "weft: run %lld: step %s is %s and has no output %s\n", (long long)id,
                    node, step.status, port);
    } else if (m == NULL || k < 0 || m->outputs[k].kind == MOD_TABLE) {
        tbl_table *t = NULL;
        if (st_artifact_load_table(ws, digest, &t, &err) < 0) {
            cli_fail(&err);
        } else {
            rc = cli_print_table_head(t, (size_t)rows) < 0 ? 1 : 0;
            if (rc) fputs("weft: out of memory\n", stderr);
        }
        tbl_free(t);
    } else {
        rc = cli__print_json_artifact(ws, digest, raw);
    }
    json_decref(outputs);
    st_step_clear(&step);
done:
    free(node);
    st_close(ws);
    return rc;
}

/* "dataset:table, learner:learner?" (? marks an optional port). */
static char *cli__ports_text(const mod_port *ports, size_t n)
{
    wf_buf b = {0};
    wf_buf_puts(&b, "");
    for (size_t i = 0; i < n; i++)
        wf_buf_printf(&b, "%s%s:%s%s", i ? ", " : "", ports[i].name,
                      mod_port_kind_name(ports[i].kind), ports[i].optional ? "?" : "");
    if (b.failed) {
        wf_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int cli_cmd_modules(cli_context *ctx)
{
    static const char *usage = "weft modules [--json]";
    bool json = false;
    for (int i = 0; i < ctx->argc; i++) {
        if (strcmp(ctx->argv[i], "--json") == 0)
            json = true;
        else
            return cli_usage(usage, "unexpected argument \"%s\"", ctx->argv[i]);
    }
    if (json) {
        json_t *cat = mod_catalogue_json();
        char *text = cat ? json_dumps(cat, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(cat);
        if (text == NULL) {
            fputs("weft: out of memory\n", stderr);
            return 1;
        }
        puts(text);
        free(text);
        return 0;
    }
    size_t n = 0;
    const mod_descriptor *const *all = mod_all(&n);
    enum { NCOLS = 5 };
    static const char *header[NCOLS] = {"MODULE", "NAME", "CATEGORY", "INPUTS", "OUTPUTS"};
    char **cells = calloc((n + 1) * NCOLS, sizeof *cells);
    for (size_t c = 0; cells != NULL && c < NCOLS; c++)
        cells[c] = wf_strdup(header[c]);
    for (size_t i = 0; cells != NULL && i < n; i++) {
        const mod_descriptor *m = all[i];
        char ref[160];
        snprintf(ref, sizeof ref, "%s@%d", m->name, m->version);
        char **row = cells + (i + 1) * NCOLS;
        row[0] = wf_strdup(ref);
        row[1] = wf_strdup(m->display_name ? m->display_name : "");
        row[2] = wf_strdup(m->category ? m->category : "");
        row[3] = cli__ports_text(m->inputs, m->ninputs);
        row[4] = cli__ports_text(m->outputs, m->noutputs);
    }
    return cli__print_cells(cells, n + 1, NCOLS, NULL) < 0 ? 1 : 0;
}
