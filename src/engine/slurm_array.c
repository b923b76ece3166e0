/*
 * slurm_array.c: a step whose tasks fan out into a Slurm job array (#12;
 * docs/slurm.md, "Job arrays"). Cross Validate Model's folds and Tune Model
 * Hyperparameters' runs are independent tasks (selection.h); on a Slurm
 * target that allows it, each becomes a task of one job array:
 *
 * 1. The step's own job (slurm.c) runs the plan: the module stops at its
 *    tasks and the completion record says {"fanout": N} instead of outputs.
 * 2. This file then submits ONE job array, `sbatch --array=0-(N-1)`, whose
 *    task k runs `weft step --task k` (the module again, job k's tasks
 *    only, their results saved under jobs/<run>/<node>.task/<plan job>/),
 *    and a gather job, `--dependency=afterok:<array>`, that runs
 *    `weft step --gather`: the module loads every task's result and ends as
 *    any step does, with its outputs and completion record.
 * 3. The gather is followed as the step's job was (slurm.c: its record, its
 *    log, squeue); meanwhile this file follows the array's tasks: each
 *    task's record (jobs/.../job-<k>.done), and squeue's word on each task
 *    (asked together with the gather, `squeue -r`).
 *
 * A task that fails (its step failed, or Slurm ended it: time limit,
 * scancel, node failure) fails the step with the task's number and the
 * reason, its output is appended to the step's log, and the rest of the
 * array and the gather are cancelled until Slurm says they ended. A
 * requeued task is followed to its end. Cancelling the run cancels both.
 *
 * The step's log gets the tasks' logs from the gather, in task order (each
 * task saves its log lines with its result; selection.c hands them on as
 * an ordinary run does); each array task's own output file (job-<k>.log)
 * is shown in the step's log only when that task fails. The tasks' results
 * are removed once the gather has completed; after a failure they stay,
 * for people to look at.
 */
#include "slurm_int.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a bare record with a signal's status waits for Slurm's word. */
#define ENG__ARRAY_SIGNAL_WAIT_S 10.0
/* At most this much of a failed task's output is copied into the step's log. */
#define ENG__ARRAY_LOG_TAIL 16384

/* One task of the array, as Slurm and its record tell it. */
typedef struct eng__satask {
    char state[32], reason[96];
    bool ok;           /* its record says its tasks were saved */
    bool listed;       /* the last answer listed it */
    double final_at;   /* when squeue first said it ended; 0 */
    int final_seen;    /* answers in a row that said so */
    double missing_at; /* when an answer first did not list it; 0 */
    int missing_seen;  /* answers in a row that did not list it */
    bool was_pending;  /* the last answer that listed it said PENDING, or none did */
    double bare_at;    /* when a bare record (the script's) was first seen; 0 */
} eng__satask;

typedef enum eng__sarray_stage {
    ENG__SA_ARRAY,  /* submitting the array */
    ENG__SA_GATHER, /* submitting the gather */
    ENG__SA_FOLLOW, /* both queued: the gather is the step's job now */
} eng__sarray_stage;

struct eng__sarray {
    size_t n;
    eng__sarray_stage stage;
    eng__cmd sub; /* sbatch, while it runs */
    double sub_at, sub_until;
    char id[32];                         /* the array's job id; "" until known */
    char gather_id[32];                  /* the gather's, until it becomes the step's */
    char *dir, *remote_dir;              /* the tasks' results and files */
    char *script, *gather_script;        /* local paths */
    char *gather_record, *gather_report; /* local paths */
    char *name_tasks, *name_gather;
    eng__satask *tasks;
    size_t nok;
    size_t alive, alive_now; /* tasks listed as not ended (last answer, this answer) */
    bool queried, answered;  /* the query asks about it; an answer came */
};

/* ---- whether a step may fan out -------------------------------------------- */

