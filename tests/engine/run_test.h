/*
 * run_test.h: what the executor, cache and fault tests share: a temporary
 * workspace, pipelines written inline, eng_run with the real `weft` binary
 * running the steps, and the events a run published.
 */
#ifndef WEFT_RUN_TEST_H
#define WEFT_RUN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine.h"

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The fault modules (test-sleep@1, test-crash@1, ...) exist only in builds
 * configured with -DWEFT_TEST_MODULES=ON; elsewhere the tests that need
 * them are skipped rather than failed. */
static inline void test_needs_fault_modules(void)
{
#ifndef WEFT_TEST_MODULES
    skip();
#endif
}

/* ---- workspaces ------------------------------------------------------------ */

typedef struct test_ws {
    char dir[64];
    st_workspace *ws;
} test_ws;

static inline void test_ws_open(test_ws *t)
{
    /* Child weft processes must not register samples in new workspaces. */
    setenv("WEFT_NO_SAMPLES", "1", 1);
    strcpy(t->dir, "/tmp/weft-run-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    wf_error err = {0};
    if (st_open(t->dir, &t->ws, &err) < 0) fail_msg("st_open: %s", err.message);
}

static inline int test__remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    /* Artifacts are read-only; their directory is not, so remove works. */
    return remove(path);
}

static inline void test_ws_close(test_ws *t)
{
    st_close(t->ws);
    t->ws = NULL;
    nftw(t->dir, test__remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* Files under <dir>/tmp. */
static inline int test_tmp_files(const test_ws *t)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "find '%s/tmp' -type f | wc -l", t->dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* ---- pipelines ------------------------------------------------------------- */

static inline eng_pipeline *test_pipeline(const char *json)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(json, strlen(json), &p, &err) < 0)
        fail_msg("eng_pipeline_parse: %s", err.message);
    return p;
}

/* enter-data -> select-columns -> split-data, with the split's fraction a
 * pipeline parameter. */
#define TEST_FRUIT_PIPELINE                                                                        \
    "{\"format\": \"weft.pipeline/1\", \"name\": \"fruit\","                                       \
    " \"parameters\": {\"fraction\": {\"type\": \"number\", \"default\": 0.5}},"                   \
    " \"nodes\": ["                                                                                \
    "  {\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\":"                    \
    "   "                                                                                          \
    "\"name,price,colour\\napple,1.5,red\\npear,2,green\\nplum,0.5,purple\\nfig,3,purple\\n\"}},"  \
    "  {\"id\": \"pick\", \"module\": \"select-columns@1\","                                       \
    "   \"params\": {\"columns\": {\"include\": [{\"names\": [\"name\", \"price\"]}]}}},"          \
    "  {\"id\": \"split\", \"module\": \"split-data@1\","                                          \
    "   \"params\": {\"fraction\": {\"$param\": \"fraction\"}, \"seed\": 7}}],"                    \
    " \"edges\": [{\"from\": \"rows.dataset\", \"to\": \"pick.dataset\"},"                         \
    "  {\"from\": \"pick.dataset\", \"to\": \"split.dataset\"}]}"

/* ---- running --------------------------------------------------------------- */

#define TEST_MAX_EVENTS 512

typedef struct test_events {
    size_t count;
    struct {
        eng_event_kind kind;
        char node[64];
        eng_status status;
        char message[256];
    } items[TEST_MAX_EVENTS];
    /* When set, the run is canceled as soon as this node starts running. */
    const char *cancel_when_running;
    volatile sig_atomic_t cancel;
} test_events;

static inline void test_on_event(void *user, const eng_event *ev)
{
    test_events *e = user;
    if (e->cancel_when_running != NULL && ev->kind == ENG_EVENT_STEP && ev->status == ENG_RUNNING &&
        strcmp(ev->node, e->cancel_when_running) == 0)
        e->cancel = 1;
    if (e->count == TEST_MAX_EVENTS) return;
    e->items[e->count].kind = ev->kind;
    snprintf(e->items[e->count].node, sizeof e->items[0].node, "%s", ev->node ? ev->node : "");
    e->items[e->count].status = ev->status;
    snprintf(e->items[e->count].message, sizeof e->items[0].message, "%s",
             ev->message ? ev->message : "");
    e->count++;
}

/* Whether an event of this kind, node ("" for the run) and status came. */
static inline bool test_saw(const test_events *e, eng_event_kind kind, const char *node,
                            eng_status status)
{
    for (size_t i = 0; i < e->count; i++)
        if (e->items[i].kind == kind && strcmp(e->items[i].node, node) == 0 &&
            e->items[i].status == status)
            return true;
    return false;
}

static inline eng_run_options test_options(test_events *events)
{
    eng_run_options opt = {.jobs = 2, .weft_binary = WEFT_BINARY};
    if (events != NULL) {
        opt.on_event = test_on_event;
        opt.user = events;
        opt.cancel = &events->cancel;
    }
    return opt;
}

static inline double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- reading results ------------------------------------------------------- */

static inline st_step test_step(test_ws *t, int64_t run, const char *node)
{
    st_step s;
    wf_error err = {0};
    if (st_step_get(t->ws, run, node, &s, &err) < 0) fail_msg("st_step_get: %s", err.message);
    return s;
}

static inline char *test_run_status(test_ws *t, int64_t run)
{
    st_run r;
    wf_error err = {0};
    if (st_run_get(t->ws, run, &r, &err) < 0) fail_msg("st_run_get: %s", err.message);
    char *status = strdup(r.status);
    st_run_clear(&r);
    return status;
}

static inline void assert_step_status(test_ws *t, int64_t run, const char *node, const char *status)
{
    st_step s = test_step(t, run, node);
    if (strcmp(s.status, status) != 0)
        fail_msg("step %s is %s (%s), not %s", node, s.status, s.error, status);
    st_step_clear(&s);
}

/* The digest of a step's output port (malloc'd), or NULL. */
static inline char *test_output(test_ws *t, int64_t run, const char *node, const char *port)
{
    st_step s = test_step(t, run, node);
    json_t *o = json_loads(s.outputs_json, 0, NULL);
    const char *d = json_string_value(json_object_get(o, port));
    char *copy = d ? strdup(d) : NULL;
    json_decref(o);
    st_step_clear(&s);
    return copy;
}

static inline size_t test_table_rows(test_ws *t, const char *digest)
{
    tbl_table *table = NULL;
    wf_error err = {0};
    if (st_artifact_load_table(t->ws, digest, &table, &err) < 0)
        fail_msg("loading %s: %s", digest, err.message);
    size_t n = table->nrows;
    tbl_free(table);
    return n;
}

#endif
