/* cmd_datasets.c: import, datasets, head, profile and export. */
#include "cli.h"

#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Descriptions longer than this are cut with an ellipsis in terminal
 * tables (cells: show.c). */
#define CLI__DESCRIPTION_MAX 60

/* A copy of s cut after max code points, with an ellipsis when cut. */
static char *cli__truncate(const char *s, size_t max)
{
    size_t points = 0, i = 0;
    for (; s[i] && points < max; i++)
        points += ((unsigned char)s[i] & 0xc0) != 0x80;
    while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80)
        i++;
    if (s[i] == '\0') return wf_strdup(s);
    char *out = malloc(i + 4);
    if (out == NULL) return NULL;
    memcpy(out, s, i);
    memcpy(out + i, "\xe2\x80\xa6", 4); /* … */
    return out;
}

static void cli__free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

int cli_cmd_import(cli_context *ctx)
{
    static const char *usage = "weft import FILE --name NAME [--format csv|tsv|arff|json|native] "
                               "[--no-header] [--description TEXT]";
    const char *file = NULL, *name = NULL, *description = NULL;
    tbl_read_options opt = {.format = TBL_FORMAT_AUTO, .header = TBL_HEADER_GUESS};
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        bool has_value = i + 1 < ctx->argc;
        if (strcmp(a, "--name") == 0 && has_value) {
            name = ctx->argv[++i];
        } else if (strcmp(a, "--description") == 0 && has_value) {
            description = ctx->argv[++i];
        } else if (strcmp(a, "--format") == 0 && has_value) {
            const char *f = ctx->argv[++i];
            if (tbl_format_parse(f, &opt.format) < 0 || opt.format == TBL_FORMAT_AUTO)
                return cli_usage(usage, "unknown format \"%s\"", f);
        } else if (strcmp(a, "--no-header") == 0) {
            opt.header = TBL_HEADER_ABSENT;
        } else if (strcmp(a, "--header") == 0) {
            opt.header = TBL_HEADER_PRESENT;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage(usage, "unknown option %s", a);
        } else if (file == NULL) {
            file = a;
        } else {
            return cli_usage(usage, "unexpected argument \"%s\"", a);
        }
    }
    if (file == NULL) return cli_usage(usage, "no file given");
    if (name == NULL) return cli_usage(usage, "--name is required");

    wf_error err = {0};
    if (st_dataset_name_check(name, &err) < 0) return cli_fail(&err);
    char *warnings = NULL;
    opt.warnings = &warnings;
    tbl_table *t = NULL;
    if (tbl_read_file(file, &opt, &t, &err) < 0) {
        free(warnings);
        return cli_fail(&err);
    }
    if (warnings)
        fprintf(stderr, "weft: warning: %s%s", warnings,
                warnings[strlen(warnings) - 1] == '\n' ? "" : "\n");
    free(warnings);

    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) {
        tbl_free(t);
        return 1;
    }
    char real[PATH_MAX];
    char source[PATH_MAX + 8];
    snprintf(source, sizeof source, "file:%s", realpath(file, real) ? real : file);
    char default_description[PATH_MAX + 32];
    if (description == NULL) {
        char *copy = wf_strdup(file);
        snprintf(default_description, sizeof default_description, "Imported from %s",
                 copy ? basename(copy) : file);
        free(copy);
        description = default_description;
    }
    st_dataset_version v = {0};
    int rc = st_dataset_register(ws, name, t, description, source, &v, &err);
    tbl_free(t);
    if (rc < 0) {
        st_close(ws);
        return cli_fail(&err);
    }
    printf("%s@%d: %lld rows, %lld columns\n", v.name, v.version, (long long)v.rows,
           (long long)v.cols);
    st_dataset_version_clear(&v);
    st_close(ws);
    return 0;
}

static void cli__human_bytes(int64_t bytes, char *buf, size_t cap)
{
    static const char *units[] = {"B", "KB", "MB", "GB", "TB"};
    double x = (double)bytes;
    int u = 0;
    while (x >= 1024 && u < 4) {
        x /= 1024;
        u++;
    }
    snprintf(buf, cap, u == 0 ? "%.0f %s" : "%.1f %s", x, units[u]);
}

