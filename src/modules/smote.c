/*
 * smote.c: `smote@1`, the Azure designer's SMOTE.
 *
 * SMOTE, the Synthetic Minority Over-sampling TEchnique: N. V. Chawla, K. W.
 * Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic Minority
 * Over-sampling Technique", Journal of Artificial Intelligence Research 16
 * (2002), 321-357. For each sample x of the minority class, find its k
 * nearest neighbours within the minority class; each synthetic sample is
 *
 *     x + gap * (neighbour - x),   gap uniform in [0, 1),
 *
 * for a neighbour drawn uniformly from the k: a random point on the segment
 * between the sample and its neighbour. (The paper's pseudo-code draws a
 * gap per attribute, but its text, and common implementations such as
 * imbalanced-learn, draw one per sample, keeping the point on the segment;
 * weft follows the text.) With N percent, each minority sample makes
 * floor(N / 100) synthetic samples, and (N mod 100) percent of them, chosen
 * at random, make one more: N = 100 doubles the minority class.
 *
 * Numeric, integer and boolean columns are the feature space: distances are
 * Euclidean over them, unscaled, as in the paper. Integers and booleans are
 * interpolated and then rounded to the nearest whole value (booleans to
 * true or false). Other columns (string, categorical, date-time) are
 * nominal: a synthetic sample takes the value held by most of the k
 * neighbours (the nearest one wins a tie), as SMOTE-NC assigns nominal
 * values (the paper's section 6.1), though they take no part in distances.
 */
#include "modules_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The minority rows and their feature space. */
typedef struct smote_data {
    size_t *rows; /* the minority rows of the input, in table order */
    size_t n;
    size_t *num; /* indices of the numeric feature columns */
    size_t nnum;
    size_t *nominal; /* indices of the other non-label columns */
    size_t nnominal;
    double *x;  /* n * nnum values, row-major */
    size_t *nn; /* n * k neighbours (positions in rows[]), nearest first */
    size_t k;
} smote_data;

static void smote_data_free(smote_data *d)
{
    free(d->rows);
    free(d->num);
    free(d->nominal);
    free(d->x);
    free(d->nn);
    memset(d, 0, sizeof *d);
}

static bool smote_is_number(tbl_type type)
{
    return type == TBL_NUMERIC || type == TBL_INTEGER || type == TBL_BOOLEAN;
}

/* ---- the minority class ------------------------------------------------- */

/* Finds the least frequent class of the label (ties: the first seen); rows
 * with a missing label belong to no class. Fills d->rows. */
static int smote_minority(mod_ctx *ctx, const tbl_table *in, size_t label, smote_data *d)
{
    size_t *group_of = NULL, *first_row = NULL, ngroups = 0;
    wf_error err = {0};
    if (tbl_group_by(in, &label, 1, &group_of, &first_row, &ngroups, &err) < 0)
        return mod_fail_with(ctx, &err);
    size_t *count = wf_calloc(ngroups, sizeof *count);
    int rc = 0;
    if (count == NULL) {
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory counting classes");
        goto done;
    }
    const tbl_column *c = &in->cols[label];
    for (size_t r = 0; r < in->nrows; r++)
        count[group_of[r]]++;
    size_t classes = 0, best = SIZE_MAX;
    for (size_t g = 0; g < ngroups; g++) {
        if (tbl_is_missing(c, first_row[g])) continue;
        classes++;
        if (best == SIZE_MAX || count[g] < count[best]) best = g;
    }
    if (classes < 2) {
        rc = mod_param_error(ctx, "label_column",
                             "\"%s\" has %zu class%s: SMOTE needs a minority class and another",
                             c->name, classes, classes == 1 ? "" : "es");
        goto done;
    }
    d->rows = wf_mallocarray(count[best], sizeof *d->rows);
    if (d->rows == NULL) {
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < in->nrows; r++)
        if (group_of[r] == best) d->rows[d->n++] = r;
    char value[128];
    tbl_format_cell(c, first_row[best], value, sizeof value);
    mod_log(ctx, "minority class: \"%s\" = %s, %zu of %zu rows", c->name, value, d->n, in->nrows);
done:
    free(count);
    free(group_of);
    free(first_row);
    return rc;
}

/* ---- the feature space --------------------------------------------------- */

