/*
 * profile.c: column statistics for the dataset preview and the profile page
 * (count, missing, unique, mode; min, max, mean, median, standard deviation,
 * quartiles and a histogram for numbers; top categories for text).
 *
 * Conventions, chosen to agree with pandas' describe():
 * - missing values (and NaN, which pandas treats as missing) are left out of
 *   every statistic;
 * - the standard deviation is the sample one (divides by n - 1), and is NaN
 *   for fewer than two values;
 * - quantiles interpolate linearly between order statistics: the p-quantile
 *   of sorted x[0..n) is x[k] + f * (x[k+1] - x[k]) with k + f = p * (n - 1)
 *   (Hyndman and Fan's definition 7, numpy's default);
 * - the histogram has TBL_PROFILE_BINS equal-width bins from min to max,
 *   each [lo, hi) but the last closed, as numpy.histogram does.
 * Ties (the mode, the order of top categories) go to the value seen first in
 * row order, so a profile depends only on the table.
 */
#include "ops_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void tbl_profile_free(tbl_profile *p)
{
    if (p == NULL) return;
    for (size_t j = 0; j < p->ncols; j++) {
        tbl_column_profile *cp = &p->columns[j];
        free(cp->name);
        free(cp->mode);
        free(cp->bins);
        for (size_t k = 0; k < cp->ntop; k++)
            free(cp->top[k].value);
        free(cp->top);
    }
    free(p->columns);
    free(p);
}

/* ---- numbers, booleans and datetimes ----------------------------------- */

typedef struct tbl__point {
    double x;  /* the value, for statistics */
    int64_t i; /* the exact value of integers, datetimes and booleans */
    size_t row;
} tbl__point;

/* The sort key of a point: an unsigned integer whose order is the value's
 * order. For doubles, flip every bit of negatives and the sign bit of
 * positives (IEEE 754 then orders like unsigned integers); -0 keys as +0,
 * since they are equal. For integers, flip the sign bit. */
static uint64_t tbl__point_key(const tbl__point *p, bool is_double)
{
    if (!is_double) return (uint64_t)p->i ^ (1ull << 63);
    double x = p->x == 0 ? 0.0 : p->x;
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u ^ (1ull << 63);
}

/* Sorts points by value with a least-significant-digit radix sort on their
 * keys, 16 bits a pass. LSD radix sort is stable, and points arrive in row
 * order, so equal values run together with their first row first, as the
 * mode's tie rule needs. Passes whose digit is the same for every point are
 * skipped. This is several times faster than qsort with a comparator on
 * the million-row columns profiles see at import. */
static int tbl__sort_points(tbl__point *pts, size_t n, bool is_double)
{
    if (n < 2) return 0;
    tbl__point *tmp = wf_mallocarray(n, sizeof *tmp);
    size_t *count = wf_calloc(65536, sizeof *count);
    if (tmp == NULL || count == NULL) {
        free(tmp);
        free(count);
        return WF_ENOMEM;
    }
    tbl__point *src = pts, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(tbl__point_key(&src[i], is_double) >> shift) & 0xffff]++;
        if (count[(tbl__point_key(&src[0], is_double) >> shift) & 0xffff] == n) continue;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(tbl__point_key(&src[i], is_double) >> shift) & 0xffff]++] = src[i];
        tbl__point *t = src;
        src = dst;
        dst = t;
    }
    if (src != pts) memcpy(pts, src, n * sizeof *pts);
    free(tmp);
    free(count);
    return 0;
}

static double tbl__quantile(const tbl__point *pts, size_t n, double p)
{
    double pos = p * (double)(n - 1);
    size_t k = (size_t)pos;
    double f = pos - (double)k;
    if (k + 1 >= n) return pts[n - 1].x;
    return pts[k].x + f * (pts[k + 1].x - pts[k].x);
}

static int tbl__histogram(tbl_column_profile *cp, const tbl__point *pts, size_t n)
{
    double lo = cp->min, hi = cp->max;
    /* No sensible equal-width bins over an infinite range. */
    if (n == 0 || !isfinite(hi - lo)) return 0;
    size_t nbins = lo == hi ? 1 : TBL_PROFILE_BINS;
    cp->bins = wf_calloc(nbins, sizeof *cp->bins);
    if (cp->bins == NULL) return WF_ENOMEM;
    cp->nbins = nbins;
    double width = (hi - lo) / (double)nbins;
    for (size_t k = 0; k < nbins; k++) {
        cp->bins[k].lo = lo + (double)k * width;
        cp->bins[k].hi = k + 1 == nbins ? hi : lo + (double)(k + 1) * width;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = width > 0 ? (size_t)((pts[i].x - lo) / width) : 0;
        if (k >= nbins) k = nbins - 1; /* the maximum, in the closed last bin */
        /* Rounding in the division can land a value one bin off its edges;
         * the edges, as reported, decide. */
        while (k > 0 && pts[i].x < cp->bins[k].lo)
            k--;
        while (k + 1 < nbins && pts[i].x >= cp->bins[k + 1].lo)
            k++;
        cp->bins[k].count++;
    }
    return 0;
}

