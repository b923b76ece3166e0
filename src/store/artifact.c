/*
 * artifact.c: the content-addressed artifact store. An artifact's name is
 * the SHA-256 of its bytes, and it lives at artifacts/<first 2 hex>/<digest>
 * (256 shards keep directories small). Files are written under tmp/,
 * fsync'd, renamed into place and the shard directory fsync'd, so a reader
 * sees either no file or the whole file, even across a crash. Files are
 * made read-only: an artifact never changes.
 *
 * Each artifact also gets a row in the artifacts table, written in the same
 * transaction as whatever refers to it, so the foreign keys of the registries
 * can point at it.
 */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporary files older than this belong to no live writer. */
#define ST__TMP_MAX_AGE_SECONDS 3600

static bool st__is_digest(const char *d)
{
    if (d == NULL) return false;
    size_t i = 0;
    for (; d[i] != '\0'; i++)
        if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'))) return false;
    return i == WF_SHA256_HEX - 1;
}

/* Returns NULL for a string that is not a digest as well as on OOM, so a
 * hostile "digest" can never name a path outside the store. */
char *st_artifact_path(const st_workspace *ws, const char *digest)
{
    if (!st__is_digest(digest)) return NULL;
    char rel[16 + WF_SHA256_HEX];
    snprintf(rel, sizeof rel, "artifacts/%.2s/%s", digest, digest);
    return st__path(ws, rel);
}

bool st_artifact_exists(const st_workspace *ws, const char *digest)
{
    char *path = st_artifact_path(ws, digest);
    if (path == NULL) return false;
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

static int st__fsync_dir(const char *dir)
{
    if (st__fault("fsync-dir")) {
        errno = EIO;
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The shard directory of an artifact path: the path up to its last '/'. */
static char *st__dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return wf_strndup(path, slash ? (size_t)(slash - path) : 0);
}

static int st__write_all(int fd, const uint8_t *p, size_t left)
{
    while (left > 0) {
        if (st__fault("write")) {
            errno = EIO;
            return -1;
        }
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    return 0;
}

/* Writes data to `path` through a file in tmp/. On failure nothing is left:
 * neither the temporary file nor the final one. */
static int st__write_atomic(st_workspace *ws, const char *digest, const char *path,
                            const void *data, size_t size, wf_error *err)
{
    size_t n = strlen(ws->dir) + strlen(digest) + 32;
    char *tmp = malloc(n);
    char *dir = st__dir_of(path);
    if (tmp == NULL || dir == NULL) {
        free(tmp);
        free(dir);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    snprintf(tmp, n, "%s/tmp/%s.XXXXXX", ws->dir, digest);
    const char *doing = "create a temporary file for";
    bool made = false, renamed = false;
    int fd = -1;
    if (st__fault("tmp-create"))
        errno = EIO;
    else
        fd = mkstemp(tmp);
    if (fd < 0) goto fail;
    made = true;
    doing = "write";
    if (st__write_all(fd, data, size) < 0) goto fail;
    doing = "sync";
    if (fchmod(fd, 0444) < 0) goto fail;
    if (st__fault("fsync")) {
        errno = EIO;
        goto fail;
    }
    if (fsync(fd) < 0) goto fail;
    int closed = close(fd);
    fd = -1;
    if (closed < 0) goto fail;
    doing = "rename into place";
    if (st__fault("rename")) {
        errno = EIO;
        goto fail;
    }
    if (rename(tmp, path) < 0) goto fail;
    renamed = true;
    /* Without this the rename itself may not survive a crash. */
    doing = "sync the directory of";
    if (st__fsync_dir(dir) < 0) goto fail;
    free(tmp);
    free(dir);
    return 0;
fail:;
    int e = errno;
    if (fd >= 0) close(fd);
    if (renamed)
        unlink(path);
    else if (made)
        unlink(tmp);
    int rc = wf_error_set(err, WF_EIO, "cannot %s artifact %s: %s", doing, digest, strerror(e));
    free(tmp);
    free(dir);
    return rc;
}

void st__artifact_remove(st_workspace *ws, const char *digest)
{
    char *path = st_artifact_path(ws, digest);
    if (path == NULL) return;
    if (unlink(path) == 0) {
        char *dir = st__dir_of(path);
        /* Best effort: the undo of a failed store must not fail itself. */
        if (dir != NULL) {
            int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                fsync(fd);
                close(fd);
            }
        }
        free(dir);
    }
    free(path);
}

/* Writes the artifact's file unless the same bytes are already there. */
static int st__artifact_write(st_workspace *ws, const void *data, size_t size,
                              char digest[WF_SHA256_HEX], bool *created, wf_error *err)
{
    *created = false;
    wf_sha256_hex(data, size, digest);
    char *path = st_artifact_path(ws, digest);
    if (path == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    /* Same digest and same size: the bytes are already here. A file of
     * another size under this name is damage; replace it. */
    struct stat st;
    int rc = 0;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
        rc = st__write_atomic(ws, digest, path, data, size, err);
        if (rc == 0) *created = true;
    }
    free(path);
    return rc;
}

/* The artifact's row; one that is there already stays as it is. */
static int st__artifact_insert(st_workspace *ws, const char *digest, const char *kind,
                               uint64_t size, wf_error *err)
{
    char now[32];
    st__now(now);
    sqlite3_stmt *stmt;
    int rc =
        st__prepare(ws,
                    "INSERT INTO artifacts(digest, kind, size, created_at) VALUES (?1, ?2, ?3, "
                    "?4) ON CONFLICT(digest) DO NOTHING",
                    &stmt, err);
    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)size);
        sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
        rc = st__step_done(ws, stmt, "insert-artifact", "recording an artifact", err);
        sqlite3_finalize(stmt);
    }
    return rc;
}

