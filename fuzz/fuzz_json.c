/*
 * fuzz_json.c: libFuzzer harness for the JSON reader and writer. Any input
 * must load or fail with a message, without crashing or leaking. A table that
 * loads is written, read again and written again, and the two writes must be
 * byte-identical: types may be re-inferred on the way (an all-integral
 * numeric column comes back integer), but no value may change.
 */
#include "table/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tbl_table *t = NULL;
    wf_error err = {0};
    if (tbl_read_json((const char *)data, size, NULL, &t, &err) < 0) {
        if (t != NULL || err.message[0] == '\0') abort();
        return 0;
    }
    wf_buf first = {0}, second = {0};
    if (tbl_write_json(t, &first, &err) < 0) abort();
    tbl_table *back = NULL;
    if (tbl_read_json(first.data, first.len, NULL, &back, &err) < 0) {
        fprintf(stderr, "written JSON does not read back: %s\n%s", err.message, first.data);
        abort();
    }
    if (back->nrows != t->nrows) abort();
    if (tbl_write_json(back, &second, &err) < 0) abort();
    if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0) {
        fprintf(stderr, "JSON changed on a round trip:\n%s---\n%s", first.data, second.data);
        abort();
    }
    wf_buf_free(&first);
    wf_buf_free(&second);
    tbl_free(back);
    tbl_free(t);
    return 0;
}
