/*
 * step.c: `weft step`, the process that runs one step (the protocol is in
 * run_int.h). It loads the inputs from the workspace, runs the module,
 * stores the outputs as artifacts and reports their digests. It opens the
 * workspace's artifact files, never its database (record.h).
 *
 *     weft step [--report-fd N] [--record FILE] [--task K | --gather] [FILE | -]
 *
 * The description comes from FILE, or standard input ("-" or nothing); the
 * report goes to fd N, or standard output. With --record (the Slurm
 * executor's jobs), the step also writes a completion record when it ends,
 * atomically (a temporary file renamed into place), so that whoever waits
 * for it on a shared filesystem sees all of it or nothing:
 *
 *     {"exit": 0, "peak_rss_kb": 51234,
 *      "report": [{"output": "first", "digest": "ab…"}, {"done": true}]}
 *
 * "report" holds the report lines other than progress.
 *
 * Job arrays (#12). A description with "fanout" (the Slurm backend writes it
 * for steps that may fan out: {} for the plan, {"dir": D} for the rest)
 * runs the module in one of the three parts of selection.h: without --task
 * or --gather, the plan: a module that spreads tasks stops at them and the
 * step reports {"fanout": N} (the number of jobs) instead of outputs; with
 * --task K, job K of the array: its tasks' results go under D and the step
 * reports {"done": true} without outputs; with --gather, the step loads
 * every task's result from D and ends as any step does. A module without
 * such tasks runs whole in the plan and reports its outputs as usual.
 *
 * A crash must show up as the signal that caused it: the executor reports
 * "killed by signal 11 (SIGSEGV)" from the wait status. Sanitizer runtimes
 * catch SIGSEGV themselves and exit with a status instead, which would make
 * a crash look different in a sanitizer build; so the step installs its own
 * handler for the fatal signals, which writes a backtrace to the log and
 * then dies by the same signal.
 */
#include "run_int.h"

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exit statuses of `weft step`. */
enum { ENG__STEP_OK = 0, ENG__STEP_FAILED = 1, ENG__STEP_USAGE = 2 };

typedef struct eng__step_run {
    int report_fd;
    json_t *record; /* --record: the report lines kept for the completion record */
    st_workspace *ws;
    json_t *datasets; /* {"name": "name@N"}: the versions the plan pinned */
    json_t *digests;  /* {"name": "ab…"}: their tables' artifacts */
    int64_t run_id;   /* the run this step belongs to (0 when not said) */
    const char *node; /* the node's id */
    int64_t part;     /* --task K (K), --gather (ENG__FANOUT_GATHER), else ENG__FANOUT_PLAN */
} eng__step_run;

/* ---- crashes --------------------------------------------------------------- */

static void eng__crash_handler(int sig)
{
    static const char head[] = "weft step: fatal signal; backtrace:\n";
    ssize_t ignored = write(STDERR_FILENO, head, sizeof head - 1);
    (void)ignored;
    void *frames[64];
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
    /* SA_RESETHAND put the default action back; raising again ends the
     * process by this signal once the handler returns. */
    raise(sig);
}

static void eng__install_crash_handlers(void)
{
    /* backtrace() loads libgcc on first use, which allocates: do it now,
     * not inside a signal handler. */
    void *warm[2];
    backtrace(warm, 2);
    static char alt_stack[64 * 1024];
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
    sigaltstack(&ss, NULL); /* so that a stack overflow is reported too */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = eng__crash_handler;
        sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal[i], &sa, NULL);
    }
}

/* ---- reporting ------------------------------------------------------------- */

static void eng__report(eng__step_run *r, json_t *msg)
{
    if (msg == NULL) return;
    char *text = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
    if (r->record != NULL && json_object_get(msg, "progress") == NULL)
        json_array_append(r->record, msg);
    json_decref(msg);
    if (text == NULL) return;
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL; the buffer is not used as a string again */
    const char *p = text;
    size_t left = len + 1;
    while (left > 0) {
        ssize_t w = write(r->report_fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* the executor is gone; the exit status still tells */
        p += w;
        left -= (size_t)w;
    }
    free(text);
}

static int eng__report_error(eng__step_run *r, const char *message)
{
    eng__report(r, json_pack("{s:s}", "error", message));
    fprintf(stderr, "error: %s\n", message);
    return ENG__STEP_FAILED;
}

static void eng__on_log(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "%s\n", line);
}

