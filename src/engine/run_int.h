/*
 * run_int.h: what the files that execute runs share and nobody else sees:
 * the plan (plan.c), the supervised child process of one step (child.c),
 * and the line protocol between `weft step` and the executor (step.c,
 * executor.c).
 *
 * The protocol. The executor starts `weft step --report-fd 3 -` in its own
 * process group and writes the step description, one JSON object, to its
 * standard input:
 *
 *     {"workspace": "ws", "run": 7, "node": "split", "module": "split-data@1",
 *      "params": {...}, "seed": 1234,
 *      "inputs": [{"port": "dataset", "kind": "table", "digest": "ab…"}, ...],
 *      "outputs": [{"port": "first", "kind": "table"}, ...],
 *      "datasets": {"cars": "cars@3"}, "dataset_digests": {"cars": "cd…"}}
 *
 * A Slurm step that may run its tasks as a job array also has
 * "fanout": {"dir": "..."} (step.c, slurm_array.c).
 *
 * The child answers on fd 3 with one compact JSON object per line:
 *
 *     {"progress": 0.5}
 *     {"output": "first", "digest": "ab…"}
 *     {"register": "scores", "digest": "ef…", "description": "…"}
 *     {"error": "what went wrong"}
 *     {"done": true}
 *
 * (a "register" line asks the executor to register a stored table as a
 * dataset version once the step has completed: a step opens the
 * workspace's artifact files, never its database; record.h) and writes its
 * log (mod_log lines, and anything else on stdout or stderr)
 * to stdout and stderr, which the executor copies into the step's log file
 * and publishes line by line.
 */
#ifndef WEFT_ENGINE_RUN_INT_H
#define WEFT_ENGINE_RUN_INT_H

#include "engine.h"

#include <jansson.h>
#include <sys/resource.h>
#include <sys/types.h>

/* ---- the plan (plan.c) ------------------------------------------------- */

/* One node of the pipeline, ready to run. */
typedef struct eng__step {
    const eng_node *node;
    const mod_descriptor *module;
    char *module_ref;     /* "name@version" of the descriptor */
    json_t *params;       /* resolved: defaults filled, $param bound, dataset version pinned */
    int *src_step;        /* per input port: the step feeding it, or -1 */
    int *src_port;        /* per input port: that step's output index */
    char *dataset_ref;    /* "name@N" the node reads, or NULL */
    char *dataset_name;   /* its name, or NULL */
    char *dataset_digest; /* its table artifact, or NULL */
    bool regenerate;      /* never reuse a cached result: the node asks, or the module's
                             cacheable rule says no (Import Data, Export Data) */
} eng__step;

typedef struct eng__plan {
    const eng_pipeline *pipeline;
    eng__step *steps; /* one per node, in document order */
    size_t nsteps;
    size_t *order; /* a topological order of step indices */
} eng__plan;

/* Plans p for workspace ws: parameters resolved with bindings, edges turned
 * into input wiring, and the registered datasets the nodes read resolved to
 * fixed versions. p must have passed validation. */
int eng__plan_build(st_workspace *ws, const eng_pipeline *p, const json_t *bindings,
                    eng__plan *plan, wf_error *err);
void eng__plan_clear(eng__plan *plan);

/* The run's snapshot (DESIGN.md section 5): the canonical document, the
 * parameter values, and each step's resolved parameters and dataset
 * version. A new reference, or NULL on OOM. */
json_t *eng__plan_snapshot(const eng__plan *plan, const json_t *bindings);

/* Loads a registered dataset for validation's schema propagation; user is
 * the st_workspace. */
int eng__load_dataset(void *user, const char *ref, tbl_table **out, wf_error *err);

/* ---- one step's process (child.c) -------------------------------------- */

typedef enum eng__kill_reason {
    ENG__KILL_NONE = 0,
    ENG__KILL_TIME,
    ENG__KILL_MEMORY,
    ENG__KILL_CANCEL,
} eng__kill_reason;

