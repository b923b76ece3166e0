/*
 * fuzz_model.c: libFuzzer harness for trained-model artifacts (Score Model's
 * reader, model.c). Any input must be read or refused with a message; a
 * model that reads must score a small table (or refuse it with a message)
 * without crashing or leaking, and write itself back as JSON.
 */
#include "modules/modules_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tbl_table *rows(void)
{
    static const char text[] = "x,y,c\n1,2,a\n,3.5,b\n4,,a\n";
    tbl_read_options opt = {
        .format = TBL_FORMAT_CSV, .header = TBL_HEADER_PRESENT, .delimiter = ','};
    tbl_table *t = NULL;
    if (tbl_read_csv(text, sizeof text - 1, &opt, &t, NULL) < 0) abort();
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *json = json_loadb((const char *)data, size, 0, NULL);
    if (json == NULL) return 0;
    mod_ctx ctx;
    if (mod_ctx_init(&ctx, mod_find("score-model@1"), NULL) < 0) abort();
    mod__model m;
    if (mod__model_from_json(&ctx, json, &m) < 0) {
        if (ctx.err.message[0] == '\0') abort();
        mod__model_clear(&m);
    } else {
        tbl_table *t = rows();
        size_t k = m.task == ML_MULTICLASS ? m.classes.count : 1;
        double *out = calloc(t->nrows * k + 1, sizeof *out);
        wf_error_clear(&ctx.err);
        if (m.task != ML_CLUSTERING && mod__model_predict(&ctx, &m, t, out) < 0 &&
            ctx.err.message[0] == '\0')
            abort();
        free(out);
        json_t *again = mod__model_to_json(&ctx, &m);
        json_decref(again);
        tbl_free(t);
        mod__model_clear(&m);
    }
    mod_ctx_clear(&ctx);
    json_decref(json);
    return 0;
}
