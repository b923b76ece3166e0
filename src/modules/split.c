/*
 * split.c: `split-data@1`, the Azure designer's Split Data. It sends each
 * row of its input to one of two outputs, in one of three modes:
 *
 * - split rows: a fraction of the rows (optionally random, optionally
 *   stratified by a column) goes to the first output, the rest to the second;
 * - regular expression: rows whose text in one column matches a POSIX
 *   extended regular expression go to the first output;
 * - relative expression: rows whose value in one column passes a comparison
 *   (`\"price" > 10000`) go to the first output.
 *
 * Rows keep their input order in both outputs, whatever the mode, so a split
 * is easy to read and to diff; only which rows go where is random.
 */
#include "modules_int.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* How many draws the shuffle makes ahead of its swaps. */
#define SPLIT_AHEAD 32

/* Marks k of the m rows rows[0..m) as first, chosen uniformly when `random`
 * (a partial Fisher-Yates shuffle), else the first k.
 *
 * A swap's far row is anywhere in rows, mostly outside the core's cache,
 * and the draws do not depend on the swaps: so each is drawn SPLIT_AHEAD
 * swaps early and its row fetched meanwhile (a hint only). The draws are
 * the same, in the same order, as drawing each at its swap. */
static void split_choose(uint32_t *rows, size_t m, size_t k, bool random, wf_rng *rng, bool *first)
{
    if (!random) {
        for (size_t i = 0; i < k; i++)
            first[rows[i]] = true;
        return;
    }
    size_t ahead[SPLIT_AHEAD];
    for (size_t i = 0; i < k && i < SPLIT_AHEAD; i++) {
        ahead[i] = i + (size_t)wf_rng_below(rng, (uint64_t)(m - i));
        __builtin_prefetch(&rows[ahead[i]], 1);
    }
    for (size_t i = 0; i < k; i++) {
        size_t j = ahead[i % SPLIT_AHEAD], later = i + SPLIT_AHEAD;
        if (later < k) {
            ahead[i % SPLIT_AHEAD] = later + (size_t)wf_rng_below(rng, (uint64_t)(m - later));
            __builtin_prefetch(&rows[ahead[i % SPLIT_AHEAD]], 1);
        }
        uint32_t tmp = rows[i];
        rows[i] = rows[j];
        rows[j] = tmp;
        first[rows[i]] = true;
    }
}

/* The share of m rows that a fraction f sends first, rounded to nearest. */
static size_t split_count(double f, size_t m)
{
    double k = floor(f * (double)m + 0.5);
    return k <= 0 ? 0 : k >= (double)m ? m : (size_t)k;
}

/* ---- column references: \"name" --------------------------------------- */

/* Parses the leading `\"column"` of an expression, Azure's way of naming a
 * column (the backslash is optional). *rest points after it. */
