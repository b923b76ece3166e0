/*
 * test_faults.c: fault-injection modules for the engine's isolation tests
 * (DESIGN.md section 5): a step that crashes, one that sleeps (for timeouts
 * and cancel), one that allocates until it is killed (memory limits) and one
 * that fails cleanly. They exist only in builds configured with
 * -DWEFT_TEST_MODULES=ON, never in a release catalogue.
 */
#ifdef WEFT_TEST_MODULES

#include "selection.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const mod_port fault_in[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .optional = true,
     .help = "Any table (optional), so the module can sit anywhere in a pipeline."},
};

static const mod_port fault_out[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The input table, unchanged."},
};

/* Every fault module passes its input through (or a one-row table when it
 * has none), so the steps after it have something to run on. */
static int fault_pass_through(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    wf_error err = {0};
    tbl_table *out = NULL;
    if (in != NULL) {
        if (ctx->schema_only) return mod__output_schema(ctx, "dataset", in);
        if (tbl_clone(in, &out, &err) < 0) return mod_fail_with(ctx, &err);
        return mod_output_table(ctx, "dataset", out);
    }
    size_t rows = ctx->schema_only ? 0 : 1;
    tbl_column c;
    if ((out = tbl_new()) == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (tbl_column_init(&c, "ok", TBL_BOOLEAN, rows, &err) < 0) {
        tbl_free(out);
        return mod_fail_with(ctx, &err);
    }
    if (rows) c.v.b8[0] = 1;
    if (tbl_add_column(out, &c, rows, &err) < 0) {
        tbl_column_clear(&c);
        tbl_free(out);
        return mod_fail_with(ctx, &err);
    }
    return mod_output_table(ctx, "dataset", out);
}

static int fault_configure(mod_ctx *ctx)
{
    return fault_pass_through(ctx);
}

/* ---- test-crash@1 ------------------------------------------------------ */

static int crash_run(mod_ctx *ctx)
{
    mod_log(ctx, "crashing on purpose");
    /* Sanitizers catch SIGSEGV and exit normally; the default action makes
     * the process die by the signal, as a real crash does. */
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return mod_fail(ctx, WF_EINVAL, "raise(SIGSEGV) returned");
}

const mod_descriptor mod_test_crash = {
    .name = "test-crash",
    .version = 1,
    .display_name = "Test: Crash",
    .category = "Test",
    .help = "Kills its own process with SIGSEGV, to test that a crash fails only its "
            "step.\n\n## Example\n\n`{\"module\": \"test-crash@1\"}`\n",
    MOD_PORTS(inputs, fault_in),
    MOD_PORTS(outputs, fault_out),
    .configure = fault_configure,
    .run = crash_run,
};

/* ---- test-sleep@1 ------------------------------------------------------ */

static const mod_param sleep_params[] = {
    {.name = "seconds",
     .label = "Seconds",
     .type = MOD_PARAM_NUMBER,
     .default_json = "1",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 86400,
     .help = "How long to sleep."},
};

static int sleep_run(mod_ctx *ctx)
{
    double seconds;
    int rc = mod_param_number(ctx, "seconds", &seconds);
    if (rc < 0) return rc;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    /* Small slices, so cancellation is noticed within 10 ms. */
    for (;;) {
        if (mod_cancelled(ctx)) return mod_fail(ctx, WF_EINVAL, "canceled while sleeping");
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed =
            (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (elapsed >= seconds) break;
        mod_progress(ctx, seconds > 0 ? elapsed / seconds : 1);
        double left = seconds - elapsed;
        struct timespec slice = {0, left < 0.01 ? (long)(left * 1e9) : 10000000L};
        nanosleep(&slice, NULL);
    }
    /* The threads a module here may use: the Slurm tests check that a job
     * keeps to its allocation. */
    mod_log(ctx, "slept %g s; %zu threads allowed", seconds, mod__thread_budget(ctx));
    return fault_pass_through(ctx);
}

const mod_descriptor mod_test_sleep = {
    .name = "test-sleep",
    .version = 1,
    .display_name = "Test: Sleep",
    .category = "Test",
    .help = "Sleeps for `seconds` (default 1), checking for cancellation every 10 ms, then "
            "passes its input through. Tests timeouts, cancel and parallel scheduling.\n\n"
            "## Example\n\n`{\"module\": \"test-sleep@1\", \"params\": {\"seconds\": 5}}`\n",
    MOD_PORTS(inputs, fault_in),
    MOD_PORTS(outputs, fault_out),
    MOD_PARAMS(sleep_params),
    .configure = fault_configure,
    .run = sleep_run,
};

/* ---- test-allocate@1 --------------------------------------------------- */

#define ALLOCATE_BLOCK (64u << 20)

/* The chain of blocks; a global keeps the compiler from proving the memory
 * unused and dropping the allocations. */
static void *volatile allocate_head;

static int allocate_run(mod_ctx *ctx)
{
    size_t mb = 0;
    while (!mod_cancelled(ctx)) {
        char *block = malloc(ALLOCATE_BLOCK);
        if (block == NULL)
            return mod_fail(ctx, WF_ENOMEM, "out of memory after %zu MB, as intended", mb);
        /* Touching every byte makes the pages resident, which is what a
         * memory limit counts. */
        memset(block, 0xa5, ALLOCATE_BLOCK);
        void *prev = allocate_head;
        memcpy(block, &prev, sizeof prev);
        allocate_head = block;
        mb += ALLOCATE_BLOCK >> 20;
        mod_log(ctx, "holding %zu MB", mb);
    }
    return mod_fail(ctx, WF_EINVAL, "canceled while allocating (%zu MB held)", mb);
}

const mod_descriptor mod_test_allocate = {
    .name = "test-allocate",
    .version = 1,
    .display_name = "Test: Allocate",
    .category = "Test",
    .help = "Allocates and touches memory 64 MB at a time, without bound, until it is "
            "killed (or malloc fails). Tests the per-step memory limit.\n\n"
            "## Example\n\n`{\"module\": \"test-allocate@1\"}`\n",
    MOD_PORTS(inputs, fault_in),
    MOD_PORTS(outputs, fault_out),
    .configure = fault_configure,
    .run = allocate_run,
};

/* ---- test-fail@1 ------------------------------------------------------- */

static const mod_param fail_params[] = {
    {.name = "message",
     .label = "Message",
     .type = MOD_PARAM_STRING,
     .default_json = "\"this step fails on purpose\"",
     .help = "The failure message."},
};

static int fail_run(mod_ctx *ctx)
{
    const char *message = mod_param_string(ctx, "message");
    return mod_fail(ctx, WF_EINVAL, "%s", message ? message : "this step fails on purpose");
}

const mod_descriptor mod_test_fail = {
    .name = "test-fail",
    .version = 1,
    .display_name = "Test: Fail",
    .category = "Test",
    .help = "Fails cleanly with `message`, to test how a failed step is reported and what "
            "is skipped after it.\n\n"
            "## Example\n\n`{\"module\": \"test-fail@1\", \"params\": {\"message\": \"boom\"}}`\n",
    MOD_PORTS(inputs, fault_in),
    MOD_PORTS(outputs, fault_out),
    MOD_PARAMS(fail_params),
    .configure = fault_configure,
    .run = fail_run,
};

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int mod__no_test_faults;
#endif /* WEFT_TEST_MODULES */
