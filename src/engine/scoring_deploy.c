/*
 * scoring_deploy.c: deploying an endpoint (engine.h, eng_endpoint_deploy),
 * shared by the server's POST /api/endpoints and `weft endpoint deploy`.
 *
 * The plan is compiled before anything is recorded, so that what the store
 * says (healthy, or failed with the reason) is what compiling found. A
 * first deploy that fails is still recorded, failed, so that its keys
 * exist and a fixed pipeline can be redeployed under the same name; a
 * redeploy that fails is refused instead, leaving the working version in
 * place.
 */
#include "run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eng_deployed_clear(eng_deployed *d)
{
    if (d == NULL) return;
    eng_scoring_plan_free(d->plan);
    st_endpoint_clear(&d->endpoint);
    memset(d, 0, sizeof *d);
}

int eng_endpoint_compile(st_workspace *ws, const char *document_json, eng_scoring_plan **out,
                         wf_error *err)
{
    *out = NULL;
    eng_pipeline *p = NULL;
    int rc = eng_pipeline_parse(document_json, strlen(document_json), &p, err);
    if (rc < 0) return rc;
    eng_env env = {
        .load_dataset = eng__load_dataset, .load_artifact = eng_load_json_artifact, .user = ws};
    rc = eng_scoring_compile(p, &env, out, err);
    eng_pipeline_free(p);
    return rc;
}

/* The document as it will be stored: with the description when one is
 * given. A new string, or NULL with err set. */
static char *eng__document_text(const eng_deploy_request *req, wf_error *err)
{
    if (req->description == NULL) {
        char *text = wf_strdup(req->document_json);
        if (text == NULL) wf_error_set(err, WF_ENOMEM, "out of memory");
        return text;
    }
    json_error_t jerr;
    json_t *doc = json_loads(req->document_json, 0, &jerr);
    if (!json_is_object(doc)) {
        json_decref(doc);
        wf_error_set(err, WF_EPARSE, "the pipeline document is not a JSON object");
        return NULL;
    }
    char *text = NULL;
    if (json_object_set_new(doc, "description", json_string(req->description)) == 0)
        text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text == NULL) wf_error_set(err, WF_EINVAL, "the description is not valid text");
    return text;
}

int eng_endpoint_deploy(st_workspace *ws, const eng_deploy_request *req, eng_deployed *out,
                        wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = st_endpoint_name_check(req->name, err);
    if (rc < 0) return rc;
    if (req->document_json == NULL)
        return wf_error_set(err, WF_EINVAL, "an endpoint needs an inference pipeline document");
    /* The document's shape first: a text that is not a pipeline is the
     * client's mistake, not a failed endpoint. */
    eng_pipeline *p = NULL;
    wf_error perr = {0};
    if ((rc = eng_pipeline_parse(req->document_json, strlen(req->document_json), &p, &perr)) < 0)
        return wf_error_set(err, rc == WF_ENOMEM ? rc : WF_EINVAL,
                            "the document is not a pipeline: %s", perr.message);
    eng_pipeline_free(p);

    st_endpoint existing = {0};
    wf_error lookup = {0};
    rc = st_endpoint_get(ws, req->name, &existing, &lookup);
    bool exists = rc == 0;
    st_endpoint_clear(&existing);
    if (rc < 0 && rc != WF_ENOTFOUND) return wf_error_set(err, rc, "%s", lookup.message);
    if (exists && !req->replace)
        return wf_error_set(err, WF_EEXIST,
                            "there is already an endpoint named \"%s\"; redeploy it with "
                            "\"replace\": true",
                            req->name);

    char *text = eng__document_text(req, err);
    if (text == NULL) return err != NULL ? err->code : WF_ENOMEM;
    wf_error cerr = {0};
    rc = eng_endpoint_compile(ws, text, &out->plan, &cerr);
    if (rc == WF_ENOMEM) {
        free(text);
        return wf_error_set(err, rc, "%s", cerr.message);
    }
    st_endpoint_spec spec = {.name = req->name,
                             .document_json = text,
                             .state = rc == 0 ? "healthy" : "failed",
                             .reason = rc == 0 ? "" : cerr.message,
                             .source = req->source};
    if (exists) {
        if (rc < 0) {
            rc = wf_error_set(err, cerr.code,
                              "the new version does not compile, so the version in "
                              "service stays: %s",
                              cerr.message);
        } else {
            rc = st_endpoint_redeploy(ws, &spec, &out->endpoint, err);
        }
    } else {
        rc = st_endpoint_create(ws, &spec, out->primary, out->secondary, &out->endpoint, err);
        out->created = rc == 0;
    }
    free(text);
    if (rc < 0) eng_deployed_clear(out);
    return rc;
}