/* Splits the columns other than the label into numeric and nominal ones,
 * and copies the minority rows' numbers into d->x. A missing number (or
 * NaN) in a minority row has no place in the space: an error naming it. */
static int smote_features(mod_ctx *ctx, const tbl_table *in, size_t label, smote_data *d)
{
    d->num = wf_mallocarray(in->ncols, sizeof *d->num);
    d->nominal = wf_mallocarray(in->ncols, sizeof *d->nominal);
    if (d->num == NULL || d->nominal == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t j = 0; j < in->ncols; j++) {
        if (j == label) continue;
        if (smote_is_number(in->cols[j].type))
            d->num[d->nnum++] = j;
        else
            d->nominal[d->nnominal++] = j;
    }
    if (d->nnum == 0)
        return mod_param_error(ctx, "label_column",
                               "SMOTE needs at least one numeric, integer or boolean column "
                               "besides the label");
    if ((d->x = wf_mallocarray(d->n * d->nnum, sizeof *d->x)) == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t f = 0; f < d->nnum; f++) {
        const tbl_column *c = &in->cols[d->num[f]];
        for (size_t i = 0; i < d->n; i++) {
            size_t r = d->rows[i];
            double v = c->type == TBL_NUMERIC   ? c->v.f64[r]
                       : c->type == TBL_INTEGER ? (double)c->v.i64[r]
                                                : (double)c->v.b8[r];
            if (tbl_is_missing(c, r) || isnan(v))
                return mod_fail(ctx, WF_EINVAL,
                                "column \"%s\", row %zu: a minority row has a missing value; "
                                "clean missing data before SMOTE",
                                c->name, r + 1);
            d->x[i * d->nnum + f] = v;
        }
    }
    return 0;
}

/* ---- nearest neighbours ------------------------------------------------- */

static double smote_distance2(const smote_data *d, size_t a, size_t b)
{
    const double *p = d->x + a * d->nnum, *q = d->x + b * d->nnum;
    double s = 0;
    for (size_t f = 0; f < d->nnum; f++) {
        double t = p[f] - q[f];
        s += t * t;
    }
    return s;
}

/* The k nearest minority neighbours of every minority sample, by brute
 * force: O(n^2) distances, each sample keeping its best k by insertion
 * (distance, then position, so ties go to the earlier row). */
static int smote_neighbours(mod_ctx *ctx, smote_data *d)
{
    size_t k = d->k;
    d->nn = wf_mallocarray(d->n * k, sizeof *d->nn);
    double *best = wf_mallocarray(k, sizeof *best);
    if (d->nn == NULL || best == NULL) {
        free(best);
        return mod_fail(ctx, WF_ENOMEM, "out of memory finding neighbours of %zu rows", d->n);
    }
    for (size_t i = 0; i < d->n; i++) {
        if (i % 256 == 0 && mod_cancelled(ctx)) {
            free(best);
            return mod_fail(ctx, WF_ECANCELED, "cancelled");
        }
        size_t *nn = d->nn + i * k, have = 0;
        for (size_t j = 0; j < d->n; j++) {
            if (j == i) continue;
            double dist = smote_distance2(d, i, j);
            if (have == k && !(dist < best[k - 1])) continue;
            size_t at = have < k ? have++ : k - 1;
            while (at > 0 && dist < best[at - 1]) {
                best[at] = best[at - 1];
                nn[at] = nn[at - 1];
                at--;
            }
            best[at] = dist;
            nn[at] = j;
        }
        mod_progress(ctx, 0.8 * (double)(i + 1) / (double)d->n);
    }
    free(best);
    return 0;
}

/* ---- synthesis ---------------------------------------------------------- */

/* How many synthetic samples each minority sample makes (count[i]); their
 * total is returned. */
static size_t smote_counts(size_t n, int64_t percent, wf_rng *rng, size_t *count)
{
    size_t each = (size_t)(percent / 100);
    size_t extra = (size_t)floor((double)n * (double)(percent % 100) / 100.0 + 0.5);
    size_t *order = wf_mallocarray(n, sizeof *order);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        count[i] = each;
        if (order != NULL) order[i] = i;
    }
    if (order == NULL) return SIZE_MAX;
    /* A partial Fisher-Yates shuffle picks the samples that make one more. */
    for (size_t i = 0; i < extra && i < n; i++) {
        size_t j = i + (size_t)wf_rng_below(rng, (uint64_t)(n - i));
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
        count[order[i]]++;
    }
    free(order);
    for (size_t i = 0; i < n; i++)
        total += count[i];
    return total;
}

