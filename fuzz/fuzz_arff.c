/*
 * fuzz_arff.c: libFuzzer harness for the ARFF reader. Any input must either
 * load or fail with a message, without crashing or leaking. A table that
 * loads must also survive the JSON writer, and the writer's output must read
 * back with the same number of rows: the reader's strings are UTF-8 and its
 * names unique, so nothing it builds may break the writer.
 */
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *warnings = NULL;
    tbl_read_options opt = {.warnings = &warnings};
    tbl_table *t = NULL;
    wf_error err = {0};
    int rc = tbl_read_arff((const char *)data, size, &opt, &t, &err);
    if (rc < 0) {
        /* A failure always says why, and leaves nothing behind. */
        if (t != NULL || warnings != NULL || err.message[0] == '\0') abort();
        return 0;
    }
    wf_buf json = {0};
    if (tbl_write_json(t, &json, &err) < 0) abort();
    tbl_table *back = NULL;
    if (tbl_read_json(json.data, json.len, NULL, &back, &err) < 0) {
        fprintf(stderr, "written JSON does not read back: %s\n", err.message);
        abort();
    }
    if (back->nrows != t->nrows || (t->nrows > 0 && back->ncols != t->ncols)) abort();
    tbl_free(back);
    wf_buf_free(&json);
    tbl_free(t);
    free(warnings);
    return 0;
}
