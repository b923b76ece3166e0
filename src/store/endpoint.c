/*
 * endpoint.c: the endpoint registry and endpoint keys (store.h).
 *
 * A key is 32 bytes from the kernel's random source, written as base64url
 * so that it fits an Authorization header unescaped. The database holds
 * only its SHA-256: whoever reads the workspace cannot score with what it
 * finds there. Keys are long random strings, not passwords, so one round of
 * SHA-256 is enough (no salt, no stretching: there is nothing to guess).
 *
 * A presented key is checked by hashing it and comparing digests byte by
 * byte without stopping early, against both keys every time: how long a
 * refusal takes says nothing about either key.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define ST__ENDPOINT_NAME_MAX 100
#define ST__KEY_BYTES 32

void st_endpoint_clear(st_endpoint *e)
{
    if (e == NULL) return;
    free(e->name);
    free(e->document_json);
    free(e->state);
    free(e->reason);
    free(e->source);
    free(e->created_at);
    free(e->updated_at);
    memset(e, 0, sizeof *e);
}

void st_endpoints_free(st_endpoint *e, size_t n)
{
    if (e == NULL) return;
    for (size_t i = 0; i < n; i++)
        st_endpoint_clear(&e[i]);
    free(e);
}

static bool st__endpoint_char(char c, bool first)
{
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '-' || c == '_' || c == '.'));
}

int st_endpoint_name_check(const char *name, wf_error *err)
{
    if (name == NULL || name[0] == '\0')
        return wf_error_set(err, WF_EINVAL, "an endpoint name cannot be empty");
    size_t n = strlen(name);
    if (n > ST__ENDPOINT_NAME_MAX)
        return wf_error_set(err, WF_EINVAL,
                            "an endpoint name is at most %d characters; this one has %zu",
                            ST__ENDPOINT_NAME_MAX, n);
    if (!st__endpoint_char(name[0], true))
        return wf_error_set(err, WF_EINVAL,
                            "endpoint name \"%.100s\" must start with a letter or a digit", name);
    for (size_t i = 1; i < n; i++)
        if (!st__endpoint_char(name[i], false))
            return wf_error_set(err, WF_EINVAL,
                                "endpoint name \"%.100s\": character %zu is not allowed (use "
                                "letters, digits, '-', '_' and '.')",
                                name, i + 1);
    return 0;
}

/* ---- keys ---------------------------------------------------------------- */

int st_key_new(char key[ST_KEY_TEXT], wf_error *err)
{
    uint8_t bytes[ST__KEY_BYTES];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return wf_error_set(err, WF_EIO, "cannot read random bytes for a key");
        got += (size_t)n;
    }
    char *b64 = wf_base64_encode(bytes, sizeof bytes);
    memset(bytes, 0, sizeof bytes);
    if (b64 == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    /* RFC 4648 section 5: '-' and '_' for '+' and '/', no padding. */
    size_t n = 0;
    for (; b64[n] != '\0' && b64[n] != '=' && n + 1 < ST_KEY_TEXT; n++)
        key[n] = b64[n] == '+' ? '-' : b64[n] == '/' ? '_' : b64[n];
    key[n] = '\0';
    memset(b64, 0, strlen(b64));
    free(b64);
    return 0;
}

void st_key_sha256(const char *key, char hex[WF_SHA256_HEX])
{
    wf_sha256_hex(key, strlen(key), hex);
}

/* Compares two hex digests in full: 0 when equal. */
static unsigned st__digest_diff(const char *a, const char *b)
{
    unsigned diff = 0;
    for (size_t i = 0; i < WF_SHA256_HEX - 1; i++)
        diff |= (unsigned)(a[i] ^ b[i]);
    return diff;
}

bool st_key_matches(const char *presented, const char *primary_sha256, const char *secondary_sha256)
{
    if (presented == NULL) return false;
    char given[WF_SHA256_HEX];
    st_key_sha256(presented, given);
    /* An unset digest must not match anything: compare against a value no
     * hex digest takes. */
    static const char unset[WF_SHA256_HEX] =
        "----------------------------------------------------------------";
    const char *p =
        primary_sha256 && strlen(primary_sha256) == WF_SHA256_HEX - 1 ? primary_sha256 : unset;
    const char *s = secondary_sha256 && strlen(secondary_sha256) == WF_SHA256_HEX - 1
                        ? secondary_sha256
                        : unset;
    volatile unsigned first = st__digest_diff(given, p);
    volatile unsigned second = st__digest_diff(given, s);
    /* Both compared in full above; no early exit on which one matched. */
    unsigned both = (first == 0 ? 1u : 0u) + (second == 0 ? 1u : 0u);
    return both > 0;
}