typedef struct eng__child {
    pid_t pid;     /* also the process group id; 0: not running */
    int pidfd;     /* readable when the child exits; -1: poll on a timer */
    int stdin_fd;  /* while the description is being written, else -1 */
    int report_fd; /* -1 at end of file */
    int output_fd; /* stdout and stderr; -1 at end of file */
    int log_fd;    /* the step's log file */
    char *input;   /* the description */
    size_t input_len, input_off;
    wf_buf report_line, output_line; /* partial lines */
    double started;                  /* monotonic seconds */
    eng__kill_reason killed;
    bool exited;
    int status; /* wait status */
    struct rusage usage;
} eng__child;

/* Makes c a child that has not started: no process, every descriptor -1,
 * so that eng__child_clear on it closes nothing (a zeroed struct would
 * close descriptor 0, which by then may be someone else's socket). */
void eng__child_init(eng__child *c);

/* Called for each complete line: report lines (the protocol above) and log
 * lines (output), without their newline. */
typedef void (*eng__line_fn)(void *user, bool report, const char *line);

/* Starts `binary step --report-fd 3 -` in its own process group, with the
 * description queued for its stdin and its output going to log_path
 * (created or truncated). The child dies with the calling thread
 * (PR_SET_PDEATHSIG), so a killed executor leaves no step running. */
int eng__child_spawn(eng__child *c, const char *binary, const char *description,
                     const char *log_path, wf_error *err);

/* The fds to poll: fills up to 4 pollfds and returns how many. */
struct pollfd;
size_t eng__child_pollfds(const eng__child *c, struct pollfd *fds);

/* Does what can be done without blocking: writes the description, reads
 * and dispatches lines, notices an exit (then kills what is left of the
 * group, reaps the child with its resource usage and drains its pipes).
 * Returns true once the child has exited and everything it wrote has been
 * dispatched. */
bool eng__child_service(eng__child *c, eng__line_fn on_line, void *user);

/* Kills the child's whole process group, remembering why. */
void eng__child_kill(eng__child *c, eng__kill_reason why);

/* The child's resident set in kilobytes, read from /proc; 0 if unknown. */
int64_t eng__child_rss_kb(const eng__child *c);

/* Closes everything and frees the buffers (the child must have exited). */
void eng__child_clear(eng__child *c);

/* Seconds on the monotonic clock. */
double eng__now(void);

/* ---- a command in the background (command.c, #12) ---------------------- */

/* A command running without a shell, stdin from /dev/null, its stdout and
 * stderr together into `out`; started, then polled without blocking. */
typedef struct eng__cmd {
    pid_t pid; /* 0: none running */
    int fd;    /* its output; -1 at end of file */
    wf_buf out;
    double until; /* killed after this (a minute after its start) */
    bool timed_out;
} eng__cmd;

/* Makes c a command that has not started (so eng__cmd_clear is safe). */
void eng__cmd_init(eng__cmd *c);
/* Starts argv[0] (looked up on PATH). 0, or -1 with c->out saying why. */
int eng__cmd_start(eng__cmd *c, char *const argv[]);
/* Reads what is there. True once the command has ended: *status is its
 * exit status, or -1 when it was killed, timed out or never started. */
bool eng__cmd_poll(eng__cmd *c, int *status);
/* Waits for the command to end; its exit status as eng__cmd_poll says. */
int eng__cmd_finish(eng__cmd *c);
/* Kills what still runs, reaps it, frees the output; c can start again. */
void eng__cmd_clear(eng__cmd *c);
/* Runs argv to its end, dropping its output; its exit status or -1. */
int eng__cmd_run(char *const argv[]);
/* The last non-empty line of text (may be NULL), for messages. */
void eng__last_line(const char *text, char *buf, size_t cap);

/* ---- backends: where steps run (#12) ------------------------------------ */

/* The executor (executor.c) schedules steps; a backend runs them. The local
 * backend (local.c) runs each step as a child process (above); the Slurm
 * backend (slurm.c) submits each as a batch job. The executor talks to both
 * through eng__backend_ops and never asks which one it has.
 *
 * A backend reports a step the way `weft step` does: report lines and log
 * lines through an eng__line_fn, and, once the step has ended, how it
 * ended in its eng__task. */

