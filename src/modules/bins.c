/*
 * bins.c: Group Data into Bins (`group-data-into-bins@1`): puts the values
 * of numeric columns into bins (quantiles, bins of equal width, or edges
 * given by hand) and outputs, for each value, its bin: its index, a
 * percentage, its label or the mean of its bin, as the Azure designer's
 * module does (its "Equal Width with Custom Start and Stop" mode aside).
 * Fitting computes each column's bin edges, labels and means; applying
 * puts new values into the training bins.
 *
 * Bins are right-closed, as pandas.cut's: a value v is in bin i (1-based)
 * when edge[i-1] < v <= edge[i], the first bin also holds its lower edge,
 * and on new data the first and last bins stretch to minus and plus
 * infinity. So only the inner edges decide: bin = 1 + #(inner edges < v).
 */
#include "fitted.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BINS_QUANTILES, BINS_EQUAL_WIDTH, BINS_CUSTOM };
static const char *const bins_modes[] = {"quantiles", "equal-width", "custom-edges", NULL};
enum { BINS_OUT_INDEX, BINS_OUT_PERCENT, BINS_OUT_PQUANTILE, BINS_OUT_LABEL, BINS_OUT_MEAN };
static const char *const bins_outputs[] = {"quantile-index", "percent",  "p-quantile",
                                           "label",          "bin-mean", NULL};
enum { BINS_APPEND, BINS_INPLACE, BINS_RESULT_ONLY };
static const char *const bins_output_modes[] = {"append", "inplace", "result-only", NULL};

#define BINS_SUFFIX "_quantized"
#define BINS_MAX 100000

/* One column's fitted bins: k bins, k - 1 inner edges, k labels, k means
 * (NaN for a bin no training value fell in). k == 0: the column had no
 * value to fit, and every output is missing. */
typedef struct bins_fitted {
    size_t k;
    double *inner;
    char **labels;
    double *means;
} bins_fitted;

static void bins_fitted_clear(bins_fitted *b)
{
    for (size_t i = 0; b->labels != NULL && i < b->k; i++)
        free(b->labels[i]);
    free(b->labels);
    free(b->inner);
    free(b->means);
    memset(b, 0, sizeof *b);
}