static int split_column_ref(mod_ctx *ctx, const char *field, const char *expr, char **name,
                            const char **rest)
{
    const char *p = expr + strspn(expr, " \t\r\n");
    if (*p == '\\') p++;
    if (*p != '"')
        return mod_param_error(ctx, field,
                               "start with the column in quotes, as in \\\"column\" ...");
    const char *end = strchr(p + 1, '"');
    if (end == NULL) return mod_param_error(ctx, field, "the column name has no closing quote");
    if (end == p + 1) return mod_param_error(ctx, field, "the column name is empty");
    *name = wf_strndup(p + 1, (size_t)(end - p - 1));
    if (*name == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    *rest = end + 1 + strspn(end + 1, " \t\r\n");
    return 0;
}

/* The index of the named column in t, or a field error. */
static int split_find(mod_ctx *ctx, const char *field, const tbl_table *t, const char *name,
                      size_t *col)
{
    int i = tbl_find_column(t, name);
    if (i < 0) return mod_param_error(ctx, field, "no column named \"%s\" in the input", name);
    *col = (size_t)i;
    return 0;
}

/* ---- relative expressions ---------------------------------------------- */

enum { SPLIT_LT, SPLIT_LE, SPLIT_GT, SPLIT_GE, SPLIT_EQ, SPLIT_NE };
#define SPLIT_MAX_TERMS 8

/* `\"col" op value [(&|'|') op value]...`, evaluated left to right. */
typedef struct split_relative {
    char *column;
    size_t nterms;
    int op[SPLIT_MAX_TERMS];
    char joiner[SPLIT_MAX_TERMS]; /* '&' or '|' before term i (i > 0) */
    char *literal[SPLIT_MAX_TERMS];
    double x[SPLIT_MAX_TERMS]; /* the literal as the column's type wants it */
    int64_t xi[SPLIT_MAX_TERMS];
    bool whole[SPLIT_MAX_TERMS]; /* xi holds the literal exactly */
} split_relative;

static void split_relative_clear(split_relative *r)
{
    free(r->column);
    for (size_t i = 0; i < r->nterms; i++)
        free(r->literal[i]);
    memset(r, 0, sizeof *r);
}

/* The comparison at *sp (two-character operators first, so "<=" is not
 * read as "<"); advances past it. -1 when there is none. */
static int split_parse_op(const char **sp)
{
    static const struct {
        const char *text;
        int op;
    } ops[] = {{"<=", SPLIT_LE}, {">=", SPLIT_GE}, {"==", SPLIT_EQ}, {"!=", SPLIT_NE},
               {"<", SPLIT_LT},  {">", SPLIT_GT},  {"=", SPLIT_EQ}}; /* a lone '=' means '==' */
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t len = strlen(ops[i].text);
        if (strncmp(*sp, ops[i].text, len) == 0) {
            *sp += len + strspn(*sp + len, " \t");
            return ops[i].op;
        }
    }
    return -1;
}

/* Parses the expression's text (not yet its literals: those depend on the
 * column's type). */
static int split_parse_relative(mod_ctx *ctx, const char *text, split_relative *r)
{
    const char *f = "relative_expression";
    memset(r, 0, sizeof *r);
    const char *p;
    int rc = split_column_ref(ctx, f, text, &r->column, &p);
    while (rc == 0) {
        int op = split_parse_op(&p);
        if (op < 0)
            return mod_param_error(ctx, f,
                                   "expected a comparison (<, <=, >, >=, == or !=) at "
                                   "\"%.20s\"",
                                   p);
        size_t len = strcspn(p, " \t\r\n&|");
        if (len == 0) return mod_param_error(ctx, f, "a comparison needs a value after it");
        r->op[r->nterms] = op;
        if ((r->literal[r->nterms] = wf_strndup(p, len)) == NULL)
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        r->nterms++;
        p += len;
        p += strspn(p, " \t\r\n");
        if (*p == '\0') break;
        if (*p != '&' && *p != '|')
            return mod_param_error(ctx, f, "expected & or | at \"%.20s\"", p);
        if (r->nterms == SPLIT_MAX_TERMS)
            return mod_param_error(ctx, f, "at most %d comparisons", SPLIT_MAX_TERMS);
        r->joiner[r->nterms] = *p++;
        p += strspn(p, " \t\r\n");
        /* Repeating the column ("& \"Year" <= 2015") is allowed; another
         * column is not. */
        if (*p == '\\' || *p == '"') {
            char *again = NULL;
            if ((rc = split_column_ref(ctx, f, p, &again, &p)) < 0) break;
            bool same = strcmp(again, r->column) == 0;
            free(again);
            if (!same) return mod_param_error(ctx, f, "every comparison must be on one column");
        }
    }
    return rc;
}

/* Converts the literals for column c, which must hold numbers, booleans or
 * date-times. */