/* The node's "compute" in the run's snapshot (loaded once per run). */
static const json_t *eng__snapshot_compute(eng__slurm *s, int64_t run_id, const char *node)
{
    if (s->snapshot == NULL || s->snapshot_run != run_id) {
        json_decref(s->snapshot);
        s->snapshot = NULL;
        st_run r = {0};
        if (st_run_get(s->ws, run_id, &r, NULL) == 0 && r.snapshot_json != NULL)
            s->snapshot = json_loads(r.snapshot_json, 0, NULL);
        st_run_clear(&r);
        s->snapshot_run = run_id;
    }
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(json_object_get(s->snapshot, "pipeline"), "nodes"), i, n)
    {
        const char *id = json_string_value(json_object_get(n, "id"));
        if (id != NULL && strcmp(id, node) == 0) return json_object_get(n, "compute");
    }
    return NULL;
}

bool eng__slurm_arrays_for(eng__slurm *s, int64_t run_id, const char *node)
{
    int said = eng__node_job_arrays(eng__snapshot_compute(s, run_id, node));
    return said >= 0 ? said == 1 : s->job_arrays;
}

size_t eng__slurm_fanout_of(const json_t *rec)
{
    if (json_integer_value(json_object_get(rec, "exit")) != 0) return 0;
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(rec, "report"), i, line)
    {
        json_t *n = json_object_get(line, "fanout");
        if (json_is_integer(n) && json_integer_value(n) > 0) return (size_t)json_integer_value(n);
    }
    return 0;
}

/* ---- writing the array's files --------------------------------------------- */

/* The description the array's jobs and the gather read: the step's, with
 * the results' directory. */