int cli_cmd_datasets(cli_context *ctx)
{
    static const char *usage = "weft datasets [--all] [--names]";
    bool all = false, names_only = false;
    for (int i = 0; i < ctx->argc; i++) {
        if (strcmp(ctx->argv[i], "--all") == 0)
            all = true;
        else if (strcmp(ctx->argv[i], "--names") == 0)
            names_only = true;
        else
            return cli_usage(usage, "unexpected argument \"%s\"", ctx->argv[i]);
    }
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    wf_error err = {0};
    st_dataset_version *list = NULL;
    size_t n = 0;
    if (st_dataset_list(ws, all, &list, &n, &err) < 0) {
        st_close(ws);
        return cli_fail(&err);
    }
    if (names_only) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", list[i].name);
    } else {
        enum { NCOLS = 6 };
        static const char *header[NCOLS] = {"NAME",    "VERSION", "ROWS",
                                            "COLUMNS", "SIZE",    "DESCRIPTION"};
        static const bool right[NCOLS] = {false, true, true, true, true, false};
        char **cells = calloc((n + 1) * NCOLS, sizeof *cells);
        int rc = cells ? 0 : -1;
        for (size_t c = 0; rc == 0 && c < NCOLS; c++)
            if ((cells[c] = wf_strdup(header[c])) == NULL) rc = -1;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char version[32], rows[32], cols[32], size[32];
            snprintf(version, sizeof version, "%d%s", list[i].version,
                     list[i].archived ? " (archived)" : "");
            snprintf(rows, sizeof rows, "%lld", (long long)list[i].rows);
            snprintf(cols, sizeof cols, "%lld", (long long)list[i].cols);
            cli__human_bytes(list[i].bytes, size, sizeof size);
            const char *row[NCOLS] = {list[i].name, version,
                                      rows,         cols,
                                      size,         list[i].description ? list[i].description : ""};
            for (size_t c = 0; c < NCOLS; c++) {
                char **cell = &cells[(i + 1) * NCOLS + c];
                *cell = c == NCOLS - 1 ? cli__truncate(row[c], CLI__DESCRIPTION_MAX)
                                       : wf_strdup(row[c]);
                if (*cell == NULL) rc = -1;
            }
        }
        if (rc == 0)
            cli_print_aligned((const char *const *)cells, n + 1, NCOLS, right);
        else
            fputs("weft: out of memory\n", stderr);
        if (cells) cli__free_cells(cells, (n + 1) * NCOLS);
        if (rc < 0) {
            st_dataset_versions_free(list, n);
            st_close(ws);
            return 1;
        }
    }
    st_dataset_versions_free(list, n);
    st_close(ws);
    return 0;
}

/* Loads the dataset named by ref; prints the error and returns NULL when it
 * cannot. */
static tbl_table *cli__load(st_workspace *ws, const char *ref, st_dataset_version *meta)
{
    wf_error err = {0};
    tbl_table *t = NULL;
    if (st_dataset_load(ws, ref, &t, meta, &err) < 0) {
        cli_fail(&err);
        return NULL;
    }
    return t;
}

int cli_cmd_head(cli_context *ctx)
{
    static const char *usage = "weft head NAME[@V] [-n ROWS]";
    const char *ref = NULL;
    long rows = 20;
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        if (strcmp(a, "-n") == 0 && i + 1 < ctx->argc) {
            if (cli_parse_rows(ctx->argv[++i], &rows) < 0)
                return cli_usage(usage, "-n takes a row count, not \"%s\"", ctx->argv[i]);
        } else if (a[0] == '-') {
            return cli_usage(usage, "unknown option %s", a);
        } else if (ref == NULL) {
            ref = a;
        } else {
            return cli_usage(usage, "unexpected argument \"%s\"", a);
        }
    }
    if (ref == NULL) return cli_usage(usage, "no dataset given");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    tbl_table *t = cli__load(ws, ref, NULL);
    st_close(ws);
    if (t == NULL) return 1;

    int rc = cli_print_table_head(t, (size_t)rows);
    if (rc < 0) fputs("weft: out of memory\n", stderr);
    tbl_free(t);
    return rc < 0 ? 1 : 0;
}

static char *cli__number(double x, bool is_datetime)
{
    char buf[64];
    if (is_datetime)
        tbl_format_datetime((int64_t)x, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "%.4g", x);
    return wf_strdup(buf);
}

static int cli__print_profile(const tbl_profile *p, const st_dataset_version *v)
{
    printf("%s@%d: %zu rows, %zu columns\n", v->name, v->version, p->nrows, p->ncols);
    enum { NCOLS = 12 };
    static const char *header[NCOLS] = {"COLUMN", "TYPE", "ROLE", "MISSING",
                                        "UNIQUE", "MIN",  "Q1",   "MEDIAN",
                                        "MEAN",   "Q3",   "MAX",  "STD / TOP"};
    static const bool right[NCOLS] = {false, false, false, true, true, true,
                                      true,  true,  true,  true, true, false};
    size_t n = (p->ncols + 1) * NCOLS;
    char **cells = calloc(n, sizeof *cells);
    if (cells == NULL) return -1;
    for (size_t c = 0; c < NCOLS; c++)
        cells[c] = wf_strdup(header[c]);
    for (size_t i = 0; i < p->ncols; i++) {
        const tbl_column_profile *cp = &p->columns[i];
        char **row = cells + (i + 1) * NCOLS;
        char buf[256];
        row[0] = wf_strdup(cp->name);
        row[1] = wf_strdup(tbl_type_name(cp->type));
        row[2] = wf_strdup(tbl_role_name(cp->role));
        snprintf(buf, sizeof buf, "%zu", cp->missing);
        row[3] = wf_strdup(buf);
        snprintf(buf, sizeof buf, "%zu", cp->unique);
        row[4] = wf_strdup(buf);
        bool dt = cp->type == TBL_DATETIME;
        bool stats = cp->has_stats && cp->count > cp->missing;
        const double values[6] = {cp->min, cp->q1, cp->median, cp->mean, cp->q3, cp->max};
        for (int k = 0; k < 6; k++)
            row[5 + k] = stats ? cli__number(values[k], dt) : wf_strdup("");
        if (cp->ntop > 0) {
            size_t at = 0;
            buf[0] = '\0';
            for (size_t k = 0; k < cp->ntop && k < 3 && at < sizeof buf; k++)
                at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s (%zu)", k ? ", " : "",
                                       cp->top[k].value, cp->top[k].count);
            row[11] = wf_strdup(buf);
        } else {
            row[11] = stats && !dt ? cli__number(cp->stddev, false) : wf_strdup("");
        }
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (cells[i] == NULL) rc = -1;
    if (rc == 0) cli_print_aligned((const char *const *)cells, p->ncols + 1, NCOLS, right);
    cli__free_cells(cells, n);
    return rc;
}