static int split_bind_relative(mod_ctx *ctx, split_relative *r, const tbl_column *c)
{
    const char *f = "relative_expression";
    for (size_t i = 0; i < r->nterms; i++) {
        const char *s = r->literal[i];
        size_t len = strlen(s);
        bool b;
        r->whole[i] = false;
        switch (c->type) {
        case TBL_NUMERIC:
        case TBL_INTEGER:
            if (tbl_parse_double(s, len, &r->x[i]) < 0)
                return mod_param_error(ctx, f, "\"%s\" is not a number", s);
            r->whole[i] = tbl_parse_int64(s, len, &r->xi[i]) == 0;
            break;
        case TBL_BOOLEAN:
            if (tbl_parse_bool(s, len, &b) == 0)
                r->xi[i] = b;
            else if (len == 1 && (s[0] == '0' || s[0] == '1'))
                r->xi[i] = s[0] - '0';
            else
                return mod_param_error(ctx, f, "\"%s\" is not a boolean", s);
            r->x[i] = (double)r->xi[i];
            r->whole[i] = true;
            break;
        case TBL_DATETIME:
            if (tbl_parse_datetime(s, len, &r->xi[i]) < 0)
                return mod_param_error(ctx, f, "\"%s\" is not a date (YYYY-MM-DD[Thh:mm:ss])", s);
            r->whole[i] = true;
            break;
        default:
            return mod_param_error(ctx, f,
                                   "column \"%s\" is %s: relative expressions compare numbers, "
                                   "booleans and dates; use a regular expression for text",
                                   c->name, tbl_type_name(c->type));
        }
    }
    return 0;
}

static bool split_compare(int op, int cmp)
{
    switch (op) {
    case SPLIT_LT:
        return cmp < 0;
    case SPLIT_LE:
        return cmp <= 0;
    case SPLIT_GT:
        return cmp > 0;
    case SPLIT_GE:
        return cmp >= 0;
    case SPLIT_EQ:
        return cmp == 0;
    default:
        return cmp != 0;
    }
}

/* Whether row passes; missing values and NaN never do. */
static bool split_relative_row(const split_relative *r, const tbl_column *c, size_t row)
{
    if (tbl_is_missing(c, row)) return false;
    bool pass = false;
    for (size_t i = 0; i < r->nterms; i++) {
        int cmp;
        if (c->type == TBL_NUMERIC || (c->type == TBL_INTEGER && !r->whole[i])) {
            double v = c->type == TBL_NUMERIC ? c->v.f64[row] : (double)c->v.i64[row];
            if (isnan(v)) return false;
            cmp = (v > r->x[i]) - (v < r->x[i]);
        } else {
            /* Integers against whole literals compare exactly, beyond 2^53. */
            int64_t v = c->type == TBL_BOOLEAN ? c->v.b8[row] : c->v.i64[row];
            cmp = (v > r->xi[i]) - (v < r->xi[i]);
        }
        bool t = split_compare(r->op[i], cmp);
        pass = i == 0 ? t : r->joiner[i] == '&' ? (pass && t) : (pass || t);
    }
    return pass;
}

/* ---- the three modes ---------------------------------------------------- */