static int eng__write_array_desc(eng__slurm *s, eng__sjob *j, const char *path, wf_error *err)
{
    char *local_desc = eng__slurm_join(s->local_root, "/jobs/", j->stem);
    char *desc_path = local_desc ? eng__slurm_join(local_desc, ".json", "") : NULL;
    free(local_desc);
    if (desc_path == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    json_error_t jerr;
    json_t *desc = json_load_file(desc_path, 0, &jerr);
    free(desc_path);
    if (desc == NULL)
        return wf_error_set(err, WF_EIO, "cannot read the step's description again: %s", jerr.text);
    char *text = NULL;
    json_t *fanout = json_pack("{s:s}", "dir", j->array->remote_dir);
    if (fanout != NULL && json_object_set_new(desc, "fanout", fanout) == 0)
        text = json_dumps(desc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(desc);
    int rc = text ? wf_write_file_atomic(path, text, strlen(text), err)
                  : wf_error_set(err, WF_ENOMEM, "out of memory");
    free(text);
    return rc;
}

/* Writes a script with eng__slurm_script, every path quoted for sh. */
static int eng__write_script(eng__slurm *s, const char *path, const char *head,
                             const char *prologue, const char *args, const wf_buf *rec,
                             const char *desc, const char *report, wf_error *err)
{
    wf_buf b = {0}, qdesc = {0}, qreport = {0};
    eng__slurm_sh_quote(&qdesc, desc);
    eng__slurm_sh_quote(&qreport, report);
    if (!qdesc.failed && !qreport.failed && !rec->failed)
        eng__slurm_script(&b, s, head, prologue, args, rec->data, qdesc.data, qreport.data);
    wf_buf_free(&qdesc);
    wf_buf_free(&qreport);
    int rc = b.data != NULL && !b.failed ? wf_write_file_atomic(path, b.data, b.len, err)
                                         : wf_error_set(err, WF_ENOMEM, "out of memory");
    wf_buf_free(&b);
    return rc;
}

/* The array's directory, description and two scripts. */
static int eng__write_array_files(eng__slurm *s, eng__sjob *j, wf_error *err)
{
    eng__sarray *a = j->array;
    int rc = wf_mkdirs(a->dir, err);
    if (rc < 0) return rc;
    char *local = eng__slurm_join(s->local_root, "/jobs/", j->stem);
    char *remote = eng__slurm_join(s->remote_root, "/jobs/", j->stem);
    char *desc = local ? eng__slurm_join(local, ".array.json", "") : NULL;
    char *rdesc = remote ? eng__slurm_join(remote, ".array.json", "") : NULL;
    char *rrec = remote ? eng__slurm_join(remote, ".gather.done", "") : NULL;
    char *rreport = remote ? eng__slurm_join(remote, ".gather.report", "") : NULL;
    wf_buf task_rec = {0}, gather_rec = {0}, head = {0};
    if (!local || !remote || !desc || !rdesc || !rrec || !rreport) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    rc = eng__write_array_desc(s, j, desc, err);
    if (rc < 0) goto out;
    /* Task k's record: '<dir>/job-'"$k"'.done'. */
    char *dir_prefix = eng__slurm_join(a->remote_dir, "/job-", "");
    if (dir_prefix == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto out;
    }
    eng__slurm_sh_quote(&task_rec, dir_prefix);
    free(dir_prefix);
    wf_buf_puts(&task_rec, "\"$k\"'.done'");
    wf_buf_printf(&head, "the tasks of step %s of run %lld as a Slurm job array", j->node,
                  (long long)j->run_id);
    rc = head.failed ? wf_error_set(err, WF_ENOMEM, "out of memory")
                     : eng__write_script(s, a->script, head.data,
                                         "k=${SLURM_ARRAY_TASK_ID:?not a job array task}\n",
                                         "--task \"$k\" ", &task_rec, rdesc, "/dev/null", err);
    if (rc < 0) goto out;
    eng__slurm_sh_quote(&gather_rec, rrec);
    head.len = 0;
    wf_buf_printf(&head, "the gather of step %s of run %lld, after its job array", j->node,
                  (long long)j->run_id);
    rc = head.failed ? wf_error_set(err, WF_ENOMEM, "out of memory")
                     : eng__write_script(s, a->gather_script, head.data, "", "--gather ",
                                         &gather_rec, rdesc, rreport, err);
out:
    free(local);
    free(remote);
    free(desc);
    free(rdesc);
    free(rrec);
    free(rreport);
    wf_buf_free(&task_rec);
    wf_buf_free(&gather_rec);
    wf_buf_free(&head);
    return rc;
}

/* Ends the task with a failure of the array. */
static void eng__array_fail(eng__sjob *j, const char *msg)
{
    eng__slurm_log_note(j, "weft: %s", msg);
    free(j->task->reason);
    j->task->reason = wf_strdup(msg);
    j->task->status = 1 << 8;
}

bool eng__slurm_array_begin(eng__slurm *s, eng__sjob *j, size_t n)
{
    eng__sarray *a = calloc(1, sizeof *a);
    if (a == NULL) {
        eng__array_fail(j, "out of memory for a job array");
        return false;
    }
    j->array = a;
    eng__cmd_init(&a->sub);
    a->n = n;
    a->tasks = calloc(n, sizeof *a->tasks);
    /* Submitted tasks are pending until squeue says otherwise. */
    for (size_t k = 0; a->tasks != NULL && k < n; k++)
        a->tasks[k].was_pending = true;
    char sub[80];
    /* One directory per try of the step: the plan's job id tells them apart. */
    snprintf(sub, sizeof sub, ".task/%s", j->id);
    char *local = eng__slurm_join(s->local_root, "/jobs/", j->stem);
    char *remote = eng__slurm_join(s->remote_root, "/jobs/", j->stem);
    a->dir = local ? eng__slurm_join(local, sub, "") : NULL;
    a->remote_dir = remote ? eng__slurm_join(remote, sub, "") : NULL;
    a->script = local ? eng__slurm_join(local, ".tasks.sh", "") : NULL;
    a->gather_script = local ? eng__slurm_join(local, ".gather.sh", "") : NULL;
    a->gather_record = local ? eng__slurm_join(local, ".gather.done", "") : NULL;
    a->gather_report = local ? eng__slurm_join(local, ".gather.report", "") : NULL;
    a->name_tasks = eng__slurm_join(j->name, ".tasks", "");
    a->name_gather = eng__slurm_join(j->name, ".gather", "");
    free(local);
    free(remote);
    wf_error err = {0};
    int rc = 0;
    if (!a->tasks || !a->dir || !a->remote_dir || !a->script || !a->gather_script ||
        !a->gather_record || !a->gather_report || !a->name_tasks || !a->name_gather)
        rc = wf_error_set(&err, WF_ENOMEM, "out of memory");
    if (rc == 0) {
        unlink(a->gather_record);
        unlink(a->gather_report);
        rc = eng__write_array_files(s, j, &err);
    }
    if (rc < 0) {
        char msg[WF_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "cannot prepare the job array: %.900s", err.message);
        eng__array_fail(j, msg);
        return false;
    }
    eng__slurm_log_note(j, "weft: the step's tasks go to a Slurm job array of %zu tasks", n);
    j->phase = ENG__SJ_ARRAY;
    a->stage = ENG__SA_ARRAY;
    a->sub_at = eng__now();
    a->sub_until = a->sub_at + 300.0;
    return true;
}

/* ---- submitting ------------------------------------------------------------- */

static void eng__array_sbatch(eng__slurm *s, eng__sjob *j)
{
    eng__sarray *a = j->array;
    char opt1[64], opt2[64], output[PATH_MAX];
    if (a->stage == ENG__SA_ARRAY) {
        snprintf(opt1, sizeof opt1, "--array=0-%zu", a->n - 1);
        snprintf(output, sizeof output, "%s/job-%%a.log", a->remote_dir);
        const char *more[] = {opt1, NULL};
        eng__slurm_sbatch(s, &a->sub, a->name_tasks, output, more, a->script);
    } else {
        snprintf(opt1, sizeof opt1, "--dependency=afterok:%s", a->id);
        /* A gather whose array failed can never start: Slurm drops it, and
         * so do we. */
        snprintf(opt2, sizeof opt2, "--kill-on-invalid-dep=yes");
        const char *more[] = {opt1, opt2, NULL};
        eng__slurm_sbatch(s, &a->sub, a->name_gather, j->remote_log, more, a->gather_script);
    }
}

/* The gather is queued: from now on it is the job slurm.c follows. */
static void eng__array_follow_gather(eng__sjob *j)
{
    eng__sarray *a = j->array;
    snprintf(j->id, sizeof j->id, "%s", a->gather_id);
    a->gather_id[0] = '\0';
    char *swap = j->record;
    j->record = a->gather_record;
    a->gather_record = swap;
    swap = j->report.path;
    j->report.path = a->gather_report;
    a->gather_report = swap;
    j->report.offset = 0;
    j->report.partial.len = 0;
    j->state[0] = j->reason[0] = j->slurm_said[0] = '\0';
    j->listed = false;
    j->missing_at = j->final_at = j->record_at = 0;
    j->final_seen = 0;
    j->phase = ENG__SJ_QUEUED;
    a->stage = ENG__SA_FOLLOW;
}

/* scancel now, and wait for it: the jobs a and b, each when it is not ""
 * or NULL. */
static void eng__scancel_now(const char *a, const char *b)
{
    char *argv[4] = {(char *)"scancel", NULL, NULL, NULL};
    size_t n = 1;
    if (a != NULL && a[0] != '\0') argv[n++] = (char *)a;
    if (b != NULL && b[0] != '\0') argv[n++] = (char *)b;
    if (n > 1) eng__cmd_run(argv);
}

bool eng__slurm_array_submitting(eng__slurm *s, eng__sjob *j, double now)
{
    eng__sarray *a = j->array;
    if (a->sub.pid == 0) {
        if (j->cancel) {
            /* Nothing in flight: cancel what was submitted. */
            eng__scancel_now(a->id, NULL);
            return true;
        }
        if (now < a->sub_at) return false;
        eng__array_sbatch(s, j);
    }
    int status;
    if (!eng__cmd_poll(&a->sub, &status)) return false;
    char id[32], last[600];
    eng__last_line(a->sub.out.data, last, sizeof last);
    bool got = eng__slurm_parse_id(a->sub.out.data, status, id, sizeof id);
    bool transient = !got && status != 0 && eng__slurm_transient(a->sub.out.data);
    eng__cmd_clear(&a->sub);
    if (got && a->stage == ENG__SA_ARRAY) {
        snprintf(a->id, sizeof a->id, "%s", id);
        snprintf(j->task->job_id, sizeof j->task->job_id, "%.12s_[0-%zu]", id, a->n - 1);
        eng__slurm_log_note(j, "weft: submitted the tasks as Slurm job array %s (tasks 0-%zu)", id,
                            a->n - 1);
        if (j->cancel) {
            eng__scancel_now(a->id, NULL);
            return true;
        }
        a->stage = ENG__SA_GATHER;
        a->sub_at = now;
        return false;
    }
    if (got) {
        snprintf(a->gather_id, sizeof a->gather_id, "%s", id);
        eng__slurm_log_note(j, "weft: submitted the gather as Slurm job %s, after job array %s", id,
                            a->id);
        if (j->cancel) {
            eng__scancel_now(a->id, a->gather_id);
            return true;
        }
        eng__array_follow_gather(j);
        return false;
    }
    if (transient && now < a->sub_until && !j->cancel) {
        eng__slurm_log_note(j, "weft: sbatch could not reach Slurm (%s); trying again", last);
        a->sub_at = now + 1.0;
        return false;
    }
    if (j->cancel) {
        eng__scancel_now(a->id, NULL);
        return true;
    }
    char msg[800];
    snprintf(msg, sizeof msg, "sbatch refused the %s: %s",
             a->stage == ENG__SA_ARRAY ? "job array" : "gather job",
             last[0] ? last : "it printed no job id");
    eng__array_fail(j, msg);
    eng__scancel_now(a->id, NULL);
    return true;
}

/* ---- following the tasks ----------------------------------------------------- */

/* The last slurmstepd line of task k's output into said (may be ""); with
 * `copy`, the end of that output goes into the step's log too. */
static void eng__array_read_output(eng__sjob *j, size_t k, bool copy, char *said, size_t cap)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/job-%zu.log", j->array->dir, k);
    said[0] = '\0';
    char *text = NULL;
    size_t size = 0;
    if (wf_read_file(path, &text, &size, NULL) < 0) return;
    char *from = copy && size > ENG__ARRAY_LOG_TAIL ? text + size - ENG__ARRAY_LOG_TAIL : text;
    if (copy) eng__slurm_log_note(j, "weft: the output of task %zu (%s):", k, path);
    for (char *line = from; line != NULL && *line;) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) *nl = '\0';
        if (strstr(line, "slurmstepd") != NULL && strstr(line, "***") != NULL)
            snprintf(said, cap, "%s", line);
        if (copy) eng__slurm_log_note(j, "  %s", line);
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(text);
}

