/*
 * select.c: the column selection language shared by every module that takes
 * a set of columns (DESIGN.md section 4): parsing its JSON forms, resolving a
 * selection against a table's schema, and selecting the columns.
 *
 * A selection starts from all or no columns, then applies its rules in order;
 * each rule adds (include) or removes (exclude) the columns it matches. The
 * order matters: "all numeric, then exclude price" differs from the reverse.
 */
#include "ops_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tbl_selection_clear(tbl_selection *s)
{
    if (s == NULL) return;
    for (size_t i = 0; i < s->nrules; i++) {
        tbl_rule *r = &s->rules[i];
        for (size_t k = 0; k < r->nnames; k++)
            free(r->names[k]);
        free(r->names);
        free(r->ranges);
    }
    free(s->rules);
    memset(s, 0, sizeof *s);
}

int tbl_selection_names(tbl_selection *out, const char *const *names, size_t n, wf_error *err)
{
    memset(out, 0, sizeof *out);
    out->rules = wf_calloc(1, sizeof *out->rules);
    if (out->rules == NULL) goto oom;
    out->nrules = 1;
    tbl_rule *r = &out->rules[0];
    r->kind = TBL_RULE_NAMES;
    r->names = wf_calloc(n, sizeof *r->names);
    if (r->names == NULL) goto oom;
    for (size_t i = 0; i < n; i++) {
        if ((r->names[i] = wf_strdup(names[i])) == NULL) goto oom;
        r->nnames++;
    }
    return 0;
oom:
    tbl_selection_clear(out);
    return wf_error_set(err, WF_ENOMEM, "out of memory building a column selection");
}

/* ---- parsing ----------------------------------------------------------- */

/* Adds the range [lo, hi] to the rule. */
static int tbl__add_range(tbl_rule *r, size_t lo, size_t hi)
{
    size_t *p = wf_reallocarray(r->ranges, 2 * (r->nranges + 1), sizeof *p);
    if (p == NULL) return WF_ENOMEM;
    r->ranges = p;
    r->ranges[2 * r->nranges] = lo;
    r->ranges[2 * r->nranges + 1] = hi;
    r->nranges++;
    return 0;
}

static const char *tbl__skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A 1-based index: decimal digits, at most nine of them (no table has a
 * billion columns, and the bound keeps the arithmetic from overflowing). */
static bool tbl__parse_index(const char **sp, size_t *out)
{
    const char *s = tbl__skip_spaces(*sp);
    size_t v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 10) {
        v = v * 10 + (size_t)(*s++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 9) return false;
    *out = v;
    *sp = tbl__skip_spaces(s);
    return true;
}

/* Parses "1-3,7" into the rule's ranges. */
static int tbl__parse_ranges(tbl_rule *r, const char *text, const char *where, wf_error *err)
{
    const char *s = text;
    for (;;) {
        size_t lo, hi;
        if (!tbl__parse_index(&s, &lo))
            return wf_error_set(err, WF_EINVAL,
                                "%s: \"indices\": \"%s\" is not a list of 1-based indices and "
                                "ranges like \"1-3,7\"",
                                where, text);
        hi = lo;
        if (*s == '-') {
            s++;
            if (!tbl__parse_index(&s, &hi))
                return wf_error_set(err, WF_EINVAL,
                                    "%s: \"indices\": \"%s\" has a range with no end", where, text);
        }
        if (lo == 0)
            return wf_error_set(err, WF_EINVAL,
                                "%s: \"indices\": \"%s\": indices start at 1, not 0", where, text);
        if (hi < lo)
            return wf_error_set(err, WF_EINVAL,
                                "%s: \"indices\": \"%s\": the range %zu-%zu runs backwards", where,
                                text, lo, hi);
        if (tbl__add_range(r, lo, hi) < 0) return wf_error_set(err, WF_ENOMEM, "out of memory");
        if (*s == '\0') return 0;
        if (*s != ',')
            return wf_error_set(err, WF_EINVAL, "%s: \"indices\": \"%s\": unexpected \"%c\"", where,
                                text, *s);
        s++;
    }
}

/* "indices" is a string like "1-3,7", or an array of such strings and of
 * plain 1-based integers. */