static int split_rows(mod_ctx *ctx, const tbl_table *in, bool *first, tbl_split_reserve **reserve)
{
    double fraction;
    bool randomize, stratify;
    int64_t seed;
    int rc = mod_param_number(ctx, "fraction", &fraction);
    if (rc == 0) rc = mod_param_bool(ctx, "randomize", &randomize);
    if (rc == 0) rc = mod_param_int(ctx, "seed", &seed);
    if (rc == 0) rc = mod_param_bool(ctx, "stratify", &stratify);
    if (rc < 0) return rc;
    size_t key = 0;
    if (stratify && in != NULL && (rc = mod__column_param(ctx, "stratify_column", in, &key)) < 0)
        return rc;
    if (stratify && in == NULL && mod_param_string(ctx, "stratify_column") == NULL)
        return mod_param_error(ctx, "stratify_column", "choose the column to stratify by");
    if (first == NULL) return 0; /* configure: the parameters are fine */

    wf_rng rng = {.state = (uint64_t)seed};
    size_t n = in->nrows;
    /* Rows as 32-bit numbers: the shuffle's random swaps then stay in a
     * core's cache twice as long (a million rows fit in 4 MiB). */
    if (n > UINT32_MAX)
        return mod_fail(ctx, WF_EINVAL, "cannot split %zu rows: the most is %u", n, UINT32_MAX);
    uint32_t *rows = wf_mallocarray(n, sizeof *rows);
    if (rows == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory splitting %zu rows", n);
    if (!stratify) {
        size_t k = split_count(fraction, n);
        /* The outputs' memory is made ready while the shuffle runs. */
        *reserve = tbl_split_reserve_start(in, k);
        for (size_t r = 0; r < n; r++)
            rows[r] = (uint32_t)r;
        split_choose(rows, n, k, randomize, &rng, first);
        free(rows);
        return 0;
    }
    /* Stratified: the rows of each stratum (a value of the key column; missing
     * is a value too) are split on their own, so each output keeps the
     * strata's proportions. Strata go in first-seen order, so the random
     * stream is consumed the same way every time. */
    size_t *group_of = NULL, *first_row = NULL, ngroups = 0;
    wf_error err = {0};
    if (tbl_group_by(in, &key, 1, &group_of, &first_row, &ngroups, &err) < 0) {
        free(rows);
        return mod_fail_with(ctx, &err);
    }
    size_t *start = wf_calloc(ngroups + 1, sizeof *start);
    if (start == NULL) {
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory splitting %zu rows", n);
        goto done;
    }
    for (size_t r = 0; r < n; r++)
        start[group_of[r] + 1]++;
    for (size_t g = 0; g < ngroups; g++)
        start[g + 1] += start[g];
    /* A counting sort: rows grouped by stratum, in table order within one. */
    for (size_t r = 0; r < n; r++)
        rows[start[group_of[r]]++] = (uint32_t)r;
    for (size_t g = ngroups; g > 0; g--)
        start[g] = start[g - 1];
    start[0] = 0;
    size_t k = 0;
    for (size_t g = 0; g < ngroups; g++)
        k += split_count(fraction, start[g + 1] - start[g]);
    *reserve = tbl_split_reserve_start(in, k);
    for (size_t g = 0; g < ngroups; g++) {
        size_t m = start[g + 1] - start[g];
        split_choose(rows + start[g], m, split_count(fraction, m), randomize, &rng, first);
    }
    mod_log(ctx, "stratified by \"%s\": %zu strata", in->cols[key].name, ngroups);
done:
    free(start);
    free(group_of);
    free(first_row);
    free(rows);
    return rc;
}

/* Grows buf to hold need bytes; false on OOM. */
static bool split_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return true;
    char *p = realloc(*buf, need);
    if (p == NULL) return false;
    *buf = p;
    *cap = need;
    return true;
}

static int split_regex(mod_ctx *ctx, const tbl_table *in, bool *first)
{
    const char *f = "regex";
    const char *text = mod_param_string(ctx, f);
    if (text == NULL) return mod_param_error(ctx, f, "a value is required");
    char *column = NULL;
    const char *pattern;
    int rc = split_column_ref(ctx, f, text, &column, &pattern);
    if (rc < 0) return rc;
    size_t col = 0;
    if (in != NULL) rc = split_find(ctx, f, in, column, &col);
    free(column);
    if (rc < 0) return rc;
    if (*pattern == '\0') return mod_param_error(ctx, f, "the pattern after the column is empty");
    regex_t re;
    int ec = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
    if (ec != 0) {
        char why[256];
        regerror(ec, &re, why, sizeof why);
        return mod_param_error(ctx, f, "bad regular expression \"%s\": %s", pattern, why);
    }
    if (first == NULL) {
        regfree(&re);
        return 0;
    }
    const tbl_column *c = &in->cols[col];
    char *buf = NULL;
    size_t cap = 0;
    for (size_t r = 0; r < in->nrows; r++) {
        /* A categorical code outside the dictionary is missing too (a table
         * built by hand may mark it only so). */
        if (tbl_is_missing(c, r) ||
            (c->type == TBL_CATEGORICAL &&
             (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count)))
            continue;
        /* Other types match against their text as the CSV writer prints it
         * (which always fits in 64 bytes). */
        char small[64];
        if (c->type != TBL_STRING && c->type != TBL_CATEGORICAL) {
            tbl_format_cell(c, r, small, sizeof small);
            first[r] = regexec(&re, small, 0, NULL, 0) == 0;
            continue;
        }
        size_t len;
        const char *s = c->type == TBL_STRING
                            ? tbl_strings_at(&c->str, r, &len)
                            : tbl_strings_at(&c->levels, (size_t)c->v.codes[r], &len);
        /* regexec wants a NUL-terminated string. */
        if (!split_reserve(&buf, &cap, len + 1)) {
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory matching row %zu", r + 1);
            break;
        }
        memcpy(buf, s, len);
        buf[len] = '\0';
        first[r] = regexec(&re, buf, 0, NULL, 0) == 0;
    }
    free(buf);
    regfree(&re);
    return rc;
}