/* The bin (1..k) of v, which is not NaN. */
static size_t bins_find(const bins_fitted *b, double v)
{
    size_t lo = 0, hi = b->k - 1; /* count of inner edges < v, in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->inner[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo + 1;
}

/* v as the shortest of %.15g and %.17g that reads back as v, as the CSV
 * writer prints numbers. */
static void bins_number_text(double v, char *buf, size_t cap)
{
    if (isinf(v)) {
        snprintf(buf, cap, "%s", v < 0 ? "-inf" : "inf");
        return;
    }
    snprintf(buf, cap, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, cap, "%.17g", v);
}

/* ---- fitting ------------------------------------------------------------ */

/* Parses the comma-separated edges: finite numbers, strictly increasing. */
static int bins_parse_edges(mod_ctx *ctx, double **edges, size_t *count)
{
    const char *f = "comma_separated_list_of_bin_edges";
    *edges = NULL;
    *count = 0;
    const char *text = mod_param_string(ctx, f);
    if (text == NULL || strspn(text, " \t,") == strlen(text))
        return mod_param_error(ctx, f, "give at least one edge, such as \"10, 20, 30\"");
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    double *e = wf_mallocarray(cap, sizeof *e);
    if (e == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    size_t n = 0;
    for (const char *p = text;;) {
        const char *end = strchr(p, ',');
        if (end == NULL) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (tbl_parse_double(a, (size_t)(b - a), &e[n]) < 0 || !isfinite(e[n])) {
            free(e);
            return mod_param_error(ctx, f, "edge %zu, \"%.*s\", is not a number", n + 1,
                                   (int)(b - a), a);
        }
        if (n > 0 && !(e[n] > e[n - 1])) {
            double prev = e[n - 1], cur = e[n];
            free(e);
            return mod_param_error(ctx, f,
                                   "edge %zu (%.17g) is not above edge %zu (%.17g): edges must "
                                   "increase",
                                   n + 1, cur, n, prev);
        }
        n++;
        if (*end == '\0') break;
        p = end + 1;
    }
    *edges = e;
    *count = n;
    return 0;
}

/* Fills b from the outer and inner edges edges[0..m): for quantiles and
 * equal widths, m >= 2 edges make m - 1 bins; with `open`, m edges make
 * m + 1 bins from minus to plus infinity. */
static int bins_from_edges(const double *edges, size_t m, bool open, bins_fitted *b)
{
    size_t k = open ? m + 1 : m - 1;
    b->k = k;
    b->inner = wf_calloc(k, sizeof *b->inner);
    b->labels = wf_calloc(k, sizeof *b->labels);
    b->means = wf_calloc(k, sizeof *b->means);
    if (b->inner == NULL || b->labels == NULL || b->means == NULL) return WF_ENOMEM;
    for (size_t i = 0; i + 1 < k; i++)
        b->inner[i] = open ? edges[i] : edges[i + 1];
    for (size_t i = 0; i < k; i++) {
        double lo = open ? (i == 0 ? -INFINITY : edges[i - 1]) : edges[i];
        double hi = open ? (i == m ? INFINITY : edges[i]) : edges[i + 1];
        char a[40], c[40];
        bins_number_text(lo, a, sizeof a);
        bins_number_text(hi, c, sizeof c);
        size_t len = strlen(a) + strlen(c) + 8;
        if ((b->labels[i] = malloc(len)) == NULL) return WF_ENOMEM;
        /* The first closed bin holds its lower edge, as pandas' include_lowest. */
        snprintf(b->labels[i], len, "%s%s, %s%s", !open && i == 0 ? "[" : "(", a, c,
                 open && i == m ? ")" : "]");
    }
    return 0;
}

/* The edges of `mode` over the sorted numbers s[0..n), n > 0, into
 * edges (malloc'd); *m is their count. */
static int bins_edges(size_t mode, int64_t nbins, const double *s, size_t n, double **edges,
                      size_t *m)
{
    size_t k = (size_t)nbins;
    double *e = wf_mallocarray(k + 1, sizeof *e);
    if (e == NULL) return WF_ENOMEM;
    if (mode == BINS_QUANTILES) {
        /* pandas.qcut: numpy.quantile at numpy.linspace(0, 1, k + 1), then
         * duplicate edges dropped (duplicates="drop"). */
        double step = 1.0 / (double)k;
        size_t u = 0;
        for (size_t i = 0; i <= k; i++) {
            double q = i == k ? 1.0 : (double)i * step;
            double v = mod__quantile_sorted(s, n, q);
            if (u == 0 || v != e[u - 1]) e[u++] = v;
        }
        *m = u;
    } else {
        /* pandas.cut with a bin count: numpy.linspace(min, max, k + 1), the
         * range first widened by 0.1% on each side for a constant column. */
        double lo = s[0], hi = s[n - 1];
        if (lo == hi) {
            double adj = lo != 0 ? 0.001 * fabs(lo) : 0.001;
            lo -= adj;
            hi += adj;
        }
        double step = (hi - lo) / (double)k;
        for (size_t i = 0; i < k; i++)
            e[i] = (double)i * step + lo;
        e[k] = hi;
        *m = k + 1;
    }
    *edges = e;
    return 0;
}

/* Fits the bins of column c. */
static int bins_fit_column(mod_ctx *ctx, size_t mode, int64_t nbins, const double *custom,
                           size_t ncustom, const tbl_column *c, size_t nrows, bins_fitted *b)
{
    memset(b, 0, sizeof *b);
    double *s = NULL, *edges = NULL;
    size_t n = 0, m = 0;
    int rc = mod__sorted_numbers(ctx, c, nrows, &s, &n);
    if (rc < 0) return rc;
    if (mode == BINS_CUSTOM) {
        rc = bins_from_edges(custom, ncustom, true, b);
    } else if (n > 0) {
        rc = bins_edges(mode, nbins, s, n, &edges, &m);
        /* A constant column gives one quantile edge: one bin holding it. */
        double one[2] = {m > 0 ? edges[0] : 0, m > 0 ? edges[0] : 0};
        if (rc == 0)
            rc = m >= 2 ? bins_from_edges(edges, m, false, b) : bins_from_edges(one, 2, false, b);
    }
    free(edges);
    if (rc == 0 && b->k > 0) {
        size_t *count = wf_calloc(b->k, sizeof *count);
        if (count == NULL) rc = WF_ENOMEM;
        for (size_t r = 0; rc == 0 && r < nrows; r++) {
            if (!mod__has_number(c, r)) continue;
            double v = mod__number_at(c, r);
            size_t i = bins_find(b, v) - 1;
            b->means[i] += v;
            count[i]++;
        }
        for (size_t i = 0; rc == 0 && i < b->k; i++)
            b->means[i] = count[i] > 0 ? b->means[i] / (double)count[i] : NAN;
        free(count);
    }
    free(s);
    if (rc < 0) {
        bins_fitted_clear(b);
        return mod_fail(ctx, WF_ENOMEM, "out of memory binning column \"%s\"", c->name);
    }
    return 0;
}

static json_t *bins_fitted_json(const bins_fitted *b)
{
    json_t *o = json_pack("{s:I, s:[], s:[], s:[]}", "bins", (json_int_t)b->k, "inner_edges",
                          "labels", "means");
    bool ok = o != NULL;
    for (size_t i = 0; ok && i < b->k; i++) {
        if (i + 1 < b->k)
            ok = json_array_append_new(json_object_get(o, "inner_edges"), json_real(b->inner[i])) ==
                 0;
        ok = ok &&
             json_array_append_new(json_object_get(o, "labels"), json_string(b->labels[i])) == 0;
        ok = ok &&
             json_array_append_new(json_object_get(o, "means"), mod__json_number(b->means[i])) == 0;
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int bins_fit(mod_ctx *ctx, const tbl_table *in, json_t **transform)
{
    const char *f = "columns_to_bin";
    size_t mode, output, output_mode;
    bool categorical;
    int64_t nbins = 0;
    double *custom = NULL;
    size_t ncustom = 0;
    int rc = mod__param_choice(ctx, "binning_mode", &mode);
    if (rc == 0) rc = mod__param_choice(ctx, "quantile_normalization", &output);
    if (rc == 0) rc = mod__param_choice(ctx, "output_mode", &output_mode);
    if (rc == 0) rc = mod_param_bool(ctx, "tag_columns_as_categorical", &categorical);
    if (rc == 0 && mode != BINS_CUSTOM) rc = mod_param_int(ctx, "number_of_bins", &nbins);
    if (rc == 0 && mode == BINS_CUSTOM) rc = bins_parse_edges(ctx, &custom, &ncustom);
    if (rc < 0) return rc;
    size_t *idx = NULL, n = 0;
    if (in == NULL) {
        tbl_selection sel;
        rc = mod_param_selection(ctx, f, &sel);
        tbl_selection_clear(&sel);
    } else {
        rc = mod__resolve_selection(ctx, f, in, &idx, &n);
    }
    for (size_t k = 0; k < n && rc == 0; k++) {
        const tbl_column *c = &in->cols[idx[k]];
        if (!mod__is_number_type(c->type))
            rc = mod__field_error(ctx, f, WF_ETYPE,
                                  "column \"%s\" is %s: only numeric and integer columns can be "
                                  "binned",
                                  c->name, tbl_type_name(c->type));
    }
    json_t *state = NULL;
    if (rc == 0 && in != NULL) {
        state = json_pack("{s:s, s:s, s:b, s:[]}", "output", bins_outputs[output], "output_mode",
                          bins_output_modes[output_mode], "categorical", categorical, "parameters");
        if (state == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n && rc == 0; k++) {
        bins_fitted b;
        rc = bins_fit_column(ctx, mode, nbins, custom, ncustom, &in->cols[idx[k]], in->nrows, &b);
        if (rc < 0) break;
        if (json_array_append_new(json_object_get(state, "parameters"), bins_fitted_json(&b)) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        if (rc == 0 && mode == BINS_QUANTILES && b.k < (size_t)nbins && !ctx->schema_only &&
            in->nrows > 0)
            mod_log(ctx, "column \"%s\": %zu bins, not %lld: equal quantiles were merged",
                    in->cols[idx[k]].name, b.k, (long long)nbins);
        bins_fitted_clear(&b);
        if (rc == 0 && mod_cancelled(ctx)) rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
    }
    free(custom);
    if (rc < 0 || in == NULL) {
        json_decref(state);
        free(idx);
        return rc;
    }
    *transform = mod__transform_new(ctx, &mod_group_data_into_bins, in, idx, n, state);
    free(idx);
    return *transform == NULL ? ctx->err.code : 0;
}

/* ---- applying ----------------------------------------------------------- */

/* Reads a damaged-safe bins_fitted from a state entry. */
static int bins_read(mod_ctx *ctx, const json_t *entry, bins_fitted *b)
{
    memset(b, 0, sizeof *b);
    const json_t *k = json_object_get(entry, "bins");
    const json_t *inner = json_object_get(entry, "inner_edges");
    const json_t *labels = json_object_get(entry, "labels");
    const json_t *means = json_object_get(entry, "means");
    json_int_t nk = json_integer_value(k);
    bool ok = json_is_integer(k) && nk >= 0 && nk <= 100000000 && json_is_array(inner) &&
              json_is_array(labels) && json_is_array(means) &&
              json_array_size(inner) == (nk > 0 ? (size_t)nk - 1 : 0) &&
              json_array_size(labels) == (size_t)nk && json_array_size(means) == (size_t)nk;
    if (ok && nk > 0) {
        b->k = (size_t)nk;
        b->inner = wf_calloc(b->k, sizeof *b->inner);
        b->labels = wf_calloc(b->k, sizeof *b->labels);
        b->means = wf_calloc(b->k, sizeof *b->means);
        if (b->inner == NULL || b->labels == NULL || b->means == NULL) {
            bins_fitted_clear(b);
            return mod_fail(ctx, WF_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; ok && i < b->k; i++) {
        const json_t *e = json_array_get(inner, i), *mean = json_array_get(means, i);
        if (i + 1 < b->k) {
            ok = json_is_number(e) && isfinite(json_number_value(e));
            if (ok) b->inner[i] = json_number_value(e);
            ok = ok && (i == 0 || b->inner[i] > b->inner[i - 1]);
        }
        const char *label = json_string_value(json_array_get(labels, i));
        ok = ok && label != NULL && (json_is_number(mean) || json_is_null(mean));
        if (ok) {
            b->means[i] = json_is_null(mean) ? NAN : json_number_value(mean);
            ok = (b->labels[i] = wf_strdup(label)) != NULL;
        }
    }
    if (!ok) {
        bins_fitted_clear(b);
        return mod_fail(ctx, WF_EINVAL,
                        "the group-data-into-bins@1 transform is damaged: a column's \"bins\", "
                        "\"inner_edges\" (increasing numbers), \"labels\" or \"means\" do not "
                        "agree");
    }
    return 0;
}

/* The value of bin i (1..k) for `output` as text, for categorical levels
 * and string columns; false when it has none (an empty bin's mean). */
static bool bins_value_text(const bins_fitted *b, size_t output, size_t i, char *buf, size_t cap)
{
    switch (output) {
    case BINS_OUT_INDEX:
        snprintf(buf, cap, "%zu", i);
        return true;
    case BINS_OUT_PERCENT:
        bins_number_text(100.0 * (double)i / (double)b->k, buf, cap);
        return true;
    case BINS_OUT_PQUANTILE:
        bins_number_text((double)i / (double)b->k, buf, cap);
        return true;
    case BINS_OUT_LABEL:
        snprintf(buf, cap, "%s", b->labels[i - 1]);
        return true;
    default:
        if (isnan(b->means[i - 1])) return false;
        bins_number_text(b->means[i - 1], buf, cap);
        return true;
    }
}

/* The bin values of src into dst, a new column named `name`: integer bin
 * indices, numbers (percent, p-quantile, bin mean), label text, or, when
 * categorical, levels holding those values in bin order. */
static int bins_column(mod_ctx *ctx, const bins_fitted *b, size_t output, bool categorical,
                       const tbl_column *src, size_t n, const char *name, tbl_column *dst)
{
    tbl_type type = categorical                ? TBL_CATEGORICAL
                    : output == BINS_OUT_LABEL ? TBL_STRING
                    : output == BINS_OUT_INDEX ? TBL_INTEGER
                                               : TBL_NUMERIC;
    wf_error err = {0};
    if (tbl_column_init(dst, name, type, n, &err) < 0) return mod_fail_with(ctx, &err);
    int32_t *code = NULL;
    tbl_dict d;
    memset(&d, 0, sizeof d);
    tbl_strings_builder sb;
    memset(&sb, 0, sizeof sb);
    int rc = 0;
    if (type == TBL_CATEGORICAL) {
        /* code[i]: the level of bin i + 1, or -1 when it has no value. */
        code = wf_calloc(b->k ? b->k : 1, sizeof *code);
        if (code == NULL) rc = WF_ENOMEM;
        for (size_t i = 0; rc == 0 && i < b->k; i++) {
            char text[64];
            const char *s = text;
            if (output == BINS_OUT_LABEL)
                s = b->labels[i];
            else if (!bins_value_text(b, output, i + 1, text, sizeof text))
                s = NULL;
            code[i] = s == NULL ? -1 : tbl_dict_intern(&d, s, strlen(s));
            if (s != NULL && code[i] < 0) rc = WF_ENOMEM;
        }
        if (rc == 0) {
            tbl_strings_clear(&dst->levels);
            rc = tbl_dict_finish(&d, &dst->levels);
        } else {
            tbl_dict_free(&d);
        }
    }
    for (size_t r = 0; rc == 0 && r < n; r++) {
        size_t bin = b->k > 0 && mod__has_number(src, r) ? bins_find(b, mod__number_at(src, r)) : 0;
        double v = NAN;
        if (bin > 0 && output == BINS_OUT_MEAN) v = b->means[bin - 1];
        if (bin > 0 && output == BINS_OUT_PERCENT) v = 100.0 * (double)bin / (double)b->k;
        if (bin > 0 && output == BINS_OUT_PQUANTILE) v = (double)bin / (double)b->k;
        bool missing = bin == 0 || (output == BINS_OUT_MEAN && isnan(v));
        if (type == TBL_STRING) {
            const char *s = missing ? "" : b->labels[bin - 1];
            tbl_strings_append(&sb, s, strlen(s));
        }
        if (missing) {
            if (tbl_set_missing(dst, r, n) < 0) rc = WF_ENOMEM;
            continue;
        }
        if (type == TBL_CATEGORICAL)
            dst->v.codes[r] = code[bin - 1];
        else if (type == TBL_INTEGER)
            dst->v.i64[r] = (int64_t)bin;
        else if (type == TBL_NUMERIC)
            dst->v.f64[r] = v;
    }
    if (rc == 0 && type == TBL_STRING) {
        tbl_strings_clear(&dst->str);
        rc = tbl_strings_finish(&sb, &dst->str);
    } else {
        tbl_strings_builder_free(&sb);
    }
    free(code);
    return rc < 0 ? mod_fail(ctx, WF_ENOMEM, "out of memory binning column \"%s\"", src->name) : 0;
}

/* The index of s among choices; SIZE_MAX when it is not one. */
static size_t bins_choice_of(const char *const *choices, const char *s)
{
    for (size_t i = 0; s != NULL && choices[i] != NULL; i++)
        if (strcmp(choices[i], s) == 0) return i;
    return SIZE_MAX;
}

static int bins_apply(mod_ctx *ctx, const json_t *transform, const tbl_table *in, tbl_table **out)
{
    *out = NULL;
    const mod_descriptor *m = &mod_group_data_into_bins;
    mod__bound b;
    int rc = mod__transform_bind(ctx, m, transform, in, &b);
    if (rc < 0) return rc;
    bool categorical = false;
    size_t output =
        bins_choice_of(bins_outputs, json_string_value(json_object_get(b.state, "output")));
    size_t omode = bins_choice_of(bins_output_modes,
                                  json_string_value(json_object_get(b.state, "output_mode")));
    if (output == SIZE_MAX || omode == SIZE_MAX)
        rc = mod_fail(ctx, WF_EINVAL,
                      "the group-data-into-bins@1 transform is damaged: \"output\" or "
                      "\"output_mode\" is not one of the choices");
    if (rc == 0) rc = mod__state_bool(ctx, m, b.state, "categorical", &categorical);
    const json_t *list = rc == 0 ? mod__state_list(ctx, m, b.state, "parameters", b.n) : NULL;
    if (rc == 0 && list == NULL) rc = ctx->err.code;
    const tbl_table *t = rc == 0 ? b.t : NULL;
    tbl_column *binned = rc == 0 ? wf_calloc(b.n ? b.n : 1, sizeof *binned) : NULL;
    if (rc == 0 && binned == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < b.n; k++) {
        const tbl_column *src = &t->cols[b.idx[k]];
        bins_fitted fit;
        if (!mod__is_number_type(src->type)) {
            rc = mod_fail(ctx, WF_ETYPE, "column \"%s\" is %s: only numbers can be binned",
                          src->name, tbl_type_name(src->type));
            break;
        }
        if ((rc = bins_read(ctx, json_array_get(list, k), &fit)) < 0) break;
        char *name = NULL;
        if (omode == BINS_APPEND) {
            size_t len = strlen(src->name) + sizeof BINS_SUFFIX;
            if ((name = malloc(len)) != NULL) snprintf(name, len, "%s%s", src->name, BINS_SUFFIX);
        }
        if (omode == BINS_APPEND && name == NULL)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        else
            rc = bins_column(ctx, &fit, output, categorical, src, t->nrows,
                             name != NULL ? name : src->name, &binned[k]);
        binned[k].role = omode == BINS_APPEND ? TBL_ROLE_FEATURE : src->role;
        free(name);
        bins_fitted_clear(&fit);
    }
    tbl_table *res = rc == 0 ? mod__empty_like(ctx, t) : NULL;
    if (rc == 0 && res == NULL) rc = ctx->err.code;
    /* Inplace: each binned column where its input column was; append: the
     * input, then the binned columns; result-only: the binned columns. */
    for (size_t j = 0; rc == 0 && omode != BINS_RESULT_ONLY && j < t->ncols; j++) {
        size_t k = b.n;
        for (size_t q = 0; omode == BINS_INPLACE && q < b.n; q++)
            if (b.idx[q] == j && binned[q].name != NULL) k = q;
        if (k < b.n)
            rc = mod__add_column_unique(ctx, res, &binned[k]);
        else
            rc = mod__copy_column(ctx, res, t, j);
    }
    for (size_t k = 0; rc == 0 && omode != BINS_INPLACE && k < b.n; k++)
        if (binned[k].name != NULL) rc = mod__add_column_unique(ctx, res, &binned[k]);
    for (size_t k = 0; binned != NULL && k < b.n; k++)
        tbl_column_clear(&binned[k]);
    free(binned);
    mod__bound_clear(&b);
    if (rc < 0) {
        tbl_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int bins_run(mod_ctx *ctx)
{
    return mod__fit_and_apply(ctx, "dataset", "quantized_dataset", "binning_transformation",
                              bins_fit);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port bins_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table whose numeric columns to bin."},
};

static const mod_port bins_out[] = {
    {.name = "quantized_dataset", .kind = MOD_TABLE, .help = "The table with the bin values."},
    {.name = "binning_transformation",
     .kind = MOD_TRANSFORM,
     .help = "The fitted bins (edges, labels, means), for Apply Transformation."},
};

static const mod_param bins_params[] = {
    {.name = "binning_mode",
     .label = "Binning mode",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"quantiles\"",
     .choices = bins_modes,
     .help = "`quantiles` (bins of equal counts), `equal-width` (bins of equal width between "
             "the minimum and the maximum) or `custom-edges`."},
    {.name = "columns_to_bin",
     .label = "Columns to bin",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .required = true,
     .input = "dataset",
     .help = "The numeric and integer columns to bin."},
    {.name = "output_mode",
     .label = "Output mode",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"append\"",
     .choices = bins_output_modes,
     .help = "`append` adds `<name>_quantized` columns, `inplace` replaces the columns, "
             "`result-only` outputs the binned columns alone."},
    {.name = "tag_columns_as_categorical",
     .label = "Tag columns as categorical",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .help = "Make the binned columns categorical, with one level per bin in bin order."},
    {.name = "number_of_bins",
     .label = "Specify number of bins",
     .type = MOD_PARAM_INT,
     .default_json = "10",
     .has_min = true,
     .min = 1,
     .has_max = true,
     .max = BINS_MAX,
     .visible_when = "binning_mode=quantiles|equal-width",
     .help = "How many bins. Quantile edges that coincide merge, giving fewer bins."},
    {.name = "quantile_normalization",
     .label = "Quantile normalization",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"quantile-index\"",
     .choices = bins_outputs,
     .help = "What a value becomes: its bin's index from 1 (`quantile-index`), `percent` "
             "(100 i / bins), `p-quantile` (i / bins), the bin's `label` such as `(2.5, 7]`, or "
             "the training mean of its bin (`bin-mean`)."},
    {.name = "comma_separated_list_of_bin_edges",
     .label = "Comma-separated list of bin edges",
     .type = MOD_PARAM_STRING,
     .required = true,
     .visible_when = "binning_mode=custom-edges",
     .help = "Increasing numbers, such as `10, 20, 30`: n edges make n + 1 bins, from minus "
             "infinity to the first edge up to the last edge to plus infinity."},
};

const mod_descriptor mod_group_data_into_bins = {
    .name = "group-data-into-bins",
    .version = 1,
    .display_name = "Group Data into Bins",
    .category = "Data Transformation",
    .help = "Puts the values of numeric columns into bins (quantization) and replaces each value "
            "by its bin: its index, a percentage, its label or its bin's mean. The bins are "
            "computed on this input and kept in the `binning_transformation` output, so that Apply "
            "Transformation puts new values into the training bins.\n"
            "\n"
            "## Bins\n"
            "\n"
            "Bins are right-closed, as pandas.cut's: value v is in bin i when `edge[i-1] < v <= "
            "edge[i]`; the first bin also holds its lower edge. On new data, the first and last "
            "bins stretch to minus and plus infinity.\n"
            "\n"
            "- **quantiles**: the edges are pandas.qcut's: numpy.quantile (linear interpolation) "
            "at 0, 1/n, ..., 1; edges that coincide merge (pandas' `duplicates=\"drop\"`), so a "
            "column with few distinct values gets fewer bins (the log says so).\n"
            "- **equal-width**: n bins of width (max - min) / n, the edges of pandas.cut with a "
            "bin count (numpy.linspace). A constant column's range is first widened by 0.1% on "
            "each side, as pandas does.\n"
            "- **custom-edges**: the given edges `e1 < ... < em` make m + 1 bins: `(-inf, e1]`, "
            "`(e1, e2]`, ..., `(em, inf)`.\n"
            "\n"
            "Azure's \"Equal Width with Custom Start and Stop\" mode is not available; "
            "custom-edges covers it.\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Binning mode** (`binning_mode`, default `quantiles`).\n"
            "- **Columns to bin** (`columns_to_bin`, required): numeric and integer columns; "
            "another type is an error naming the column.\n"
            "- **Output mode** (`output_mode`, default `append`): `append` adds a "
            "`<name>_quantized` column per binned column after all others; `inplace` replaces the "
            "columns; `result-only` outputs only the binned columns, under their own names.\n"
            "- **Tag columns as categorical** (`tag_columns_as_categorical`, default true): the "
            "binned columns are categorical, with the bins' values as levels in bin order. Off, "
            "indices are integers, percentages and means numbers, labels text.\n"
            "- **Specify number of bins** (`number_of_bins`, default 10, quantiles and "
            "equal-width).\n"
            "- **Quantile normalization** (`quantile_normalization`, default `quantile-index`): "
            "`quantile-index` (1 to the number of bins), `percent` (100 i / bins), `p-quantile` "
            "(i / bins), `label` (the bin as an interval, such as `[0.5, 2]` for the first and "
            "`(2, 7.25]` after) or `bin-mean` (the mean of the training values in the bin; "
            "missing for a bin none fell in). weft offers it in every mode and adds `label` and "
            "`bin-mean` to Azure's three.\n"
            "- **Comma-separated list of bin edges** (`comma_separated_list_of_bin_edges`, "
            "custom-edges): increasing numbers.\n"
            "\n"
            "## Missing values and roles\n"
            "\n"
            "Missing values (and NaN) are skipped when fitting and stay missing. A column with no "
            "value at all has no bins: its output is missing. In place and result-only columns "
            "keep their roles; appended columns are features.\n"
            "\n"
            "## Outputs\n"
            "\n"
            "- **quantized_dataset**: the binned table.\n"
            "- **binning_transformation**: the fitted bins (docs/formats.md, \"Fitted "
            "transforms\").\n"
            "\n"
            "## Example\n"
            "\n"
            "Quartiles of `price`, as labels, in place:\n"
            "\n"
            "```json\n"
            "{\"binning_mode\": \"quantiles\", \"number_of_bins\": 4,\n"
            " \"quantile_normalization\": \"label\", \"output_mode\": \"inplace\",\n"
            " \"columns_to_bin\": {\"include\": [{\"names\": [\"price\"]}]}}\n"
            "```\n",
    MOD_PORTS(inputs, bins_in),
    MOD_PORTS(outputs, bins_out),
    MOD_PARAMS(bins_params),
    .configure = bins_run,
    .run = bins_run,
    .apply = bins_apply,
};
