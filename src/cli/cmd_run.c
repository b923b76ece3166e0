/* cmd_run.c: running pipelines: validate, run, step and cancel. */
#include "cli.h"
#include "engine/engine.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT and SIGTERM: the run cancels its steps and ends. */
static volatile sig_atomic_t cli__cancel;

static void cli__on_signal(int sig)
{
    (void)sig;
    cli__cancel = 1;
}

/* Adds "--param K=V" to bindings. V is read as JSON when it is JSON (0.7,
 * true, "text", [1,2]) and as a string otherwise, so that
 * `--param dataset=cars` needs no quotes. Returns 0, or -1 when the
 * argument has no '='. */
static int cli__add_param(json_t *bindings, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) return -1;
    char *name = wf_strndup(arg, (size_t)(eq - arg));
    json_t *value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (value == NULL) value = json_string(eq + 1);
    int rc = name && value ? json_object_set_new(bindings, name, value) : -1;
    if (rc < 0 && !name) json_decref(value);
    free(name);
    return rc < 0 ? -1 : 0;
}

/* Prints each issue as "node.field: message" (the node or field left out
 * when empty). */
static void cli__print_issues(FILE *f, const eng_issues *issues)
{
    for (size_t i = 0; i < issues->count; i++) {
        const eng_issue *is = &issues->items[i];
        if (is->node[0] == '\0' && is->field[0] == '\0')
            fprintf(f, "pipeline: %s\n", is->message);
        else if (is->field[0] == '\0')
            fprintf(f, "%s: %s\n", is->node, is->message);
        else if (is->node[0] == '\0')
            fprintf(f, "%s: %s\n", is->field, is->message);
        else
            fprintf(f, "%s.%s: %s\n", is->node, is->field, is->message);
    }
}

static int cli__load_dataset(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    return st_dataset_load(user, ref, out, NULL, err);
}

/* Validates p; prints the issues to f. Returns their count, or -1. */
static long cli__validate(st_workspace *ws, const eng_pipeline *p, const json_t *bindings, FILE *f)
{
    eng_env env = {.load_dataset = cli__load_dataset, .user = ws};
    eng_issues issues = {0};
    wf_error err = {0};
    long n = -1;
    if (eng_pipeline_validate(p, bindings, &env, &issues, &err) < 0) {
        cli_fail(&err);
    } else {
        cli__print_issues(f, &issues);
        n = (long)issues.count;
    }
    eng_issues_clear(&issues);
    return n;
}

int cli_cmd_validate(cli_context *ctx)
{
    static const char *usage = "weft validate PIPELINE.json [--param K=V]...";
    const char *file = NULL;
    json_t *bindings = json_object();
    int status = 2;
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        if (strcmp(a, "--param") == 0 && i + 1 < ctx->argc) {
            if (cli__add_param(bindings, ctx->argv[++i]) < 0) {
                status = cli_usage(usage, "--param takes NAME=VALUE, not \"%s\"", ctx->argv[i]);
                goto done;
            }
        } else if (a[0] == '-' || file != NULL) {
            status = cli_usage(usage, "unexpected argument \"%s\"", a);
            goto done;
        } else {
            file = a;
        }
    }
    if (file == NULL) {
        status = cli_usage(usage, "no pipeline given");
        goto done;
    }
    wf_error err = {0};
    eng_pipeline *p = NULL;
    if (eng_pipeline_load_file(file, &p, &err) < 0) {
        status = cli_fail(&err);
        goto done;
    }
    st_workspace *ws = cli_open_workspace(ctx);
    status = 1;
    if (ws != NULL) {
        long n = cli__validate(ws, p, bindings, stdout);
        if (n == 0) {
            printf("%s: valid (%zu nodes, %zu edges)\n", file, p->nnodes, p->nedges);
            status = 0;
        }
    }
    st_close(ws);
    eng_pipeline_free(p);
done:
    json_decref(bindings);
    return status;
}

/* ---- run ------------------------------------------------------------------- */

typedef struct cli__run_view {
    double started; /* monotonic seconds */
    bool tty;       /* progress bars only on a terminal */
    bool verbose;   /* print log lines too */
    bool bar_shown; /* a progress bar is on the current line */
} cli__run_view;

static double cli__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cli__clear_bar(cli__run_view *v)
{
    if (!v->bar_shown) return;
    fputs("\r\033[K", stdout);
    v->bar_shown = false;
}

static void cli__on_event(void *user, const eng_event *ev)
{
    cli__run_view *v = user;
    double t = cli__now() - v->started;
    switch (ev->kind) {
    case ENG_EVENT_RUN:
        if (ev->status == ENG_RUNNING) {
            cli__clear_bar(v);
            printf("run %lld started\n", (long long)ev->run_id);
        }
        break;
    case ENG_EVENT_STEP:
        if (ev->status == ENG_QUEUED) break;
        cli__clear_bar(v);
        printf("[%7.3fs] %-20s %s%s%s\n", t, ev->node, eng_status_name(ev->status),
               ev->message ? ": " : "", ev->message ? ev->message : "");
        break;
    case ENG_EVENT_LOG:
        if (!v->verbose) break;
        cli__clear_bar(v);
        printf("[%7.3fs] %-20s | %s\n", t, ev->node, ev->message ? ev->message : "");
        break;
    case ENG_EVENT_PROGRESS:
        if (!v->tty) break;
        {
            char bar[21];
            int filled = (int)(ev->progress * 20 + 0.5);
            for (int i = 0; i < 20; i++)
                bar[i] = i < filled ? '#' : '-';
            bar[20] = '\0';
            printf("\r\033[K[%7.3fs] %-20s [%s] %3.0f%%", t, ev->node, bar, ev->progress * 100);
            v->bar_shown = true;
        }
        break;
    }
    fflush(stdout);
}

