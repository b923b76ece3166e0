/*
 * routes_compute.c: compute targets over HTTP (docs/slurm.md): list, add,
 * read, replace and remove them, and where a run ran (its target and each
 * step's scheduler job). A run names its target when it is submitted
 * (POST /api/runs {"compute": "hpc"}, routes_runs.c).
 *
 * A target is {"name", "kind", "config", "created_at", "builtin"}; "local"
 * is built in, always listed first, and can be neither changed nor
 * removed. Settings are checked by the engine (eng_compute_check), so a
 * target the API accepts is one a run can use.
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

static json_t *srv__target_json(const st_compute_target *t)
{
    json_t *config = json_loads(t->config_json, 0, NULL);
    return json_pack("{s:s, s:s, s:o, s:s, s:b}", "name", t->name, "kind", t->kind, "config",
                     config ? config : json_object(), "created_at", t->created_at, "builtin",
                     strcmp(t->name, ST_COMPUTE_LOCAL) == 0);
}

/* GET /api/compute */
static int list_targets(srv_request *req, srv_response *res)
{
    st_compute_target *t = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_compute_list(srv_workspace(req), &t, &n, &err) < 0) return srv_reply_wf_error(res, &err);
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, srv__target_json(&t[i])) < 0) {
            json_decref(list);
            list = NULL;
        }
    st_compute_targets_free(t, n);
    return srv_reply_json(res, 200, list ? json_pack("{s:o}", "targets", list) : NULL);
}

/* Checks and saves {"kind", "config"} of body as target `name`; replies
 * with the target (status `ok`) or why not. */
static int srv__save_target(srv_request *req, srv_response *res, const char *name,
                            const json_t *body, bool replace, int ok)
{
    const json_t *kind = json_object_get(body, "kind"), *config = json_object_get(body, "config");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "name") != 0 && strcmp(key, "kind") != 0 && strcmp(key, "config") != 0)
            return srv_reply_error(res, 422, "invalid",
                                   "unknown field \"%.60s\" (a target has \"name\", \"kind\" and "
                                   "\"config\")",
                                   key);
    }
    if (kind != NULL && !json_is_string(kind))
        return srv_reply_error(res, 422, "invalid", "\"kind\" must be \"local\" or \"slurm\"");
    if (config != NULL && !json_is_object(config))
        return srv_reply_error(res, 422, "invalid", "\"config\" must be an object of settings");
    const char *k = kind ? json_string_value(kind) : "slurm";
    wf_error err = {0};
    if (st_compute_name_check(name, &err) < 0 || eng_compute_check(k, config, &err) < 0)
        return srv_reply_error(res, 422, "invalid", "%s", err.message);
    char *text = config ? json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS) : wf_strdup("{}");
    if (text == NULL) return srv_reply_error(res, 500, "internal", "out of memory");
    st_workspace *ws = srv_workspace(req);
    int rc = st_compute_save(ws, name, k, text, replace, &err);
    free(text);
    if (rc < 0) return srv_reply_wf_error(res, &err);
    st_compute_target t;
    if (st_compute_get(ws, name, &t, &err) < 0) return srv_reply_wf_error(res, &err);
    json_t *o = srv__target_json(&t);
    st_compute_target_clear(&t);
    return srv_reply_json(res, ok, o);
}

/* POST /api/compute {"name", "kind", "config"}: 201, or 409 when the name
 * is taken. */
static int add_target(srv_request *req, srv_response *res)
{
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const json_t *name = json_object_get(body, "name");
    if (!json_is_string(name))
        srv_reply_error(res, 422, "invalid", "\"name\" must be the target's name");
    else
        srv__save_target(req, res, json_string_value(name), body, false, 201);
    json_decref(body);
    return 0;
}

/* PUT /api/compute/{name} {"kind", "config"}: creates or replaces. */
static int put_target(srv_request *req, srv_response *res)
{
    json_t *body = srv_body_json(req, res);
    if (body == NULL) return 0;
    const char *name = srv_path_param(req, 0);
    const json_t *in_body = json_object_get(body, "name");
    if (in_body != NULL &&
        !(json_is_string(in_body) && strcmp(json_string_value(in_body), name) == 0))
        srv_reply_error(res, 422, "invalid", "\"name\" in the body must match the path");
    else
        srv__save_target(req, res, name, body, true, 200);
    json_decref(body);
    return 0;
}

/* GET /api/compute/{name} */
static int get_target(srv_request *req, srv_response *res)
{
    st_compute_target t;
    wf_error err = {0};
    if (st_compute_get(srv_workspace(req), srv_path_param(req, 0), &t, &err) < 0)
        return srv_reply_wf_error(res, &err);
    json_t *o = srv__target_json(&t);
    st_compute_target_clear(&t);
    return srv_reply_json(res, 200, o);
}

/* DELETE /api/compute/{name} */
static int delete_target(srv_request *req, srv_response *res)
{
    const char *name = srv_path_param(req, 0);
    wf_error err = {0};
    if (st_compute_remove(srv_workspace(req), name, &err) < 0) return srv_reply_wf_error(res, &err);
    return srv_reply_json(res, 200, json_pack("{s:s, s:b}", "name", name, "deleted", 1));
}

/* GET /api/runs/{id}/compute: {"run_id", "compute", "jobs": [{"node", "job_id"}]}. */
static int run_compute(srv_request *req, srv_response *res)
{
    const char *text = srv_path_param(req, 0);
    char *end;
    long long id = strtoll(text, &end, 10);
    if (*end != '\0' || id < 1)
        return srv_reply_error(res, 404, "not_found", "there is no run \"%.40s\"", text);
    st_workspace *ws = srv_workspace(req);
    char *name = NULL;
    st_step_job *jobs = NULL;
    size_t n = 0;
    wf_error err = {0};
    if (st_run_compute(ws, id, &name, &err) < 0 || st_step_jobs(ws, id, &jobs, &n, &err) < 0) {
        free(name);
        return srv_reply_wf_error(res, &err);
    }
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        if (json_array_append_new(list, json_pack("{s:s, s:s}", "node", jobs[i].node_id, "job_id",
                                                  jobs[i].job_id)) < 0) {
            json_decref(list);
            list = NULL;
        }
    st_step_jobs_free(jobs, n);
    json_t *o =
        list ? json_pack("{s:I, s:s, s:o}", "run_id", (json_int_t)id, "compute", name, "jobs", list)
             : NULL;
    free(name);
    return srv_reply_json(res, 200, o);
}

const srv_route srv_compute_routes[] = {
    {"GET", "/api/compute", list_targets, 0},
    {"POST", "/api/compute", add_target, 0},
    {"GET", "/api/compute/{name}", get_target, 0},
    {"PUT", "/api/compute/{name}", put_target, 0},
    {"DELETE", "/api/compute/{name}", delete_target, 0},
    {"GET", "/api/runs/{id}/compute", run_compute, 0},
    {NULL, NULL, NULL, 0},
};
