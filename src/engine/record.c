/*
 * record.c: the database side of a completed step (record.h).
 */
#include "record.h"

#include <stdio.h>
#include <string.h>

int eng__record_outputs(st_workspace *ws, const mod_descriptor *m, char *const *outputs,
                        wf_error *err)
{
    for (size_t k = 0; k < m->noutputs; k++) {
        const char *kind = m->outputs[k].kind == MOD_TABLE ? "table" : "blob";
        int rc = st_artifact_record(ws, outputs[k], kind, err);
        if (rc < 0) {
            wf_error_prefix(err, "output \"%s\"", m->outputs[k].name);
            return rc;
        }
    }
    return 0;
}

bool eng__note_registration(const json_t *msg, json_t **pending)
{
    if (json_object_get(msg, "register") == NULL) return false;
    if (*pending == NULL) *pending = json_array();
    /* Out of memory loses the request; eng__register_datasets then has
     * fewer to do, and the step's log says nothing was registered. */
    if (*pending != NULL) json_array_append(*pending, (json_t *)msg);
    return true;
}

int eng__register_datasets(st_workspace *ws, const json_t *pending, int64_t run_id,
                           const char *node, void (*said)(void *user, const char *line), void *user,
                           wf_error *err)
{
    char source[300];
    snprintf(source, sizeof source, "run:%lld/%.200s", (long long)run_id, node);
    size_t i;
    const json_t *r;
    json_array_foreach(pending, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "register"));
        const char *digest = json_string_value(json_object_get(r, "digest"));
        const char *description = json_string_value(json_object_get(r, "description"));
        if (name == NULL || digest == NULL)
            return wf_error_set(err, WF_EINVAL,
                                "the step asked to register a dataset without a name or digest");
        st_dataset_version v = {0};
        int rc = st_dataset_register_artifact(ws, name, digest, description, source, &v, err);
        if (rc < 0) return rc;
        char line[400];
        snprintf(line, sizeof line, "registered %lld rows, %lld columns as dataset %s@%d",
                 (long long)v.rows, (long long)v.cols, v.name, v.version);
        if (said != NULL) said(user, line);
        st_dataset_version_clear(&v);
    }
    return 0;
}
