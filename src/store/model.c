/*
 * model.c: the model registry. A model version points at the artifact one
 * step of one run produced, so everything about where it came from is
 * already in the workspace: the run, its snapshot, the step. What the
 * registry adds is a name, a version number and the lineage fixed at
 * registration: the dataset versions the run's snapshot read, so that the
 * answer to "what data trained this?" never changes afterwards.
 */
#include "store_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ST__MODEL_NAME_MAX 100

void st_model_clear(st_model *m)
{
    if (m == NULL) return;
    free(m->name);
    free(m->description);
    free(m->node_id);
    free(m->port);
    free(m->digest);
    free(m->kind);
    free(m->lineage_json);
    free(m->created_at);
    memset(m, 0, sizeof *m);
}

void st_models_free(st_model *m, size_t n)
{
    if (m == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_model_clear(&m[i]);
    free(m);
}

static bool st__model_char(char c, bool first)
{
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '-' || c == '_' || c == '.'));
}

int st_model_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a model name cannot be empty");
    size_t n = strlen(name);
    if (n > ST__MODEL_NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "a model name is at most %d characters; this one has %zu",
                            ST__MODEL_NAME_MAX, n);
    if (!st__model_char(name[0], true))
        return wf_error_set(err, WF_EINVAL,
                            "model name \"%.100s\" must start with a letter or a digit", name);
    for (size_t i = 1; i < n; i++)
        if (!st__model_char(name[i], false))
            return wf_error_set(err, WF_EINVAL,
                                "model name \"%.100s\": character %zu is not allowed (use "
                                "letters, digits, '-', '_' and '.')",
                                name, i + 1);
    return 0;
}

/* [{"node", "name", "version", "digest"}] from a snapshot's steps (see
 * engine/plan.c: each step that read a registered dataset names it). */
static char *st__lineage(const char *snapshot_json)
{
    json_t *snapshot = json_loads(snapshot_json ? snapshot_json : "{}", 0, NULL);
    json_t *list = json_array();
    const char *node;
    json_t *step;
    json_object_foreach(json_object_get(snapshot, "steps"), node, step)
    {
        json_t *d = json_object_get(step, "dataset");
        if (!json_is_object(d) || list == NULL) continue;
        json_t *entry = json_pack(
            "{s:s, s:O?, s:O?, s:O?}", "node", node, "name", json_object_get(d, "name"), "version",
            json_object_get(d, "version"), "digest", json_object_get(d, "digest"));
        if (entry == NULL || json_array_append_new(list, entry) < 0) {
            json_decref(list);
            list = NULL;
        }
    }
    char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    json_decref(snapshot);
    return text;
}

/* The columns st__read_model expects, in order. */
#define ST__MODEL_COLUMNS                                                                          \
    "m.name, m.version, m.description, m.run_id, m.node_id, m.port, m.digest, m.kind,"             \
    " m.lineage, m.created_at"