/* ---- rows ---------------------------------------------------------------- */

#define ST__ENDPOINT_COLUMNS                                                                       \
    "name, version, document, state, reason, primary_key_sha256, secondary_key_sha256, source,"    \
    " created_at, updated_at"

static void st__copy_digest(sqlite3_stmt *stmt, int col, char out[WF_SHA256_HEX])
{
    const unsigned char *t = sqlite3_column_text(stmt, col);
    snprintf(out, WF_SHA256_HEX, "%s", t ? (const char *)t : "");
}

static int st__read_endpoint(sqlite3_stmt *stmt, void *elem, wf_error *err)
{
    st_endpoint *e = elem;
    memset(e, 0, sizeof *e);
    e->name = st__column_text(stmt, 0);
    e->version = sqlite3_column_int(stmt, 1);
    e->document_json = st__column_text(stmt, 2);
    e->state = st__column_text(stmt, 3);
    e->reason = st__column_text(stmt, 4);
    st__copy_digest(stmt, 5, e->primary_sha256);
    st__copy_digest(stmt, 6, e->secondary_sha256);
    e->source = st__column_text(stmt, 7);
    e->created_at = st__column_text(stmt, 8);
    e->updated_at = st__column_text(stmt, 9);
    if (!e->name || !e->document_json || !e->state || !e->reason || !e->source || !e->created_at ||
        !e->updated_at) {
        st_endpoint_clear(e);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return 0;
}

static void st__clear_endpoint(void *elem)
{
    st_endpoint_clear(elem);
}

static int st__state_check(const char *state, wf_error *err)
{
    if (state != NULL && (strcmp(state, "deploying") == 0 || strcmp(state, "healthy") == 0 ||
                          strcmp(state, "failed") == 0))
        return 0;
    return wf_error_set(err, WF_EINVAL, "an endpoint's state is deploying, healthy or failed");
}

int st_endpoint_get(st_workspace *ws, const char *name, st_endpoint *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT " ST__ENDPOINT_COLUMNS " FROM endpoints WHERE name = ?1",
                         &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(stmt);
    if (s == SQLITE_ROW)
        rc = st__read_endpoint(stmt, out, err);
    else if (s != SQLITE_DONE)
        rc = st__sql_error(ws, err, "reading an endpoint");
    else
        rc = wf_error_set(err, WF_ENOTFOUND, "there is no endpoint named \"%.100s\"",
                          name ? name : "");
    sqlite3_finalize(stmt);
    return rc;
}

int st_endpoint_list(st_workspace *ws, st_endpoint **out, size_t *count, wf_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    int rc =
        st__prepare(ws, "SELECT " ST__ENDPOINT_COLUMNS " FROM endpoints ORDER BY name", &stmt, err);
    if (rc < 0) return rc;
    return st__collect_rows(ws, stmt, sizeof(st_endpoint), st__read_endpoint, st__clear_endpoint,
                            "listing endpoints", (void **)out, count, err);
}

/* Runs one statement that changes data; *changed (may be NULL) gets how
 * many rows it changed. */
static int st__endpoint_change(st_workspace *ws, sqlite3_stmt *stmt, const char *what, int *changed,
                               wf_error *err)
{
    int rc = st__step_done(ws, stmt, "update", what, err);
    if (changed != NULL) *changed = rc == 0 ? sqlite3_changes(ws->db) : 0;
    sqlite3_finalize(stmt);
    return rc;
}

int st_endpoint_create(st_workspace *ws, const st_endpoint_spec *spec, char primary[ST_KEY_TEXT],
                       char secondary[ST_KEY_TEXT], st_endpoint *out, wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st_endpoint_name_check(spec->name, err);
    if (rc == 0) rc = st__state_check(spec->state, err);
    if (rc == 0 && spec->document_json == NULL)
        rc = wf_error_set(err, WF_EINVAL, "an endpoint needs a pipeline document");
    if (rc == 0) rc = st_key_new(primary, err);
    if (rc == 0) rc = st_key_new(secondary, err);
    if (rc < 0) return rc;
    char ph[WF_SHA256_HEX], sh[WF_SHA256_HEX], now[ST_TIMESTAMP_MAX];
    st_key_sha256(primary, ph);
    st_key_sha256(secondary, sh);
    st_timestamp(now);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     "INSERT INTO endpoints(" ST__ENDPOINT_COLUMNS ")"
                     " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
                     " ON CONFLICT(name) DO NOTHING",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, spec->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, spec->document_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, spec->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, spec->reason ? spec->reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, ph, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, sh, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 7, spec->source ? spec->source : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 8, now, -1, SQLITE_STATIC);
    int changed = 0;
    if ((rc = st__endpoint_change(ws, stmt, "creating an endpoint", &changed, err)) < 0) goto fail;
    if (changed == 0) {
        rc = wf_error_set(err, WF_EEXIST, "there is already an endpoint named \"%s\"", spec->name);
        goto fail;
    }
    if (out != NULL && (rc = st_endpoint_get(ws, spec->name, out, err)) < 0) goto fail;
    return 0;
fail:
    memset(primary, 0, ST_KEY_TEXT);
    memset(secondary, 0, ST_KEY_TEXT);
    return rc;
}