/* Task k failed: the step fails with why; the rest of the array and the
 * gather are cancelled (slurm.c's cancel, which waits for Slurm to say they
 * ended). what is the step's error for a task that ran, or NULL for Slurm's
 * account of a task it ended. */
static void eng__array_task_failed(eng__sjob *j, size_t k, const char *what, double now)
{
    eng__sarray *a = j->array;
    eng__satask *t = &a->tasks[k];
    char said[512], msg[WF_ERROR_MESSAGE_MAX];
    eng__array_read_output(j, k, true, said, sizeof said);
    if (what != NULL) {
        snprintf(msg, sizeof msg, "task %zu of Slurm job array %s (job %s_%zu) failed: %.700s", k,
                 a->id, a->id, k, what);
    } else {
        bool reason = t->reason[0] != '\0' && strcmp(t->reason, "None") != 0;
        snprintf(msg, sizeof msg,
                 "Slurm job %s_%zu (task %zu of the job array) %s (%s%s%s)%s%.500s", a->id, k, k,
                 eng__slurm_state_words(t->state), t->state, reason ? ", reason " : "",
                 reason ? t->reason : "", said[0] ? ": " : "", said);
    }
    eng__array_fail(j, msg);
    j->cancel = true;
    j->cancel_until = now + ENG__SLURM_CANCEL_S;
    j->next_scancel = 0;
}