static int tbl__parse_indices(tbl_rule *r, const json_t *v, const char *where, wf_error *err)
{
    if (json_is_string(v)) return tbl__parse_ranges(r, json_string_value(v), where, err);
    if (!json_is_array(v) || json_array_size(v) == 0)
        return wf_error_set(err, WF_EINVAL,
                            "%s: \"indices\" must be a string like \"1-3,7\" or an array of "
                            "indices",
                            where);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (json_is_string(e)) {
            int rc = tbl__parse_ranges(r, json_string_value(e), where, err);
            if (rc < 0) return rc;
        } else if (json_is_integer(e) && json_integer_value(e) >= 1 &&
                   json_integer_value(e) <= 999999999) {
            size_t x = (size_t)json_integer_value(e);
            if (tbl__add_range(r, x, x) < 0) return wf_error_set(err, WF_ENOMEM, "out of memory");
        } else {
            return wf_error_set(err, WF_EINVAL,
                                "%s: \"indices\"[%zu] must be a 1-based index or a range string",
                                where, i);
        }
    }
    return 0;
}

static int tbl__parse_names(tbl_rule *r, const json_t *v, const char *where, wf_error *err)
{
    /* One bare name is accepted as a list of one. */
    size_t n = json_is_string(v) ? 1 : json_array_size(v);
    if (!json_is_string(v) && !json_is_array(v))
        return wf_error_set(err, WF_EINVAL, "%s: \"names\" must be an array of column names",
                            where);
    r->names = wf_calloc(n, sizeof *r->names);
    if (r->names == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_is_string(v) ? v : json_array_get(v, i);
        if (!json_is_string(e))
            return wf_error_set(err, WF_EINVAL, "%s: \"names\"[%zu] must be a string", where, i);
        if ((r->names[i] = wf_strdup(json_string_value(e))) == NULL)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        r->nnames++;
    }
    return 0;
}

static const char *const tbl__rule_fields[] = {"names", "type", "role", "indices", "all"};
#define TBL__NFIELDS (sizeof tbl__rule_fields / sizeof tbl__rule_fields[0])

/* Parses one rule object. `where` names it in messages ("rule 2");
 * `with_op` says whether it carries an "op" (the {"rules": [...]} form). */
static int tbl__parse_rule(tbl_rule *r, const json_t *v, const char *where, bool with_op,
                           wf_error *err)
{
    if (!json_is_object(v))
        return wf_error_set(err, WF_EINVAL, "%s: a rule must be a JSON object", where);
    const char *field = NULL, *key;
    json_t *value;
    json_object_foreach((json_t *)v, key, value)
    {
        bool known = with_op && strcmp(key, "op") == 0;
        for (size_t i = 0; i < TBL__NFIELDS && !known; i++) {
            if (strcmp(key, tbl__rule_fields[i]) != 0) continue;
            known = true;
            if (field != NULL)
                return wf_error_set(err, WF_EINVAL,
                                    "%s: \"%s\" and \"%s\" cannot be in the same rule", where,
                                    field, key);
            field = key;
        }
        if (!known) return wf_error_set(err, WF_EINVAL, "%s: unknown field \"%s\"", where, key);
    }
    if (field == NULL)
        return wf_error_set(err, WF_EINVAL,
                            "%s: a rule needs one of \"names\", \"type\", \"role\", "
                            "\"indices\" or \"all\"",
                            where);
    if (with_op) {
        const char *op = json_string_value(json_object_get(v, "op"));
        if (op == NULL || (strcmp(op, "include") != 0 && strcmp(op, "exclude") != 0))
            return wf_error_set(err, WF_EINVAL, "%s: \"op\" must be \"include\" or \"exclude\"",
                                where);
        r->exclude = strcmp(op, "exclude") == 0;
    }
    const json_t *fv = json_object_get(v, field);
    const char *text = json_string_value(fv);
    if (strcmp(field, "names") == 0) {
        r->kind = TBL_RULE_NAMES;
        return tbl__parse_names(r, fv, where, err);
    }
    if (strcmp(field, "indices") == 0) {
        r->kind = TBL_RULE_INDICES;
        return tbl__parse_indices(r, fv, where, err);
    }
    if (strcmp(field, "all") == 0) {
        r->kind = TBL_RULE_ALL;
        if (!json_is_true(fv))
            return wf_error_set(err, WF_EINVAL, "%s: \"all\" must be true", where);
        return 0;
    }
    if (strcmp(field, "type") == 0) {
        r->kind = TBL_RULE_TYPE;
        if (text == NULL)
            return wf_error_set(err, WF_EINVAL, "%s: \"type\" must be a string", where);
        if (tbl_type_parse(text, &r->type) < 0)
            return wf_error_set(err, WF_EINVAL,
                                "%s: unknown type \"%s\" (numeric, integer, boolean, string, "
                                "categorical or datetime)",
                                where, text);
        /* Azure's "Numeric" means any number, integers included. */
        r->any_number = r->type == TBL_NUMERIC;
        return 0;
    }
    r->kind = TBL_RULE_ROLE;
    if (text == NULL) return wf_error_set(err, WF_EINVAL, "%s: \"role\" must be a string", where);
    if (tbl_role_parse(text, &r->role) < 0)
        return wf_error_set(err, WF_EINVAL,
                            "%s: unknown role \"%s\" (feature, label, weight, score or clear)",
                            where, text);
    return 0;
}