static void eng__on_progress(void *user, double fraction)
{
    eng__step_run *r = user;
    if (!(fraction >= 0)) fraction = 0; /* NaN too */
    if (fraction > 1) fraction = 1;
    eng__report(r, json_pack("{s:f}", "progress", fraction));
}

/* Loads datasets for dataset@1 and the like, from the table the plan
 * pinned: the description names each dataset's version ("datasets") and
 * its table's digest ("dataset_digests"), so the step reads what the
 * snapshot says even if a new version was registered since the run
 * started, and never asks the database (record.h says why). A reference
 * without a fixed version ("cars", "cars@latest") means the pinned one. */
static int eng__step_load_dataset(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    eng__step_run *r = user;
    *out = NULL;
    const char *at = ref ? strrchr(ref, '@') : NULL;
    size_t n = at ? (size_t)(at - ref) : (ref ? strlen(ref) : 0);
    char name[256];
    if (n == 0 || n >= sizeof name)
        return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not a dataset reference", ref ? ref : "");
    memcpy(name, ref, n);
    name[n] = '\0';
    const char *pinned = json_string_value(json_object_get(r->datasets, name));
    const char *digest = json_string_value(json_object_get(r->digests, name));
    bool latest = at == NULL || strcmp(at, "@latest") == 0;
    if (pinned == NULL || digest == NULL || (!latest && strcmp(ref, pinned) != 0))
        return wf_error_set(err, WF_EINVAL,
                            "dataset %s: the step description has no digest for it (the run's "
                            "plan pins every dataset a step reads)",
                            ref);
    int rc = st_artifact_load_table(r->ws, digest, out, err);
    if (rc < 0) wf_error_prefix(err, "dataset %s", pinned);
    return rc;
}

/* Export Data's registration: the table is stored, and the executor
 * registers it as the next version once the step has completed (record.h),
 * with the run and node as its source; the version is not known here. */
static int eng__step_save_dataset(void *user, const char *name, const tbl_table *t,
                                  const char *description, int *version, wf_error *err)
{
    eng__step_run *r = user;
    if (version != NULL) *version = 0;
    char digest[WF_SHA256_HEX];
    int rc = st_dataset_name_check(name, err);
    if (rc == 0) rc = st_artifact_put_table(r->ws, t, digest, NULL, err);
    if (rc < 0) return rc;
    eng__report(r, json_pack("{s:s, s:s, s:s}", "register", name, "digest", digest, "description",
                             description ? description : ""));
    return 0;
}

/* ---- inputs and outputs ---------------------------------------------------- */

static int eng__load_json_artifact(st_workspace *ws, const char *digest, json_t **out,
                                   wf_error *err)
{
    *out = NULL;
    char *path = st_artifact_path(ws, digest);
    if (path == NULL) return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not a digest", digest);
    char *text = NULL;
    size_t size = 0;
    int rc = wf_read_file(path, &text, &size, err);
    free(path);
    if (rc < 0) return rc;
    json_error_t jerr;
    *out = json_loadb(text, size, JSON_DECODE_ANY, &jerr);
    free(text);
    if (*out == NULL)
        return wf_error_set(err, WF_ECORRUPT, "artifact %s is not JSON: %s", digest, jerr.text);
    return 0;
}

int eng_load_json_artifact(void *ws, const char *digest, json_t **out, wf_error *err)
{
    *out = NULL;
    size_t n = digest != NULL ? strlen(digest) : 0;
    bool hex = n == WF_SHA256_HEX - 1;
    for (size_t i = 0; hex && i < n; i++)
        hex = (digest[i] >= '0' && digest[i] <= '9') || (digest[i] >= 'a' && digest[i] <= 'f');
    if (!hex)
        return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not an artifact digest",
                            digest ? digest : "");
    if (!st_artifact_exists(ws, digest))
        return wf_error_set(err, WF_ENOTFOUND, "artifact %s is not in this workspace", digest);
    return eng__load_json_artifact(ws, digest, out, err);
}

/* The step's artifact loader (ctx->load_artifact): the step's workspace. */
static int eng__step_load_artifact(void *user, const char *digest, json_t **out, wf_error *err)
{
    eng__step_run *r = user;
    return eng_load_json_artifact(r->ws, digest, out, err);
}

