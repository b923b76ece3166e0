/*
 * published.c: published pipelines (DESIGN.md section 6). A published
 * pipeline is a name with numbered, immutable versions, each a frozen
 * pipeline document; one version is the default, which clients get unless
 * they ask for another. Publishing under a name that exists adds a version.
 * Runs submitted through a published pipeline remember which one and which
 * version (runs.published_id and published_version, migration 5).
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST__PUBLISHED_NAME_MAX 100

void st_published_clear(st_published *p)
{
    if (p == NULL) return;
    free(p->name);
    free(p->description);
    free(p->created_at);
    free(p->updated_at);
    memset(p, 0, sizeof *p);
}

void st_published_free(st_published *p, size_t n)
{
    if (p == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_published_clear(&p[i]);
    free(p);
}

void st_published_version_clear(st_published_version *v)
{
    if (v == NULL) return;
    free(v->document_json);
    free(v->source);
    free(v->created_at);
    memset(v, 0, sizeof *v);
}

void st_published_versions_free(st_published_version *v, size_t n)
{
    if (v == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_published_version_clear(&v[i]);
    free(v);
}

static bool st__published_char(char c, bool first)
{
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    /* Draft names such as "Cars (real-time inference)" publish as they are. */
    return alnum || (!first && (c == '-' || c == '_' || c == '.' || c == ' ' || c == ':' ||
                                c == '(' || c == ')'));
}

int st_published_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a published pipeline's name cannot be empty");
    size_t n = strlen(name);
    if (n > ST__PUBLISHED_NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "a published pipeline's name is at most %d characters; this one has "
                            "%zu",
                            ST__PUBLISHED_NAME_MAX, n);
    if (!st__published_char(name[0], true))
        return wf_error_set(err, WF_EINVAL, "name \"%.100s\" must start with a letter or a digit",
                            name);
    for (size_t i = 1; i < n; i++)
        if (!st__published_char(name[i], false))
            return wf_error_set(err, WF_EINVAL,
                                "name \"%.100s\": character %zu is not allowed (use letters, "
                                "digits, spaces and - _ . : ( ))",
                                name, i + 1);
    if (name[n - 1] == ' ')
        return wf_error_set(err, WF_EINVAL, "name \"%.100s\" ends with a space", name);
    return 0;
}

/* ---- reading --------------------------------------------------------------- */

/* The columns st__read_published expects, in order. */
#define ST__PUBLISHED_COLUMNS                                                                      \
    "p.id, p.name, p.description, p.default_version, p.created_at,"                                \
    " (SELECT count(*) FROM published_versions v WHERE v.pipeline_id = p.id),"                     \
    " (SELECT max(created_at) FROM published_versions v WHERE v.pipeline_id = p.id),"              \
    " p.disabled"