/* Top categories of a boolean column: false and true, most frequent first. */
static int tbl__boolean_top(tbl_column_profile *cp, const tbl__point *pts, size_t n)
{
    size_t count[2] = {0, 0}, first[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t i = 0; i < n; i++) {
        int b = pts[i].i != 0;
        count[b]++;
        if (pts[i].row < first[b]) first[b] = pts[i].row;
    }
    int order[2] = {0, 1};
    if (count[1] > count[0] || (count[1] == count[0] && first[1] < first[0])) {
        order[0] = 1;
        order[1] = 0;
    }
    cp->top = wf_calloc(2, sizeof *cp->top);
    if (cp->top == NULL) return WF_ENOMEM;
    for (int k = 0; k < 2; k++) {
        if (count[order[k]] == 0) continue;
        cp->top[cp->ntop].value = wf_strdup(order[k] ? "true" : "false");
        if (cp->top[cp->ntop].value == NULL) return WF_ENOMEM;
        cp->top[cp->ntop++].count = count[order[k]];
    }
    return 0;
}

static int tbl__profile_values(tbl_column_profile *cp, const tbl_column *c, size_t nrows)
{
    cp->has_stats = true;
    cp->min = cp->max = cp->mean = cp->median = cp->stddev = cp->q1 = cp->q3 = NAN;
    tbl__point *pts = wf_mallocarray(nrows, sizeof *pts);
    if (pts == NULL) return WF_ENOMEM;
    size_t n = 0;
    for (size_t r = 0; r < nrows; r++) {
        if (tbl__cell_missing(c, r)) continue;
        tbl__point p = {0, 0, r};
        if (c->type == TBL_NUMERIC) {
            if (isnan(c->v.f64[r])) continue;
            p.x = c->v.f64[r];
        } else {
            p.i = c->type == TBL_BOOLEAN ? c->v.b8[r] != 0 : c->v.i64[r];
            p.x = (double)p.i;
        }
        pts[n++] = p;
    }
    cp->missing = nrows - n;
    /* Integers sort by their exact value, so distinct values above 2^53
     * stay distinct. */
    if (tbl__sort_points(pts, n, c->type == TBL_NUMERIC) < 0) {
        free(pts);
        return WF_ENOMEM;
    }

    size_t mode_at = 0, mode_count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && (c->type == TBL_NUMERIC ? pts[j].x == pts[i].x : pts[j].i == pts[i].i))
            j++;
        cp->unique++;
        if (j - i > mode_count || (j - i == mode_count && pts[i].row < pts[mode_at].row)) {
            mode_at = i;
            mode_count = j - i;
        }
        i = j;
    }
    int rc = 0;
    if (n > 0) {
        char buf[64];
        tbl_format_cell(c, pts[mode_at].row, buf, sizeof buf);
        cp->mode_count = mode_count;
        if ((cp->mode = wf_strdup(buf)) == NULL) rc = WF_ENOMEM;

        cp->min = pts[0].x;
        cp->max = pts[n - 1].x;
        /* Two passes: the mean, then squared deviations from it, which
         * loses far less than sum(x^2) - n * mean^2. */
        double sum = 0, ss = 0;
        for (size_t i = 0; i < n; i++)
            sum += pts[i].x;
        cp->mean = sum / (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (pts[i].x - cp->mean) * (pts[i].x - cp->mean);
        if (n > 1) cp->stddev = sqrt(ss / (double)(n - 1));
        cp->median = tbl__quantile(pts, n, 0.5);
        cp->q1 = tbl__quantile(pts, n, 0.25);
        cp->q3 = tbl__quantile(pts, n, 0.75);
    }
    if (rc == 0) rc = tbl__histogram(cp, pts, n);
    if (rc == 0 && c->type == TBL_BOOLEAN) rc = tbl__boolean_top(cp, pts, n);
    free(pts);
    return rc;
}