typedef struct cli__run_args {
    const char *file;
    eng_run_options opt;
    json_t *bindings;
    bool verbose;
} cli__run_args;

/* Parses `weft run`'s arguments; returns 0, or the exit status of a usage
 * error. */
static int cli__parse_run(cli_context *ctx, cli__run_args *a)
{
    static const char *usage =
        "weft run PIPELINE.json [--experiment E] [--param K=V]... [--jobs N] [--no-cache] "
        "[--time-limit S] [--memory-limit MB] [--compute TARGET] [--verbose]";
    for (int i = 0; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        bool has_value = i + 1 < ctx->argc;
        char *end = NULL;
        if (strcmp(arg, "--experiment") == 0 && has_value) {
            a->opt.experiment = ctx->argv[++i];
        } else if (strcmp(arg, "--param") == 0 && has_value) {
            if (cli__add_param(a->bindings, ctx->argv[++i]) < 0)
                return cli_usage(usage, "--param takes NAME=VALUE, not \"%s\"", ctx->argv[i]);
        } else if (strcmp(arg, "--jobs") == 0 && has_value) {
            long jobs = strtol(ctx->argv[++i], &end, 10);
            if (*end != '\0' || jobs < 1 || jobs > 256)
                return cli_usage(usage, "--jobs takes 1 to 256, not \"%s\"", ctx->argv[i]);
            a->opt.jobs = (int)jobs;
        } else if (strcmp(arg, "--time-limit") == 0 && has_value) {
            double s = strtod(ctx->argv[++i], &end);
            if (*end != '\0' || !(s > 0))
                return cli_usage(usage, "--time-limit takes seconds, not \"%s\"", ctx->argv[i]);
            a->opt.time_limit_s = s;
        } else if (strcmp(arg, "--memory-limit") == 0 && has_value) {
            long mb = strtol(ctx->argv[++i], &end, 10);
            if (*end != '\0' || mb < 1)
                return cli_usage(usage, "--memory-limit takes megabytes, not \"%s\"", ctx->argv[i]);
            a->opt.memory_limit_mb = (size_t)mb;
        } else if (strcmp(arg, "--compute") == 0 && has_value) {
            a->opt.compute = ctx->argv[++i];
        } else if (strcmp(arg, "--no-cache") == 0) {
            a->opt.no_cache = true;
        } else if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
            a->verbose = true;
        } else if (arg[0] == '-' || a->file != NULL) {
            return cli_usage(usage, "unexpected argument \"%s\"", arg);
        } else {
            a->file = arg;
        }
    }
    if (a->file == NULL) return cli_usage(usage, "no pipeline given");
    return 0;
}

int cli_cmd_run(cli_context *ctx)
{
    cli__run_args a = {.bindings = json_object()};
    if (a.bindings == NULL) {
        fputs("weft: out of memory\n", stderr);
        return 1;
    }
    int status = cli__parse_run(ctx, &a);
    if (status != 0) {
        json_decref(a.bindings);
        return status;
    }
    wf_error err = {0};
    eng_pipeline *p = NULL;
    if (eng_pipeline_load_file(a.file, &p, &err) < 0) {
        json_decref(a.bindings);
        return cli_fail(&err);
    }
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) {
        eng_pipeline_free(p);
        json_decref(a.bindings);
        return 1;
    }
    cli__run_view view = {
        .started = cli__now(), .tty = isatty(STDOUT_FILENO) == 1, .verbose = a.verbose};
    a.opt.bindings = a.bindings;
    a.opt.on_event = cli__on_event;
    a.opt.user = &view;
    a.opt.cancel = &cli__cancel;
    /* Ctrl-C cancels the run in order (steps killed, rows written) instead
     * of killing weft between two writes. */
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli__on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int64_t run_id = 0;
    int rc = eng_run(ws, p, &a.opt, &run_id, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    cli__clear_bar(&view);

    if (run_id == 0) {
        /* The run never started. An invalid pipeline is listed issue by
         * issue, as `weft validate` does. */
        if (rc == WF_EINVAL && cli__validate(ws, p, a.bindings, stderr) > 0)
            status = 1;
        else
            status = cli_fail(&err);
    } else {
        putchar('\n');
        if (cli_print_run_steps(ws, run_id) < 0) status = 1;
        cli_print_run_reports(ws, run_id);
        st_run r;
        wf_error gerr = {0};
        if (st_run_get(ws, run_id, &r, &gerr) == 0) {
            printf("\nrun %lld %s in %.2f s; see a step's output with `weft output %lld "
                   "NODE.PORT`\n",
                   (long long)run_id, r.status, cli__now() - view.started, (long long)run_id);
            st_run_clear(&r);
        }
        if (rc < 0) status = cli_fail(&err);
    }
    st_close(ws);
    eng_pipeline_free(p);
    json_decref(a.bindings);
    return status;
}

/* ---- step and cancel ------------------------------------------------------- */

int cli_cmd_step(cli_context *ctx)
{
    return eng_step_main(ctx->argc, ctx->argv);
}

int cli_cmd_cancel(cli_context *ctx)
{
    static const char *usage = "weft cancel ID";
    if (ctx->argc != 1) return cli_usage(usage, "give one run id");
    char *end;
    long long id = strtoll(ctx->argv[0], &end, 10);
    if (*end != '\0' || id < 1) return cli_usage(usage, "\"%s\" is not a run id", ctx->argv[0]);
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    int rc = st_run_request_cancel(ws, (int64_t)id, &err);
    st_close(ws);
    if (rc < 0) return cli_fail(&err);
    printf("run %lld: cancel requested\n", id);
    return 0;
}