int st__artifact_put_in_txn(st_workspace *ws, const void *data, size_t size, const char *kind,
                            char digest[WF_SHA256_HEX], bool *created, wf_error *err)
{
    int rc = st__artifact_write(ws, data, size, digest, created, err);
    if (rc < 0) return rc;
    rc = st__artifact_insert(ws, digest, kind, size, err);
    if (rc < 0 && *created) {
        st__artifact_remove(ws, digest);
        *created = false;
    }
    return rc;
}

int st_artifact_record(st_workspace *ws, const char *digest, const char *kind, wf_error *err)
{
    if (!st__is_digest(digest))
        return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not an artifact digest",
                            digest ? digest : "");
    char *path = st_artifact_path(ws, digest);
    if (path == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    struct stat st;
    int rc = 0;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        rc = wf_error_set(err, WF_ENOTFOUND, "artifact %s is not in the workspace", digest);
    free(path);
    if (rc == 0) rc = st__artifact_insert(ws, digest, kind, (uint64_t)st.st_size, err);
    return rc;
}

/* The whole store of one artifact in its own transaction. The file is
 * written while the write lock is held, so that no other process can be
 * between "the file is there" and "the row is there" while a failed store
 * removes the file it made. */
static int st__put(st_workspace *ws, const void *data, size_t size, const char *kind,
                   char digest[WF_SHA256_HEX], wf_error *err)
{
    bool created = false;
    /* A handle without the database (st_open_files) writes the file only;
     * whoever holds the database records it (st_artifact_record). */
    if (ws->db == NULL) return st__artifact_write(ws, data, size, digest, &created, err);
    int rc = st__begin(ws, err);
    if (rc < 0) return rc;
    rc = st__artifact_put_in_txn(ws, data, size, kind, digest, &created, err);
    if (rc == 0) rc = st__commit(ws, err);
    if (rc < 0) {
        st__rollback(ws);
        if (created) st__artifact_remove(ws, digest);
    }
    return rc;
}

int st_artifact_put(st_workspace *ws, const void *data, size_t size, char digest[WF_SHA256_HEX],
                    wf_error *err)
{
    return st__put(ws, data, size, "blob", digest, err);
}

int st_artifact_put_table(st_workspace *ws, const tbl_table *t, char digest[WF_SHA256_HEX],
                          size_t *bytes, wf_error *err)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = tbl_native_encode(t, &buf, &size, err);
    if (rc == 0) rc = st__put(ws, buf, size, "table", digest, err);
    free(buf);
    if (rc == 0 && bytes != NULL) *bytes = size;
    return rc;
}

int st_artifact_load_table(st_workspace *ws, const char *digest, tbl_table **out, wf_error *err)
{
    *out = NULL;
    if (!st__is_digest(digest))
        return wf_error_set(err, WF_EINVAL, "\"%.80s\" is not an artifact digest",
                            digest ? digest : "");
    if (!st_artifact_exists(ws, digest))
        return wf_error_set(err, WF_ENOTFOUND, "artifact %s is not in the workspace", digest);
    char *path = st_artifact_path(ws, digest);
    if (path == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc = tbl_native_load(path, out, err);
    free(path);
    return rc;
}

void st__clean_tmp(st_workspace *ws)
{
    char *tmp = st__path(ws, "tmp");
    DIR *d = tmp ? opendir(tmp) : NULL;
    if (d == NULL) {
        free(tmp);
        return;
    }
    time_t cutoff = time(NULL) - ST__TMP_MAX_AGE_SECONDS;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_mtime < cutoff)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    free(tmp);
}