/* ---- strings and categoricals ------------------------------------------ */

typedef struct tbl__tally {
    const tbl_strings *levels;
    const size_t *count, *first;
} tbl__tally;

/* Most frequent first; equal counts by first appearance. */
static int tbl__cmp_tally(const void *ctx, size_t a, size_t b)
{
    const tbl__tally *t = ctx;
    if (t->count[a] != t->count[b]) return t->count[a] > t->count[b] ? -1 : 1;
    return (t->first[a] > t->first[b]) - (t->first[a] < t->first[b]);
}

static int tbl__profile_text(tbl_column_profile *cp, const tbl_column *c, size_t nrows)
{
    /* Values are interned afresh, for strings and categoricals alike: that
     * counts a categorical's unused levels as absent and merges levels that
     * spell the same string. */
    tbl_dict dict = {0};
    tbl_strings levels = {0};
    int32_t *code = wf_mallocarray(nrows, sizeof *code);
    size_t *count = NULL, *first = NULL, *order = NULL;
    int rc = WF_ENOMEM;
    if (code == NULL) goto done;
    for (size_t r = 0; r < nrows; r++) {
        code[r] = -1;
        if (tbl__cell_missing(c, r)) {
            cp->missing++;
            continue;
        }
        size_t len;
        const char *s = tbl__cell_text(c, r, &len);
        code[r] = tbl_dict_intern(&dict, s, len);
    }
    if (tbl_dict_finish(&dict, &levels) < 0) goto done;
    size_t m = levels.count;
    count = wf_calloc(m, sizeof *count);
    first = wf_mallocarray(m, sizeof *first);
    order = wf_mallocarray(m, sizeof *order);
    if (count == NULL || first == NULL || order == NULL) goto done;
    for (size_t r = nrows; r-- > 0;) {
        if (code[r] < 0) continue;
        count[code[r]]++;
        first[code[r]] = r;
    }
    for (size_t k = 0; k < m; k++)
        order[k] = k;
    tbl__tally tally = {&levels, count, first};
    if (tbl__sort_indices(order, m, tbl__cmp_tally, &tally) < 0) goto done;
    cp->unique = m;
    size_t ntop = m < TBL_PROFILE_TOP ? m : TBL_PROFILE_TOP;
    cp->top = wf_calloc(ntop, sizeof *cp->top);
    if (cp->top == NULL) goto done;
    for (size_t k = 0; k < ntop; k++) {
        size_t len;
        const char *s = tbl_strings_at(&levels, order[k], &len);
        if ((cp->top[k].value = wf_strndup(s, len)) == NULL) goto done;
        cp->top[k].count = count[order[k]];
        cp->ntop++;
    }
    if (m > 0) {
        size_t len;
        const char *s = tbl_strings_at(&levels, order[0], &len);
        if ((cp->mode = wf_strndup(s, len)) == NULL) goto done;
        cp->mode_count = count[order[0]];
    }
    rc = 0;
done:
    tbl_dict_free(&dict);
    tbl_strings_clear(&levels);
    free(code);
    free(count);
    free(first);
    free(order);
    return rc;
}

/* ---- the table --------------------------------------------------------- */

/* Conventions are in the comment at the top of this file. Booleans get
 * statistics (as 0/1), a histogram and top values; datetimes' statistics
 * are in microseconds since the epoch. */