/* Parses rules[0..) from the array `list` into out, starting at out->nrules.
 * `label` prefixes each rule's position in messages. */
static int tbl__parse_rule_list(tbl_selection *out, const json_t *list, const char *key,
                                const char *label, bool exclude, bool with_op, wf_error *err)
{
    if (list == NULL) return 0;
    if (!json_is_array(list))
        return wf_error_set(err, WF_EINVAL, "\"%s\" must be an array of rules", key);
    for (size_t i = 0; i < json_array_size(list); i++) {
        char where[64];
        snprintf(where, sizeof where, "%srule %zu", label, i + 1);
        tbl_rule *r = &out->rules[out->nrules++];
        r->exclude = exclude;
        int rc = tbl__parse_rule(r, json_array_get(list, i), where, with_op, err);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Beyond table.h's forms, a rule may be {"all": true}, "names" may be one
 * bare string, and "indices" may be an array of 1-based integers and range
 * strings. Both forms take an optional "start" (default "none", except that
 * excludes with no includes start from all). Messages
 * say "rule N" in the "rules" form and "include rule N" / "exclude rule N"
 * in the other, and name the field. Unknown fields are errors, so a typo
 * never silently selects something else. */
int tbl_selection_from_json(const struct json_t *json, tbl_selection *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(json))
        return wf_error_set(err, WF_EINVAL, "a column selection must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)json, key, value)
    {
        if (strcmp(key, "start") != 0 && strcmp(key, "rules") != 0 && strcmp(key, "include") != 0 &&
            strcmp(key, "exclude") != 0)
            return wf_error_set(err, WF_EINVAL,
                                "unknown field \"%s\" in a column selection (start, rules, "
                                "include, exclude)",
                                key);
    }
    const json_t *start = json_object_get(json, "start");
    const json_t *rules = json_object_get(json, "rules");
    const json_t *include = json_object_get(json, "include");
    const json_t *exclude = json_object_get(json, "exclude");
    if (start != NULL) {
        const char *s = json_string_value(start);
        if (s == NULL || (strcmp(s, "all") != 0 && strcmp(s, "none") != 0))
            return wf_error_set(err, WF_EINVAL, "\"start\" must be \"all\" or \"none\"");
        out->start_all = strcmp(s, "all") == 0;
    }
    if (rules != NULL && (include != NULL || exclude != NULL))
        return wf_error_set(err, WF_EINVAL,
                            "a column selection has either \"rules\" or \"include\"/\"exclude\", "
                            "not both");
    size_t n = json_array_size(rules) + json_array_size(include) + json_array_size(exclude);
    out->rules = wf_calloc(n, sizeof *out->rules);
    if (out->rules == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    int rc;
    if (rules != NULL) {
        rc = tbl__parse_rule_list(out, rules, "rules", "", false, true, err);
    } else {
        /* Excludes alone mean "all but these", as a person writing them means. */
        if (start == NULL && json_array_size(include) == 0 && exclude != NULL)
            out->start_all = true;
        /* Includes first, then excludes: "these, but not those". */
        rc = tbl__parse_rule_list(out, include, "include", "include ", false, false, err);
        if (rc == 0)
            rc = tbl__parse_rule_list(out, exclude, "exclude", "exclude ", true, false, err);
    }
    if (rc < 0) tbl_selection_clear(out);
    return rc;
}

/* ---- resolving --------------------------------------------------------- */

static bool tbl__type_matches(const tbl_rule *r, tbl_type type)
{
    if (r->any_number && tbl__is_number(type)) return true;
    return type == r->type;
}

/* Marks in[] for the columns rule r matches (value: !r->exclude). */
static int tbl__apply_rule(const tbl_rule *r, size_t at, const tbl_table *t, bool *in,
                           wf_error *err)
{
    bool set = !r->exclude;
    const char *op = r->exclude ? "exclude" : "include";
    switch (r->kind) {
    case TBL_RULE_ALL:
        for (size_t j = 0; j < t->ncols; j++)
            in[j] = set;
        return 0;
    case TBL_RULE_NAMES:
        for (size_t k = 0; k < r->nnames; k++) {
            int j = tbl_find_column(t, r->names[k]);
            if (j < 0)
                return wf_error_set(err, WF_ENOTFOUND,
                                    "rule %zu (%s): column \"%s\" is not in the table", at, op,
                                    r->names[k]);
            in[j] = set;
        }
        return 0;
    case TBL_RULE_TYPE:
        for (size_t j = 0; j < t->ncols; j++)
            if (tbl__type_matches(r, t->cols[j].type)) in[j] = set;
        return 0;
    case TBL_RULE_ROLE:
        for (size_t j = 0; j < t->ncols; j++)
            if (t->cols[j].role == r->role) in[j] = set;
        return 0;
    case TBL_RULE_INDICES:
        for (size_t k = 0; k < r->nranges; k++) {
            size_t lo = r->ranges[2 * k], hi = r->ranges[2 * k + 1];
            if (lo == 0 || hi < lo)
                return wf_error_set(err, WF_EINVAL, "rule %zu (%s): bad index range %zu-%zu", at,
                                    op, lo, hi);
            if (hi > t->ncols) {
                size_t first_bad = lo > t->ncols ? lo : t->ncols + 1;
                if (lo == hi)
                    return wf_error_set(err, WF_EINVAL,
                                        "rule %zu (%s): column index %zu is out of range: the "
                                        "table has %zu columns",
                                        at, op, lo, t->ncols);
                return wf_error_set(err, WF_EINVAL,
                                    "rule %zu (%s): column indices %zu-%zu are out of range "
                                    "from %zu: the table has %zu columns",
                                    at, op, lo, hi, first_bad, t->ncols);
            }
            for (size_t j = lo - 1; j < hi; j++)
                in[j] = set;
        }
        return 0;
    }
    return wf_error_set(err, WF_EINVAL, "rule %zu: unknown rule kind %d", at, (int)r->kind);
}

/* Rules are numbered from 1 in messages, in the order they apply. */
int tbl_selection_resolve(const tbl_selection *s, const tbl_table *t, size_t **indices,
                          size_t *count, wf_error *err)
{
    *indices = NULL;
    *count = 0;
    bool *in = wf_calloc(t->ncols, sizeof *in);
    size_t *idx = wf_mallocarray(t->ncols, sizeof *idx);
    if (in == NULL || idx == NULL) {
        free(in);
        free(idx);
        return wf_error_set(err, WF_ENOMEM, "out of memory resolving a column selection");
    }
    for (size_t j = 0; j < t->ncols; j++)
        in[j] = s->start_all;
    for (size_t i = 0; i < s->nrules; i++) {
        int rc = tbl__apply_rule(&s->rules[i], i + 1, t, in, err);
        if (rc < 0) {
            free(in);
            free(idx);
            return rc;
        }
    }
    size_t n = 0;
    for (size_t j = 0; j < t->ncols; j++)
        if (in[j]) idx[n++] = j;
    free(in);
    *indices = idx;
    *count = n;
    return 0;
}

int tbl_select_columns(const tbl_table *t, const tbl_selection *s, tbl_table **out, wf_error *err)
{
    *out = NULL;
    size_t *idx, n;
    int rc = tbl_selection_resolve(s, t, &idx, &n, err);
    if (rc < 0) return rc;
    tbl_table *res = tbl_new();
    if (res == NULL) {
        free(idx);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    res->nrows = t->nrows;
    for (size_t i = 0; i < n && rc == 0; i++) {
        tbl_column c;
        rc = tbl_column_copy(&c, &t->cols[idx[i]], t->nrows, err);
        if (rc == 0) {
            rc = tbl_add_column(res, &c, t->nrows, err);
            if (rc < 0) tbl_column_clear(&c);
        }
    }
    free(idx);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}
