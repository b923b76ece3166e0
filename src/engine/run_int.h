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
 *      "datasets": {"cars": "cars@3"}}
 *
 * The child answers on fd 3 with one compact JSON object per line:
 *
 *     {"progress": 0.5}
 *     {"output": "first", "digest": "ab…"}
 *     {"error": "what went wrong"}
 *     {"done": true}
 *
 * and writes its log (mod_log lines, and anything else on stdout or stderr)
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

#endif
