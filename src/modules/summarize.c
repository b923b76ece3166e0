/*
 * summarize.c: `summarize-data@1`, the Azure designer's Summarize Data. One
 * output row per input column, with the statistics the Azure designer lists,
 * under its names.
 *
 * Conventions (chosen to agree with pandas and numpy, which the tests check):
 * - missing values and NaN are left out of every statistic but Missing Value
 *   Count (which counts both); Count is the number of values present;
 * - quantiles interpolate linearly between order statistics: the p-quantile
 *   of sorted x[0..n) is x[k] + f (x[k+1] - x[k]) with k + f = p (n - 1)
 *   (Hyndman and Fan's definition 7, numpy's and pandas' default), through
 *   fitted.h's mod__quantile_sorted, which rounds as numpy does;
 * - variance and standard deviation divide by n - 1; skewness and kurtosis
 *   are the sample-adjusted G1 and excess G2 (Joanes and Gill, "Comparing
 *   measures of sample skewness and kurtosis", The Statistician 47, 1998),
 *   which pandas' skew and kurt compute: 0 when every value is equal, none
 *   for fewer than 3 (skewness) or 4 (kurtosis) values;
 * - Mean Deviation is the mean absolute deviation from the mean;
 * - Mode is the most frequent value, the smallest one on a tie (as
 *   scipy.stats.mode and pandas' mode()[0]);
 * - booleans count as 1 and 0 (so Min is a logical AND and Max an OR, as
 *   Azure says); date-time, string and categorical columns get the three
 *   counts only, and none for the other statistics, as in Azure.
 */
#include "fitted.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The output's columns, in Azure's order. */
enum {
    SUM_FEATURE,
    SUM_COUNT,
    SUM_UNIQUE,
    SUM_MISSING,
    SUM_MIN,
    SUM_MAX,
    SUM_MEAN,
    SUM_MEAN_DEVIATION,
    SUM_Q1,
    SUM_MEDIAN,
    SUM_Q3,
    SUM_MODE,
    SUM_RANGE,
    SUM_VARIANCE,
    SUM_STDDEV,
    SUM_SKEWNESS,
    SUM_KURTOSIS,
    SUM_P0_5,
    SUM_P1,
    SUM_P5,
    SUM_P95,
    SUM_P99_5,
    SUM_NCOLS
};

static const char *const sum_names[SUM_NCOLS] = {
    "Feature",
    "Count",
    "Unique Value Count",
    "Missing Value Count",
    "Min",
    "Max",
    "Mean",
    "Mean Deviation",
    "1st Quartile",
    "Median",
    "3rd Quartile",
    "Mode",
    "Range",
    "Sample Variance",
    "Sample Standard Deviation",
    "Sample Skewness",
    "Sample Kurtosis",
    "P0.5",
    "P1",
    "P5",
    "P95",
    "P99.5",
};

/* The statistics of one column: counts, and the numbers (NaN = none). */
typedef struct sum_row {
    size_t count, unique, missing;
    double x[SUM_NCOLS]; /* indexed by SUM_MIN .. SUM_P99_5 */
} sum_row;

static int sum_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The statistics of sorted values x[0..n) (n > 0). */
static void sum_numbers(const double *x, size_t n, sum_row *row)
{
    double *s = row->x;
    double dn = (double)n;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += x[i];
    double mean = total / dn;
    /* Central moments in a second pass, which keeps them accurate when the
     * mean is large next to the spread. */
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean, d2 = d * d;
        m1 += fabs(d);
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    s[SUM_MIN] = x[0];
    s[SUM_MAX] = x[n - 1];
    s[SUM_MEAN] = mean;
    s[SUM_MEAN_DEVIATION] = m1 / dn;
    s[SUM_Q1] = mod__quantile_sorted(x, n, 0.25);
    s[SUM_MEDIAN] = mod__quantile_sorted(x, n, 0.5);
    s[SUM_Q3] = mod__quantile_sorted(x, n, 0.75);
    s[SUM_RANGE] = x[n - 1] - x[0];
    s[SUM_VARIANCE] = n > 1 ? m2 / (dn - 1) : NAN;
    s[SUM_STDDEV] = sqrt(s[SUM_VARIANCE]);
    if (n >= 3)
        s[SUM_SKEWNESS] =
            m2 == 0 ? 0 : sqrt(dn * (dn - 1)) / (dn - 2) * (m3 / dn) / pow(m2 / dn, 1.5);
    if (n >= 4) {
        double g2 = m2 == 0 ? 0 : dn * m4 / (m2 * m2) - 3; /* (m4/n) / (m2/n)^2 - 3 */
        s[SUM_KURTOSIS] = m2 == 0 ? 0 : (dn - 1) / ((dn - 2) * (dn - 3)) * ((dn + 1) * g2 + 6);
    }
    s[SUM_P0_5] = mod__quantile_sorted(x, n, 0.005);
    s[SUM_P1] = mod__quantile_sorted(x, n, 0.01);
    s[SUM_P5] = mod__quantile_sorted(x, n, 0.05);
    s[SUM_P95] = mod__quantile_sorted(x, n, 0.95);
    s[SUM_P99_5] = mod__quantile_sorted(x, n, 0.995);
    /* Runs of equal values: the unique count, and the longest run is the
     * mode (strictly longer, so the smallest value wins a tie). */
    size_t best = 0;
    row->unique = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && x[j] == x[i])
            j++;
        row->unique++;
        if (j - i > best) {
            best = j - i;
            s[SUM_MODE] = x[i];
        }
        i = j;
    }
}

