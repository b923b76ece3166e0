/*
 * slurm.c: the Slurm backend (docs/slurm.md). Each step becomes one batch
 * job, submitted with `sbatch --parsable`, whose script runs `weft step`
 * (the entry point the local backend starts too) against the workspace on
 * a filesystem the compute nodes share. Steps that are ready together are
 * submitted together; Slurm decides when they run.
 *
 * What the executor learns, and from where:
 * - the step's result comes from its completion record, a JSON file that
 *   `weft step --record` writes atomically when it ends (step.c) with its
 *   exit status and its report lines. The job's script writes a bare one
 *   ({"exit": N}) when the step could not (it crashed);
 * - the step's log is the job's output file (--output, appended to, so a
 *   requeued or retried job keeps what each try wrote); its new lines are
 *   read as they come and published as log events, and progress lines come
 *   from the report file the job writes on fd 3;
 * - whether the job is still alive comes from `squeue` (asked once a
 *   second for all the jobs that have no record yet, and only for those).
 *   A job that Slurm ended without a record (time limit, node failure,
 *   scancel from outside) fails its step with Slurm's state and reason and
 *   the slurmstepd line of its log. A job Slurm requeues goes back to
 *   PENDING and is simply followed until it ends. While the controller is
 *   unreachable (restarting), squeue fails and nothing is concluded from
 *   it; records still arrive, since they are files.
 *
 * Files of a step, under the workspace: jobs/<run>/<node>.json (the
 * description), .sh (the job's script), .report, .done (the record); the
 * log is logs/<run>/<node>.log, as for a local step.
 *
 * The commands (sbatch, squeue, scancel) run in the background
 * (command.c) with this process's environment (SLURM_CONF among it), so the
 * executor's thread never waits on a controller that is down; only sacct
 * (asked about a job squeue forgot) and the scancel of a run being cleared
 * up are waited for. A target's settings are checked in slurm_settings.c.
 */
#include "slurm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often squeue is asked about jobs that have no record yet. */
#define ENG__SLURM_QUERY_S 1.0
/* How long a submission is retried while the controller cannot be reached. */
#define ENG__SLURM_SUBMIT_RETRY_S 300.0
/* A log line longer than this is published in pieces. */
#define ENG__SLURM_LINE_MAX 8192

/* ---- Slurm's commands --------------------------------------------------------- */

/* Whether a failed command failed because the controller could not be
 * reached for the moment (restarting, overloaded), so that trying again
 * later is right. */
bool eng__slurm_transient(const char *output)
{
    static const char *const signs[] = {"Unable to contact slurm controller",
                                        "Socket timed out",
                                        "Zero Bytes were transmitted",
                                        "Connection refused",
                                        "temporarily unable",
                                        "Resource temporarily unavailable",
                                        "Communication connection failure",
                                        "Transport endpoint is not connected"};
    for (size_t i = 0; output != NULL && i < sizeof signs / sizeof signs[0]; i++)
        if (strstr(output, signs[i]) != NULL) return true;
    return false;
}

/* ---- tailing files ------------------------------------------------------------- */

/* Reads what was appended to t->path since last time and hands each
 * complete line to fn (all of it with `flush`). A file that shrank (a new
 * try rewrote it) is read again from its start. */
void eng__slurm_tail_read(eng__tail *t, bool flush, void (*fn)(eng__sjob *, const char *),
                          eng__sjob *j)
{
    int fd = open(t->path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size < t->offset) {
            t->offset = 0;
            t->partial.len = 0;
        }
        char chunk[16384];
        ssize_t r;
        while ((r = pread(fd, chunk, sizeof chunk, t->offset)) > 0) {
            t->offset += r;
            wf_buf_append(&t->partial, chunk, (size_t)r);
        }
        close(fd);
    }
    if (t->partial.failed) {
        wf_buf_free(&t->partial);
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < t->partial.len; i++) {
        bool nl = t->partial.data[i] == '\n';
        if (!nl && i - start < ENG__SLURM_LINE_MAX) continue;
        char saved = t->partial.data[i];
        t->partial.data[i] = '\0';
        fn(j, t->partial.data + start);
        t->partial.data[i] = saved;
        start = nl ? i + 1 : i;
    }
    if (flush && start < t->partial.len) {
        fn(j, t->partial.data + start);
        start = t->partial.len;
    }
    if (start > 0) {
        memmove(t->partial.data, t->partial.data + start, t->partial.len - start);
        t->partial.len -= start;
        t->partial.data[t->partial.len] = '\0';
    }
}

void eng__slurm_on_log_line(eng__sjob *j, const char *line)
{
    /* slurmstepd says in the log why it ended a job: keep its last word. */
    if (strstr(line, "slurmstepd") != NULL && strstr(line, "***") != NULL)
        snprintf(j->slurm_said, sizeof j->slurm_said, "%s", line);
    j->fn(j->user, false, line);
}

