/*
 * plan.c: the planner. It turns a validated pipeline into steps (resolved
 * parameters, input wiring, pinned dataset versions), writes the run's
 * snapshot, and computes step keys for the cache.
 *
 * Pinning datasets is what makes a snapshot reproducible: a node that asks
 * for "cars@latest" reads whatever version is latest when the run starts,
 * and the plan writes that version number into the node's resolved
 * parameters and the snapshot, so the step (and any rerun of the snapshot)
 * reads exactly that version. The version's artifact digest joins the step
 * key, so registering a new version of a dataset invalidates the steps
 * downstream of it, and only those.
 */
#include "run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- step keys ------------------------------------------------------------- */

/* One framed part: a tag byte, the length as 8 bytes little-endian, the
 * bytes. */
static void eng__key_part(wf_sha256 *h, char tag, const char *data, size_t len)
{
    uint8_t head[9];
    head[0] = (uint8_t)tag;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (uint8_t)((uint64_t)len >> (8 * i));
    wf_sha256_update(h, head, sizeof head);
    if (len > 0) wf_sha256_update(h, data, len);
}

int eng_step_key(const char *module_ref, const json_t *params, const char *const *input_digests,
                 size_t ninputs, const char *dataset_digest, char key[WF_SHA256_HEX], wf_error *err)
{
    key[0] = '\0';
    if (module_ref == NULL || module_ref[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a step key needs a module");
    char *text = NULL;
    if (params != NULL) {
        text = json_dumps(params, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
        if (text == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    wf_sha256 h;
    wf_sha256_init(&h);
    /* The first part names this scheme: changing how keys are made must
     * change every key, or old cache entries would be trusted wrongly. */
    static const char scheme[] = "weft.step-key/1";
    eng__key_part(&h, 'K', scheme, sizeof scheme - 1);
    eng__key_part(&h, 'M', module_ref, strlen(module_ref));
    eng__key_part(&h, 'P', text ? text : "{}", text ? strlen(text) : 2);
    free(text);
    for (size_t i = 0; i < ninputs; i++) {
        const char *d = input_digests ? input_digests[i] : NULL;
        if (d == NULL)
            eng__key_part(&h, 'N', NULL, 0);
        else
            eng__key_part(&h, 'I', d, strlen(d));
    }
    if (dataset_digest != NULL) eng__key_part(&h, 'D', dataset_digest, strlen(dataset_digest));
    uint8_t digest[32];
    wf_sha256_final(&h, digest);
    wf_hex_encode(digest, sizeof digest, key);
    return 0;
}

/* ---- datasets -------------------------------------------------------------- */

int eng__load_dataset(void *user, const char *ref, tbl_table **out, wf_error *err)
{
    return st_dataset_load((st_workspace *)user, ref, out, NULL, err);
}

/* The version a node asks for: N >= 1, or 0 for the latest. A value that
 * is neither was refused by validation; it reads as the latest here. */
static int eng__requested_version(const json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 1000000000)
        return (int)json_integer_value(v);
    if (json_is_real(v) && json_real_value(v) >= 1 && json_real_value(v) <= 1e9 &&
        (double)(int)json_real_value(v) == json_real_value(v))
        return (int)json_real_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        long n = 0;
        size_t i = 0;
        for (; s[i] >= '0' && s[i] <= '9' && n < 1000000000; i++)
            n = n * 10 + (s[i] - '0');
        if (i > 0 && s[i] == '\0' && n >= 1 && n <= 1000000000) return (int)n;
    }
    return 0;
}

/* Resolves the registered dataset step s reads, if its module has a dataset
 * parameter, and pins its version in s->params. */
static int eng__pin_dataset(st_workspace *ws, eng__step *s, wf_error *err)
{
    const mod_descriptor *m = s->module;
    const char *name = NULL;
    for (size_t i = 0; i < m->nparams && name == NULL; i++)
        if (m->params[i].type == MOD_PARAM_DATASET)
            name = json_string_value(json_object_get(s->params, m->params[i].name));
    if (name == NULL || name[0] == '\0') return 0;
    bool has_version = mod_param_index(m, "version") >= 0;
    int version = has_version ? eng__requested_version(json_object_get(s->params, "version")) : 0;
    char ref[256];
    if (version > 0)
        snprintf(ref, sizeof ref, "%.200s@%d", name, version);
    else
        snprintf(ref, sizeof ref, "%.200s@latest", name);
    st_dataset_version v = {0};
    int rc = st_dataset_get(ws, ref, &v, err);
    if (rc < 0) {
        if (err != NULL) wf_error_prefix(err, "node %s", s->node->id);
        return rc;
    }
    snprintf(ref, sizeof ref, "%.200s@%d", v.name, v.version);
    s->dataset_ref = wf_strdup(ref);
    s->dataset_name = wf_strdup(v.name);
    s->dataset_digest = wf_strdup(v.digest);
    if (s->dataset_ref == NULL || s->dataset_name == NULL || s->dataset_digest == NULL ||
        (has_version && json_object_set_new(s->params, "version", json_integer(v.version)) < 0))
        rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    st_dataset_version_clear(&v);
    return rc;
}

/* ---- the plan -------------------------------------------------------------- */

static int eng__wire_inputs(const eng_pipeline *p, eng__step *s, wf_error *err)
{
    const mod_descriptor *m = s->module;
    s->src_step = wf_mallocarray(m->ninputs ? m->ninputs : 1, sizeof *s->src_step);
    s->src_port = wf_mallocarray(m->ninputs ? m->ninputs : 1, sizeof *s->src_port);
    if (s->src_step == NULL || s->src_port == NULL)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < m->ninputs; k++) {
        s->src_step[k] = -1;
        s->src_port[k] = -1;
        for (size_t e = 0; e < p->nedges; e++) {
            const eng_edge *edge = &p->edges[e];
            if (strcmp(edge->to_node, s->node->id) != 0 ||
                strcmp(edge->to_port, m->inputs[k].name) != 0)
                continue;
            int from = eng_find_node(p, edge->from_node);
            int port = from < 0 ? -1 : mod_output_index(p->nodes[from].module, edge->from_port);
            if (port < 0)
                return wf_error_set(err, WF_EINVAL, "edge %s.%s -> %s.%s: no such output",
                                    edge->from_node, edge->from_port, edge->to_node, edge->to_port);
            s->src_step[k] = from;
            s->src_port[k] = port;
        }
    }
    return 0;
}

int eng__plan_build(st_workspace *ws, const eng_pipeline *p, const json_t *bindings,
                    eng__plan *plan, wf_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->pipeline = p;
    plan->nsteps = p->nnodes;
    plan->steps = wf_calloc(p->nnodes ? p->nnodes : 1, sizeof *plan->steps);
    if (plan->steps == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = eng_topological_order(p, &plan->order, err);
    for (size_t i = 0; rc == 0 && i < p->nnodes; i++) {
        eng__step *s = &plan->steps[i];
        s->node = &p->nodes[i];
        s->module = p->nodes[i].module;
        if (s->module == NULL) {
            rc = wf_error_set(err, WF_EINVAL, "node %s: unknown module %s", s->node->id,
                              s->node->module_ref);
            break;
        }
        char ref[160];
        snprintf(ref, sizeof ref, "%.120s@%d", s->module->name, s->module->version);
        if ((s->module_ref = wf_strdup(ref)) == NULL) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        if ((s->params = eng_node_params(p, i, bindings, err)) == NULL) {
            if (err != NULL && err->code == 0) wf_error_set(err, WF_ENOMEM, "out of memory");
            rc = err != NULL ? err->code : WF_ENOMEM;
            break;
        }
        rc = eng__wire_inputs(p, s, err);
        if (rc == 0) rc = eng__pin_dataset(ws, s, err);
        /* A module that reads or writes outside the workspace (Import Data
         * with `use_cached_results` off, Export Data) is never reused. */
        s->regenerate = s->node->regenerate || !mod_cacheable(s->module, s->params);
    }
    if (rc < 0) eng__plan_clear(plan);
    return rc;
}

void eng__plan_clear(eng__plan *plan)
{
    if (plan == NULL) return;
    for (size_t i = 0; plan->steps != NULL && i < plan->nsteps; i++) {
        eng__step *s = &plan->steps[i];
        free(s->module_ref);
        json_decref(s->params);
        free(s->src_step);
        free(s->src_port);
        free(s->dataset_ref);
        free(s->dataset_name);
        free(s->dataset_digest);
    }
    free(plan->steps);
    free(plan->order);
    memset(plan, 0, sizeof *plan);
}

json_t *eng__plan_snapshot(const eng__plan *plan, const json_t *bindings)
{
    json_t *root = json_object();
    json_t *steps = json_object();
    json_t *canonical = eng_pipeline_canonical(plan->pipeline);
    bool ok = root != NULL && steps != NULL && canonical != NULL;
    ok = ok && json_object_set_new(root, "format", json_string("weft.snapshot/1")) == 0;
    ok = ok && json_object_set(root, "pipeline", canonical) == 0;
    ok = ok && json_object_set_new(root, "parameters",
                                   bindings ? json_deep_copy(bindings) : json_object()) == 0;
    for (size_t i = 0; ok && i < plan->nsteps; i++) {
        const eng__step *s = &plan->steps[i];
        json_t *step = json_pack("{s:s, s:O}", "module", s->module_ref, "params", s->params);
        if (step != NULL && s->dataset_ref != NULL) {
            const char *at = strrchr(s->dataset_ref, '@');
            json_t *d = json_pack("{s:s, s:i, s:s}", "name", s->dataset_name, "version",
                                  at ? atoi(at + 1) : 0, "digest", s->dataset_digest);
            if (d == NULL || json_object_set_new(step, "dataset", d) < 0) {
                json_decref(step);
                step = NULL;
            }
        }
        ok = step != NULL && json_object_set_new(steps, s->node->id, step) == 0;
    }
    ok = ok && json_object_set(root, "steps", steps) == 0;
    json_decref(steps);
    json_decref(canonical);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}
