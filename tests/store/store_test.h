/*
 * store_test.h: what the store tests share: temporary workspaces, small
 * tables, fault injection by count, and snapshots of a workspace (its file
 * tree and its rows) to prove that a failed operation changed nothing.
 */
#ifndef WEFT_STORE_TEST_H
#define WEFT_STORE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store_int.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- temporary directories ----------------------------------------------- */

static inline char *make_temp_dir(void)
{
    char *dir = strdup("/tmp/weft-store-test-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static inline int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* rm -rf dir, then frees the string. */
static inline void remove_temp_dir(char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static inline st_workspace *open_workspace(const char *dir)
{
    st_workspace *ws = NULL;
    wf_error err = {0};
    if (st_open(dir, &ws, &err) < 0) fail_msg("st_open: %s", err.message);
    return ws;
}

/* ---- tables -------------------------------------------------------------- */

/* A small table whose values depend on `seed`, so tests can make tables
 * that differ: an integer id, a numeric score with a missing value, and a
 * categorical colour. */
static inline tbl_table *small_table(int seed)
{
    wf_error err = {0};
    tbl_table *t = tbl_new();
    assert_non_null(t);
    const size_t n = 4;
    tbl_column c;
    assert_int_equal(tbl_column_init(&c, "id", TBL_INTEGER, n, &err), 0);
    for (size_t i = 0; i < n; i++)
        c.v.i64[i] = (int64_t)i + seed;
    assert_int_equal(tbl_add_column(t, &c, n, &err), 0);
    assert_int_equal(tbl_column_init(&c, "score", TBL_NUMERIC, n, &err), 0);
    for (size_t i = 0; i < n; i++)
        c.v.f64[i] = 0.5 * (double)i + seed;
    assert_int_equal(tbl_set_missing(&c, 2, n), 0);
    c.role = TBL_ROLE_LABEL;
    assert_int_equal(tbl_add_column(t, &c, n, &err), 0);
    assert_int_equal(tbl_column_init(&c, "colour", TBL_CATEGORICAL, n, &err), 0);
    tbl_strings_builder b = {0};
    tbl_strings_append(&b, "red", 3);
    tbl_strings_append(&b, "green", 5);
    tbl_strings_clear(&c.levels);
    assert_int_equal(tbl_strings_finish(&b, &c.levels), 0);
    for (size_t i = 0; i < n; i++)
        c.v.codes[i] = (int32_t)(i % 2);
    assert_int_equal(tbl_add_column(t, &c, n, &err), 0);
    return t;
}

/* ---- fault injection ----------------------------------------------------- */

static int fault_countdown; /* fail the step that brings this to 0 */
static int fault_steps;     /* steps seen since fault_arm */
static char fault_failed_step[32];

static inline int fault_nth(const char *step)
{
    fault_steps++;
    if (fault_countdown > 0 && --fault_countdown == 0) {
        snprintf(fault_failed_step, sizeof fault_failed_step, "%s", step);
        return 1;
    }
    return 0;
}

/* Makes the nth I/O step from now fail (n >= 1); 0 only counts. */
static inline void fault_arm(int n)
{
    fault_countdown = n;
    fault_steps = 0;
    fault_failed_step[0] = '\0';
    st__fault_hook = fault_nth;
}

static inline void fault_disarm(void)
{
    st__fault_hook = NULL;
    fault_countdown = 0;
}

/* ---- snapshots ----------------------------------------------------------- */

static wf_buf *snapshot_out;
static size_t snapshot_root_len;

static inline int snapshot_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    const char *rel = path + snapshot_root_len;
    /* The database files change physically on any transaction, committed
     * or not; their content is compared through SQL instead. */
    if (strstr(rel, "/weft.db") == rel) return 0;
    wf_buf_printf(snapshot_out, "%s %s %lld %o\n", flag == FTW_D ? "d" : "f", rel,
                  flag == FTW_D ? 0LL : (long long)st->st_size, (unsigned)(st->st_mode & 07777));
    return 0;
}

static inline int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file and directory under dir (but the database), sorted, one per
 * line with its size and mode. The caller frees it. */
static inline char *snapshot_tree(const char *dir)
{
    wf_buf raw = {0};
    snapshot_out = &raw;
    snapshot_root_len = strlen(dir);
    assert_int_equal(nftw(dir, snapshot_entry, 16, FTW_PHYS), 0);
    /* nftw's order is the directory's, which is not stable: sort. */
    size_t n = 0;
    for (size_t i = 0; i < raw.len; i++)
        n += raw.data[i] == '\n';
    char **lines = calloc(n + 1, sizeof *lines);
    char *p = raw.data;
    for (size_t i = 0; i < n; i++) {
        lines[i] = p;
        p = strchr(p, '\n');
        *p++ = '\0';
    }
    qsort(lines, n, sizeof *lines, compare_lines);
    wf_buf sorted = {0};
    for (size_t i = 0; i < n; i++) {
        wf_buf_puts(&sorted, lines[i]);
        wf_buf_puts(&sorted, "\n");
    }
    free(lines);
    wf_buf_free(&raw);
    return sorted.data;
}

/* Every row of every table, in a stable order. The caller frees it. */
static inline char *snapshot_rows(st_workspace *ws)
{
    static const char *const queries[] = {
        "SELECT * FROM schema_migrations ORDER BY version",
        "SELECT * FROM artifacts ORDER BY digest",
        "SELECT * FROM datasets ORDER BY name",
        "SELECT * FROM dataset_versions ORDER BY name, version",
    };
    wf_buf out = {0};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(ws->db, queries[q], -1, &stmt, NULL), SQLITE_OK);
        wf_buf_printf(&out, "%s\n", queries[q]);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(stmt); i++) {
                const unsigned char *v = sqlite3_column_text(stmt, i);
                wf_buf_printf(&out, "%s|", v ? (const char *)v : "NULL");
            }
            wf_buf_puts(&out, "\n");
        }
        sqlite3_finalize(stmt);
    }
    return out.data;
}

static inline int64_t count_rows(st_workspace *ws, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(ws->db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

/* Files in <dir>/tmp. */
static inline int count_tmp_files(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "find '%s/tmp' -type f | wc -l", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

#endif