/* The value of a numeric, integer or boolean cell as a double; false when
 * it is missing or NaN. */
static bool sum_value(const tbl_column *c, size_t r, double *x)
{
    if (tbl_is_missing(c, r)) return false;
    switch (c->type) {
    case TBL_NUMERIC:
        *x = c->v.f64[r];
        return !isnan(*x);
    case TBL_INTEGER:
        *x = (double)c->v.i64[r];
        return true;
    case TBL_BOOLEAN:
        *x = c->v.b8[r] ? 1.0 : 0.0;
        return true;
    default:
        return false;
    }
}

/* The counts of a date-time, string or categorical column: its values are
 * grouped as keys, so equal text is one value whatever its column type. */
static int sum_counts_only(mod_ctx *ctx, const tbl_table *in, size_t col, sum_row *row)
{
    size_t *group_of = NULL, *first_row = NULL, ngroups = 0;
    wf_error err = {0};
    if (tbl_group_by(in, &col, 1, &group_of, &first_row, &ngroups, &err) < 0)
        return mod_fail_with(ctx, &err);
    const tbl_column *c = &in->cols[col];
    bool missing_group = false;
    for (size_t g = 0; g < ngroups; g++) {
        size_t r = first_row[g];
        /* A categorical code outside its levels is missing too. */
        bool missing = tbl_is_missing(c, r) ||
                       (c->type == TBL_CATEGORICAL &&
                        (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count));
        missing_group = missing_group || missing;
    }
    row->missing = 0;
    for (size_t r = 0; r < in->nrows; r++)
        row->missing += tbl_is_missing(c, r) ||
                        (c->type == TBL_CATEGORICAL &&
                         (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count));
    row->unique = ngroups - (missing_group ? 1 : 0);
    row->count = in->nrows - row->missing;
    free(group_of);
    free(first_row);
    return 0;
}

static int sum_column(mod_ctx *ctx, const tbl_table *in, size_t col, double *buf, sum_row *row)
{
    for (size_t k = 0; k < SUM_NCOLS; k++)
        row->x[k] = NAN;
    const tbl_column *c = &in->cols[col];
    if (c->type != TBL_NUMERIC && c->type != TBL_INTEGER && c->type != TBL_BOOLEAN)
        return sum_counts_only(ctx, in, col, row);
    size_t n = 0;
    for (size_t r = 0; r < in->nrows; r++)
        if (sum_value(c, r, &buf[n])) n++;
    row->count = n;
    row->missing = in->nrows - n;
    row->unique = 0;
    if (n == 0) return 0;
    qsort(buf, n, sizeof *buf, sum_compare);
    sum_numbers(buf, n, row);
    return 0;
}

/* ---- the output table ---------------------------------------------------- */

/* An empty summary: the output's columns with `nrows` rows, every number
 * missing until set. */
static int sum_table(mod_ctx *ctx, size_t nrows, tbl_table **out)
{
    wf_error err = {0};
    tbl_table *t = tbl_new();
    if (t == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t k = 0; k < SUM_NCOLS; k++) {
        tbl_type type = k == SUM_FEATURE   ? TBL_STRING
                        : k <= SUM_MISSING ? TBL_INTEGER
                                           : TBL_NUMERIC;
        tbl_column c;
        int rc = tbl_column_init(&c, sum_names[k], type, nrows, &err);
        if (rc == 0 && (rc = tbl_add_column(t, &c, nrows, &err)) < 0) tbl_column_clear(&c);
        if (rc < 0) {
            tbl_free(t);
            return mod_fail_with(ctx, &err);
        }
    }
    *out = t;
    return 0;
}

/* Fills the numbers of output row i (the Feature column is set apart). */
static int sum_store(tbl_table *t, size_t i, const sum_row *row)
{
    t->cols[SUM_COUNT].v.i64[i] = (int64_t)row->count;
    t->cols[SUM_UNIQUE].v.i64[i] = (int64_t)row->unique;
    t->cols[SUM_MISSING].v.i64[i] = (int64_t)row->missing;
    for (size_t k = SUM_MIN; k < SUM_NCOLS; k++) {
        double x = row->x[k];
        t->cols[k].v.f64[i] = isnan(x) ? 0 : x;
        if (isnan(x) && tbl_set_missing(&t->cols[k], i, t->nrows) < 0) return WF_ENOMEM;
    }
    return 0;
}