static int st__read_published(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    st_published *p = elem;
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(stmt, 0);
    p->name = st__column_text(stmt, 1);
    p->description = st__column_text(stmt, 2);
    p->default_version = sqlite3_column_int(stmt, 3);
    p->created_at = st__column_text(stmt, 4);
    p->versions = sqlite3_column_int(stmt, 5);
    p->updated_at = st__column_text(stmt, 6);
    p->disabled = sqlite3_column_int(stmt, 7) != 0;
    if (!p->name || !p->description || !p->created_at || !p->updated_at) {
        st_published_clear(p);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static void st__clear_published(void *elem)
{
    st_published_clear(elem);
}

/* Versions; the document only when `with_document` (column 4). */
static int st__read_version(sqlite3_stmt *stmt, st_published_version *v, bool with_document,
                            wf_error *err)
{
    memset(v, 0, sizeof *v);
    v->pipeline_id = sqlite3_column_int64(stmt, 0);
    v->version = sqlite3_column_int(stmt, 1);
    v->source = st__column_text(stmt, 2);
    v->created_at = st__column_text(stmt, 3);
    v->document_json = with_document ? st__column_text(stmt, 4) : wf_strdup("");
    if (!v->source || !v->created_at || !v->document_json) {
        st_published_version_clear(v);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static int st__read_version_row(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    return st__read_version(stmt, elem, false, err);
}

static void st__clear_version(void *elem)
{
    st_published_version_clear(elem);
}

static int st__published_by(st_workspace *ws, const char *where, int64_t id, const char *name,
                            st_published *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT " ST__PUBLISHED_COLUMNS " FROM published_pipelines p WHERE %s", where);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, sql, &stmt, err);
    if (rc < 0) return rc;
    if (name != NULL)
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(stmt, 1, id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_published(stmt, out, err);
    else if (s != SQLITE_DONE)
        rc = st__sql_error(ws, err, "reading a published pipeline");
    else if (name != NULL)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no published pipeline named \"%.100s\"",
                          name);
    else
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no published pipeline %lld", (long long)id);
    sqlite3_finalize(stmt);
    return rc;
}

int st_published_get(st_workspace *ws, int64_t id, st_published *out, wf_error *err)
{
    return st__published_by(ws, "p.id = ?1", id, NULL, out, err);
}

int st_published_find(st_workspace *ws, const char *name, st_published *out, wf_error *err)
{
    return st__published_by(ws, "p.name = ?1", 0, name ? name : "", out, err);
}

int st_published_list(st_workspace *ws, st_published **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(
        ws, "SELECT " ST__PUBLISHED_COLUMNS " FROM published_pipelines p ORDER BY p.name", &stmt,
        err);
    if (rc < 0) return rc;
    return st__collect_rows(ws, stmt, sizeof(st_published), st__read_published, st__clear_published,
                            "listing published pipelines", (void **)out, count, err);
}

int st_published_versions(st_workspace *ws, int64_t id, st_published_version **out, size_t *count,
                          wf_error *err)
{
    *out = NULL;
    *count = 0;
    st_published p;
    int rc = st_published_get(ws, id, &p, err);
    if (rc < 0) return rc;
    st_published_clear(&p);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     "SELECT pipeline_id, version, source, created_at FROM published_versions"
                     " WHERE pipeline_id = ?1 ORDER BY version",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, id);
    return st__collect_rows(ws, stmt, sizeof(st_published_version), st__read_version_row,
                            st__clear_version, "listing published versions", (void **)out, count,
                            err);
}

int st_published_version_get(st_workspace *ws, int64_t id, int version, st_published_version *out,
                             wf_error *err)
{
    memset(out, 0, sizeof *out);
    st_published p;
    int rc = st_published_get(ws, id, &p, err);
    if (rc < 0) return rc;
    if (version <= 0) version = p.default_version;
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     "SELECT pipeline_id, version, source, created_at, document"
                     " FROM published_versions WHERE pipeline_id = ?1 AND version = ?2",
                     &stmt, err);
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_int(stmt, 2, version);
        int s = sqlite3_step(stmt);
        if (s == SQLITE_ROW)
            rc = st__read_version(stmt, out, true, err);
        else if (s != SQLITE_DONE)
            rc = st__sql_error(ws, err, "reading a published version");
        else
            rc = wf_error_set(err, WF_ENOTFOUND,
                              "published pipeline \"%.100s\" has no version %d (it has 1 to %d)",
                              p.name, version, p.versions);
        sqlite3_finalize(stmt);
    }
    st_published_clear(&p);
    return rc;
}

/* ---- writing --------------------------------------------------------------- */

/* The id of `name` (0 when new) and its next version, in the caller's
 * transaction. */
static int st__published_next(st_workspace *ws, const char *name, int64_t *id, int *version,
                              wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT p.id, (SELECT coalesce(max(version), 0) + 1 FROM"
                         " published_versions v WHERE v.pipeline_id = p.id)"
                         " FROM published_pipelines p WHERE p.name = ?1",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    *id = 0;
    *version = 1;
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
        *version = sqlite3_column_int(stmt, 1);
    } else if (s != SQLITE_DONE) {
        rc = st__sql_error(ws, err, "numbering a published version");
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Runs one statement with text and integer arguments (NULL text: skip). */
static int st__published_exec(st_workspace *ws, const char *sql, const char *const *texts,
                              size_t ntexts, const int64_t *ints, size_t nints, const char *step,
                              const char *what, wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, sql, &stmt, err);
    if (rc < 0) return rc;
    for (size_t i = 0; i < ntexts; i++)
        sqlite3_bind_text(stmt, (int)i + 1, texts[i], -1, SQLITE_STATIC);
    for (size_t i = 0; i < nints; i++)
        sqlite3_bind_int64(stmt, (int)(ntexts + i) + 1, ints[i]);
    rc = st__step_done(ws, stmt, step, what, err);
    sqlite3_finalize(stmt);
    return rc;
}

int st_published_publish(st_workspace *ws, const char *name, const char *description,
                         const char *document_json, const char *source, st_published *out,
                         int *version, wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_published_name_check(name, err);
    if (rc < 0) return rc;
    if (document_json == NULL || document_json[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a published pipeline needs a document");
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    int64_t id = 0;
    int v = 1;
    /* Numbering and inserting under one write lock: two publications under
     * the same name at once get two versions, never the same one. */
    if ((rc = st__begin(ws, err)) < 0) return rc;
    rc = st__published_next(ws, name, &id, &v, err);
    if (rc == 0 && id == 0) {
        const char *texts[] = {name, description ? description : "", now};
        rc =
            st__published_exec(ws,
                               "INSERT INTO published_pipelines(name, description,"
                               " default_version, created_at) VALUES (?1, ?2, 1, ?3)",
                               texts, 3, NULL, 0, "insert-published", "publishing a pipeline", err);
        id = sqlite3_last_insert_rowid(ws->db);
    } else if (rc == 0 && description != NULL && description[0] != '\0') {
        const char *texts[] = {description};
        rc = st__published_exec(ws, "UPDATE published_pipelines SET description = ?1 WHERE id = ?2",
                                texts, 1, &id, 1, "update", "publishing a pipeline", err);
    }
    if (rc == 0) {
        const char *texts[] = {document_json, source ? source : "", now};
        int64_t ints[] = {id, v};
        rc = st__published_exec(ws,
                                "INSERT INTO published_versions(document, source, created_at,"
                                " pipeline_id, version) VALUES (?1, ?2, ?3, ?4, ?5)",
                                texts, 3, ints, 2, "insert-version", "publishing a pipeline", err);
    }
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) {
        st__rollback(ws);
        return rc;
    }
    if (version != NULL) *version = v;
    return out != NULL ? st_published_get(ws, id, out, err) : 0;
}

int st_published_set_default(st_workspace *ws, int64_t id, int version, wf_error *err)
{
    st_published p;
    int rc = st_published_get(ws, id, &p, err);
    if (rc < 0) return rc;
    if (version < 1 || version > p.versions)
        rc = wf_error_set(err, WF_ENOTFOUND,
                          "published pipeline \"%.100s\" has no version %d (it has 1 to %d)",
                          p.name, version, p.versions);
    st_published_clear(&p);
    if (rc < 0) return rc;
    int64_t ints[] = {version, id};
    return st__published_exec(ws,
                              "UPDATE published_pipelines SET default_version = ?1 WHERE id = ?2",
                              NULL, 0, ints, 2, "update", "setting the default version", err);
}

int st_published_set_disabled(st_workspace *ws, int64_t id, bool disabled, wf_error *err)
{
    st_published p;
    int rc = st_published_get(ws, id, &p, err);
    if (rc < 0) return rc;
    st_published_clear(&p);
    int64_t ints[] = {disabled, id};
    return st__published_exec(
        ws, "UPDATE published_pipelines SET disabled = ?1 WHERE id = ?2", NULL, 0, ints, 2,
        "update", disabled ? "disabling a published pipeline" : "enabling a published pipeline",
        err);
}

int st_published_mark_run(st_workspace *ws, int64_t run_id, int64_t id, int version, wf_error *err)
{
    int64_t ints[] = {id, version, run_id};
    int rc = st__published_exec(ws,
                                "UPDATE runs SET published_id = ?1, published_version = ?2"
                                " WHERE id = ?3",
                                NULL, 0, ints, 3, "update", "recording a published run", err);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no run %lld", (long long)run_id);
    return rc;
}

static int st__read_published_run(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    (void)err;
    st_published_run *r = elem;
    r->run_id = sqlite3_column_int64(stmt, 0);
    r->version = sqlite3_column_int(stmt, 1);
    return 0;
}

static void st__clear_published_run(void *elem)
{
    (void)elem;
}

int st_published_runs(st_workspace *ws, int64_t id, st_published_run **out, size_t *count,
                      wf_error *err)
{
    *out = NULL;
    *count = 0;
    st_published p;
    int rc = st_published_get(ws, id, &p, err);
    if (rc < 0) return rc;
    st_published_clear(&p);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     "SELECT id, published_version FROM runs WHERE published_id = ?1"
                     " ORDER BY id DESC",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, id);
    return st__collect_rows(ws, stmt, sizeof(st_published_run), st__read_published_run,
                            st__clear_published_run, "listing published runs", (void **)out, count,
                            err);
}
