/*
 * fuzz_pipeline.c: libFuzzer harness for pipeline documents. Any input must
 * parse or fail with a message; a document that parses must validate (with
 * no dataset loader) without crashing or leaking, every issue must name its
 * node and field and say something, and the canonical form must read back
 * and give exactly the same text again: canonicalising is idempotent.
 */
#include "engine/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *canonical_dump(const eng_pipeline *p)
{
    json_t *c = eng_pipeline_canonical(p);
    if (c == NULL) abort();
    char *s = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    if (s == NULL) abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eng_pipeline *p = NULL;
    wf_error err = {0};
    if (eng_pipeline_parse((const char *)data, size, &p, &err) < 0) {
        if (p != NULL || err.message[0] == '\0') abort();
        if (!wf_utf8_valid(err.message, strlen(err.message), NULL)) abort();
        return 0;
    }

    eng_issues issues = {0};
    if (eng_pipeline_validate(p, NULL, NULL, &issues, &err) < 0) abort(); /* only OOM may fail */
    for (size_t i = 0; i < issues.count; i++) {
        const eng_issue *it = &issues.items[i];
        if (it->node == NULL || it->field == NULL || it->message == NULL || it->message[0] == 0)
            abort();
        /* Messages go out as JSON: a character cut in half would break it. */
        if (!wf_utf8_valid(it->message, strlen(it->message), NULL) ||
            !wf_utf8_valid(it->field, strlen(it->field), NULL))
            abort();
        if (it->node[0] != '\0' && eng_find_node(p, it->node) < 0) {
            fprintf(stderr, "issue names a node that is not there: [%s] %s\n", it->node,
                    it->message);
            abort();
        }
    }
    eng_issues_clear(&issues);

    size_t *order = NULL;
    wf_error oerr = {0};
    int rc = eng_topological_order(p, &order, &oerr);
    if (rc < 0 && (rc != WF_EINVAL || order != NULL || oerr.message[0] == '\0')) abort();
    free(order);
    for (size_t i = 0; i < p->nnodes; i++) {
        wf_error perr = {0};
        json_t *params = eng_node_params(p, i, NULL, &perr);
        if (params == NULL && perr.message[0] == '\0') abort();
        json_decref(params);
    }

    char *first = canonical_dump(p);
    eng_pipeline *back = NULL;
    if (eng_pipeline_parse(first, strlen(first), &back, &err) < 0) {
        fprintf(stderr, "canonical form does not read back: %s\n%s\n", err.message, first);
        abort();
    }
    char *second = canonical_dump(back);
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "canonical form changed on a round trip:\n%s\n---\n%s\n", first, second);
        abort();
    }
    free(first);
    free(second);
    eng_pipeline_free(back);
    eng_pipeline_free(p);
    return 0;
}
