/*
 * draft.c: pipeline drafts, the documents people edit in the designer.
 *
 * A draft is edited in place rather than versioned: every save replaces the
 * document. What keeps two editors from losing each other's work is the
 * revision number: a save names the revision it started from, and the
 * UPDATE only matches while the row still has that revision. The check and
 * the write are one statement, so SQLite's write lock decides which of two
 * concurrent saves wins, and the loser learns it (WF_EEXIST) instead of
 * overwriting.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

void st_draft_clear(st_draft *d)
{
    if (d == NULL) return;
    free(d->name);
    free(d->document_json);
    free(d->created_at);
    free(d->updated_at);
    memset(d, 0, sizeof *d);
}

void st_drafts_free(st_draft *d, size_t n)
{
    if (d == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_draft_clear(&d[i]);
    free(d);
}

int st_draft_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "a pipeline name cannot be empty");
    size_t n = strlen(name);
    if (n > ST_DRAFT_NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "a pipeline name is at most %d characters; this one has %zu",
                            ST_DRAFT_NAME_MAX, n);
    if (!wf_utf8_valid(name, n, NULL))
        return wf_error_set(err, WF_EINVAL, "a pipeline name must be UTF-8 text");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return wf_error_set(err, WF_EINVAL,
                                "pipeline name: character %zu is a control character", i + 1);
    return 0;
}

/* The columns st__read_draft expects, in order. Lists leave the document
 * out: documents can be large, and a list shows names. */
#define ST__DRAFT_COLUMNS "id, name, document, revision, created_at, updated_at FROM drafts "
#define ST__DRAFT_COLUMNS_LIST "id, name, '', revision, created_at, updated_at FROM drafts "

static int st__read_draft(sqlite3_stmt *stmt, st_draft *d, wf_error *err)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(stmt, 0);
    d->name = st__column_text(stmt, 1);
    d->document_json = st__column_text(stmt, 2);
    d->revision = sqlite3_column_int64(stmt, 3);
    d->created_at = st__column_text(stmt, 4);
    d->updated_at = st__column_text(stmt, 5);
    if (!d->name || !d->document_json || !d->created_at || !d->updated_at) {
        st_draft_clear(d);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static int st__read_draft_row(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    return st__read_draft(stmt, elem, err);
}

static void st_draft_clear_row(void *elem)
{
    st_draft_clear(elem);
}

int st_draft_get(st_workspace *ws, int64_t id, st_draft *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT " ST__DRAFT_COLUMNS "WHERE id = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, id);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_draft(stmt, out, err);
    else if (s == SQLITE_DONE)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no pipeline %lld", (long long)id);
    else
        rc = st__sql_error(ws, err, "reading a pipeline");
    sqlite3_finalize(stmt);
    return rc;
}

int st_draft_create(st_workspace *ws, const char *name, const char *document_json, st_draft *out,
                    wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_draft_name_check(name, err);
    if (rc < 0) return rc;
    if (document_json == NULL) return wf_error_set(err, WF_EINVAL, "a pipeline needs a document");
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    sqlite3_stmt *stmt;
    if ((rc = st__prepare(ws,
                          "INSERT INTO drafts(name, document, revision, created_at, updated_at)"
                          " VALUES (?1, ?2, 1, ?3, ?3)",
                          &stmt, err)) < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, document_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "insert-draft", "saving a pipeline", err);
    sqlite3_finalize(stmt);
    if (rc < 0) return rc;
    int64_t id = sqlite3_last_insert_rowid(ws->db);
    return out != NULL ? st_draft_get(ws, id, out, err) : 0;
}

int st_draft_list(st_workspace *ws, size_t offset, size_t limit, st_draft **out, size_t *count,
                  int64_t *total, wf_error *err)
{
    *out = NULL;
    *count = 0;
    if (total != NULL) *total = 0;
    sqlite3_stmt *stmt;
    int rc;
    if (total != NULL) {
        if ((rc = st__prepare(ws, "SELECT count(*) FROM drafts", &stmt, err)) < 0) return rc;
        if (sqlite3_step(stmt) == SQLITE_ROW)
            *total = sqlite3_column_int64(stmt, 0);
        else
            rc = st__sql_error(ws, err, "counting pipelines");
        sqlite3_finalize(stmt);
        if (rc < 0) return rc;
    }
    if ((rc = st__prepare(ws,
                          "SELECT " ST__DRAFT_COLUMNS_LIST
                          "ORDER BY updated_at DESC, id DESC LIMIT ?1 OFFSET ?2",
                          &stmt, err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, limit == 0 ? -1 : (sqlite3_int64)limit);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)offset);
    return st__collect_rows(ws, stmt, sizeof(st_draft), st__read_draft_row, st_draft_clear_row,
                            "listing pipelines", (void **)out, count, err);
}

int st_draft_update(st_workspace *ws, int64_t id, int64_t revision, const char *name,
                    const char *document_json, st_draft *out, wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_draft_name_check(name, err);
    if (rc < 0) return rc;
    if (document_json == NULL) return wf_error_set(err, WF_EINVAL, "a pipeline needs a document");
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    /* The row is read back in the same transaction, so what the caller
     * gets is the revision this save made, not a later one. */
    if ((rc = st__begin(ws, err)) < 0) return rc;
    sqlite3_stmt *stmt;
    if ((rc = st__prepare(ws,
                          "UPDATE drafts SET name = ?3, document = ?4, revision = revision + 1,"
                          " updated_at = ?5 WHERE id = ?1 AND revision = ?2",
                          &stmt, err)) < 0)
        goto fail;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, revision);
    sqlite3_bind_text(stmt, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, document_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
    rc = st__step_done(ws, stmt, "update-draft", "saving a pipeline", err);
    sqlite3_finalize(stmt);
    if (rc < 0) goto fail;
    bool changed = sqlite3_changes(ws->db) > 0;
    st_draft row;
    /* Read either way: the new row for the caller, or what the draft is
     * now, to say why the save was refused. */
    if ((rc = st_draft_get(ws, id, &row, err)) < 0) goto fail;
    if (!changed) {
        rc = wf_error_set(err, WF_EEXIST,
                          "pipeline %lld is at revision %lld, not %lld: it was saved since "
                          "this edit began; reload it and edit again",
                          (long long)id, (long long)row.revision, (long long)revision);
        st_draft_clear(&row);
        goto fail;
    }
    if ((rc = st__commit(ws, err)) < 0) {
        st_draft_clear(&row);
        goto fail;
    }
    if (out != NULL)
        *out = row;
    else
        st_draft_clear(&row);
    return 0;
fail:
    st__rollback(ws);
    return rc;
}

int st_draft_delete(st_workspace *ws, int64_t id, wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "DELETE FROM drafts WHERE id = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, id);
    rc = st__step_done(ws, stmt, "delete-draft", "deleting a pipeline", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && sqlite3_changes(ws->db) == 0)
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no pipeline %lld", (long long)id);
    return rc;
}