/* Sets the nominal column c (a gathered copy, one row per synthetic sample)
 * from the source column src: synthetic sample s takes the value of
 * src row from[s]. */
static int smote_set_nominal(tbl_column *c, const tbl_column *src, const size_t *from, size_t m)
{
    for (size_t s = 0; s < m; s++) {
        bool missing = tbl_is_missing(src, from[s]);
        if (missing && tbl_set_missing(c, s, m) < 0) return WF_ENOMEM;
        if (!missing && c->missing != NULL) c->missing[s] = 0;
        if (c->type == TBL_CATEGORICAL) c->v.codes[s] = src->v.codes[from[s]];
        if (c->type == TBL_DATETIME) c->v.i64[s] = src->v.i64[from[s]];
    }
    if (c->type == TBL_STRING) {
        tbl_strings_builder b = {0};
        for (size_t s = 0; s < m; s++) {
            size_t len;
            const char *text = tbl_strings_at(&src->str, from[s], &len);
            tbl_strings_append(&b, text, len);
        }
        tbl_strings_clear(&c->str);
        if (tbl_strings_finish(&b, &c->str) < 0) return WF_ENOMEM;
    }
    tbl_compact_missing(c, m);
    return 0;
}

/* Whether rows a and b of a nominal column hold the same value (missing
 * equals missing). */
static bool smote_same(const tbl_column *c, size_t a, size_t b)
{
    bool ma = tbl_is_missing(c, a), mb = tbl_is_missing(c, b);
    if (ma || mb) return ma == mb;
    switch (c->type) {
    case TBL_STRING: {
        size_t la, lb;
        const char *sa = tbl_strings_at(&c->str, a, &la), *sb = tbl_strings_at(&c->str, b, &lb);
        return la == lb && memcmp(sa, sb, la) == 0;
    }
    case TBL_CATEGORICAL:
        return c->v.codes[a] == c->v.codes[b];
    default:
        return c->v.i64[a] == c->v.i64[b];
    }
}

/* The nominal value of a synthetic sample of minority sample i: the row (of
 * the input) holding the value most of i's neighbours hold; the nearest
 * neighbour's value wins a tie. */
static size_t smote_vote(const tbl_column *c, const smote_data *d, size_t i)
{
    const size_t *nn = d->nn + i * d->k;
    size_t best = d->rows[nn[0]], best_votes = 0;
    for (size_t a = 0; a < d->k; a++) {
        size_t ra = d->rows[nn[a]], votes = 0;
        for (size_t b = 0; b < d->k; b++)
            votes += smote_same(c, ra, d->rows[nn[b]]);
        if (votes > best_votes) {
            best_votes = votes;
            best = ra;
        }
    }
    return best;
}

/* Builds the m synthetic rows: a copy of their samples' rows (which gives the
 * label, roles and dictionaries), with interpolated numbers and voted
 * nominal values. */
