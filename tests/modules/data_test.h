/*
 * data_test.h: what the tests of the data modules share (import, export,
 * add-columns, convert-to-csv, SQL, math): tables from CSV text, running a
 * module on a context, its field errors, temporary directories, and Python
 * (Debian's /usr/bin/python3 with numpy, pandas and scipy) as the
 * independent peer whose JSON answer the tests compare against.
 */
#ifndef WEFT_TESTS_DATA_TEST_H
#define WEFT_TESTS_DATA_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "modules/modules_int.h"

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline tbl_table *dt_csv(const char *text)
{
    tbl_read_options opt = {
        .format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_csv(text, strlen(text), &opt, &t, &err) < 0) fail_msg("%s", err.message);
    return t;
}

/* Sets up ctx for module ref with params (JSON text) and borrowed inputs
 * (NULL entries stay unconnected), then runs it, or configures it when
 * schema_only. Returns what the module returned. */
static inline int dt_start(mod_ctx *ctx, const char *ref, const char *params_json,
                           const tbl_table *const *inputs, size_t ninputs, bool schema_only)
{
    json_error_t jerr;
    json_t *params = json_loads(params_json, 0, &jerr);
    if (params == NULL) fail_msg("bad test JSON: %s: %s", jerr.text, params_json);
    const mod_descriptor *m = mod_find(ref);
    assert_non_null(m);
    assert_int_equal(mod_ctx_init(ctx, m, params), 0);
    json_decref(params);
    for (size_t i = 0; i < m->ninputs && i < ninputs; i++) {
        ctx->inputs[i].table = (tbl_table *)inputs[i];
        ctx->inputs[i].borrowed = true;
    }
    ctx->schema_only = schema_only;
    return schema_only ? m->configure(ctx) : m->run(ctx);
}

static inline const tbl_table *dt_out(const mod_ctx *ctx, size_t port)
{
    assert_non_null(ctx->outputs[port].table);
    return ctx->outputs[port].table;
}

static inline const char *dt_field_error(const mod_ctx *ctx, const char *field)
{
    for (size_t i = 0; i < ctx->nfield_errors; i++)
        if (strcmp(ctx->field_errors[i].field, field) == 0) return ctx->field_errors[i].message;
    return NULL;
}

static inline void dt_assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* ---- temporary directories --------------------------------------------- */

static inline void dt_mkdtemp(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/weft-data-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static inline int dt__remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void dt_rmtree(const char *dir)
{
    nftw(dir, dt__remove, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void dt_write(const char *path, const char *text)
{
    wf_error err = {0};
    if (wf_write_file_atomic(path, text, strlen(text), &err) < 0) fail_msg("%s", err.message);
}

/* ---- Python ------------------------------------------------------------ */

/* Runs `script` (Python source) with /usr/bin/python3 in dir, passing arg as
 * sys.argv[1], and parses what it prints as JSON. Fails the test when
 * Python fails. */
static inline json_t *dt_python(const char *dir, const char *script, const char *arg)
{
    char path[512], cmd[2048];
    snprintf(path, sizeof path, "%s/peer.py", dir);
    dt_write(path, script);
    snprintf(cmd, sizeof cmd, "cd '%s' && /usr/bin/python3 peer.py '%s' 2>peer.err", dir,
             arg ? arg : "");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    wf_buf out = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        wf_buf_append(&out, chunk, n);
    int status = pclose(p);
    if (status != 0) {
        char *why = NULL;
        snprintf(path, sizeof path, "%s/peer.err", dir);
        size_t size;
        wf_read_file(path, &why, &size, NULL);
        fail_msg("python failed (status %d): %s", status, why ? why : "");
    }
    json_error_t jerr;
    json_t *v = json_loads(out.data ? out.data : "", 0, &jerr);
    if (v == NULL) fail_msg("python printed no JSON (%s): %.300s", jerr.text, out.data);
    wf_buf_free(&out);
    return v;
}

/* Writes t as CSV to dir/name. */
static inline void dt_write_csv(const tbl_table *t, const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    wf_error err = {0};
    if (tbl_write_file(t, path, TBL_FORMAT_CSV, &err) < 0) fail_msg("%s", err.message);
}

#endif