int st_endpoint_redeploy(st_workspace *ws, const st_endpoint_spec *spec, st_endpoint *out,
                         wf_error *err)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    int rc = st__state_check(spec->state, err);
    if (rc == 0 && spec->document_json == NULL)
        rc = wf_error_set(err, WF_EINVAL, "an endpoint needs a pipeline document");
    if (rc < 0) return rc;
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     "UPDATE endpoints SET version = version + 1, document = ?2, state = ?3,"
                     " reason = ?4, source = ?5, updated_at = ?6 WHERE name = ?1",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, spec->name ? spec->name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, spec->document_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, spec->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, spec->reason ? spec->reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, spec->source ? spec->source : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, now, -1, SQLITE_STATIC);
    int changed = 0;
    if ((rc = st__endpoint_change(ws, stmt, "redeploying an endpoint", &changed, err)) < 0)
        return rc;
    if (changed == 0)
        return wf_error_set(err, WF_ENOTFOUND, "there is no endpoint named \"%.100s\"",
                            spec->name ? spec->name : "");
    return out != NULL ? st_endpoint_get(ws, spec->name, out, err) : 0;
}

int st_endpoint_set_state(st_workspace *ws, const char *name, int version, const char *state,
                          const char *reason, wf_error *err)
{
    int rc = st__state_check(state, err);
    if (rc < 0) return rc;
    char now[ST_TIMESTAMP_MAX];
    st_timestamp(now);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     "UPDATE endpoints SET state = ?3, reason = ?4, updated_at = ?5"
                     " WHERE name = ?1 AND version = ?2 AND (state <> ?3 OR reason <> ?4)",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, version);
    sqlite3_bind_text(stmt, 3, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
    return st__endpoint_change(ws, stmt, "setting an endpoint's state", NULL, err);
}

int st_endpoint_delete(st_workspace *ws, const char *name, wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "DELETE FROM endpoints WHERE name = ?1", &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
    int changed = 0;
    if ((rc = st__endpoint_change(ws, stmt, "deleting an endpoint", &changed, err)) < 0) return rc;
    if (changed == 0)
        return wf_error_set(err, WF_ENOTFOUND, "there is no endpoint named \"%.100s\"",
                            name ? name : "");
    return 0;
}

int st_endpoint_regenerate_key(st_workspace *ws, const char *name, int which, char key[ST_KEY_TEXT],
                               wf_error *err)
{
    if (which != 0 && which != 1)
        return wf_error_set(err, WF_EINVAL, "a key is the primary or the secondary one");
    int rc = st_key_new(key, err);
    if (rc < 0) return rc;
    char hex[WF_SHA256_HEX], now[ST_TIMESTAMP_MAX];
    st_key_sha256(key, hex);
    st_timestamp(now);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws,
                     which == 0 ? "UPDATE endpoints SET primary_key_sha256 = ?2, updated_at = ?3"
                                  " WHERE name = ?1"
                                : "UPDATE endpoints SET secondary_key_sha256 = ?2, updated_at = ?3"
                                  " WHERE name = ?1",
                     &stmt, err);
    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, hex, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
        int changed = 0;
        rc = st__endpoint_change(ws, stmt, "replacing an endpoint key", &changed, err);
        if (rc == 0 && changed == 0)
            rc = wf_error_set(err, WF_ENOTFOUND, "there is no endpoint named \"%.100s\"",
                              name ? name : "");
    }
    if (rc < 0) memset(key, 0, ST_KEY_TEXT);
    return rc;
}
