/*
 * dataset.c: the dataset registry. A dataset is a name with numbered,
 * immutable versions; each version points at a table artifact and keeps the
 * table's profile, so the UI can show statistics without loading the data.
 *
 * Registration is all or nothing. Everything that can be computed before
 * touching the workspace (the encoding, the profile) is, and the rest (the
 * next version number, the artifact file, the rows) happens in one write
 * transaction. If any step fails the transaction is rolled back and an
 * artifact file this registration created is removed again, so the
 * workspace is left exactly as it was.
 */
#include "store_int.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ST__NAME_MAX 100

/* The columns st__read_version expects, in order. */
#define ST__VERSION_COLUMNS                                                                        \
    "v.name, v.version, v.digest, v.description, v.source, v.rows, v.cols, v.bytes, "              \
    "v.created_at, d.archived, v.profile_json "                                                    \
    "FROM dataset_versions v JOIN datasets d ON d.name = v.name "

void st_dataset_version_clear(st_dataset_version *v)
{
    if (v == NULL) return;
    free(v->name);
    free(v->digest);
    free(v->description);
    free(v->source);
    free(v->created_at);
    free(v->profile_json);
    memset(v, 0, sizeof *v);
}

void st_dataset_versions_free(st_dataset_version *v, size_t n)
{
    if (v == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_dataset_version_clear(&v[i]);
    free(v);
}

static bool st__is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int st_dataset_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a dataset name cannot be empty");
    size_t n = strlen(name);
    if (n > ST__NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "a dataset name is at most %d characters; this one has %zu",
                            ST__NAME_MAX, n);
    if (!st__is_alnum(name[0]))
        return wf_error_set(err, WF_EINVAL,
                            "dataset name \"%s\" must start with a letter or a digit", name);
    for (size_t i = 1; i < n; i++)
        if (!st__is_alnum(name[i]) && name[i] != '-' && name[i] != '_' && name[i] != '.')
            return wf_error_set(err, WF_EINVAL,
                                "dataset name \"%s\": character %zu is not allowed (use letters, "
                                "digits, '-', '_' and '.')",
                                name, i + 1);
    return 0;
}

/* Splits "name", "name@N" or "name@latest" into a malloc'd name and a
 * version (0 meaning the latest). */
