/*
 * compute.c: compute targets seen from the engine: a node's "compute"
 * field (target, retries, job_arrays), the settings a target may hold, and
 * opening the backend that runs a target's steps (local.c or slurm.c).
 */
#include "pipeline_int.h"
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

/* How many times a failed step may be tried again: enough for a flaky
 * node, few enough that a broken step does not occupy a cluster. */
#define ENG__MAX_RETRIES 10

const char *eng_node_compute_target(const eng_node *n)
{
    if (n == NULL || n->compute == NULL) return NULL;
    if (json_is_string(n->compute)) return json_string_value(n->compute);
    return json_string_value(json_object_get(n->compute, "target"));
}

int eng_node_retries(const eng_node *n)
{
    json_t *r = n && json_is_object(n->compute) ? json_object_get(n->compute, "retries") : NULL;
    return json_is_integer(r) ? (int)json_integer_value(r) : -1;
}

int eng__node_job_arrays(const json_t *compute)
{
    json_t *v = json_is_object(compute) ? json_object_get(compute, "job_arrays") : NULL;
    return json_is_boolean(v) ? json_is_true(v) : -1;
}

/* A retries setting: an integer from 0 to ENG__MAX_RETRIES. */
static bool eng__retries_ok(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0 &&
           json_integer_value(v) <= ENG__MAX_RETRIES;
}

int eng__check_node_compute(const eng_node *n, eng_issues *issues)
{
    const json_t *c = n->compute;
    if (c == NULL) return 0;
    wf_error err = {0};
    const char *target = eng_node_compute_target(n);
    if (json_is_object(c)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)c, key, v)
        {
            if (strcmp(key, "target") != 0 && strcmp(key, "retries") != 0 &&
                strcmp(key, "job_arrays") != 0)
                return eng__issue_add(issues, n->id, "compute",
                                      "unknown member \"%.60s\" (\"compute\" has \"target\", "
                                      "\"retries\" and \"job_arrays\")",
                                      key);
        }
        json_t *t = json_object_get(c, "target");
        if (t != NULL && !json_is_string(t))
            return eng__issue_add(issues, n->id, "compute",
                                  "\"target\" must be a compute target's name");
        json_t *r = json_object_get(c, "retries");
        if (r != NULL && !eng__retries_ok(r))
            return eng__issue_add(issues, n->id, "compute",
                                  "\"retries\" must be an integer from 0 to %d", ENG__MAX_RETRIES);
        json_t *a = json_object_get(c, "job_arrays");
        if (a != NULL && !json_is_boolean(a))
            return eng__issue_add(issues, n->id, "compute", "\"job_arrays\" must be true or false");
    }
    if (target != NULL && st_compute_name_check(target, &err) < 0)
        return eng__issue_add(issues, n->id, "compute", "%s", err.message);
    return 0;
}

int eng_compute_check(const char *kind, const json_t *config, wf_error *err)
{
    if (config != NULL && !json_is_object(config))
        return wf_error_set(err, WF_EINVAL, "a compute target's settings must be an object");
    json_t *r = json_object_get(config, "retries");
    if (r != NULL && !eng__retries_ok(r))
        return wf_error_set(err, WF_EINVAL, "\"retries\" must be an integer from 0 to %d",
                            ENG__MAX_RETRIES);
    if (kind != NULL && strcmp(kind, "slurm") == 0) return eng__slurm_config_check(config, err);
    if (kind == NULL || strcmp(kind, "local") != 0)
        return wf_error_set(err, WF_EINVAL, "the kind is \"local\" or \"slurm\", not \"%.40s\"",
                            kind ? kind : "");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)config, key, v)
    {
        if (strcmp(key, "retries") != 0)
            return wf_error_set(err, WF_EINVAL,
                                "unknown setting \"%.60s\" (a local target takes \"retries\")",
                                key);
    }
    return 0;
}

int eng__backend_open(const eng__backend_env *env, const char *target, eng__backend **out,
                      wf_error *err)
{
    *out = NULL;
    if (target == NULL) target = ST_COMPUTE_LOCAL;
    st_compute_target t;
    int rc = st_compute_get(env->ws, target, &t, err);
    if (rc < 0) return rc;
    json_error_t jerr;
    json_t *config = json_loads(t.config_json, 0, &jerr);
    /* Settings are checked when saved; checking again catches a database
     * edited by hand, or written by a weft that allowed something else. */
    if (config == NULL)
        rc = wf_error_set(err, WF_EINVAL, "compute target \"%s\": its settings are not JSON: %s",
                          target, jerr.text);
    else if ((rc = eng_compute_check(t.kind, config, err)) < 0)
        wf_error_prefix(err, "compute target \"%s\"", target);
    else if (strcmp(t.kind, "slurm") == 0)
        rc = eng__slurm_backend_new(env, target, config, out, err);
    else
        rc = eng__local_backend_new(env, target, config, out, err);
    json_decref(config);
    st_compute_target_clear(&t);
    return rc;
}

void eng__backend_free(eng__backend *b)
{
    if (b != NULL) b->ops->free(b);
}
