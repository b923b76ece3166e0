/*
 * orphans.c: cancelling the scheduler jobs of a run whose executor died.
 *
 * When the process that runs a run is killed outright (kill -9, a crash, a
 * lost machine), its Slurm jobs run on: nothing waits for them. Whoever
 * next finds the run interrupted (st_runs_mark_interrupted) remembers the
 * jobs of its unfinished steps (st_orphan_jobs), and the next executor or
 * server to start cancels them here, before it does anything else.
 *
 * A job id may be an array's ("4813_[0-9]") or one of its tasks ("4813_3");
 * cancelling "4813" cancels the whole array, which is what a dead run
 * wants, and the gather job that depends on it then goes too
 * (--kill-on-invalid-dep). scancel answers non-zero for a job that has
 * already ended; that job is forgotten all the same. When scancel cannot
 * run, or the controller does not answer in time, the jobs are kept for
 * the next try.
 */
#include "run_int.h"

#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long the controller has to answer; a new run waits this long at most. */
#define ENG__ORPHANS_WAIT_S 10.0

int eng_cancel_orphaned_jobs(st_workspace *ws, size_t *cancelled, wf_error *err)
{
    if (cancelled != NULL) *cancelled = 0;
    char **jobs = NULL;
    size_t n = 0;
    int rc = st_orphan_jobs(ws, &jobs, &n, err);
    if (rc < 0 || n == 0) return rc;
    /* "scancel ID ... NULL", each ID the job (or array) number alone. */
    char **argv = wf_calloc(n + 2, sizeof *argv);
    char **ids = wf_calloc(n + 1, sizeof *ids);
    if (argv == NULL || ids == NULL) {
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    argv[0] = (char *)"scancel";
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(jobs[i], "_");
        if ((ids[i] = wf_strndup(jobs[i], len)) == NULL) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            goto done;
        }
        argv[i + 1] = ids[i];
    }
    eng__cmd cmd;
    eng__cmd_init(&cmd);
    int status = -1;
    if (eng__cmd_start(&cmd, argv) == 0) {
        cmd.until = eng__now() + ENG__ORPHANS_WAIT_S;
        status = eng__cmd_finish(&cmd);
    }
    /* -1: it could not start, was killed or ran out of time. */
    bool answered = status >= 0;
    if (!answered) {
        char why[300];
        eng__last_line(cmd.out.data, why, sizeof why);
        rc = wf_error_set(err, WF_EIO, "cannot cancel %zu job(s) of interrupted runs: %s", n,
                          why[0] ? why : "scancel did not answer");
    }
    eng__cmd_clear(&cmd);
    if (answered) {
        rc = st_orphan_jobs_forget(ws, jobs, n, err);
        if (rc == 0 && cancelled != NULL) *cancelled = n;
    }
done:
    for (size_t i = 0; ids != NULL && i < n; i++)
        free(ids[i]);
    free(ids);
    free(argv);
    st_orphan_jobs_free(jobs, n);
    return rc;
}