static int split_relative_mode(mod_ctx *ctx, const tbl_table *in, bool *first)
{
    const char *text = mod_param_string(ctx, "relative_expression");
    if (text == NULL) return mod_param_error(ctx, "relative_expression", "a value is required");
    split_relative r;
    int rc = split_parse_relative(ctx, text, &r);
    size_t col = 0;
    if (rc == 0 && in != NULL) rc = split_find(ctx, "relative_expression", in, r.column, &col);
    if (rc == 0 && in != NULL) rc = split_bind_relative(ctx, &r, &in->cols[col]);
    for (size_t row = 0; rc == 0 && first != NULL && row < in->nrows; row++)
        first[row] = split_relative_row(&r, &in->cols[col], row);
    split_relative_clear(&r);
    return rc;
}

/* ---- run and configure ------------------------------------------------- */

static const char *const split_modes[] = {"split-rows", "regular-expression", "relative-expression",
                                          NULL};

/* Decides, for every row of `in`, whether it goes first. With first == NULL
 * (configure) only the parameters are checked, against in's schema when it
 * is known. A mode that knows its count ahead reserves the outputs in
 * *reserve. */
static int split_decide(mod_ctx *ctx, const tbl_table *in, bool *first, tbl_split_reserve **reserve)
{
    size_t mode;
    int rc = mod__param_choice(ctx, "mode", &mode);
    if (rc < 0) return rc;
    if (mode == 0) return split_rows(ctx, in, first, reserve);
    if (mode == 1) return split_regex(ctx, in, first);
    return split_relative_mode(ctx, in, first);
}

static int split_configure(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    tbl_split_reserve *none = NULL;
    int rc = split_decide(ctx, in, NULL, &none);
    if (rc == 0) rc = mod__output_schema(ctx, "first", in);
    if (rc == 0) rc = mod__output_schema(ctx, "second", in);
    return rc;
}