/* The error a failed task's record reports, or its exit status. */
static void eng__record_error(const json_t *rec, char *buf, size_t cap)
{
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(rec, "report"), i, line)
    {
        const char *e = json_string_value(json_object_get(line, "error"));
        if (e != NULL) {
            snprintf(buf, cap, "%s", e);
            return;
        }
    }
    snprintf(buf, cap, "weft step exited with status %d",
             (int)json_integer_value(json_object_get(rec, "exit")));
}

/* Looks at task k once: its record, else Slurm's word. True when it
 * failed (the step is failing). */
static bool eng__array_check_task(eng__sjob *j, size_t k, double now)
{
    eng__sarray *a = j->array;
    eng__satask *t = &a->tasks[k];
    char path[PATH_MAX], what[WF_ERROR_MESSAGE_MAX];
    snprintf(path, sizeof path, "%s/job-%zu.done", a->dir, k);
    json_t *rec = NULL;
    if (eng__slurm_read_record(path, &rec)) {
        int exit_code = (int)json_integer_value(json_object_get(rec, "exit"));
        bool full = json_is_array(json_object_get(rec, "report"));
        if (full && exit_code == 0) {
            json_decref(rec);
            t->ok = true;
            a->nok++;
            char progress[64];
            snprintf(progress, sizeof progress, "{\"progress\":%.4f}",
                     (double)a->nok / (double)a->n);
            if (j->fn != NULL) j->fn(j->user, true, progress);
            return false;
        }
        if (full) {
            eng__record_error(rec, what, sizeof what);
            json_decref(rec);
            eng__array_task_failed(j, k, what, now);
            return true;
        }
        json_decref(rec);
        /* A bare record: the step could not write its own (it crashed, or
         * was killed). A signal may be Slurm's doing, which Slurm explains
         * better: wait a little for its word. */
        if (t->bare_at == 0) t->bare_at = now;
        bool by_slurm = t->final_at != 0 && eng__slurm_killed_by_slurm(t->state);
        if (exit_code > 128 && !by_slurm && now - t->bare_at < ENG__ARRAY_SIGNAL_WAIT_S)
            return false;
        if (by_slurm) {
            eng__array_task_failed(j, k, NULL, now);
        } else {
            if (exit_code > 128)
                snprintf(what, sizeof what, "weft step was killed by signal %d", exit_code - 128);
            else
                snprintf(what, sizeof what, "weft step exited with status %d without its record",
                         exit_code);
            eng__array_task_failed(j, k, what, now);
        }
        return true;
    }
    /* No record: Slurm may have ended the task. Its record may still be on
     * its way when it ended by itself; a requeued task comes back. */
    double grace = eng__slurm_killed_by_slurm(t->state) ? 0.5 : ENG__SLURM_RECORD_GRACE_S;
    if (t->final_at != 0 && t->final_seen >= 2 && now - t->final_at >= grace) {
        char said[512];
        eng__array_read_output(j, k, false, said, sizeof said);
        if (strstr(said, "DUE TO JOB REQUEUE") == NULL ||
            now - t->final_at >= ENG__SLURM_REQUEUE_S) {
            eng__array_task_failed(j, k, NULL, now);
            return true;
        }
    }
    /* A pending task that scancel ends leaves the array at once: squeue
     * no longer lists it, as it lists the tasks that ended after they
     * started (for minutes). Two answers without it say so. */
    if (t->missing_at != 0 && t->missing_seen >= 2 && t->was_pending) {
        snprintf(t->state, sizeof t->state, "CANCELLED");
        snprintf(t->reason, sizeof t->reason, "it left the array while pending");
        eng__array_task_failed(j, k, NULL, now);
        return true;
    }
    if (t->missing_at != 0 && now - t->missing_at >= ENG__SLURM_FORGOTTEN_S) {
        snprintf(t->state, sizeof t->state, "UNKNOWN");
        snprintf(t->reason, sizeof t->reason, "squeue no longer knows the task");
        eng__array_task_failed(j, k, NULL, now);
        return true;
    }
    return false;
}