static int st__parse_ref(const char *ref, char **name, int *version, wf_error *err)
{
    *name = NULL;
    *version = 0;
    if (ref == NULL) return wf_error_set(err, WF_EINVAL, "no dataset named");
    const char *at = strrchr(ref, '@');
    size_t n = at ? (size_t)(at - ref) : strlen(ref);
    char *nm = wf_strndup(ref, n);
    if (nm == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = st_dataset_name_check(nm, err);
    if (rc == 0 && at != NULL && strcmp(at + 1, "latest") != 0) {
        long v = 0;
        const char *p = at + 1;
        for (; *p >= '0' && *p <= '9' && v <= INT_MAX; p++)
            v = v * 10 + (*p - '0');
        if (p == at + 1 || *p != '\0' || v < 1 || v > INT_MAX)
            rc = wf_error_set(err, WF_EINVAL,
                              "\"%.200s\": a version is a number from 1 up, or \"latest\"", ref);
        else
            *version = (int)v;
    }
    if (rc < 0) {
        free(nm);
        return rc;
    }
    *name = nm;
    return 0;
}

/* Fills v from a row selected with ST__VERSION_COLUMNS. */
static int st__read_version(sqlite3_stmt *stmt, st_dataset_version *v, wf_error *err)
{
    memset(v, 0, sizeof *v);
    v->name = st__column_text(stmt, 0);
    v->version = sqlite3_column_int(stmt, 1);
    v->digest = st__column_text(stmt, 2);
    v->description = st__column_text(stmt, 3);
    v->source = st__column_text(stmt, 4);
    v->rows = sqlite3_column_int64(stmt, 5);
    v->cols = sqlite3_column_int64(stmt, 6);
    v->bytes = sqlite3_column_int64(stmt, 7);
    v->created_at = st__column_text(stmt, 8);
    v->archived = sqlite3_column_int(stmt, 9) != 0;
    v->profile_json = st__column_text(stmt, 10);
    if (!v->name || !v->digest || !v->description || !v->source || !v->created_at ||
        !v->profile_json) {
        st_dataset_version_clear(v);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

/* Runs a prepared SELECT of ST__VERSION_COLUMNS and collects every row. */
static int st__collect(st_workspace *ws, sqlite3_stmt *stmt, st_dataset_version **out,
                       size_t *count, wf_error *err)
{
    st_dataset_version *rows = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (wf_grow((void **)&rows, &cap, n + 1, sizeof *rows) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        if ((rc = st__read_version(stmt, &rows[n], err)) < 0) break;
        n++;
    }
    if (rc == 0 && step != SQLITE_DONE) rc = st__sql_error(ws, err, "listing datasets");
    if (rc < 0) {
        st_dataset_versions_free(rows, n);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

/* The profile of t as compact JSON text (malloc'd). */
static int st__profile_text(const tbl_table *t, char **out, wf_error *err)
{
    *out = NULL;
    tbl_profile *p = NULL;
    int rc = tbl_profile_table(t, &p, err);
    if (rc < 0) return rc;
    json_t *json = tbl_profile_to_json(p);
    tbl_profile_free(p);
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (text == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory writing a profile");
    *out = text;
    return 0;
}

static int st__next_version(st_workspace *ws, const char *name, int *version, wf_error *err)
{
    if (st__fault("select"))
        return wf_error_set(err, WF_ESTORE, "workspace database: injected fault");
    sqlite3_stmt *stmt;
    int rc = st__prepare(
        ws, "SELECT coalesce(max(version), 0) FROM dataset_versions WHERE name = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        rc = st__sql_error(ws, err, "reading dataset versions");
    } else {
        sqlite3_int64 last = sqlite3_column_int64(stmt, 0);
        if (last >= INT_MAX)
            rc = wf_error_set(err, WF_ELIMIT, "dataset \"%s\" has too many versions", name);
        else
            *version = (int)last + 1;
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* The rows of one registration, inside the open transaction. */
static int st__insert_rows(st_workspace *ws, const st_dataset_version *v, wf_error *err)
{
    sqlite3_stmt *stmt;
    /* A new version brings an archived dataset back. */
    int rc = st__prepare(ws,
                         "INSERT INTO datasets(name, archived, created_at) VALUES (?1, 0, ?2) "
                         "ON CONFLICT(name) DO UPDATE SET archived = 0",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, v->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, v->created_at, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "insert-dataset", "recording a dataset", err);
    sqlite3_finalize(stmt);
    if (rc < 0) return rc;

    rc = st__prepare(ws,
                     "INSERT INTO dataset_versions(name, version, digest, description, source, "
                     "rows, cols, bytes, profile_json, created_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, v->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, v->version);
    sqlite3_bind_text(stmt, 3, v->digest, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, v->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, v->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 6, v->rows);
    sqlite3_bind_int64(stmt, 7, v->cols);
    sqlite3_bind_int64(stmt, 8, v->bytes);
    sqlite3_bind_text(stmt, 9, v->profile_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 10, v->created_at, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "insert-version", "recording a dataset version", err);
    sqlite3_finalize(stmt);
    return rc;
}

/* Registers a table as the next version of `name`: the bytes (buf, size)
 * are stored as its artifact, or, with buf NULL, v->digest names an
 * artifact already stored. v holds everything but the version, which is
 * chosen inside the transaction. */
static int st__register(st_workspace *ws, st_dataset_version *v, const uint8_t *buf, size_t size,
                        wf_error *err)
{
    bool created = false;
    int rc = st__begin(ws, err);
    if (rc < 0) return rc;
    rc = st__next_version(ws, v->name, &v->version, err);
    if (rc == 0)
        rc = buf != NULL ? st__artifact_put_in_txn(ws, buf, size, "table", v->digest, &created, err)
                         : st_artifact_record(ws, v->digest, "table", err);
    if (rc == 0) rc = st__insert_rows(ws, v, err);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) {
        st__rollback(ws);
        if (created) st__artifact_remove(ws, v->digest);
    }
    return rc;
}

/* A version's fields from its table, all but the digest and the version. */
static int st__describe(const char *name, const tbl_table *t, const char *description,
                        const char *source, st_dataset_version *v, wf_error *err)
{
    char now[32];
    st__now(now);
    v->name = wf_strdup(name);
    v->description = wf_strdup(description ? description : "");
    v->source = wf_strdup(source ? source : "");
    v->created_at = wf_strdup(now);
    v->digest = malloc(WF_SHA256_HEX);
    v->rows = (int64_t)t->nrows;
    v->cols = (int64_t)t->ncols;
    if (!v->name || !v->description || !v->source || !v->created_at || !v->digest)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    return st__profile_text(t, &v->profile_json, err);
}

/* Hands v over to out (or clears it) and says which dataset failed. */
static int st__registered(int rc, const char *name, st_dataset_version *v, st_dataset_version *out,
                          wf_error *err)
{
    if (rc == 0 && out != NULL)
        *out = *v; /* hands over the strings */
    else
        st_dataset_version_clear(v);
    if (rc < 0 && err != NULL) wf_error_prefix(err, "registering dataset \"%s\"", name);
    return rc;
}

int st_dataset_register(st_workspace *ws, const char *name, const tbl_table *t,
                        const char *description, const char *source, st_dataset_version *out,
                        wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_dataset_name_check(name, err);
    if (rc < 0) return rc;
    if (t == NULL) return wf_error_set(err, WF_EINVAL, "no table to register as \"%s\"", name);
    /* Everything that does not touch the workspace comes first. */
    st_dataset_version v = {0};
    uint8_t *buf = NULL;
    size_t size = 0;
    rc = st__describe(name, t, description, source, &v, err);
    if (rc == 0) rc = tbl_native_encode(t, &buf, &size, err);
    v.bytes = (int64_t)size;
    if (rc == 0) rc = st__register(ws, &v, buf, size, err);
    free(buf);
    return st__registered(rc, name, &v, out, err);
}

int st_dataset_register_artifact(st_workspace *ws, const char *name, const char *digest,
                                 const char *description, const char *source,
                                 st_dataset_version *out, wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_dataset_name_check(name, err);
    if (rc < 0) return rc;
    st_dataset_version v = {0};
    tbl_table *t = NULL;
    char *path = NULL;
    struct stat st;
    rc = st_artifact_load_table(ws, digest, &t, err);
    if (rc == 0) rc = st__describe(name, t, description, source, &v, err);
    if (rc == 0) {
        memcpy(v.digest, digest, WF_SHA256_HEX);
        if ((path = st_artifact_path(ws, digest)) == NULL)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        else if (stat(path, &st) != 0)
            rc = wf_error_set(err, WF_EIO, "artifact %s: %s", digest, strerror(errno));
        else
            v.bytes = (int64_t)st.st_size;
    }
    free(path);
    tbl_free(t);
    if (rc == 0) rc = st__register(ws, &v, NULL, 0, err);
    return st__registered(rc, name, &v, out, err);
}

int st_dataset_get(st_workspace *ws, const char *ref, st_dataset_version *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    char *name;
    int version;
    int rc = st__parse_ref(ref, &name, &version, err);
    if (rc < 0) return rc;
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     version ? "SELECT " ST__VERSION_COLUMNS "WHERE v.name = ?1 AND v.version = ?2"
                             : "SELECT " ST__VERSION_COLUMNS
                               "WHERE v.name = ?1 ORDER BY v.version DESC LIMIT 1",
                     &stmt, err);
    if (rc < 0) goto done;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (version) sqlite3_bind_int(stmt, 2, version);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        rc = st__read_version(stmt, out, err);
    else if (step != SQLITE_DONE)
        rc = st__sql_error(ws, err, "reading a dataset");
    else if (version)
        rc = wf_error_set(err, WF_ENOTFOUND, "dataset \"%s\" has no version %d", name, version);
    else
        rc = wf_error_set(err, WF_ENOTFOUND, "no dataset is named \"%s\"", name);
    sqlite3_finalize(stmt);
done:
    free(name);
    return rc;
}

int st_dataset_list(st_workspace *ws, bool include_archived, st_dataset_version **out,
                    size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws,
                         "SELECT " ST__VERSION_COLUMNS
                         "WHERE v.version = (SELECT max(version) FROM dataset_versions "
                         "                   WHERE name = v.name) "
                         "AND (?1 OR d.archived = 0) ORDER BY v.name",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int(stmt, 1, include_archived);
    rc = st__collect(ws, stmt, out, count, err);
    sqlite3_finalize(stmt);
    return rc;
}

int st_dataset_versions(st_workspace *ws, const char *name, st_dataset_version **out, size_t *count,
                        wf_error *err)
{
    *out = NULL;
    *count = 0;
    int rc = st_dataset_name_check(name, err);
    if (rc < 0) return rc;
    sqlite3_stmt *stmt;
    rc = st__prepare(ws, "SELECT " ST__VERSION_COLUMNS "WHERE v.name = ?1 ORDER BY v.version",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    rc = st__collect(ws, stmt, out, count, err);
    sqlite3_finalize(stmt);
    if (rc == 0 && *count == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "no dataset is named \"%s\"", name);
    return rc;
}

int st_dataset_archive(st_workspace *ws, const char *name, bool archived, wf_error *err)
{
    int rc = st_dataset_name_check(name, err);
    if (rc < 0) return rc;
    sqlite3_stmt *stmt;
    rc = st__prepare(ws, "UPDATE datasets SET archived = ?2 WHERE name = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, archived);
    rc = st__step_done(ws, stmt, "update",
                       archived ? "archiving a dataset" : "reactivating a dataset", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "no dataset is named \"%s\"", name);
    return rc;
}

int st_dataset_load(st_workspace *ws, const char *ref, tbl_table **out, st_dataset_version *meta,
                    wf_error *err)
{
    *out = NULL;
    st_dataset_version v;
    int rc = st_dataset_get(ws, ref, &v, err);
    if (rc < 0) {
        if (meta != NULL) memset(meta, 0, sizeof *meta);
        return rc;
    }
    /* The row promises the artifact; its absence is damage, not a lookup
     * that came back empty. */
    if (!st_artifact_exists(ws, v.digest)) {
        rc = wf_error_set(err, WF_ECORRUPT, "dataset %s@%d: its artifact %s is missing", v.name,
                          v.version, v.digest);
    } else {
        rc = st_artifact_load_table(ws, v.digest, out, err);
        if (rc < 0 && err != NULL) wf_error_prefix(err, "dataset %s@%d", v.name, v.version);
    }
    if (rc == 0 && meta != NULL)
        *meta = v;
    else {
        if (meta != NULL) memset(meta, 0, sizeof *meta);
        st_dataset_version_clear(&v);
    }
    return rc;
}