static int st__read_model(sqlite3_stmt *stmt, st_model *m, wf_error *err)
{
    memset(m, 0, sizeof *m);
    m->name = st__column_text(stmt, 0);
    m->version = sqlite3_column_int(stmt, 1);
    m->description = st__column_text(stmt, 2);
    m->run_id = sqlite3_column_int64(stmt, 3);
    m->node_id = st__column_text(stmt, 4);
    m->port = st__column_text(stmt, 5);
    m->digest = st__column_text(stmt, 6);
    m->kind = st__column_text(stmt, 7);
    m->lineage_json = st__column_text(stmt, 8);
    m->created_at = st__column_text(stmt, 9);
    if (!m->name || !m->description || !m->node_id || !m->port || !m->digest || !m->kind ||
        !m->lineage_json || !m->created_at) {
        st_model_clear(m);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

/* Reads every row of a prepared statement (finalised here) into a list. */
static int st__read_models(st_workspace *ws, sqlite3_stmt *stmt, bool with_count, st_model **out,
                           size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    st_model *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, s = SQLITE_DONE;
    while (rc == 0 && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (wf_grow((void **)&list, &cap, n + 1, sizeof *list) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        if ((rc = st__read_model(stmt, &list[n], err)) == 0) {
            if (with_count) list[n].versions = sqlite3_column_int(stmt, 10);
            n++;
        }
    }
    if (rc == 0 && s != SQLITE_DONE) rc = st__sql_error(ws, err, "listing models");
    sqlite3_finalize(stmt);
    if (rc < 0) {
        st_models_free(list, n);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

int st_model_get(st_workspace *ws, const char *name, int version, st_model *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT " ST__MODEL_COLUMNS " FROM models m WHERE m.name = ?1"
                         " AND (?2 = 0 OR m.version = ?2) ORDER BY m.version DESC LIMIT 1",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, version);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_model(stmt, out, err);
    else if (s != SQLITE_DONE)
        rc = st__sql_error(ws, err, "reading a model");
    else if (version > 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "model \"%.100s\" has no version %d", name ? name : "",
                          version);
    else
        rc =
            wf_error_set(err, WF_ENOTFOUND, "there is no model named \"%.100s\"", name ? name : "");
    sqlite3_finalize(stmt);
    return rc;
}

int st_model_list(st_workspace *ws, st_model **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT " ST__MODEL_COLUMNS ", c.n FROM models m JOIN"
                         " (SELECT name, max(version) AS v, count(*) AS n FROM models"
                         "  GROUP BY name) c ON c.name = m.name AND c.v = m.version"
                         " ORDER BY m.name",
                         &stmt, err);
    if (rc < 0) return rc;
    return st__read_models(ws, stmt, true, out, count, err);
}

int st_model_versions(st_workspace *ws, const char *name, st_model **out, size_t *count,
                      wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT " ST__MODEL_COLUMNS " FROM models m WHERE m.name = ?1"
                         " ORDER BY m.version",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    if ((rc = st__read_models(ws, stmt, false, out, count, err)) < 0) return rc;
    if (*count == 0)
        return wf_error_set(err, WF_ENOTFOUND, "there is no model named \"%.100s\"",
                            name ? name : "");
    return 0;
}

/* The next version of spec->name, inside the caller's transaction. */
static int st__next_model_version(st_workspace *ws, const char *name, int *version, wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT coalesce(max(version), 0) + 1 FROM models WHERE name = ?1",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *version = sqlite3_column_int(stmt, 0);
    else
        rc = st__sql_error(ws, err, "numbering a model version");
    sqlite3_finalize(stmt);
    return rc;
}

int st_model_register(st_workspace *ws, const st_model_spec *spec, st_model *out, wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_model_name_check(spec->name, err);
    if (rc < 0) return rc;
    if (spec->node_id == NULL || spec->port == NULL || spec->digest == NULL || spec->kind == NULL)
        return wf_error_set(err, WF_EINVAL, "a model needs a step, a port, a digest and a kind");
    st_run run;
    if ((rc = st_run_get(ws, spec->run_id, &run, err)) < 0) return rc;
    char *lineage = st__lineage(run.snapshot_json);
    st_run_clear(&run);
    if (lineage == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    int version = 0;
    sqlite3_stmt *stmt = NULL;
    /* Numbering and inserting under one write lock: two registrations of
     * the same name at once get two versions, never the same one. */
    if ((rc = st__begin(ws, err)) < 0) goto done;
    rc = st__next_model_version(ws, spec->name, &version, err);
    if (rc == 0)
        rc = st__prepare(ws,
                         "INSERT INTO models(name, version, description, run_id, node_id, port,"
                         " digest, kind, lineage, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                         &stmt, err);
    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, version);
        sqlite3_bind_text(stmt, 3, spec->description ? spec->description : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 4, spec->run_id);
        sqlite3_bind_text(stmt, 5, spec->node_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, spec->port, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 7, spec->digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 8, spec->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 9, lineage, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 10, now, -1, SQLITE_STATIC);
        rc = st__step_done(ws, stmt, "insert-model", "registering a model", err);
        sqlite3_finalize(stmt);
    }
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) st__rollback(ws);
done:
    free(lineage);
    if (rc == 0 && out != NULL) rc = st_model_get(ws, spec->name, version, out, err);
    return rc;
}
