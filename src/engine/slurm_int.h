/*
 * slurm_int.h: what the Slurm backend's two files share: slurm.c (a step as
 * one batch job) and slurm_array.c (a step whose tasks fan out into a job
 * array, then a gather job). Nobody else includes it.
 */
#ifndef WEFT_ENGINE_SLURM_INT_H
#define WEFT_ENGINE_SLURM_INT_H

#include "run_int.h"

#include <stdbool.h>
#include <sys/types.h>

/* How long after Slurm says a job ended its record may still be on its way
 * (a shared filesystem's attribute cache). */
#define ENG__SLURM_RECORD_GRACE_S 5.0
/* How long a job that was being requeued may look ended before it is
 * believed: longer than the two minutes Slurm holds a requeued job back. */
#define ENG__SLURM_REQUEUE_S 300.0
/* How long a job may be missing from squeue before it is given up. */
#define ENG__SLURM_FORGOTTEN_S 30.0
/* How long a cancel keeps calling scancel until Slurm confirms. */
#define ENG__SLURM_CANCEL_S 30.0

typedef struct eng__sjob eng__sjob;
typedef struct eng__sarray eng__sarray;

typedef struct eng__slurm {
    eng__backend base;
    st_workspace *ws;
    char *local_root;   /* the workspace as this process sees it (absolute) */
    char *remote_root;  /* as the compute nodes see it */
    double answered_at; /* when squeue last answered */
    char *weft;         /* the binary the jobs run */
    char *partition, *account;
    char time_limit[40];
    long cpus, memory_mb;
    char **extra; /* more sbatch arguments */
    size_t nextra;
    bool job_arrays; /* the target's "job_arrays" (default true) */
    eng__sjob *jobs; /* the jobs this backend follows */
    eng__cmd query;  /* squeue, when one is running */
    double next_query;
    struct json_t *snapshot; /* the run's snapshot, for the nodes' "compute" */
    int64_t snapshot_run;
} eng__slurm;

typedef enum eng__sjob_phase {
    ENG__SJ_SUBMIT, /* not accepted by Slurm yet */
    ENG__SJ_QUEUED, /* a job id: pending, running, or ended without our knowing */
    ENG__SJ_ARRAY,  /* fanning out: the array and its gather are being submitted */
} eng__sjob_phase;

typedef struct eng__tail {
    char *path;
    off_t offset;
    wf_buf partial;
} eng__tail;

struct eng__sjob {
    eng__sjob *next;
    eng__slurm *owner;
    eng__task *task;
    eng__line_fn fn; /* the executor's line callback, during service */
    void *user;
    eng__sjob_phase phase;
    char id[32];              /* the job followed: the step's, or the gather's after a fan-out */
    char *node, *name, *stem; /* stem: "<run>/<node>", for its files under jobs/ */
    int64_t run_id;
    char *script, *record; /* local paths */
    char *remote_log;
    bool arrays; /* its description has "fanout": its tasks may become an array */
    eng__tail log, report;
    char slurm_said[512]; /* the last "*** JOB ... ***" line of the log */
    /* From squeue: */
    char state[32], reason[128];
    bool queried;      /* the running query asks about it */
    bool listed;       /* the last successful query listed it */
    double missing_at; /* when a successful query first did not list it; 0 */
    double final_at;   /* when squeue first said it ended; 0 */
    int final_seen;    /* how many answers in a row said so */
    double record_at;  /* when a bare record (from the script) was first seen; 0 */
    eng__cmd submit;   /* sbatch, while it runs */
    double submit_at, submit_until;
    bool cancel;
    eng__cmd scancel; /* while it runs */
    double cancel_until, next_scancel;
    eng__sarray *array; /* after a fan-out (slurm_array.c), else NULL */
};

/* ---- shared helpers (slurm.c) -------------------------------------------- */

bool eng__slurm_transient(const char *output);
/* Reads what was appended to t->path and hands each complete line to fn
 * (all of it with flush). */
void eng__slurm_tail_read(eng__tail *t, bool flush, void (*fn)(eng__sjob *, const char *),
                          eng__sjob *j);
/* Log lines of the step: published, and slurmstepd's last word kept. */
void eng__slurm_on_log_line(eng__sjob *j, const char *line);
/* Appends a line of ours to the step's log. */
void eng__slurm_log_note(eng__sjob *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void eng__slurm_sh_quote(wf_buf *b, const char *s);
char *eng__slurm_join(const char *a, const char *b, const char *c);
/* A job script that runs `weft step <step_args> --report-fd 3 --record REC DESC 3>REPORT`
 * and writes a bare record from the exit status when the step wrote none.
 * rec and report are shell words (quoted by the caller); head is a comment. */
void eng__slurm_script(wf_buf *b, const eng__slurm *s, const char *head, const char *prologue,
                       const char *step_args, const char *rec, const char *desc,
                       const char *report);
/* Starts sbatch for a job named name, its output to output (remote), with
 * more options (NULL-terminated, may be NULL), running script. */
void eng__slurm_sbatch(eng__slurm *s, eng__cmd *c, const char *name, const char *output,
                       const char *const *more, const char *script);
/* The job id sbatch --parsable printed (rc its exit status), into id; false
 * when there is none. */
bool eng__slurm_parse_id(const char *out, int rc, char *id, size_t cap);
bool eng__slurm_final_state(const char *state);
bool eng__slurm_killed_by_slurm(const char *state);
const char *eng__slurm_state_words(const char *state);
/* Reads a completion record: 1 when path holds one (*rec set), else 0. */
int eng__slurm_read_record(const char *path, struct json_t **rec);

/* ---- job arrays (slurm_array.c) ------------------------------------------ */

/* Whether the step's description gets "fanout" (the target's setting, or
 * the node's "job_arrays" in the run's snapshot). */
bool eng__slurm_arrays_for(eng__slurm *s, int64_t run_id, const char *node);
/* The number of jobs a plan's record asks for ({"fanout": N} in its
 * report), or 0. */
size_t eng__slurm_fanout_of(const struct json_t *rec);
/* Starts the fan-out of j into n jobs: writes the scripts and starts
 * submitting. false (the task failed, its reason set) when it cannot. */
bool eng__slurm_array_begin(eng__slurm *s, eng__sjob *j, size_t n);
/* Services a job in phase ENG__SJ_ARRAY (its submissions): true once the
 * task has ended (a refused submission, or a cancel with nothing to wait
 * for). */
bool eng__slurm_array_submitting(eng__slurm *s, eng__sjob *j, double now);
/* Follows the array's tasks while the gather is queued: true when a task
 * failed (the task has ended with its reason; the rest are being
 * cancelled). */
bool eng__slurm_array_check(eng__slurm *s, eng__sjob *j, double now);
/* squeue: appends the array's id to ids when it is followed; takes a line
 * ("123_4|STATE|REASON") about one of its tasks (true when it was one). */
void eng__slurm_array_query_ids(eng__sjob *j, wf_buf *ids);
bool eng__slurm_array_query_line(eng__sjob *j, const char *id, const char *state, double now);
/* After a successful squeue answer: what was not listed. */
void eng__slurm_array_query_done(eng__sjob *j, double now);
/* Whether every task of the array has ended, as far as Slurm says. */
bool eng__slurm_array_gone(const eng__sjob *j);
/* Appends the array's id to a scancel's argv (at *n) when it may still run. */
void eng__slurm_array_cancel_ids(eng__sjob *j, char **argv, size_t *n);
/* Once the gather has completed: removes the tasks' results. */
void eng__slurm_array_finished(eng__sjob *j);
void eng__slurm_array_free(eng__sjob *j);

#endif
