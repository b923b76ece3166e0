/*
 * selection.c: the parts of model selection that are not about metrics
 * (selection.h): tasks spread over threads with their own contexts, and
 * folds.
 */
#include "selection.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the thread budget --------------------------------------------------- */

#define SEL_MAX_THREADS 64

size_t mod__thread_budget(const mod_ctx *ctx)
{
    if (ctx->threads > 0) return (size_t)ctx->threads;
    const char *env = getenv("OMP_NUM_THREADS");
    if (env != NULL) {
        /* OpenMP allows a list ("4,2") for nested levels; the first is ours. */
        char *end;
        long v = strtol(env, &end, 10);
        if (end != env && v > 0) return v > SEL_MAX_THREADS ? SEL_MAX_THREADS : (size_t)v;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) return 1;
    return cores > SEL_MAX_THREADS ? SEL_MAX_THREADS : (size_t)cores;
}

/* ---- tasks ----------------------------------------------------------------- */

/* What one task left behind. */
typedef struct sel_slot {
    int rc;
    wf_error *err; /* when it failed */
    wf_buf log;
} sel_slot;

/* Tasks [lo, hi) of a set, spread over threads. */
typedef struct sel_pool {
    mod_ctx *ctx;
    size_t lo, hi;
    mod__task_fn fn;
    void *arg;
    sel_slot *slots;  /* indexed by task */
    int task_threads; /* each task's share of the budget */
    atomic_size_t next, done;
    atomic_bool stop;
} sel_pool;

static void sel_task_log(void *user, const char *line)
{
    wf_buf *log = user;
    wf_buf_puts(log, line);
    wf_buf_append(log, "\n", 1);
}

/* Runs task k in a context of its own. */
static void sel_run_one(sel_pool *p, size_t k)
{
    sel_slot *s = &p->slots[k];
    mod_ctx task;
    memset(&task, 0, sizeof task);
    task.module = p->ctx->module;
    task.node_id = p->ctx->node_id;
    task.seed = p->ctx->seed;
    task.threads = p->task_threads;
    task.cancel = p->ctx->cancel;
    task.on_log = sel_task_log;
    task.user = &s->log;
    s->rc = p->fn(&task, p->arg, k);
    if (s->rc < 0) {
        s->err = wf_calloc(1, sizeof *s->err);
        if (s->err != NULL) *s->err = task.err;
    }
    mod_ctx_clear(&task);
}

/* A worker: takes the next task until none is left or one has failed. Only
 * the calling thread (main) reports progress, since the step's context is
 * not shared. */
static void sel_work(sel_pool *p, bool main)
{
    for (;;) {
        if (atomic_load(&p->stop) || mod_cancelled(p->ctx)) return;
        size_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->hi) return;
        sel_run_one(p, k);
        if (p->slots[k].rc < 0) atomic_store(&p->stop, true);
        size_t done = atomic_fetch_add(&p->done, 1) + 1;
        if (main) mod_progress(p->ctx, (double)done / (double)(p->hi - p->lo));
    }
}

static void *sel_worker_main(void *p)
{
    sel_work(p, false);
    return NULL;
}

/* Runs tasks [lo, hi) of set on up to set->threads threads; the slots are
 * the caller's (set->n of them). */
static void sel_run_range(mod_ctx *ctx, const mod__task_set *set, size_t lo, size_t hi,
                          sel_slot *slots)
{
    sel_pool p = {.ctx = ctx, .lo = lo, .hi = hi, .fn = set->run, .arg = set->arg, .slots = slots};
    atomic_init(&p.next, lo);
    atomic_init(&p.done, 0);
    atomic_init(&p.stop, false);
    size_t threads = set->threads;
    if (threads > hi - lo) threads = hi - lo;
    if (threads < 1) threads = 1;
    /* Tasks side by side share the budget, rather than each asking for
     * every core (which oversubscribes and slows them all). */
    size_t budget = mod__thread_budget(ctx);
    p.task_threads = budget / threads > 0 ? (int)(budget / threads) : 1;
    pthread_t *tid = threads > 1 ? wf_calloc(threads, sizeof *tid) : NULL;
    bool *started = threads > 1 ? wf_calloc(threads, sizeof *started) : NULL;
    for (size_t i = 1; tid != NULL && started != NULL && i < threads; i++)
        started[i] = pthread_create(&tid[i], NULL, sel_worker_main, &p) == 0;
    /* The calling thread works too, and finishes alone if no thread started. */
    sel_work(&p, true);
    for (size_t i = 1; tid != NULL && started != NULL && i < threads; i++)
        if (started[i]) pthread_join(tid[i], NULL);
    free(tid);
    free(started);
}