/* Sets the Feature column to the input's column names. */
static int sum_names_column(mod_ctx *ctx, tbl_table *t, const tbl_table *in)
{
    tbl_strings_builder b = {0};
    for (size_t j = 0; j < in->ncols; j++)
        tbl_strings_append(&b, in->cols[j].name, strlen(in->cols[j].name));
    tbl_strings_clear(&t->cols[SUM_FEATURE].str);
    if (tbl_strings_finish(&b, &t->cols[SUM_FEATURE].str) < 0)
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    return 0;
}

static int sum_configure(mod_ctx *ctx)
{
    tbl_table *t = NULL;
    int rc = sum_table(ctx, 0, &t);
    return rc < 0 ? rc : mod_output_table(ctx, "result_dataset", t);
}

static int sum_run(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    tbl_table *t = NULL;
    int rc = sum_table(ctx, in->ncols, &t);
    if (rc < 0) return rc;
    double *buf = wf_mallocarray(in->nrows, sizeof *buf);
    if (buf == NULL) {
        tbl_free(t);
        return mod_fail(ctx, WF_ENOMEM, "out of memory summarizing %zu rows", in->nrows);
    }
    rc = sum_names_column(ctx, t, in);
    for (size_t j = 0; rc == 0 && j < in->ncols; j++) {
        if (mod_cancelled(ctx)) {
            rc = mod_fail(ctx, WF_ECANCELED, "cancelled");
            break;
        }
        sum_row row = {0};
        rc = sum_column(ctx, in, j, buf, &row);
        if (rc == 0 && sum_store(t, j, &row) < 0)
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory summarizing \"%s\"", in->cols[j].name);
        mod_progress(ctx, (double)(j + 1) / (double)in->ncols);
    }
    free(buf);
    if (rc < 0) {
        tbl_free(t);
        return rc;
    }
    mod_log(ctx, "summarized %zu columns of %zu rows", in->ncols, in->nrows);
    return mod_output_table(ctx, "result_dataset", t);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port sum_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table to describe."},
};

static const mod_port sum_out[] = {
    {.name = "result_dataset",
     .kind = MOD_TABLE,
     .help = "One row of statistics per input column."},
};

const mod_descriptor mod_summarize_data = {
    .name = "summarize-data",
    .version = 1,
    .display_name = "Summarize Data",
    .category = "Statistical Functions",
    .help = "Describes every column of a table: one output row per input column, with the "
            "statistics of the Azure designer's Summarize Data.\n"
            "\n"
            "## Output columns\n"
            "\n"
            "`Feature` (the column's name), `Count` (values present), `Unique Value Count` "
            "(distinct values present), `Missing Value Count` (missing values and NaN), "
            "`Min`, `Max`, `Mean`, `Mean Deviation` (mean absolute deviation from the mean), "
            "`1st Quartile`, `Median`, `3rd Quartile`, `Mode` (the most frequent value; the "
            "smallest on a tie), `Range` (Max - Min), `Sample Variance` and `Sample Standard "
            "Deviation` (divided by n - 1), `Sample Skewness` and `Sample Kurtosis` (the "
            "sample-adjusted G1 and excess G2, as pandas' skew and kurt; 0 when every value "
            "is equal), and the percentiles `P0.5`, `P1`, `P5`, `P95` and `P99.5`.\n"
            "\n"
            "## Rules\n"
            "\n"
            "- Missing values and NaN are left out of every statistic.\n"
            "- Quantiles and percentiles interpolate linearly between the sorted values "
            "(numpy's and pandas' default, Hyndman and Fan's definition 7).\n"
            "- Booleans count as 1 (true) and 0 (false).\n"
            "- Date-time, string and categorical columns get `Count`, `Unique Value Count` "
            "and `Missing Value Count` only; their other statistics are missing, as in "
            "Azure. So are statistics that need more values than there are (a variance of "
            "one value, a skewness of fewer than three, a kurtosis of fewer than four).\n"
            "\n"
            "No parameters: to describe some columns only, select them first with "
            "select-columns.\n"
            "\n"
            "## Example\n"
            "\n"
            "A column `price` holding 1, 2, 2 and 5 gives Count 4, Unique Value Count 3, "
            "Mean 2.5, Median 2, Mode 2, Range 4 and Sample Variance 3.\n",
    MOD_PORTS(inputs, sum_in),
    MOD_PORTS(outputs, sum_out),
    .configure = sum_configure,
    .run = sum_run,
};