bool eng__slurm_array_check(eng__slurm *s, eng__sjob *j, double now)
{
    (void)s;
    eng__sarray *a = j->array;
    if (a == NULL || a->stage != ENG__SA_FOLLOW || a->nok == a->n) return false;
    for (size_t k = 0; k < a->n; k++) {
        if (a->tasks[k].ok) continue;
        if (eng__array_check_task(j, k, now)) return true;
    }
    if (a->nok == a->n)
        eng__slurm_log_note(j, "weft: the %zu tasks of job array %s are done; the gather follows",
                            a->n, a->id);
    return false;
}

/* ---- squeue ------------------------------------------------------------------- */

/* Whether squeue should still be asked about the array: until an answer
 * says none of its tasks is alive. */
static bool eng__array_may_live(const eng__sarray *a)
{
    return a != NULL && a->id[0] != '\0' && !(a->answered && a->alive == 0);
}

void eng__slurm_array_query_ids(eng__sjob *j, wf_buf *ids)
{
    eng__sarray *a = j->array;
    if (a == NULL) return;
    a->queried = a->stage == ENG__SA_FOLLOW && eng__array_may_live(a);
    if (!a->queried) return;
    wf_buf_puts(ids, ",");
    wf_buf_puts(ids, a->id);
    a->alive_now = 0;
    for (size_t k = 0; k < a->n; k++)
        a->tasks[k].listed = false;
}