static int smote_synthesize(mod_ctx *ctx, const tbl_table *in, const smote_data *d,
                            const size_t *count, size_t m, wf_rng *rng, tbl_table **out)
{
    size_t *sample = wf_mallocarray(m, sizeof *sample); /* position in d->rows */
    size_t *row = wf_mallocarray(m, sizeof *row);       /* the sample's input row */
    size_t *voted = wf_mallocarray(m, sizeof *voted);
    double *gap = wf_mallocarray(m, sizeof *gap);
    size_t *partner = wf_mallocarray(m, sizeof *partner);
    int rc = 0;
    tbl_table *t = NULL;
    wf_error err = {0};
    if (sample == NULL || row == NULL || voted == NULL || gap == NULL || partner == NULL) {
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory making %zu rows", m);
        goto done;
    }
    /* Random draws in one fixed order: sample by sample, a neighbour then
     * a gap for each synthetic row. */
    size_t s = 0;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t c = 0; c < count[i]; c++, s++) {
            sample[s] = i;
            row[s] = d->rows[i];
            partner[s] = d->nn[i * d->k + (size_t)wf_rng_below(rng, (uint64_t)d->k)];
            gap[s] = wf_rng_uniform(rng);
        }
    }
    if ((rc = tbl_take(in, row, m, &t, &err)) < 0) {
        rc = mod_fail_with(ctx, &err);
        goto done;
    }
    for (size_t f = 0; f < d->nnum; f++) {
        tbl_column *c = &t->cols[d->num[f]];
        for (size_t q = 0; q < m; q++) {
            double a = d->x[sample[q] * d->nnum + f], b = d->x[partner[q] * d->nnum + f];
            double v = a + gap[q] * (b - a);
            if (c->type == TBL_NUMERIC)
                c->v.f64[q] = v;
            else if (c->type == TBL_INTEGER)
                c->v.i64[q] = (int64_t)llround(v);
            else
                c->v.b8[q] = v >= 0.5;
        }
    }
    for (size_t f = 0; f < d->nnominal; f++) {
        const tbl_column *src = &in->cols[d->nominal[f]];
        for (size_t q = 0; q < m; q++)
            voted[q] =
                q > 0 && sample[q] == sample[q - 1] ? voted[q - 1] : smote_vote(src, d, sample[q]);
        if (smote_set_nominal(&t->cols[d->nominal[f]], src, voted, m) < 0) {
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory setting \"%s\"", src->name);
            goto done;
        }
    }
done:
    if (rc < 0) {
        tbl_free(t);
        t = NULL;
    }
    *out = t;
    free(sample);
    free(row);
    free(voted);
    free(gap);
    free(partner);
    return rc;
}

/* ---- run and configure -------------------------------------------------- */

static int smote_params(mod_ctx *ctx, const tbl_table *in, size_t *label, int64_t *percent,
                        int64_t *k, int64_t *seed)
{
    int rc = mod_param_int(ctx, "smote_percentage", percent);
    if (rc == 0) rc = mod_param_int(ctx, "number_of_nearest_neighbors", k);
    if (rc == 0) rc = mod_param_int(ctx, "random_seed", seed);
    if (rc == 0 && in != NULL) rc = mod__column_param(ctx, "label_column", in, label);
    if (rc == 0 && in == NULL && mod_param_string(ctx, "label_column") == NULL)
        rc = mod_param_error(ctx, "label_column", "choose the label column");
    return rc;
}

static int smote_configure(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "samples");
    size_t label;
    int64_t percent, k, seed;
    int rc = smote_params(ctx, in, &label, &percent, &k, &seed);
    if (rc == 0) rc = mod__output_schema(ctx, "table", in);
    return rc;
}

static int smote_run(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "samples");
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "input \"samples\" is missing");
    size_t label;
    int64_t percent, k, seed;
    int rc = smote_params(ctx, in, &label, &percent, &k, &seed);
    if (rc < 0) return rc;
    smote_data d = {.k = (size_t)k};
    size_t *count = NULL;
    tbl_table *synth = NULL, *out = NULL;
    wf_error err = {0};
    if ((rc = smote_minority(ctx, in, label, &d)) < 0) goto done;
    if (d.n <= d.k) {
        rc = mod_param_error(ctx, "number_of_nearest_neighbors",
                             "the minority class has %zu row%s, too few for %zu neighbour%s: "
                             "it needs at least %zu",
                             d.n, d.n == 1 ? "" : "s", d.k, d.k == 1 ? "" : "s", d.k + 1);
        goto done;
    }
    if ((rc = smote_features(ctx, in, label, &d)) < 0) goto done;
    if (percent == 0) {
        mod_log(ctx, "smote_percentage is 0: the output is the input");
        if (tbl_clone(in, &out, &err) < 0) rc = mod_fail_with(ctx, &err);
        goto done;
    }
    if ((rc = smote_neighbours(ctx, &d)) < 0) goto done;
    wf_rng rng = {.state = (uint64_t)seed};
    count = wf_calloc(d.n, sizeof *count);
    size_t m = count != NULL ? smote_counts(d.n, percent, &rng, count) : SIZE_MAX;
    if (m == SIZE_MAX) {
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = smote_synthesize(ctx, in, &d, count, m, &rng, &synth)) < 0) goto done;
    if (tbl_concat_rows(in, synth, &out, &err) < 0) rc = mod_fail_with(ctx, &err);
    if (rc == 0)
        mod_log(ctx, "%zu synthetic rows from %zu minority rows and %zu neighbours each", m, d.n,
                d.k);
