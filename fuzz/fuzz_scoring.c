/*
 * fuzz_scoring.c: libFuzzer harness for scoring requests, from the body as
 * sent to the reply's bytes, in the three formats an endpoint speaks. The
 * first byte picks the protocol (mod 3: native/Azure, MLflow, Open
 * Inference Protocol v2); the rest is the body. Each input is decoded
 * (srv__scoring_decode), converted to a table of the plan's input schema
 * (eng_scoring_rows_table), scored and encoded, as a scoring route does.
 *
 * Checked on every input: a refusal carries a message that is valid UTF-8
 * and makes a valid error reply in the protocol's shape; a reply is valid
 * JSON whose rows are as many as the request's. Nothing leaks (ASan).
 *
 * The plan is compiled once, in-process, from a pipeline whose model is
 * trained at compile from entered rows. Its input schema has a column of
 * every type, so every conversion is reached.
 */
#include "server/endpoints_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SCHEMA                                                                                \
    "{\\\"columns\\\": [{\\\"name\\\": \\\"x\\\", \\\"type\\\": \\\"numeric\\\"},"                 \
    " {\\\"name\\\": \\\"n\\\", \\\"type\\\": \\\"integer\\\"},"                                   \
    " {\\\"name\\\": \\\"flag\\\", \\\"type\\\": \\\"boolean\\\"},"                                \
    " {\\\"name\\\": \\\"color\\\", \\\"type\\\": \\\"categorical\\\", \\\"levels\\\": "           \
    "[\\\"red\\\", \\\"blue\\\"]},"                                                                \
    " {\\\"name\\\": \\\"when\\\", \\\"type\\\": \\\"datetime\\\"},"                               \
    " {\\\"name\\\": \\\"note\\\", \\\"type\\\": \\\"string\\\"}]}"

static const char fuzz_pipeline[] =
    "{\"format\": \"weft.pipeline/1\", \"nodes\": ["
    " {\"id\": \"in\", \"module\": \"web-service-input@1\", \"params\": {\"schema\": \"" FUZZ_SCHEMA
    "\"}},"
    " {\"id\": \"rows\", \"module\": \"enter-data@1\", \"params\": {\"data\": "
    "\"x,n,flag,color,when,y\\n1.5,3,true,red,2020-01-01,4\\n2,5,false,blue,2020-02-01,7\\n"
    "-1,2,true,blue,2021-03-04,1\\n0.5,8,false,red,2019-05-06,5\\n3,1,true,red,2022-07-08,9\\n\"}},"
    " {\"id\": \"learner\", \"module\": \"linear-regression@1\"},"
    " {\"id\": \"train\", \"module\": \"train-model@1\", \"params\": {\"label_column\": \"y\"}},"
    " {\"id\": \"drop\", \"module\": \"select-columns@1\", \"params\": {\"columns\": {\"exclude\": "
    "[{\"names\": [\"note\"]}]}}},"
    " {\"id\": \"score\", \"module\": \"score-model@1\"},"
    " {\"id\": \"out\", \"module\": \"web-service-output@1\"}],"
    " \"edges\": ["
    " {\"from\": \"rows.dataset\", \"to\": \"train.dataset\"},"
    " {\"from\": \"learner.untrained_model\", \"to\": \"train.untrained_model\"},"
    " {\"from\": \"in.dataset\", \"to\": \"drop.dataset\"},"
    " {\"from\": \"drop.dataset\", \"to\": \"score.dataset\"},"
    " {\"from\": \"train.trained_model\", \"to\": \"score.trained_model\"},"
    " {\"from\": \"score.scored_dataset\", \"to\": \"out.dataset\"}]}";

static eng_scoring_plan *fuzz_plan(void)
{
    static eng_scoring_plan *plan;
    if (plan != NULL) return plan;
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse(fuzz_pipeline, strlen(fuzz_pipeline), &p, &err) < 0 ||
        eng_scoring_compile(p, NULL, &plan, &err) < 0) {
        fprintf(stderr, "fuzz_scoring: cannot compile the plan: %s\n", err.message);
        abort();
    }
    eng_pipeline_free(p);
    return plan;
}

/* A refusal: its message is valid UTF-8 and makes an error reply. */
static void fuzz_refusal(srv__protocol proto, const wf_error *err)
{
    if (err->code == 0 || err->message[0] == '\0') abort();
    if (!wf_utf8_valid(err->message, strlen(err->message), NULL)) abort();
    srv_response res = {0};
    srv__scoring_error(&res, proto, err->code == WF_ENOMEM ? 500 : 400, "bad_request", "%s",
                       err->message);
    if (res.json == NULL || res.status < 400) abort();
    char *text = json_dumps(res.json, JSON_COMPACT);
    if (text == NULL) abort();
    free(text);
    srv__response_clear(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    eng_scoring_plan *plan = fuzz_plan();
    srv__protocol proto = (srv__protocol)(data[0] % 3);
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    srv__deployment d = {.name = "fuzz", .version = 1, .state = "healthy", .plan = plan};
    srv__scoring_request sr = {0};
    tbl_table *rows = NULL;
    eng_scoring_result *res = NULL;
    wf_buf out = {0};
    wf_error err = {0};
    if (srv__scoring_decode(proto, body, len, plan, &sr, &err) < 0 ||
        eng_scoring_rows_table(plan, &sr.rows, &rows, &err) < 0 ||
        eng_scoring_run(plan, rows, &res, &err) < 0 ||
        srv__scoring_encode(proto, eng_scoring_output(res), &d, &sr, &out, &err) < 0) {
        fuzz_refusal(proto, &err);
    } else {
        /* A reply is JSON, with a row (or a value per tensor) per request row. */
        json_t *reply = json_loadb(out.data, out.len, 0, NULL);
        if (reply == NULL) abort();
        const json_t *list =
            proto == SRV__NATIVE
                ? json_object_get(json_object_get(reply, "Results"), "WebServiceOutput0")
            : proto == SRV__MLFLOW
                ? json_object_get(reply, "predictions")
                : json_object_get(json_array_get(json_object_get(reply, "outputs"), 0), "data");
        if (list != NULL && json_array_size(list) != rows->nrows) abort();
        if (list == NULL && proto != SRV__V2) abort();
        json_decref(reply);
    }
    wf_buf_free(&out);
    eng_scoring_result_free(res);
    tbl_free(rows);
    srv__scoring_request_clear(&sr);
    return 0;
}