static int split_run(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    bool *first = wf_calloc(in->nrows, sizeof *first);
    if (first == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory splitting rows");
    tbl_split_reserve *reserve = NULL;
    int rc = split_decide(ctx, in, first, &reserve);
    tbl_table *a = NULL, *b = NULL;
    wf_error err = {0};
    if (rc < 0)
        tbl_split_reserve_free(reserve);
    else if (tbl_split_into(in, first, reserve, &a, &b, &err) < 0)
        rc = mod_fail_with(ctx, &err);
    free(first);
    if (rc < 0) {
        tbl_free(a);
        tbl_free(b);
        return rc;
    }
    mod_log(ctx, "%zu rows: %zu first, %zu second", in->nrows, a->nrows, b->nrows);
    rc = mod_output_table(ctx, "first", a);
    int rc2 = mod_output_table(ctx, "second", b);
    return rc < 0 ? rc : rc2;
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port split_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The rows to split."},
};

static const mod_port split_out[] = {
    {.name = "first",
     .kind = MOD_TABLE,
     .help = "The chosen fraction of the rows, or the rows that match the expression."},
    {.name = "second", .kind = MOD_TABLE, .help = "The other rows."},
};

static const mod_param split_params[] = {
    {.name = "mode",
     .label = "Splitting mode",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"split-rows\"",
     .choices = split_modes,
     .help = "`split-rows` splits by a fraction of the rows; `regular-expression` and "
             "`relative-expression` send the rows that match an expression first."},
    {.name = "fraction",
     .label = "Fraction of rows in the first output dataset",
     .type = MOD_PARAM_NUMBER,
     .default_json = "0.5",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 1,
     .visible_when = "mode=split-rows",
     .help = "The share of the rows that goes to the first output, from 0 to 1, rounded to "
             "the nearest row."},
    {.name = "randomize",
     .label = "Randomized split",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "mode=split-rows",
     .help = "Choose the rows at random. Off: the first rows go first."},
    {.name = "seed",
     .label = "Random seed",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .visible_when = "mode=split-rows",
     .help = "The seed of the random choice: the same seed gives the same split."},
    {.name = "stratify",
     .label = "Stratified split",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .visible_when = "mode=split-rows",
     .help = "Split each value of the stratification column on its own, so that both "
             "outputs keep the proportions of its values."},
    {.name = "stratify_column",
     .label = "Stratification key column",
     .type = MOD_PARAM_COLUMN,
     .input = "dataset",
     .visible_when = "stratify=true",
     .help = "The column whose values (usually the label's classes) define the strata."},
    {.name = "regex",
     .label = "Regular expression",
     .type = MOD_PARAM_STRING,
     .required = true,
     .visible_when = "mode=regular-expression",
     .help = "A column in quotes, then a POSIX extended regular expression: "
             "`\\\"text\" ^Sports`. Rows whose value matches go first."},
    {.name = "relative_expression",
     .label = "Relational expression",
     .type = MOD_PARAM_STRING,
     .required = true,
     .visible_when = "mode=relative-expression",
     .help = "A column in quotes, then comparisons: `\\\"year\" > 2010`, or "
             "`\\\"year\" > 2010 & <= 2015`. Rows that pass go first."},
};

const mod_descriptor mod_split_data = {
    .name = "split-data",
    .version = 1,
    .display_name = "Split Data",
    .category = "Data Transformation",
    .help = "Splits the rows of a table into two tables, for example to train a model on "
            "one and evaluate it on the other.\n"
            "\n"
            "## Modes\n"
            "\n"
            "- **split-rows**: a fraction of the rows goes to the first output and the rest to "
            "the second. The choice is random unless `randomize` is off (then the first rows "
            "go first), and the same `seed` always gives the same split. With `stratify`, the "
            "rows of each value of `stratify_column` (missing counts as a value) are split on "
            "their own, so both outputs keep the class proportions.\n"
            "- **regular-expression**: rows whose value in a column matches a POSIX extended "
            "regular expression go first. Numbers, booleans and dates match as the text the "
            "CSV writer prints; missing values never match.\n"
            "- **relative-expression**: rows whose value in a numeric, boolean or date-time "
            "column passes the comparisons go first. Comparisons are `<`, `<=`, `>`, `>=`, "
            "`==` and `!=`, joined by `&` (and) or `|` (or) and read left to right. Missing "
            "values and NaN never pass.\n"
            "\n"
            "In every mode, rows keep their input order in both outputs.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Splitting mode** (`mode`, default `split-rows`).\n"
            "- **Fraction of rows in the first output dataset** (`fraction`, default 0.5, "
            "0 to 1): rounded to the nearest row (per stratum when stratified).\n"
            "- **Randomized split** (`randomize`, default true).\n"
            "- **Random seed** (`seed`, default 0): SplitMix64 seeded with this value.\n"
            "- **Stratified split** (`stratify`, default false).\n"
            "- **Stratification key column** (`stratify_column`): needed when stratified.\n"
            "- **Regular expression** (`regex`): `\\\"column\" pattern`, as in "
            "`\\\"name\" ^A.*`.\n"
            "- **Relational expression** (`relative_expression`): `\\\"column\" op value`, as "
            "in `\\\"price\" >= 10000`. Date-time columns compare with dates "
            "(`\\\"date\" < 2020-01-01`).\n"
            "\n"
            "## Outputs\n"
            "\n"
            "- **first**: the chosen rows.\n"
            "- **second**: the other rows.\n"
            "\n"
            "## Example\n"
            "\n"
            "70% of the rows for training, stratified by the label `class`:\n"
            "\n"
            "```json\n"
            "{\"mode\": \"split-rows\", \"fraction\": 0.7, \"seed\": 42,\n"
            " \"stratify\": true, \"stratify_column\": \"class\"}\n"
            "```\n",
    MOD_PORTS(inputs, split_in),
    MOD_PORTS(outputs, split_out),
    MOD_PARAMS(split_params),
    .configure = split_configure,
    .run = split_run,
};