done:
    free(count);
    tbl_free(synth);
    smote_data_free(&d);
    if (rc < 0) {
        tbl_free(out);
        return rc;
    }
    return mod_output_table(ctx, "table", out);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port smote_in[] = {
    {.name = "samples", .kind = MOD_TABLE, .help = "The imbalanced table."},
};

static const mod_port smote_out[] = {
    {.name = "table",
     .kind = MOD_TABLE,
     .help = "The input's rows, then the synthetic minority rows."},
};

static const mod_param smote_params_spec[] = {
    {.name = "label_column",
     .label = "Label column",
     .type = MOD_PARAM_COLUMN,
     .required = true,
     .input = "samples",
     .help = "The column of classes; its least frequent class is oversampled."},
    {.name = "smote_percentage",
     .label = "SMOTE percentage",
     .type = MOD_PARAM_INT,
     .default_json = "100",
     .has_min = true,
     .min = 0,
     .help = "How many synthetic rows to make, in percent of the minority rows: 100 doubles "
             "the minority class, 200 triples it, 0 changes nothing."},
    {.name = "number_of_nearest_neighbors",
     .label = "Number of nearest neighbors",
     .type = MOD_PARAM_INT,
     .default_json = "1",
     .has_min = true,
     .min = 1,
     .help = "k: each synthetic row lies between a minority row and one of its k nearest "
             "minority neighbours."},
    {.name = "random_seed",
     .label = "Random seed",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .help = "The seed of the random draws: the same seed gives the same rows."},
};

const mod_descriptor mod_smote = {
    .name = "smote",
    .version = 1,
    .display_name = "SMOTE",
    .category = "Data Transformation",
    .help = "Oversamples the minority class of an imbalanced table with synthetic rows "
            "(SMOTE: Chawla, Bowyer, Hall and Kegelmeyer, JAIR 16, 2002).\n"
            "\n"
            "The minority class is the least frequent value of `label_column` (the first "
            "seen on a tie; rows with a missing label are in no class). For each minority "
            "row, SMOTE finds its `number_of_nearest_neighbors` nearest minority rows "
            "(Euclidean distance over the numeric, integer and boolean columns, unscaled), "
            "and makes synthetic rows at random points on the segments between the row and "
            "its neighbours. The majority rows are unchanged.\n"
            "\n"
            "## Details\n"
            "\n"
            "- With `smote_percentage` N, each minority row makes N / 100 synthetic rows "
            "(rounded down), and N mod 100 percent of the minority rows, chosen at random, "
            "make one more. Azure asks for multiples of 100; weft takes any whole N.\n"
            "- Integer and boolean columns are interpolated, then rounded to a whole value "
            "(a boolean to true from 0.5).\n"
            "- String, categorical and date-time columns take no part in distances: a "
            "synthetic row takes the value most of the row's neighbours hold (the nearest "
            "wins a tie), as SMOTE-NC does.\n"
            "- A minority row with a missing number is an error (clean missing data "
            "first), as is a minority class with no more rows than "
            "`number_of_nearest_neighbors`, or a label with fewer than two classes.\n"
            "- More than two classes are allowed: only the least frequent is oversampled.\n"
            "- The output is the input's rows, then the synthetic rows. A seed of 0 is a "
            "seed like any other (Azure takes 0 to mean a seed from the clock).\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Label column** (`label_column`): required.\n"
            "- **SMOTE percentage** (`smote_percentage`, default 100).\n"
            "- **Number of nearest neighbors** (`number_of_nearest_neighbors`, default 1).\n"
            "- **Random seed** (`random_seed`, default 0).\n"
            "\n"
            "## Example\n"
            "\n"
            "Triple the donors (class 1) of a blood donation table from 178 to 534 rows:\n"
            "\n"
            "```json\n"
            "{\"label_column\": \"Class\", \"smote_percentage\": 200,\n"
            " \"number_of_nearest_neighbors\": 5, \"random_seed\": 1}\n"
            "```\n",
    MOD_PORTS(inputs, smote_in),
    MOD_PORTS(outputs, smote_out),
    MOD_PARAMS(smote_params_spec),
    .configure = smote_configure,
    .run = smote_run,
};