int tbl_profile_table(const tbl_table *t, tbl_profile **out, wf_error *err)
{
    *out = NULL;
    tbl_profile *p = calloc(1, sizeof *p);
    if (p == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory profiling the table");
    p->nrows = t->nrows;
    p->columns = wf_calloc(t->ncols, sizeof *p->columns);
    if (p->columns == NULL) {
        free(p);
        return wf_error_set(err, WF_ENOMEM, "out of memory profiling the table");
    }
    for (size_t j = 0; j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        tbl_column_profile *cp = &p->columns[j];
        p->ncols = j + 1; /* so that tbl_profile_free frees this one too */
        cp->type = c->type;
        cp->role = c->role;
        cp->count = t->nrows;
        cp->min = cp->max = cp->mean = cp->median = cp->stddev = cp->q1 = cp->q3 = NAN;
        int rc = (cp->name = wf_strdup(c->name)) == NULL ? WF_ENOMEM : 0;
        if (rc == 0)
            rc = tbl__is_text(c->type) ? tbl__profile_text(cp, c, t->nrows)
                                       : tbl__profile_values(cp, c, t->nrows);
        if (rc < 0) {
            tbl_profile_free(p);
            return wf_error_set(err, WF_ENOMEM, "out of memory profiling column \"%s\"", c->name);
        }
    }
    *out = p;
    return 0;
}

/* ---- JSON -------------------------------------------------------------- */

/* A JSON string of s. jansson refuses invalid UTF-8, and table text may be
 * any bytes, so bad bytes become U+FFFD rather than failing the profile. */
static json_t *tbl__json_text(const char *s)
{
    size_t len = strlen(s), bad;
    if (wf_utf8_valid(s, len, &bad)) return json_stringn(s, len);
    wf_buf b = {0};
    while (!wf_utf8_valid(s, len, &bad)) {
        wf_buf_append(&b, s, bad);
        wf_buf_puts(&b, "\xEF\xBF\xBD");
        s += bad + 1;
        len -= bad + 1;
    }
    wf_buf_append(&b, s, len);
    json_t *j = b.failed || b.data == NULL ? NULL : json_stringn(b.data, b.len);
    wf_buf_free(&b);
    return j;
}

/* JSON has no NaN or infinity: those become null. */
static json_t *tbl__json_real(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *tbl__json_size(size_t n)
{
    return json_integer((json_int_t)n);
}

/* Each set steals the value's reference (and drops it on failure, NULL
 * included), so a chain of sets needs one check. */
static int tbl__set(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v);
}

static json_t *tbl__column_json(const tbl_column_profile *cp)
{
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = 0;
    bad |= tbl__set(o, "name", tbl__json_text(cp->name));
    bad |= tbl__set(o, "type", json_string(tbl_type_name(cp->type)));
    bad |= tbl__set(o, "role", json_string(tbl_role_name(cp->role)));
    bad |= tbl__set(o, "count", tbl__json_size(cp->count));
    bad |= tbl__set(o, "missing", tbl__json_size(cp->missing));
    bad |= tbl__set(o, "unique", tbl__json_size(cp->unique));
    bad |= tbl__set(o, "mode", cp->mode ? tbl__json_text(cp->mode) : json_null());
    bad |= tbl__set(o, "mode_count", tbl__json_size(cp->mode_count));
    if (cp->has_stats) {
        bad |= tbl__set(o, "min", tbl__json_real(cp->min));
        bad |= tbl__set(o, "max", tbl__json_real(cp->max));
        bad |= tbl__set(o, "mean", tbl__json_real(cp->mean));
        bad |= tbl__set(o, "median", tbl__json_real(cp->median));
        bad |= tbl__set(o, "std", tbl__json_real(cp->stddev));
        bad |= tbl__set(o, "q1", tbl__json_real(cp->q1));
        bad |= tbl__set(o, "q3", tbl__json_real(cp->q3));
        json_t *h = json_array();
        for (size_t k = 0; h != NULL && k < cp->nbins; k++) {
            json_t *bin = json_object();
            if (bin == NULL) {
                bad = -1;
                break;
            }
            bad |= tbl__set(bin, "lo", tbl__json_real(cp->bins[k].lo));
            bad |= tbl__set(bin, "hi", tbl__json_real(cp->bins[k].hi));
            bad |= tbl__set(bin, "count", tbl__json_size(cp->bins[k].count));
            bad |= json_array_append_new(h, bin);
        }
        bad |= tbl__set(o, "histogram", h);
    }
    if (tbl__is_text(cp->type) || cp->type == TBL_BOOLEAN) {
        json_t *top = json_array();
        for (size_t k = 0; top != NULL && k < cp->ntop; k++) {
            json_t *item = json_object();
            if (item == NULL) {
                bad = -1;
                break;
            }
            bad |= tbl__set(item, "value", tbl__json_text(cp->top[k].value));
            bad |= tbl__set(item, "count", tbl__json_size(cp->top[k].count));
            bad |= json_array_append_new(top, item);
        }
        bad |= tbl__set(o, "top", top);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tbl_profile_to_json(const tbl_profile *p)
{
    json_t *o = json_object();
    json_t *cols = json_array();
    if (o == NULL || cols == NULL) {
        json_decref(o);
        json_decref(cols);
        return NULL;
    }
    int bad = 0;
    bad |= tbl__set(o, "nrows", tbl__json_size(p->nrows));
    bad |= tbl__set(o, "ncols", tbl__json_size(p->ncols));
    for (size_t j = 0; j < p->ncols && !bad; j++)
        bad |= json_array_append_new(cols, tbl__column_json(&p->columns[j]));
    bad |= tbl__set(o, "columns", cols);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