/* One step's execution, whatever runs it. */
typedef struct eng__task {
    void *impl;              /* the backend's own state */
    double started;          /* monotonic seconds, when the backend took the step */
    eng__kill_reason killed; /* why the executor ended it early, or ENG__KILL_NONE */
    /* Filled by the backend by the time service returns true: */
    int status;          /* `weft step`'s wait status */
    char *reason;        /* when the scheduler ended the step: what it said (malloc'd) */
    int64_t peak_rss_kb; /* 0 when unknown */
    char job_id[32];     /* the scheduler's job id, "" for a local process */
} eng__task;

/* What a backend needs to start a step. */
typedef struct eng__task_spec {
    st_workspace *ws;
    int64_t run_id;
    const char *node;
    const json_t *description; /* what `weft step` reads (the protocol above) */
    const char *log_rel;       /* the step's log, relative to the workspace */
} eng__task_spec;

typedef struct eng__backend eng__backend;

typedef struct eng__backend_ops {
    /* Takes the step; fails only when it cannot even try (the step then
     * fails with err's message). */
    int (*start)(eng__backend *b, eng__task *t, const eng__task_spec *spec, wf_error *err);
    /* Up to 4 descriptors to wait on; a backend without any returns 0 and
     * is serviced on the executor's tick. */
    size_t (*pollfds)(eng__backend *b, const eng__task *t, struct pollfd *fds);
    /* Does what can be done now, dispatching lines. True once the task has
     * ended and everything it reported was dispatched. */
    bool (*service)(eng__backend *b, eng__task *t, eng__line_fn on_line, void *user);
    /* Ends the task early; service later says when it has ended. */
    void (*kill)(eng__backend *b, eng__task *t, eng__kill_reason why);
    /* Frees t->impl, ending whatever is left of the task first. */
    void (*clear)(eng__backend *b, eng__task *t);
    void (*free)(eng__backend *b);
} eng__backend_ops;

struct eng__backend {
    const eng__backend_ops *ops;
    char *target;   /* the compute target's name */
    size_t limit;   /* steps at once */
    size_t running; /* kept by the executor */
    int retries;    /* per step, unless the node says otherwise */
};

/* What every backend of a run shares. */
typedef struct eng__backend_env {
    st_workspace *ws;
    const char *binary;     /* the `weft` that runs steps here */
    size_t jobs;            /* local steps at once */
    double time_limit_s;    /* per step */
    size_t memory_limit_mb; /* per step, watched locally */
} eng__backend_env;

/* Opens the backend for compute target `target` (NULL: "local"), looking
 * it up in the workspace (compute.c). WF_ENOTFOUND for an unknown target;
 * WF_EINVAL for settings that are not valid. */
int eng__backend_open(const eng__backend_env *env, const char *target, eng__backend **out,
                      wf_error *err);
void eng__backend_free(eng__backend *b); /* accepts NULL */

/* The backends themselves (local.c, slurm.c). config is the target's
 * settings, already checked. */
int eng__local_backend_new(const eng__backend_env *env, const char *target, const json_t *config,
                           eng__backend **out, wf_error *err);
int eng__slurm_backend_new(const eng__backend_env *env, const char *target, const json_t *config,
                           eng__backend **out, wf_error *err);
/* Checks a Slurm target's settings (slurm_settings.c). */
int eng__slurm_config_check(const json_t *config, wf_error *err);

/* ---- job arrays (#12; step.c, slurm_array.c, compute.c) ------------------ */

/* The parts of a step whose tasks run as a job array, as `weft step` gives
 * them to the module in mod_ctx.fanout_job (the same values as selection.h's
 * MOD__FANOUT_*; job k of the array is k). */
#define ENG__FANOUT_PLAN (-1)
#define ENG__FANOUT_GATHER (-2)

/* A node's "job_arrays" in its "compute" object: 1 true, 0 false, -1 not
 * said (the target's setting holds). compute is the node's "compute" value
 * as written (a string, an object, or NULL). */
int eng__node_job_arrays(const json_t *compute);

#endif