int cli_cmd_profile(cli_context *ctx)
{
    static const char *usage = "weft profile NAME[@V] [--json]";
    const char *ref = NULL;
    bool json = false;
    for (int i = 0; i < ctx->argc; i++) {
        if (strcmp(ctx->argv[i], "--json") == 0)
            json = true;
        else if (ctx->argv[i][0] == '-')
            return cli_usage(usage, "unknown option %s", ctx->argv[i]);
        else if (ref == NULL)
            ref = ctx->argv[i];
        else
            return cli_usage(usage, "unexpected argument \"%s\"", ctx->argv[i]);
    }
    if (ref == NULL) return cli_usage(usage, "no dataset given");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    st_dataset_version v = {0};
    tbl_table *t = cli__load(ws, ref, &v);
    st_close(ws);
    if (t == NULL) return 1;
    wf_error err = {0};
    tbl_profile *p = NULL;
    int rc = tbl_profile_table(t, &p, &err);
    if (rc < 0) {
        cli_fail(&err);
    } else if (json) {
        json_t *j = tbl_profile_to_json(p);
        char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (text)
            puts(text);
        else
            rc = -1;
        free(text);
        json_decref(j);
    } else {
        rc = cli__print_profile(p, &v);
    }
    if (rc < 0 && err.code == 0) fputs("weft: out of memory\n", stderr);
    tbl_profile_free(p);
    tbl_free(t);
    st_dataset_version_clear(&v);
    return rc < 0 ? 1 : 0;
}

int cli_cmd_export(cli_context *ctx)
{
    static const char *usage = "weft export NAME[@V] --format csv|tsv|json [-o FILE]";
    const char *ref = NULL, *path = NULL;
    tbl_format format = TBL_FORMAT_AUTO;
    for (int i = 0; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        if (strcmp(a, "--format") == 0 && i + 1 < ctx->argc) {
            const char *f = ctx->argv[++i];
            if (tbl_format_parse(f, &format) < 0 ||
                (format != TBL_FORMAT_CSV && format != TBL_FORMAT_TSV &&
                 format != TBL_FORMAT_JSON && format != TBL_FORMAT_NATIVE))
                return cli_usage(usage, "cannot export as \"%s\"", f);
        } else if (strcmp(a, "-o") == 0 && i + 1 < ctx->argc) {
            path = ctx->argv[++i];
        } else if (a[0] == '-') {
            return cli_usage(usage, "unknown option %s", a);
        } else if (ref == NULL) {
            ref = a;
        } else {
            return cli_usage(usage, "unexpected argument \"%s\"", a);
        }
    }
    if (ref == NULL) return cli_usage(usage, "no dataset given");
    if (format == TBL_FORMAT_AUTO) return cli_usage(usage, "--format is required");
    if (format == TBL_FORMAT_NATIVE && path == NULL)
        return cli_usage(usage, "the native format needs -o FILE");
    st_workspace *ws = cli_open_workspace(ctx);
    if (ws == NULL) return 1;
    tbl_table *t = cli__load(ws, ref, NULL);
    st_close(ws);
    if (t == NULL) return 1;
    wf_error err = {0};
    int rc;
    if (path) {
        rc = tbl_write_file(t, path, format, &err);
    } else {
        wf_buf out = {0};
        rc = format == TBL_FORMAT_JSON
                 ? tbl_write_json(t, &out, &err)
                 : tbl_write_csv(t, format == TBL_FORMAT_TSV ? '\t' : ',', &out, &err);
        if (rc == 0 && out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
            rc = wf_error_set(&err, WF_EIO, "cannot write to standard output");
        wf_buf_free(&out);
    }
    tbl_free(t);
    return rc < 0 ? cli_fail(&err) : 0;
}