bool eng__slurm_array_query_line(eng__sjob *j, const char *id, const char *state, double now)
{
    eng__sarray *a = j->array;
    if (a == NULL || !a->queried) return false;
    size_t len = strlen(a->id);
    if (strncmp(id, a->id, len) != 0 || id[len] != '_') return false;
    const char *reason = state + strlen(state) + 1; /* the line was "id|state|reason" */
    char *end;
    unsigned long k = strtoul(id + len + 1, &end, 10);
    if (end == id + len + 1 || *end != '\0' || k >= a->n) {
        /* "123_[4-9]": tasks not listed one by one; alive, whatever they are. */
        if (!eng__slurm_final_state(state)) a->alive_now++;
        return true;
    }
    eng__satask *t = &a->tasks[k];
    t->listed = true;
    t->missing_at = 0;
    t->missing_seen = 0;
    t->was_pending = strcmp(state, "PENDING") == 0;
    snprintf(t->state, sizeof t->state, "%s", state);
    snprintf(t->reason, sizeof t->reason, "%s", reason);
    if (!eng__slurm_final_state(state)) {
        a->alive_now++;
        t->final_at = 0;
        t->final_seen = 0;
    } else if (t->final_seen++ == 0) {
        t->final_at = now;
    }
    return true;
}

void eng__slurm_array_query_done(eng__sjob *j, double now)
{
    eng__sarray *a = j->array;
    if (a == NULL || !a->queried) return;
    a->answered = true;
    a->alive = a->alive_now;
    for (size_t k = 0; k < a->n; k++) {
        eng__satask *t = &a->tasks[k];
        /* A task that had ended and is gone now has ended for sure. */
        if (!t->listed && t->final_at != 0) t->final_seen++;
        if (!t->listed && t->final_at == 0 && t->missing_at == 0) t->missing_at = now;
        if (!t->listed && t->final_at == 0) t->missing_seen++;
    }
    a->queried = false;
}

bool eng__slurm_array_gone(const eng__sjob *j)
{
    return !eng__array_may_live(j->array);
}

void eng__slurm_array_cancel_ids(eng__sjob *j, char **argv, size_t *n)
{
    if (eng__array_may_live(j->array)) argv[(*n)++] = j->array->id;
}

/* ---- the end ------------------------------------------------------------------- */

static int eng__remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void eng__slurm_array_finished(eng__sjob *j)
{
    if (j->array == NULL || j->array->dir == NULL) return;
    nftw(j->array->dir, eng__remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    /* <node>.task itself, when no other try left anything in it. */
    char *parent = wf_strdup(j->array->dir);
    char *slash = parent ? strrchr(parent, '/') : NULL;
    if (slash != NULL) {
        *slash = '\0';
        rmdir(parent);
    }
    free(parent);
}

void eng__slurm_array_free(eng__sjob *j)
{
    eng__sarray *a = j->array;
    if (a == NULL) return;
    /* An sbatch in flight may be about to queue a job: it is cancelled
     * once it has an id, as is an array that may still run. */
    if (a->sub.pid != 0) {
        int status = eng__cmd_finish(&a->sub);
        char id[32];
        if (eng__slurm_parse_id(a->sub.out.data, status, id, sizeof id)) {
            if (a->stage == ENG__SA_ARRAY)
                snprintf(a->id, sizeof a->id, "%s", id);
            else
                snprintf(a->gather_id, sizeof a->gather_id, "%s", id);
        }
    }
    eng__cmd_clear(&a->sub);
    bool tasks_live = eng__array_may_live(a) && a->nok < a->n;
    eng__scancel_now(tasks_live ? a->id : "", a->gather_id);
    free(a->tasks);
    free(a->dir);
    free(a->remote_dir);
    free(a->script);
    free(a->gather_script);
    free(a->gather_record);
    free(a->gather_report);
    free(a->name_tasks);
    free(a->name_gather);
    free(a);
    j->array = NULL;
}