/* Hands a task's log (lines in text) to ctx's log, prefixed with label. */
static void sel_pass_log(mod_ctx *ctx, const char *label, char *text)
{
    for (char *line = text; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) *nl = '\0';
        mod_log(ctx, "%s: %s", label, line);
        line = nl != NULL ? nl + 1 : NULL;
    }
}

/* "<fanout_dir>/<k>": task k's directory. */
static int sel_task_dir(mod_ctx *ctx, size_t k, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%zu", ctx->fanout_dir, k);
    if (n < 0 || (size_t)n >= cap)
        return mod_fail(ctx, WF_EINVAL, "the job array's directory path is too long");
    return 0;
}

/* Saves task k's result and (with keep_logs) its log into its directory. */
static int sel_save_task(mod_ctx *ctx, const mod__task_set *set, size_t k, const sel_slot *slot)
{
    char dir[4096];
    int rc = sel_task_dir(ctx, k, dir, sizeof dir);
    wf_error err = {0};
    if (rc == 0 && wf_mkdirs(dir, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0) rc = set->save(ctx, set->arg, k, dir);
    if (rc == 0 && set->keep_logs) {
        char path[4200];
        snprintf(path, sizeof path, "%s/log", dir);
        const char *text = slot->log.data ? slot->log.data : "";
        if (wf_write_file_atomic(path, text, strlen(text), &err) < 0) rc = mod_fail_with(ctx, &err);
    }
    return rc;
}

/* Loads task k's result and hands on its log. */
static int sel_load_task(mod_ctx *ctx, const mod__task_set *set, size_t k, const char *label)
{
    char dir[4096];
    int rc = sel_task_dir(ctx, k, dir, sizeof dir);
    if (rc == 0) rc = set->load(ctx, set->arg, k, dir);
    if (rc == 0 && set->keep_logs) {
        char path[4200], *text = NULL;
        size_t size = 0;
        wf_error err = {0};
        snprintf(path, sizeof path, "%s/log", dir);
        if (wf_read_file(path, &text, &size, &err) < 0) return mod_fail_with(ctx, &err);
        sel_pass_log(ctx, label, text);
        free(text);
    }
    return rc;
}

/* The gather: every task's result from its directory, in task order. */
static int sel_gather(mod_ctx *ctx, const mod__task_set *set)
{
    char label[128];
    for (size_t k = 0; k < set->n; k++) {
        set->name(set->arg, k, label, sizeof label);
        int rc = sel_load_task(ctx, set, k, label);
        /* The message says what could not be read; the label says whose. */
        if (rc < 0)
            return wf_error_prefix(&ctx->err, "%s: cannot load its result from the job array",
                                   label);
        mod_progress(ctx, (double)(k + 1) / (double)set->n);
    }
    return 0;
}

/* Tasks per job of an array: set->per_job, or a multiple of it when that
 * would make more than MOD__FANOUT_MAX_JOBS jobs (Slurm refuses larger
 * arrays by default: MaxArraySize = 1001). Every part computes the same. */
static size_t sel_per_job(const mod__task_set *set)
{
    size_t per = set->per_job > 0 ? set->per_job : 1;
    size_t groups = (set->n + per - 1) / per;
    size_t together = (groups + MOD__FANOUT_MAX_JOBS - 1) / MOD__FANOUT_MAX_JOBS;
    return per * (together > 0 ? together : 1);
}

int mod__run_task_set(mod_ctx *ctx, const mod__task_set *set)
{
    size_t n = set->n;
    if (n == 0) return 0;
    size_t per = sel_per_job(set);
    size_t jobs = (n + per - 1) / per;
    bool array = ctx->fanout_dir != NULL && set->save != NULL && set->load != NULL && jobs >= 2;
    size_t lo = 0, hi = n;
    if (array && ctx->fanout_job == MOD__FANOUT_PLAN) {
        ctx->fanout_jobs = jobs;
        mod_log(ctx, "%zu tasks go to a job array of %zu jobs", n, jobs);
        return mod_fail(ctx, WF_ECANCELED, "the tasks run as a job array of %zu jobs", jobs);
    }
    if (array && ctx->fanout_job == MOD__FANOUT_GATHER) return sel_gather(ctx, set);
    if (array) {
        if (ctx->fanout_job < 0 || (uint64_t)ctx->fanout_job >= jobs)
            return mod_fail(ctx, WF_EINVAL, "job %lld is not one of the array's %zu jobs",
                            (long long)ctx->fanout_job, jobs);
        lo = (size_t)ctx->fanout_job * per;
        hi = lo + per < n ? lo + per : n;
    }
    sel_slot *slots = wf_calloc(n, sizeof *slots);
    if (slots == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory for %zu tasks", n);
    sel_run_range(ctx, set, lo, hi, slots);

    int rc = 0;
    char label[128];
    for (size_t k = lo; k < hi; k++) {
        sel_slot *s = &slots[k];
        set->name(set->arg, k, label, sizeof label);
        if (rc == 0 && array && s->rc == 0 && (rc = sel_save_task(ctx, set, k, s)) < 0)
            wf_error_prefix(&ctx->err, "%s: cannot save its result for the gather", label);
        if (set->keep_logs && s->log.data != NULL) sel_pass_log(ctx, label, s->log.data);
        if (rc == 0 && s->rc < 0) {
            rc = s->err != NULL ? mod_fail(ctx, s->rc, "%s: %s", label, s->err->message)
                                : mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
        free(s->err);
        wf_buf_free(&s->log);
    }
    free(slots);
    if (rc == 0 && mod_cancelled(ctx)) rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
    if (rc == 0 && array) {
        /* Saved: this job's part is done, and the module must not go on to
         * outputs it has only a part of. */
        ctx->fanout_jobs = 1;
        rc = mod_fail(ctx, WF_ECANCELED, "job %lld of the array saved its %zu tasks",
                      (long long)ctx->fanout_job, hi - lo);
    }
    return rc;
}

int mod__run_tasks(mod_ctx *ctx, size_t n, size_t threads, mod__task_fn fn, mod__task_name_fn name,
                   void *arg, bool keep_logs)
{
    mod__task_set set = {
        .n = n, .threads = threads, .run = fn, .name = name, .arg = arg, .keep_logs = keep_logs};
    return mod__run_task_set(ctx, &set);
}

/* ---- a task's result files ------------------------------------------------- */

static int sel_result_path(mod_ctx *ctx, const char *dir, const char *name, const char *ext,
                           char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s.%s", dir, name, ext);
    if (n < 0 || (size_t)n >= cap)
        return mod_fail(ctx, WF_EINVAL, "the task's directory path is too long");
    return 0;
}

int mod__task_save_table(mod_ctx *ctx, const char *dir, const char *name, const tbl_table *t)
{
    char path[4200];
    wf_error err = {0};
    int rc = sel_result_path(ctx, dir, name, "wtbl", path, sizeof path);
    if (rc == 0 && tbl_write_file(t, path, TBL_FORMAT_NATIVE, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    return rc;
}

int mod__task_load_table(mod_ctx *ctx, const char *dir, const char *name, tbl_table **out)
{
    char path[4200];
    wf_error err = {0};
    *out = NULL;
    int rc = sel_result_path(ctx, dir, name, "wtbl", path, sizeof path);
    if (rc == 0 && tbl_native_load(path, out, &err) < 0) rc = mod_fail_with(ctx, &err);
    return rc;
}

int mod__task_save_json(mod_ctx *ctx, const char *dir, const char *name, const json_t *value)
{
    char path[4200];
    wf_error err = {0};
    int rc = sel_result_path(ctx, dir, name, "json", path, sizeof path);
    if (rc < 0) return rc;
    /* %.17g (jansson's default precision) reads back as the same double;
     * keys keep their order, which the outputs' columns follow. */
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (wf_write_file_atomic(path, text, strlen(text), &err) < 0) rc = mod_fail_with(ctx, &err);
    free(text);
    return rc;
}

int mod__task_load_json(mod_ctx *ctx, const char *dir, const char *name, json_t **out)
{
    char path[4200];
    *out = NULL;
    int rc = sel_result_path(ctx, dir, name, "json", path, sizeof path);
    if (rc < 0) return rc;
    json_error_t jerr;
    *out = json_load_file(path, JSON_DECODE_ANY, &jerr);
    if (*out == NULL) return mod_fail(ctx, WF_ECORRUPT, "%s: %s", path, jerr.text);
    return 0;
}

/* ---- folds ----------------------------------------------------------------- */

void mod__folds_clear(mod__folds *folds)
{
    free(folds->number);
    free(folds->start);
    free(folds->rows);
    free(folds->fold_of);
    memset(folds, 0, sizeof *folds);
}

static int sel_compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* fold_of from the `Fold` column c: its distinct values, ascending, are the
 * folds. */
static int sel_folds_from_column(mod_ctx *ctx, const tbl_column *c, size_t n, mod__folds *out)
{
    int64_t *values = wf_mallocarray(n + 1, sizeof *values);
    if (values == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++) {
        if (tbl_is_missing(c, r)) {
            free(values);
            return mod_fail(ctx, WF_EINVAL,
                            "row %zu has no fold in column \"%s\": assign every row a fold "
                            "(Partition and Sample, assign-to-folds)",
                            r + 1, c->name);
        }
        values[r] = c->v.i64[r];
    }
    qsort(values, n, sizeof *values, sel_compare_i64);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (k == 0 || values[r] != values[k - 1]) values[k++] = values[r];
    if (k < 2) {
        free(values);
        if (n == 0) return mod_fail(ctx, WF_EINVAL, "the dataset has no rows to cross-validate");
        return mod_fail(ctx, WF_EINVAL,
                        "column \"%s\" puts every row in fold %lld: cross-validation needs at "
                        "least two folds",
                        c->name, (long long)c->v.i64[0]);
    }
    out->count = k;
    out->number = values;
    for (size_t r = 0; r < n; r++) {
        int64_t *at = bsearch(&c->v.i64[r], values, k, sizeof *values, sel_compare_i64);
        out->fold_of[r] = (int32_t)(at - values);
    }
    return 0;
}

/* fold_of drawn: the rows shuffled with seed and dealt out in turn. */
static int sel_folds_drawn(mod_ctx *ctx, size_t n, size_t nfolds, uint64_t seed, mod__folds *out)
{
    if (n < nfolds)
        return mod_fail(ctx, WF_EINVAL,
                        "%zu folds need at least %zu rows, but the dataset has %zu: use fewer "
                        "folds (Partition and Sample, assign-to-folds) or more rows",
                        nfolds, nfolds, n);
    size_t *order = wf_mallocarray(n + 1, sizeof *order);
    out->number = wf_mallocarray(nfolds, sizeof *out->number);
    if (order == NULL || out->number == NULL) {
        free(order);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < n; r++)
        order[r] = r;
    wf_rng rng = {.state = seed};
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)wf_rng_below(&rng, i);
        size_t tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
    for (size_t i = 0; i < n; i++)
        out->fold_of[order[i]] = (int32_t)(i % nfolds);
    for (size_t f = 0; f < nfolds; f++)
        out->number[f] = (int64_t)f + 1;
    out->count = nfolds;
    free(order);
    return 0;
}

int mod__folds_make(mod_ctx *ctx, const tbl_table *t, size_t nfolds, uint64_t seed, mod__folds *out)
{
    memset(out, 0, sizeof *out);
    size_t n = t->nrows;
    out->fold_of = wf_mallocarray(n + 1, sizeof *out->fold_of);
    out->rows = wf_mallocarray(n + 1, sizeof *out->rows);
    if (out->fold_of == NULL || out->rows == NULL) {
        mod__folds_clear(out);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    int col = tbl_find_column(t, MOD__FOLD_COLUMN);
    int rc;
    if (col >= 0 && t->cols[col].type != TBL_INTEGER)
        rc = mod_fail(ctx, WF_EINVAL,
                      "column \"%s\" is %s: folds come from an integer \"%s\" column "
                      "(Partition and Sample, assign-to-folds); rename this one to draw folds",
                      MOD__FOLD_COLUMN, tbl_type_name(t->cols[col].type), MOD__FOLD_COLUMN);
    else if (col >= 0)
        rc = sel_folds_from_column(ctx, &t->cols[col], n, out);
    else
        rc = sel_folds_drawn(ctx, n, nfolds, seed, out);
    if (rc == 0 && (out->start = wf_calloc(out->count + 1, sizeof *out->start)) == NULL)
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (rc < 0) {
        mod__folds_clear(out);
        return rc;
    }
    /* A counting sort: rows fold by fold, ascending within each. */
    for (size_t r = 0; r < n; r++)
        out->start[out->fold_of[r] + 1]++;
    for (size_t f = 0; f < out->count; f++)
        out->start[f + 1] += out->start[f];
    size_t *next = wf_mallocarray(out->count, sizeof *next);
    if (next == NULL) {
        mod__folds_clear(out);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    memcpy(next, out->start, out->count * sizeof *next);
    for (size_t r = 0; r < n; r++)
        out->rows[next[out->fold_of[r]]++] = r;
    free(next);
    return 0;
}

int mod__fold_tables(mod_ctx *ctx, const tbl_table *t, const mod__folds *folds, size_t f,
                     tbl_table **train, tbl_table **test)
{
    *train = *test = NULL;
    size_t n = t->nrows, lo = folds->start[f], hi = folds->start[f + 1];
    size_t *rest = wf_mallocarray(n - (hi - lo) + 1, sizeof *rest);
    if (rest == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t r = 0; r < n; r++)
        if ((size_t)folds->fold_of[r] != f) rest[m++] = r;
    wf_error err = {0};
    int rc = tbl_take(t, rest, m, train, &err);
    if (rc == 0) rc = tbl_take(t, folds->rows + lo, hi - lo, test, &err);
    free(rest);
    if (rc < 0) {
        tbl_free(*train);
        *train = NULL;
        return mod_fail_with(ctx, &err);
    }
    return 0;
}

/* ---- learners ---------------------------------------------------------------- */

int mod__supervised_learner(mod_ctx *ctx, const json_t *learner, const char *port,
                            const mod__learner_spec **spec)
{
    if (learner == NULL) return mod_fail(ctx, WF_EINVAL, "input \"%s\" is missing", port);
    const char *kind = json_string_value(json_object_get(learner, "kind"));
    if (kind != NULL && strcmp(kind, "model") == 0)
        return mod_fail(ctx, WF_EINVAL,
                        "input \"%s\" is a trained model; connect a learner module instead", port);
    *spec = mod__learner_find(json_string_value(json_object_get(learner, "learner")));
    if (*spec == NULL || kind == NULL || strcmp(kind, "learner") != 0)
        return mod_fail(ctx, WF_EINVAL, "input \"%s\" is not a learner", port);
    ml_task task = (*spec)->task;
    if (task != ML_REGRESSION && task != ML_BINARY && task != ML_MULTICLASS)
        return mod_fail(ctx, WF_EINVAL,
                        "%s is a %s learner: this module needs a regression or classification "
                        "learner",
                        (*spec)->name, mod__task_name(task));
    return 0;
}