static int eng__load_inputs(eng__step_run *r, mod_ctx *ctx, const json_t *inputs, wf_error *err)
{
    const mod_descriptor *m = ctx->module;
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        const char *port = json_string_value(json_object_get(in, "port"));
        const char *digest = json_string_value(json_object_get(in, "digest"));
        int k = mod_input_index(m, port);
        if (k < 0 || digest == NULL)
            return wf_error_set(err, WF_EINVAL, "input %zu: no such port or no digest", i + 1);
        int rc;
        if (m->inputs[k].kind == MOD_TABLE)
            rc = st_artifact_load_table(r->ws, digest, &ctx->inputs[k].table, err);
        else
            rc = eng__load_json_artifact(r->ws, digest, &ctx->inputs[k].json, err);
        if (rc < 0) {
            if (err != NULL) wf_error_prefix(err, "input %s", port);
            return rc;
        }
    }
    return 0;
}

static int eng__store_outputs(eng__step_run *r, mod_ctx *ctx, wf_error *err)
{
    const mod_descriptor *m = ctx->module;
    for (size_t k = 0; k < m->noutputs; k++) {
        const mod_value *v = &ctx->outputs[k];
        char digest[WF_SHA256_HEX];
        int rc;
        if (m->outputs[k].kind == MOD_TABLE) {
            if (v->table == NULL)
                return wf_error_set(err, WF_EINVAL, "the module set no table on output %s",
                                    m->outputs[k].name);
            rc = st_artifact_put_table(r->ws, v->table, digest, NULL, err);
        } else {
            if (v->json == NULL)
                return wf_error_set(err, WF_EINVAL, "the module set nothing on output %s",
                                    m->outputs[k].name);
            /* Sorted keys: the same value gives the same bytes, hence the
             * same digest, run after run. */
            char *text = json_dumps(v->json, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
            if (text == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
            rc = st_artifact_put(r->ws, text, strlen(text), digest, err);
            free(text);
        }
        if (rc < 0) {
            if (err != NULL) wf_error_prefix(err, "output %s", m->outputs[k].name);
            return rc;
        }
        eng__report(r, json_pack("{s:s, s:s}", "output", m->outputs[k].name, "digest", digest));
    }
    return 0;
}

/* ---- the step -------------------------------------------------------------- */

static int eng__run_description(eng__step_run *r, json_t *desc)
{
    wf_error err = {0};
    const char *workspace = json_string_value(json_object_get(desc, "workspace"));
    const char *module = json_string_value(json_object_get(desc, "module"));
    const char *node = json_string_value(json_object_get(desc, "node"));
    json_t *params = json_object_get(desc, "params");
    json_t *inputs = json_object_get(desc, "inputs");
    json_t *seed = json_object_get(desc, "seed");
    if (workspace == NULL || module == NULL || node == NULL || !json_is_object(params) ||
        !json_is_array(inputs))
        return eng__report_error(r, "the step description lacks workspace, module, node, "
                                    "params or inputs");
    const mod_descriptor *m = mod_find(module);
    if (m == NULL) {
        char msg[300];
        snprintf(msg, sizeof msg, "unknown module %.200s", module);
        return eng__report_error(r, msg);
    }
    r->datasets = json_object_get(desc, "datasets");
    r->digests = json_object_get(desc, "dataset_digests");
    r->node = node;
    json_t *run = json_object_get(desc, "run");
    r->run_id = json_is_integer(run) ? (int64_t)json_integer_value(run) : 0;
    /* The artifact files only: the database stays with the executor, which
     * may be on another host (record.h). */
    if (st_open_files(workspace, &r->ws, &err) < 0) return eng__report_error(r, err.message);

    mod_ctx ctx;
    if (mod_ctx_init(&ctx, m, params) < 0) {
        int status = eng__report_error(r, ctx.err.message);
        mod_ctx_clear(&ctx);
        return status;
    }
    ctx.node_id = node;
    ctx.seed = json_is_integer(seed) ? (uint64_t)json_integer_value(seed) : 0;
    ctx.on_log = eng__on_log;
    ctx.on_progress = eng__on_progress;
    ctx.load_dataset = eng__step_load_dataset;
    ctx.save_dataset = eng__step_save_dataset;
    ctx.load_artifact = eng__step_load_artifact;
    ctx.user = r;
    /* "fanout": {} lets the plan stop at its tasks; the array's jobs and the
     * gather also need the directory of the tasks' results. */
    json_t *fanout = json_object_get(desc, "fanout");
    const char *dir = json_string_value(json_object_get(fanout, "dir"));
    ctx.fanout_dir = json_is_object(fanout) ? (dir ? dir : "") : NULL;
    ctx.fanout_job = r->part;
    if ((dir == NULL || dir[0] == '\0') && r->part != ENG__FANOUT_PLAN) {
        mod_ctx_clear(&ctx);
        return eng__report_error(r, "--task and --gather need a description with "
                                    "\"fanout\": {\"dir\": ...}");
    }
    int status = ENG__STEP_OK;
    int rc = 0;
    if (eng__load_inputs(r, &ctx, inputs, &err) < 0) {
        status = eng__report_error(r, err.message);
    } else if ((rc = m->run(&ctx)) < 0 && ctx.fanout_jobs > 0 && r->part == ENG__FANOUT_PLAN) {
        /* The module stopped at its tasks: the executor runs them as an
         * array, then the gather. */
        eng__report(r, json_pack("{s:I}", "fanout", (json_int_t)ctx.fanout_jobs));
    } else if (r->part >= 0 && ctx.fanout_jobs > 0) {
        eng__report(r, json_pack("{s:b}", "done", 1)); /* the job's tasks are saved */
    } else if (r->part >= 0 && rc == 0) {
        status = eng__report_error(r, "the module ended without reaching the tasks of a job "
                                      "array");
    } else if (rc < 0) {
        status =
            eng__report_error(r, ctx.err.message[0] ? ctx.err.message : wf_strerror(ctx.err.code));
    } else if (eng__store_outputs(r, &ctx, &err) < 0) {
        status = eng__report_error(r, err.message);
    } else {
        eng__report(r, json_pack("{s:b}", "done", 1));
    }
    mod_ctx_clear(&ctx);
    return status;
}

/* The completion record (--record): written last, and atomically. A record
 * that cannot be written is said on stderr (the step's log); the job's
 * script then writes a bare one from the exit status. */
static void eng__write_record(eng__step_run *r, const char *path, int status)
{
    struct rusage ru;
    long rss = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
    json_t *rec = json_pack("{s:i, s:I, s:O}", "exit", status, "peak_rss_kb", (json_int_t)rss,
                            "report", r->record);
    char *text = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    wf_error err = {0};
    if (text == NULL || wf_write_file_atomic(path, text, strlen(text), &err) < 0)
        fprintf(stderr, "weft step: cannot write the completion record: %s\n",
                text ? err.message : "out of memory");
    free(text);
    json_decref(rec);
    json_decref(r->record);
    r->record = NULL;
}

int eng_step_main(int argc, char **argv)
{
    static const char usage[] =
        "usage: weft step [--report-fd N] [--record FILE] [--task K | --gather] [FILE | -]\n";
    eng__step_run r = {.report_fd = STDOUT_FILENO, .part = ENG__FANOUT_PLAN};
    const char *file = NULL, *record = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--report-fd") == 0 && i + 1 < argc) {
            char *end;
            long fd = strtol(argv[++i], &end, 10);
            if (*end != '\0' || fd < 0 || fd > 1024) {
                fputs(usage, stderr);
                return ENG__STEP_USAGE;
            }
            r.report_fd = (int)fd;
        } else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc) {
            record = argv[++i];
        } else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc && r.part == ENG__FANOUT_PLAN) {
            char *end;
            long long k = strtoll(argv[++i], &end, 10);
            if (*end != '\0' || end == argv[i] || k < 0 || k > 1000000) {
                fputs(usage, stderr);
                return ENG__STEP_USAGE;
            }
            r.part = k;
        } else if (strcmp(argv[i], "--gather") == 0 && r.part == ENG__FANOUT_PLAN) {
            r.part = ENG__FANOUT_GATHER;
        } else if (file == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            file = argv[i];
        } else {
            fputs(usage, stderr);
            return ENG__STEP_USAGE;
        }
    }
    if (record != NULL && (r.record = json_array()) == NULL) return ENG__STEP_FAILED;
    eng__install_crash_handlers();
    json_error_t jerr;
    json_t *desc = file == NULL || strcmp(file, "-") == 0 ? json_loadf(stdin, 0, &jerr)
                                                          : json_load_file(file, 0, &jerr);
    int status;
    if (desc == NULL) {
        char msg[400];
        snprintf(msg, sizeof msg, "cannot read the step description: line %d: %.300s", jerr.line,
                 jerr.text);
        status = eng__report_error(&r, msg);
    } else {
        status = eng__run_description(&r, desc);
    }
    json_decref(desc);
    st_close(r.ws);
    if (record != NULL) eng__write_record(&r, record, status);
    fflush(stderr);
    return status;
}