static void eng__on_report_line(eng__sjob *j, const char *line)
{
    /* Only progress: outputs and errors come from the record, which is
     * complete when it is there at all. */
    if (strncmp(line, "{\"progress\":", 12) == 0) j->fn(j->user, true, line);
}

/* ---- submitting --------------------------------------------------------------- */

/* "'text'" for sh, with every ' written '\''. */
void eng__slurm_sh_quote(wf_buf *b, const char *s)
{
    wf_buf_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            wf_buf_puts(b, "'\\''");
        else
            wf_buf_append(b, s, 1);
    }
    wf_buf_puts(b, "'");
}

char *eng__slurm_join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s != NULL) snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* "<run>/<node>" with the node's characters made safe for file names (ids
 * are checked, but a path is no place to trust that). */
static void eng__job_stem(int64_t run_id, const char *node, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%lld/", (long long)run_id);
    for (size_t i = 0; node[i] != '\0' && (size_t)n + 1 < cap; i++) {
        char c = node[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        buf[n++] = ok ? c : '_';
    }
    buf[n] = '\0';
}

void eng__slurm_script(wf_buf *b, const eng__slurm *s, const char *head, const char *prologue,
                       const char *step_args, const char *rec, const char *desc, const char *report)
{
    wf_buf_printf(b, "#!/bin/sh\n# weft: %s (written by weft's Slurm executor)\n%s", head,
                  prologue);
    /* A requeued job starts again from here: no record of an earlier try
     * may be taken for this one's. */
    wf_buf_printf(b, "rm -f %s\n", rec);
    wf_buf_puts(b, "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}\nexport OMP_WAIT_POLICY\n");
    /* A job given CPUs (the target's "cpus") keeps its threads to them: the
     * node's other cores are other jobs'. OMP_NUM_THREADS bounds the
     * modules' own threads, XGBoost's and OpenBLAS's alike; one set in
     * weft's environment wins. */
    wf_buf_puts(b, "if [ -n \"$SLURM_CPUS_PER_TASK\" ] && [ -z \"$OMP_NUM_THREADS\" ]; then\n"
                   "  OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK\n  export OMP_NUM_THREADS\nfi\n");
    eng__slurm_sh_quote(b, s->weft);
    wf_buf_printf(b, " step %s--report-fd 3 --record %s %s 3>%s\n", step_args, rec, desc, report);
    /* The step writes its own record; one that crashed could not. */
    wf_buf_printf(b,
                  "status=$?\nif [ ! -e %s ]; then\n"
                  "  printf '{\"exit\": %%d}\\n' \"$status\" >%s.tmp && mv -f %s.tmp %s\n"
                  "fi\nexit \"$status\"\n",
                  rec, rec, rec, rec);
}

/* Writes the description (with the workspace as the nodes see it, and
 * "fanout" when the step may fan out) and the job's script. */
static int eng__write_job_files(eng__slurm *s, eng__sjob *j, const eng__task_spec *spec,
                                const char *stem, wf_error *err)
{
    char rel[300];
    snprintf(rel, sizeof rel, "jobs/%lld", (long long)spec->run_id);
    char *dir = eng__slurm_join(s->local_root, "/", rel);
    int rc = dir ? wf_mkdirs(dir, err) : wf_error_set(err, WF_ENOMEM, "out of memory");
    free(dir);
    if (rc < 0) return rc;
    json_t *desc = json_deep_copy(spec->description);
    char *text = NULL;
    bool ok =
        desc != NULL && json_object_set_new(desc, "workspace", json_string(s->remote_root)) == 0;
    /* The plan of a step that may fan out; the array's jobs and the gather
     * get a description of their own with the results' directory
     * (slurm_array.c). */
    if (ok && j->arrays) ok = json_object_set_new(desc, "fanout", json_object()) == 0;
    if (ok) text = json_dumps(desc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(desc);
    char *local_desc = eng__slurm_join(s->local_root, "/jobs/", stem);
    char *desc_path = local_desc ? eng__slurm_join(local_desc, ".json", "") : NULL;
    free(local_desc);
    rc = text && desc_path ? wf_write_file_atomic(desc_path, text, strlen(text), err)
                           : wf_error_set(err, WF_ENOMEM, "out of memory");
    free(text);
    free(desc_path);
    if (rc < 0) return rc;

    char *remote = eng__slurm_join(s->remote_root, "/jobs/", stem);
    if (remote == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    char *rrec = eng__slurm_join(remote, ".done", ""),
         *rreport = eng__slurm_join(remote, ".report", "");
    char *rdesc = eng__slurm_join(remote, ".json", "");
    free(remote);
    wf_buf b = {0}, qrec = {0}, qdesc = {0}, qreport = {0}, head = {0};
    if (rrec && rdesc && rreport) {
        eng__slurm_sh_quote(&qrec, rrec);
        eng__slurm_sh_quote(&qdesc, rdesc);
        eng__slurm_sh_quote(&qreport, rreport);
        wf_buf_printf(&head, "step %s of run %lld as a Slurm batch job", j->node,
                      (long long)j->run_id);
        if (!qrec.failed && !qdesc.failed && !qreport.failed && !head.failed)
            eng__slurm_script(&b, s, head.data, "", "", qrec.data, qdesc.data, qreport.data);
    }
    free(rrec);
    free(rdesc);
    free(rreport);
    wf_buf_free(&qrec);
    wf_buf_free(&qdesc);
    wf_buf_free(&qreport);
    wf_buf_free(&head);
    if (b.data == NULL || b.failed) {
        wf_buf_free(&b);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    rc = wf_write_file_atomic(j->script, b.data, b.len, err);
    wf_buf_free(&b);
    return rc;
}

/* Appends a line of ours to the step's log (the job appends to it too). */
void eng__slurm_log_note(eng__sjob *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void eng__slurm_log_note(eng__sjob *j, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    int fd = open(j->log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t w = write(fd, line, (size_t)n);
    (void)w; /* the log is for people: a lost line fails nothing */
    close(fd);
}

void eng__slurm_sbatch(eng__slurm *s, eng__cmd *c, const char *name, const char *output,
                       const char *const *more, const char *script)
{
    char *argv[40 + 64];
    size_t n = 0;
    char jname[200], out[PATH_MAX + 16], chdir[PATH_MAX + 16], partition[128], account[128],
        time[64], cpus[48], mem[48];
    snprintf(jname, sizeof jname, "--job-name=%s", name);
    snprintf(out, sizeof out, "--output=%s", output);
    snprintf(chdir, sizeof chdir, "--chdir=%s", s->remote_root);
    argv[n++] = (char *)"sbatch";
    argv[n++] = (char *)"--parsable";
    argv[n++] = jname;
    argv[n++] = out;
    argv[n++] = (char *)"--open-mode=append";
    argv[n++] = chdir;
    if (s->partition != NULL) {
        snprintf(partition, sizeof partition, "--partition=%s", s->partition);
        argv[n++] = partition;
    }
    if (s->account != NULL) {
        snprintf(account, sizeof account, "--account=%s", s->account);
        argv[n++] = account;
    }
    snprintf(time, sizeof time, "--time=%s", s->time_limit);
    argv[n++] = time;
    if (s->cpus > 0) {
        snprintf(cpus, sizeof cpus, "--cpus-per-task=%ld", s->cpus);
        argv[n++] = cpus;
    }
    if (s->memory_mb > 0) {
        snprintf(mem, sizeof mem, "--mem=%ldM", s->memory_mb);
        argv[n++] = mem;
    }
    for (size_t k = 0; more != NULL && more[k] != NULL && k < 8; k++)
        argv[n++] = (char *)more[k];
    for (size_t k = 0; k < s->nextra; k++)
        argv[n++] = s->extra[k];
    argv[n++] = (char *)script;
    argv[n] = NULL;
    /* A command that cannot even start ends at once: its poll says so. */
    eng__cmd_start(c, argv);
}

/* Starts sbatch for job j (j->submit). */
static void eng__submit_start(eng__slurm *s, eng__sjob *j)
{
    eng__slurm_sbatch(s, &j->submit, j->name, j->remote_log, NULL, j->script);
}

bool eng__slurm_parse_id(const char *out, int rc, char *id, size_t cap)
{
    /* --parsable prints "id" or "id;cluster" on a line of its own; warnings
     * may come before it. */
    const char *found = NULL;
    for (const char *line = out; rc == 0 && line != NULL && *line;) {
        size_t len = strcspn(line, "\n"), digits = strspn(line, "0123456789");
        if (digits > 0 && digits < cap && (digits == len || line[digits] == ';')) found = line;
        line += len + (line[len] == '\n');
    }
    if (found == NULL) return false;
    size_t digits = strspn(found, "0123456789");
    memcpy(id, found, digits);
    id[digits] = '\0';
    return true;
}

/* What sbatch answered: 1 submitted, 0 try again later, -1 failed for good
 * (t->reason says why). */
static int eng__submit_finish(eng__slurm *s, eng__sjob *j, int rc)
{
    const char *out = j->submit.out.data;
    int result;
    char last[600];
    eng__last_line(out, last, sizeof last);
    if (eng__slurm_parse_id(out, rc, j->id, sizeof j->id)) {
        snprintf(j->task->job_id, sizeof j->task->job_id, "%s", j->id);
        j->phase = ENG__SJ_QUEUED;
        eng__slurm_log_note(j, "weft: submitted to Slurm as job %s (compute target %s)", j->id,
                            s->base.target);
        result = 1;
    } else if (rc != 0 && eng__slurm_transient(out) && eng__now() < j->submit_until) {
        eng__slurm_log_note(j, "weft: sbatch could not reach Slurm (%s); trying again", last);
        j->submit_at = eng__now() + 1.0;
        result = 0;
    } else {
        char msg[800];
        snprintf(msg, sizeof msg, "sbatch refused the job: %s",
                 last[0] ? last : "it printed no job id");
        eng__slurm_log_note(j, "weft: %s", msg);
        j->task->reason = wf_strdup(msg);
        j->task->status = 1 << 8;
        result = -1;
    }
    eng__cmd_clear(&j->submit);
    return result;
}

/* ---- asking Slurm ------------------------------------------------------------- */

bool eng__slurm_final_state(const char *state)
{
    static const char *const final[] = {"COMPLETED",     "FAILED",      "CANCELLED", "TIMEOUT",
                                        "NODE_FAIL",     "PREEMPTED",   "BOOT_FAIL", "DEADLINE",
                                        "OUT_OF_MEMORY", "SPECIAL_EXIT"};
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++)
        if (strcmp(state, final[i]) == 0) return true;
    return false;
}

/* What happened, in words, for a state Slurm ended a job in. */
const char *eng__slurm_state_words(const char *state)
{
    static const char *const words[][2] = {
        {"CANCELLED", "was cancelled (scancel, or an administrator)"},
        {"TIMEOUT", "exceeded its time limit"},
        {"NODE_FAIL", "was lost with its node"},
        {"PREEMPTED", "was preempted"},
        {"BOOT_FAIL", "could not start its node"},
        {"DEADLINE", "reached its deadline"},
        {"OUT_OF_MEMORY", "ran out of memory"},
        {"FAILED", "failed before the step could record its end"},
        {"COMPLETED", "ended without the step's completion record (is the workspace shared at "
                      "the same path on the compute nodes?)"},
        {"SPECIAL_EXIT", "was held after a special exit"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(state, words[i][0]) == 0) return words[i][1];
    return "ended";
}

/* Asks squeue about every followed job that has an id and no final
 * state yet (s->query). */
static void eng__query_start(eng__slurm *s)
{
    wf_buf ids = {0};
    for (eng__sjob *j = s->jobs; j != NULL; j = j->next)
        /* Jobs that look ended are asked about again: a job being
         * requeued can show a final state for a moment. */
        if ((j->queried = j->phase == ENG__SJ_QUEUED)) {
            if (ids.len > 0) wf_buf_puts(&ids, ",");
            wf_buf_puts(&ids, j->id);
            eng__slurm_array_query_ids(j, &ids);
        }
    if (ids.len == 0 || ids.failed) {
        wf_buf_free(&ids);
        return;
    }
    /* -r lists an array's tasks one by one, pending ones too. */
    char *argv[] = {(char *)"squeue", (char *)"-h", (char *)"-r", (char *)"-t",       (char *)"all",
                    (char *)"-j",     ids.data,     (char *)"-o", (char *)"%i|%T|%r", NULL};
    eng__cmd_start(&s->query, argv);
    wf_buf_free(&ids);
}

/* Updates the jobs from squeue's answer. A failed call (controller
 * unreachable) changes nothing. */
static void eng__query_finish(eng__slurm *s, int rc, double now)
{
    char *out = s->query.out.data;
    /* Asking about one job Slurm has forgotten fails; asking about several
     * lists those it knows. Both mean the same. */
    bool answered = rc == 0 || (out != NULL && strstr(out, "Invalid job id") != NULL);
    if (!answered) {
        eng__cmd_clear(&s->query);
        return;
    }
    s->answered_at = now;
    for (eng__sjob *j = s->jobs; j != NULL; j = j->next)
        if (j->queried) j->listed = false;
    for (char *line = out; line != NULL && *line;) {
        char *end = line + strcspn(line, "\n");
        bool last = *end == '\0';
        *end = '\0';
        char *bar1 = strchr(line, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        if (bar2 != NULL) {
            *bar1 = *bar2 = '\0';
            for (eng__sjob *j = s->jobs; j != NULL; j = j->next) {
                if (j->queried && eng__slurm_array_query_line(j, line, bar1 + 1, now)) break;
                if (!j->queried || strcmp(j->id, line) != 0) continue;
                j->listed = true;
                j->missing_at = 0;
                bool changed = strcmp(j->state, bar1 + 1) != 0 || strcmp(j->reason, bar2 + 1) != 0;
                snprintf(j->state, sizeof j->state, "%s", bar1 + 1);
                snprintf(j->reason, sizeof j->reason, "%s", bar2 + 1);
                /* Why a job waits (Resources, Priority, a requeue's
                 * BeginTime) is worth a line in its log. */
                if (changed && strcmp(j->reason, "None") != 0 &&
                    (strcmp(j->state, "PENDING") == 0 || strncmp(j->state, "REQUEUE", 7) == 0))
                    eng__slurm_log_note(j, "weft: Slurm job %s is %s (%s)", j->id, j->state,
                                        j->reason);
                if (!eng__slurm_final_state(j->state)) {
                    j->final_at = 0;
                    j->final_seen = 0;
                } else if (j->final_seen++ == 0) {
                    j->final_at = now;
                }
            }
        }
        line = last ? NULL : end + 1;
    }
    for (eng__sjob *j = s->jobs; j != NULL; j = j->next) {
        /* A job that had ended and is gone now has ended for sure. */
        if (j->queried && !j->listed && j->final_at != 0) j->final_seen++;
        if (j->queried && !j->listed && j->final_at == 0 && j->missing_at == 0) j->missing_at = now;
        if (j->queried) eng__slurm_array_query_done(j, now);
        j->queried = false;
    }
    eng__cmd_clear(&s->query);
}

/* For a job squeue no longer lists: sacct's state, when the cluster keeps
 * accounting. False when it does not know either. */
static bool eng__ask_sacct(eng__sjob *j)
{
    char *argv[] = {(char *)"sacct", (char *)"-n", (char *)"-P", (char *)"-X", (char *)"-o",
                    (char *)"State", (char *)"-j", j->id,        NULL};
    eng__cmd c;
    int rc = eng__cmd_start(&c, argv) < 0 ? -1 : eng__cmd_finish(&c);
    const char *out = c.out.data;
    bool known = false;
    if (rc == 0 && out != NULL && out[0] >= 'A' && out[0] <= 'Z') {
        /* "CANCELLED by 0": the state is the first word. */
        size_t n = strcspn(out, " \n");
        snprintf(j->state, sizeof j->state, "%.*s", (int)n, out);
        snprintf(j->reason, sizeof j->reason, "from sacct");
        known = eng__slurm_final_state(j->state);
    }
    eng__cmd_clear(&c);
    return known;
}

/* ---- the task's life --------------------------------------------------------- */

int eng__slurm_read_record(const char *path, json_t **rec)
{
    *rec = NULL;
    char *text = NULL;
    size_t size = 0;
    if (wf_read_file(path, &text, &size, NULL) < 0) return 0;
    *rec = json_loadb(text, size, 0, NULL);
    free(text);
    /* Renamed into place whole, so a record that is not JSON is not one. */
    if (!json_is_object(*rec) || !json_is_integer(json_object_get(*rec, "exit"))) {
        json_decref(*rec);
        *rec = NULL;
        return 0;
    }
    return 1;
}

/* Reads the step's completion record: 1 when there is one (*rec set). */
static int eng__read_record(eng__sjob *j, json_t **rec)
{
    return eng__slurm_read_record(j->record, rec);
}

/* Ends the task with Slurm's account of why the job ended. */
static void eng__end_by_slurm(eng__sjob *j)
{
    char msg[WF_ERROR_MESSAGE_MAX];
    /* squeue says "None" when it has no reason to give. */
    bool reason = j->reason[0] != '\0' && strcmp(j->reason, "None") != 0;
    snprintf(msg, sizeof msg, "Slurm job %s %s (%s%s%s)%s%.500s", j->id,
             eng__slurm_state_words(j->state), j->state, reason ? ", reason " : "",
             reason ? j->reason : "", j->slurm_said[0] ? ": " : "", j->slurm_said);
    free(j->task->reason);
    j->task->reason = wf_strdup(msg);
    j->task->status = 1 << 8;
}

/* Slurm states in which Slurm, not the step, ended the job. */
bool eng__slurm_killed_by_slurm(const char *state)
{
    return eng__slurm_final_state(state) && strcmp(state, "COMPLETED") != 0 &&
           strcmp(state, "FAILED") != 0;
}

/* Takes the result from a record. Returns false to wait for Slurm's word:
 * a bare record with a signal's status may be Slurm killing the job, whose
 * reason says more than the signal. */
static bool eng__take_record(eng__sjob *j, json_t *rec, double now)
{
    int exit_code = (int)json_integer_value(json_object_get(rec, "exit"));
    json_t *report = json_object_get(rec, "report");
    if (!json_is_array(report)) {
        if (j->record_at == 0) j->record_at = now;
        bool signaled = exit_code > 128;
        /* A signal's record is taken once Slurm says the job ended, or when
         * Slurm cannot say: a job Slurm still lists as pending or running
         * was requeued, and its next try removes the record. */
        bool unanswered = j->owner->answered_at < j->record_at || !j->listed;
        if (signaled && j->final_at == 0 && (now - j->record_at < 10.0 || !unanswered))
            return false;
        if (signaled && j->final_at != 0 && eng__slurm_killed_by_slurm(j->state)) {
            eng__end_by_slurm(j);
            return true;
        }
        /* sh reports a death by signal N as 128 + N. */
        j->task->status = signaled ? exit_code - 128 : (exit_code & 0xff) << 8;
        return true;
    }
    size_t i;
    json_t *line;
    json_array_foreach(report, i, line)
    {
        char *text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
        if (text != NULL) j->fn(j->user, true, text);
        free(text);
    }
    json_t *rss = json_object_get(rec, "peak_rss_kb");
    if (json_is_integer(rss)) j->task->peak_rss_kb = json_integer_value(rss);
    j->task->status = (exit_code & 0xff) << 8;
    return true;
}

/* The job after a cancel: true once it is gone (or we give up). */
static bool eng__service_cancel(eng__slurm *s, eng__sjob *j, double now)
{
    if (j->phase == ENG__SJ_SUBMIT) return true;
    bool gone = j->final_at != 0 || (j->missing_at != 0 && now - j->missing_at > 2.0);
    if (gone && eng__slurm_array_gone(j)) return true;
    if (now >= j->cancel_until) {
        eng__slurm_log_note(j, "weft: Slurm did not confirm that job %s ended within %g s", j->id,
                            ENG__SLURM_CANCEL_S);
        return true;
    }
    int status;
    if (j->scancel.pid != 0 && eng__cmd_poll(&j->scancel, &status)) eng__cmd_clear(&j->scancel);
    if (j->scancel.pid == 0 && now >= j->next_scancel) {
        /* Again every second until Slurm says the job ended: a controller
         * that is restarting misses the first. */
        char *argv[4] = {(char *)"scancel", j->id, NULL, NULL};
        size_t n = 2;
        eng__slurm_array_cancel_ids(j, argv, &n);
        argv[n] = NULL;
        if (eng__cmd_start(&j->scancel, argv) < 0) eng__cmd_clear(&j->scancel);
        j->next_scancel = now + 1.0;
    }
    (void)s;
    return false;
}

static bool eng__slurm_service(eng__backend *b, eng__task *t, eng__line_fn on_line, void *user)
{
    eng__slurm *s = (eng__slurm *)b;
    eng__sjob *j = t->impl;
    if (j == NULL) return true;
    j->fn = on_line;
    j->user = user;
    double now = eng__now();
    if (j->phase == ENG__SJ_SUBMIT) {
        /* A cancel waits for a running sbatch: its job must be cancelled
         * too once it has an id. */
        if (j->cancel && j->submit.pid == 0) return true;
        if (j->submit.pid == 0) {
            if (now < j->submit_at) return false;
            eng__submit_start(s, j);
        }
        int status;
        if (!eng__cmd_poll(&j->submit, &status)) return false;
        int rc = eng__submit_finish(s, j, status);
        eng__slurm_tail_read(&j->log, rc < 0, eng__slurm_on_log_line, j);
        if (rc <= 0) return rc < 0 || j->cancel;
    }
    if (j->phase == ENG__SJ_ARRAY) {
        bool ended = eng__slurm_array_submitting(s, j, now);
        eng__slurm_tail_read(&j->log, ended, eng__slurm_on_log_line, j);
        if (ended || j->phase == ENG__SJ_ARRAY) return ended;
    }
    eng__slurm_tail_read(&j->report, false, eng__on_report_line, j);
    json_t *rec = NULL;
    size_t fanout = 0;
    if (!j->cancel && eng__read_record(j, &rec) && j->array == NULL &&
        (fanout = eng__slurm_fanout_of(rec)) > 0) {
        /* The plan asks for a job array: its tasks, then the gather. */
        json_decref(rec);
        eng__slurm_tail_read(&j->log, false, eng__slurm_on_log_line, j);
        if (!eng__slurm_array_begin(s, j, fanout)) {
            eng__slurm_tail_read(&j->log, true, eng__slurm_on_log_line, j);
            return true;
        }
        return false;
    }
    if (rec != NULL && eng__take_record(j, rec, now)) {
        json_decref(rec);
        eng__slurm_tail_read(&j->log, true, eng__slurm_on_log_line, j);
        if (j->array != NULL && t->status == 0) eng__slurm_array_finished(j);
        return true;
    }
    json_decref(rec);
    eng__slurm_tail_read(&j->log, false, eng__slurm_on_log_line, j);
    int status;
    if (s->query.pid != 0 && eng__cmd_poll(&s->query, &status)) {
        eng__query_finish(s, status, now);
        s->next_query = now + ENG__SLURM_QUERY_S;
    } else if (s->query.pid == 0 && now >= s->next_query) {
        eng__query_start(s);
        if (s->query.pid == 0) { /* squeue could not even start */
            eng__cmd_clear(&s->query);
            s->next_query = now + ENG__SLURM_QUERY_S;
        }
    }
    /* A task of the array that failed fails the step; the rest of the
     * array and the gather are then cancelled like a run's jobs. */
    if (j->array != NULL && !j->cancel) eng__slurm_array_check(s, j, now);
    if (j->cancel) {
        bool gone = eng__service_cancel(s, j, now);
        if (gone) eng__slurm_tail_read(&j->log, true, eng__slurm_on_log_line, j);
        return gone;
    }
    bool ended = false;
    /* A job Slurm killed wrote no record; one that ended by itself did,
     * and a shared filesystem may show it a little late. */
    double grace = eng__slurm_killed_by_slurm(j->state) ? 0.5 : ENG__SLURM_RECORD_GRACE_S;
    /* A job being requeued is killed first, and may show the state of that
     * end for seconds before it is pending again; slurmstepd's last word
     * in the log says so. Only a requeue that never comes back is given up
     * on. */
    if (strstr(j->slurm_said, "DUE TO JOB REQUEUE") != NULL) grace = ENG__SLURM_REQUEUE_S;
    if (j->final_at != 0 && j->final_seen >= 2 && now - j->final_at >= grace) {
        ended = true;
    } else if (j->missing_at != 0 && now - j->missing_at >= ENG__SLURM_FORGOTTEN_S) {
        if (!eng__ask_sacct(j)) {
            snprintf(j->state, sizeof j->state, "UNKNOWN");
            snprintf(j->reason, sizeof j->reason, "squeue and sacct no longer know the job");
        }
        ended = true;
    }
    if (!ended) return false;
    /* A last look: the record may have arrived with the final state. */
    eng__slurm_tail_read(&j->log, true, eng__slurm_on_log_line, j);
    if (eng__read_record(j, &rec) && json_is_array(json_object_get(rec, "report")))
        eng__take_record(j, rec, now);
    else
        eng__end_by_slurm(j);
    json_decref(rec);
    return true;
}

static int eng__slurm_start(eng__backend *b, eng__task *t, const eng__task_spec *spec,
                            wf_error *err)
{
    eng__slurm *s = (eng__slurm *)b;
    eng__sjob *j = calloc(1, sizeof *j);
    if (j == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    eng__cmd_init(&j->submit);
    eng__cmd_init(&j->scancel);
    j->owner = s;
    j->task = t;
    j->run_id = spec->run_id;
    char stem[200], name[140];
    eng__job_stem(spec->run_id, spec->node, stem, sizeof stem);
    snprintf(name, sizeof name, "weft-%.120s", stem);
    for (char *c = name; *c; c++)
        if (*c == '/') *c = '-';
    char *local_stem = eng__slurm_join(s->local_root, "/jobs/", stem);
    j->arrays = eng__slurm_arrays_for(s, spec->run_id, spec->node);
    j->stem = wf_strdup(stem);
    j->node = wf_strdup(spec->node);
    j->name = wf_strdup(name);
    j->script = local_stem ? eng__slurm_join(local_stem, ".sh", "") : NULL;
    j->record = local_stem ? eng__slurm_join(local_stem, ".done", "") : NULL;
    j->report.path = local_stem ? eng__slurm_join(local_stem, ".report", "") : NULL;
    j->log.path = eng__slurm_join(s->local_root, "/", spec->log_rel);
    j->remote_log = eng__slurm_join(s->remote_root, "/", spec->log_rel);
    free(local_stem);
    int rc = 0;
    if (!j->stem || !j->node || !j->name || !j->script || !j->record || !j->report.path ||
        !j->log.path || !j->remote_log)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    if (rc == 0) {
        /* What an earlier try left must not be read as this one's. */
        unlink(j->record);
        unlink(j->report.path);
        rc = eng__write_job_files(s, j, spec, stem, err);
    }
    if (rc < 0) {
        t->impl = j;
        b->ops->clear(b, t);
        return rc;
    }
    /* The log already holds earlier tries: read on from its end. */
    struct stat st;
    if (stat(j->log.path, &st) == 0) j->log.offset = st.st_size;
    t->started = j->submit_at = eng__now();
    j->submit_until = t->started + ENG__SLURM_SUBMIT_RETRY_S;
    t->impl = j;
    j->next = s->jobs;
    s->jobs = j;
    return 0;
}

static size_t eng__slurm_pollfds(eng__backend *b, const eng__task *t, struct pollfd *fds)
{
    (void)b;
    (void)t;
    (void)fds;
    return 0;
}

static void eng__slurm_kill(eng__backend *b, eng__task *t, eng__kill_reason why)
{
    (void)b;
    eng__sjob *j = t->impl;
    if (j == NULL || j->cancel) return;
    if (t->killed == ENG__KILL_NONE) t->killed = why;
    j->cancel = true;
    j->cancel_until = eng__now() + ENG__SLURM_CANCEL_S;
    j->next_scancel = 0;
}

static void eng__slurm_clear(eng__backend *b, eng__task *t)
{
    eng__slurm *s = (eng__slurm *)b;
    eng__sjob *j = t->impl;
    if (j == NULL) return;
    /* A job that may still be queued or running is cancelled: a run that
     * ends, however it ends, leaves no job behind. An sbatch in flight may
     * be about to give it an id. */
    if (j->submit.pid != 0) {
        int status = eng__cmd_finish(&j->submit);
        j->fn = NULL;
        eng__submit_finish(s, j, status);
    }
    eng__cmd_clear(&j->scancel);
    if (j->phase == ENG__SJ_QUEUED && j->final_at == 0 && access(j->record, F_OK) != 0) {
        char *argv[] = {(char *)"scancel", j->id, NULL};
        eng__cmd_run(argv);
    }
    /* An array's tasks (and a gather not followed yet) likewise. */
    eng__slurm_array_free(j);
    eng__cmd_clear(&j->submit);
    for (eng__sjob **p = &s->jobs; *p != NULL; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            break;
        }
    free(j->stem);
    free(j->node);
    free(j->name);
    free(j->script);
    free(j->record);
    free(j->remote_log);
    free(j->log.path);
    free(j->report.path);
    wf_buf_free(&j->log.partial);
    wf_buf_free(&j->report.partial);
    free(j);
    t->impl = NULL;
}

static void eng__slurm_free(eng__backend *b)
{
    eng__slurm *s = (eng__slurm *)b;
    eng__cmd_clear(&s->query);
    json_decref(s->snapshot);
    for (size_t k = 0; k < s->nextra; k++)
        free(s->extra[k]);
    free(s->extra);
    free(s->local_root);
    free(s->remote_root);
    free(s->weft);
    free(s->partition);
    free(s->account);
    free(s->base.target);
    free(s);
}

static const eng__backend_ops eng__slurm_ops = {
    .start = eng__slurm_start,
    .pollfds = eng__slurm_pollfds,
    .service = eng__slurm_service,
    .kill = eng__slurm_kill,
    .clear = eng__slurm_clear,
    .free = eng__slurm_free,
};

/* Whether `prog` is on PATH. */
static bool eng__on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (path == NULL) path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%.*s/%s", (int)n, path, prog);
        if (n > 0 && access(full, X_OK) == 0) return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static char *eng__strdup_or_null(const json_t *v)
{
    return json_is_string(v) ? wf_strdup(json_string_value(v)) : NULL;
}

int eng__slurm_backend_new(const eng__backend_env *env, const char *target, const json_t *config,
                           eng__backend **out, wf_error *err)
{
    *out = NULL;
    if (!eng__on_path("sbatch"))
        return wf_error_set(err, WF_EINVAL,
                            "compute target \"%s\" runs on Slurm, but sbatch is not on this "
                            "machine's PATH",
                            target);
    eng__slurm *s = calloc(1, sizeof *s);
    if (s == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    eng__cmd_init(&s->query);
    s->base.ops = &eng__slurm_ops;
    s->ws = env->ws;
    s->base.target = wf_strdup(target);
    json_t *v = json_object_get(config, "max_jobs");
    s->base.limit = json_is_integer(v) ? (size_t)json_integer_value(v) : 256;
    v = json_object_get(config, "retries");
    s->base.retries = json_is_integer(v) ? (int)json_integer_value(v) : 0;
    s->job_arrays = !json_is_false(json_object_get(config, "job_arrays"));
    s->local_root = realpath(st_workspace_dir(env->ws), NULL);
    s->remote_root = json_is_string(json_object_get(config, "workspace"))
                         ? eng__strdup_or_null(json_object_get(config, "workspace"))
                         : (s->local_root ? wf_strdup(s->local_root) : NULL);
    s->weft = json_is_string(json_object_get(config, "weft"))
                  ? eng__strdup_or_null(json_object_get(config, "weft"))
                  : realpath(env->binary, NULL);
    s->partition = eng__strdup_or_null(json_object_get(config, "partition"));
    s->account = eng__strdup_or_null(json_object_get(config, "account"));
    v = json_object_get(config, "time_limit");
    if (json_is_string(v))
        snprintf(s->time_limit, sizeof s->time_limit, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(s->time_limit, sizeof s->time_limit, "%lld", (long long)json_integer_value(v));
    else /* the run's limit, in whole minutes */
        snprintf(s->time_limit, sizeof s->time_limit, "%lld",
                 (long long)((env->time_limit_s + 59.0) / 60.0));
    v = json_object_get(config, "cpus");
    s->cpus = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    v = json_object_get(config, "memory_mb");
    s->memory_mb = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    json_t *extra = json_object_get(config, "sbatch_args");
    s->nextra = json_array_size(extra);
    s->extra = wf_calloc(s->nextra ? s->nextra : 1, sizeof *s->extra);
    bool ok = s->base.target && s->local_root && s->remote_root && s->weft && s->extra;
    for (size_t k = 0; ok && k < s->nextra; k++)
        ok = (s->extra[k] = eng__strdup_or_null(json_array_get(extra, k))) != NULL;
    if (!ok) {
        int code = errno == ENOMEM ? WF_ENOMEM : WF_EIO;
        const char *what = s->local_root == NULL ? "the workspace" : "the weft binary";
        eng__slurm_free(&s->base);
        return wf_error_set(err, code, "compute target \"%s\": cannot resolve the path of %s: %s",
                            target, what, strerror(errno));
    }
    *out = &s->base;
    return 0;
}
