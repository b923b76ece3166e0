/*
 * partition.c: `partition-and-sample@1`, the Azure designer's Partition and
 * Sample, in its four modes:
 *
 * - head: the first rows;
 * - sampling: a random share of the rows, optionally stratified by a column;
 * - assign-to-folds: gives every row a fold, evenly or in set proportions,
 *   optionally shuffled and stratified;
 * - pick-fold: the rows of one fold, or of every other fold.
 *
 * Azure keeps fold assignments in hidden metadata. weft's tables have no
 * hidden metadata, so assign-to-folds adds a visible integer column, `Fold`
 * (1, 2, ...), with the `clear` role so that learners ignore it; pick-fold
 * and cross-validation read it. Rows always keep their input order; only
 * which rows are chosen (or which fold they get) is random.
 */
#include "modules_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PART_FOLD_COLUMN "Fold"
#define PART_MAX_FOLDS 10000

enum { PART_HEAD, PART_SAMPLING, PART_ASSIGN, PART_PICK };
static const char *const part_modes[] = {"head", "sampling", "assign-to-folds", "pick-fold", NULL};

enum { PART_EVENLY, PART_PROPORTIONS };
static const char *const part_methods[] = {"partition-evenly",
                                           "partition-with-customized-proportions", NULL};

/* ---- strata ------------------------------------------------------------- */

/* The rows of a table grouped by stratum: rows[start[g] .. start[g + 1]) are
 * stratum g's rows in table order, strata in first-seen order. */
typedef struct part_strata {
    size_t *rows;
    size_t *start; /* n + 1 entries */
    size_t n;
} part_strata;

static void part_strata_free(part_strata *s)
{
    free(s->rows);
    free(s->start);
    memset(s, 0, sizeof *s);
}

/* Groups in's rows by the value of column *key (missing is a value too), or
 * puts them all in one stratum when key is NULL. */
static int part_strata_make(mod_ctx *ctx, const tbl_table *in, const size_t *key, part_strata *s)
{
    memset(s, 0, sizeof *s);
    size_t n = in->nrows;
    size_t *group_of = NULL, *first_row = NULL, ngroups = 1;
    wf_error err = {0};
    if (key != NULL && tbl_group_by(in, key, 1, &group_of, &first_row, &ngroups, &err) < 0)
        return mod_fail_with(ctx, &err);
    free(first_row);
    s->rows = wf_mallocarray(n, sizeof *s->rows);
    s->start = wf_calloc(ngroups + 1, sizeof *s->start);
    if (s->rows == NULL || s->start == NULL) {
        free(group_of);
        part_strata_free(s);
        return mod_fail(ctx, WF_ENOMEM, "out of memory grouping %zu rows", n);
    }
    s->n = ngroups;
    /* A counting sort keeps table order within each stratum. */
    for (size_t r = 0; r < n; r++)
        s->start[(group_of ? group_of[r] : 0) + 1]++;
    for (size_t g = 0; g < ngroups; g++)
        s->start[g + 1] += s->start[g];
    for (size_t r = 0; r < n; r++)
        s->rows[s->start[group_of ? group_of[r] : 0]++] = r;
    for (size_t g = ngroups; g > 0; g--)
        s->start[g] = s->start[g - 1];
    s->start[0] = 0;
    free(group_of);
    return 0;
}

/* Puts the first k of rows[0..m) in a uniformly random order, drawn from the
 * whole (a partial Fisher-Yates shuffle; k == m shuffles everything). */
static void part_shuffle(size_t *rows, size_t m, size_t k, wf_rng *rng)
{
    for (size_t i = 0; i < k && i + 1 < m; i++) {
        size_t j = i + (size_t)wf_rng_below(rng, (uint64_t)(m - i));
        size_t tmp = rows[i];
        rows[i] = rows[j];
        rows[j] = tmp;
    }
}

/* round(x) for x >= 0, halves up. */
static size_t part_round(double x)
{
    double r = floor(x + 0.5);
    return r <= 0 ? 0 : (size_t)r;
}

/* The stratification column, when `flag` is on: *key points at its index,
 * else *key is NULL. The column is checked against in's schema when it is
 * known (in configure it may not be). */
static int part_strata_key(mod_ctx *ctx, const char *flag, const char *column, const tbl_table *in,
                           size_t *index, const size_t **key)
{
    bool on;
    int rc = mod_param_bool(ctx, flag, &on);
    *key = NULL;
    if (rc < 0 || !on) return rc;
    if (in == NULL) {
        const char *name = mod_param_string(ctx, column);
        if (name == NULL || name[0] == '\0')
            return mod_param_error(ctx, column, "choose the column to stratify by");
        return 0;
    }
    if ((rc = mod__column_param(ctx, column, in, index)) < 0) return rc;
    *key = index;
    return 0;
}

/* ---- head and sampling -------------------------------------------------- */

/* Marks the rows of `in` to keep in keep[]. In configure keep is NULL and
 * only the parameters are checked (against in's schema, when known). */
static int part_head(mod_ctx *ctx, const tbl_table *in, bool *keep)
{
    int64_t count;
    int rc = mod_param_int(ctx, "number_of_rows_to_select", &count);
    if (rc < 0 || keep == NULL) return rc;
    for (size_t r = 0; r < in->nrows && r < (uint64_t)count; r++)
        keep[r] = true;
    return 0;
}

static int part_sampling(mod_ctx *ctx, const tbl_table *in, bool *keep)
{
    double rate;
    int64_t seed;
    size_t index = 0;
    const size_t *key = NULL;
    int rc = mod_param_number(ctx, "rate_of_sampling", &rate);
    if (rc == 0 && !(rate > 0))
        rc = mod_param_error(ctx, "rate_of_sampling",
                             "%.17g is not a rate: it must be above 0 and at most 1", rate);
    if (rc == 0) rc = mod_param_int(ctx, "random_seed_for_sampling", &seed);
    if (rc == 0)
        rc = part_strata_key(ctx, "stratified_split_for_sampling",
                             "stratification_key_column_for_sampling", in, &index, &key);
    if (rc < 0 || keep == NULL) return rc;
    part_strata s;
    if ((rc = part_strata_make(ctx, in, key, &s)) < 0) return rc;
    /* Each stratum gives its own rounded share, so the sample keeps the
     * strata's proportions; strata go in first-seen order, so the random
     * stream is used the same way every time. */
    wf_rng rng = {.state = (uint64_t)seed};
    size_t kept = 0;
    for (size_t g = 0; g < s.n; g++) {
        size_t m = s.start[g + 1] - s.start[g];
        size_t k = part_round(rate * (double)m);
        if (k > m) k = m;
        part_shuffle(s.rows + s.start[g], m, k, &rng);
        for (size_t i = 0; i < k; i++)
            keep[s.rows[s.start[g] + i]] = true;
        kept += k;
    }
    mod_log(ctx, "sampled %zu of %zu rows (%zu strat%s)", kept, in->nrows, s.n,
            s.n == 1 ? "um" : "a");
    part_strata_free(&s);
    return 0;
}

/* ---- assign to folds ---------------------------------------------------- */

/* Parses "0.5, 0.25, 0.25" into cumulative shares cum[0..*n): each share is
 * above 0, and they add up to at most 1; when they add up to less, one more
 * fold takes the rest. The caller frees *cum. */
static int part_proportions(mod_ctx *ctx, double **cum, size_t *n)
{
    const char *f = "list_of_proportions_separated_by_comma";
    const char *text = mod_param_string(ctx, f);
    *cum = NULL;
    *n = 0;
    if (text == NULL || text[strspn(text, " \t")] == '\0')
        return mod_param_error(ctx, f, "list the share of each fold, as in 0.5, 0.25, 0.25");
    double *out = wf_mallocarray(strlen(text) / 2 + 2, sizeof *out);
    if (out == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory");
    double sum = 0;
    size_t m = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        char item[64];
        size_t lead = strspn(p, " \t");
        size_t body = len - lead;
        while (body > 0 && (p[lead + body - 1] == ' ' || p[lead + body - 1] == '\t'))
            body--;
        char *end = NULL;
        double x = NAN;
        if (body > 0 && body < sizeof item) {
            memcpy(item, p + lead, body);
            item[body] = '\0';
            errno = 0;
            x = strtod(item, &end);
            if (*end != '\0' || errno != 0) x = NAN;
        }
        if (!(x > 0 && x <= 1)) {
            free(out);
            return mod_param_error(ctx, f,
                                   "proportion %zu (\"%.*s\") is not a number above 0 and at "
                                   "most 1",
                                   m + 1, (int)(body < 40 ? body : 40), p + lead);
        }
        sum += x;
        out[m++] = sum;
        if (p[len] == '\0') break;
        p += len + 1;
    }
    if (sum > 1 + 1e-9) {
        free(out);
        return mod_param_error(ctx, f, "the proportions add up to %.6g, more than 1", sum);
    }
    if (sum < 1 - 1e-9) out[m++] = 1; /* the rest */
    out[m - 1] = 1;                   /* no row lost to rounding */
    *cum = out;
    *n = m;
    return 0;
}

/* Fills fold[r] (1-based) for every row of `in`; *nfolds gets the count of
 * folds. With fold == NULL (configure) only the parameters are checked. */
static int part_assign(mod_ctx *ctx, const tbl_table *in, int64_t *fold, size_t *nfolds)
{
    bool randomized;
    int64_t seed, k = 0;
    size_t method = 0, index = 0;
    const size_t *key = NULL;
    double *cum = NULL;
    int rc = mod_param_bool(ctx, "randomized_split", &randomized);
    if (rc == 0) rc = mod_param_int(ctx, "random_seed", &seed);
    if (rc == 0) rc = mod__param_choice(ctx, "specify_the_partitioner_method", &method);
    if (rc == 0 && method == PART_EVENLY) {
        rc = mod_param_int(ctx, "specify_how_many_folds_to_split_evenly_into", &k);
        *nfolds = (size_t)k;
    }
    if (rc == 0 && method == PART_PROPORTIONS) rc = part_proportions(ctx, &cum, nfolds);
    if (rc == 0 && *nfolds > PART_MAX_FOLDS)
        rc = mod_param_error(ctx,
                             method == PART_EVENLY ? "specify_how_many_folds_to_split_evenly_into"
                                                   : "list_of_proportions_separated_by_comma",
                             "at most %d folds", PART_MAX_FOLDS);
    if (rc == 0 && fold != NULL && method == PART_EVENLY && (size_t)k > in->nrows)
        rc = mod_param_error(ctx, "specify_how_many_folds_to_split_evenly_into",
                             "%lld folds for %zu rows: every fold needs a row", (long long)k,
                             in->nrows);
    if (rc == 0)
        rc =
            part_strata_key(ctx, "stratified_split", "stratification_key_column", in, &index, &key);
    part_strata s = {0};
    if (rc == 0 && fold != NULL) rc = part_strata_make(ctx, in, key, &s);
    if (rc < 0 || fold == NULL) {
        free(cum);
        return rc;
    }
    wf_rng rng = {.state = (uint64_t)seed};
    size_t next = 0; /* evenly: the round robin goes on across strata */
    for (size_t g = 0; g < s.n; g++) {
        size_t *rows = s.rows + s.start[g];
        size_t m = s.start[g + 1] - s.start[g];
        if (randomized) part_shuffle(rows, m, m, &rng);
        if (method == PART_EVENLY) {
            for (size_t i = 0; i < m; i++, next++)
                fold[rows[i]] = (int64_t)(next % (size_t)k) + 1;
            continue;
        }
        /* Proportions: consecutive runs of the (shuffled) stratum, cut at
         * the rounded cumulative shares. */
        size_t lo = 0;
        for (size_t j = 0; j < *nfolds; j++) {
            size_t hi = j + 1 == *nfolds ? m : part_round(cum[j] * (double)m);
            if (hi > m) hi = m;
            for (size_t i = lo; i < hi; i++)
                fold[rows[i]] = (int64_t)j + 1;
            if (hi > lo) lo = hi;
        }
    }
    mod_log(ctx, "%zu rows in %zu folds (%zu strat%s)", in->nrows, *nfolds, s.n,
            s.n == 1 ? "um" : "a");
    part_strata_free(&s);
    free(cum);
    return 0;
}

/* in's columns (its schema alone in configure, when nrows is 0) without
 * any `Fold` column, plus a new `Fold` column holding fold[] (zeroes when
 * fold is NULL). */
static int part_with_folds(mod_ctx *ctx, const tbl_table *in, const int64_t *fold, tbl_table **out)
{
    wf_error err = {0};
    tbl_table *t = NULL;
    if (tbl_clone(in, &t, &err) < 0) return mod_fail_with(ctx, &err);
    int old = tbl_find_column(t, PART_FOLD_COLUMN);
    if (old >= 0) {
        if (!ctx->schema_only) mod_log(ctx, "replacing the input's \"Fold\" column");
        tbl_drop_column(t, (size_t)old);
    }
    tbl_column c;
    if (tbl_column_init(&c, PART_FOLD_COLUMN, TBL_INTEGER, in->nrows, &err) < 0) {
        tbl_free(t);
        return mod_fail_with(ctx, &err);
    }
    c.role = TBL_ROLE_CLEAR;
    if (fold != NULL && in->nrows > 0) memcpy(c.v.i64, fold, in->nrows * sizeof *fold);
    if (tbl_add_column(t, &c, in->nrows, &err) < 0) {
        tbl_column_clear(&c);
        tbl_free(t);
        return mod_fail_with(ctx, &err);
    }
    *out = t;
    return 0;
}

/* ---- pick fold ---------------------------------------------------------- */

/* The index of in's `Fold` column, or an error saying where folds come
 * from. */
static int part_fold_column(mod_ctx *ctx, const tbl_table *in, size_t *col)
{
    int i = tbl_find_column(in, PART_FOLD_COLUMN);
    if (i < 0)
        return mod_param_error(ctx, "partition_or_sample_mode",
                               "pick-fold needs a \"Fold\" column: connect the output of "
                               "partition-and-sample in \"assign-to-folds\" mode");
    if (in->cols[i].type != TBL_INTEGER)
        return mod_param_error(ctx, "partition_or_sample_mode",
                               "the \"Fold\" column is %s, not integer: it must come from "
                               "\"assign-to-folds\"",
                               tbl_type_name(in->cols[i].type));
    *col = (size_t)i;
    return 0;
}

/* The rows of the chosen fold (or of the others) without the `Fold`
 * column. In configure, checks the parameters and gives the schema. */
static int part_pick(mod_ctx *ctx, const tbl_table *in, tbl_table **out)
{
    int64_t which;
    bool complement;
    size_t col = 0;
    int rc = mod_param_int(ctx, "specify_which_fold_to_be_sampled_from", &which);
    if (rc == 0) rc = mod_param_bool(ctx, "pick_complement_of_the_selected_fold", &complement);
    if (rc == 0 && in != NULL) rc = part_fold_column(ctx, in, &col);
    if (rc < 0 || in == NULL) return rc;
    const tbl_column *c = &in->cols[col];
    int64_t most = 0;
    for (size_t r = 0; r < in->nrows; r++)
        if (!tbl_is_missing(c, r) && c->v.i64[r] > most) most = c->v.i64[r];
    if (!ctx->schema_only && which > most)
        return mod_param_error(ctx, "specify_which_fold_to_be_sampled_from",
                               "fold %lld is out of range: the input has folds 1 to %lld",
                               (long long)which, (long long)most);
    bool *keep = wf_calloc(in->nrows, sizeof *keep);
    if (keep == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory picking a fold");
    size_t kept = 0;
    for (size_t r = 0; r < in->nrows; r++) {
        /* A row without a fold is in no fold, so it is in the complement. */
        bool in_fold = !tbl_is_missing(c, r) && c->v.i64[r] == which;
        keep[r] = in_fold != complement;
        kept += keep[r];
    }
    wf_error err = {0};
    rc = tbl_filter(in, keep, out, &err);
    free(keep);
    if (rc < 0) return mod_fail_with(ctx, &err);
    tbl_drop_column(*out, col);
    if (!ctx->schema_only)
        mod_log(ctx, "%s fold %lld: %zu of %zu rows", complement ? "all but" : "picked",
                (long long)which, kept, in->nrows);
    return 0;
}

/* ---- run and configure -------------------------------------------------- */

static int part_configure(mod_ctx *ctx)
{
    size_t mode, nfolds = 0;
    int rc = mod__param_choice(ctx, "partition_or_sample_mode", &mode);
    if (rc < 0) return rc;
    const tbl_table *in = mod_input_table(ctx, "dataset");
    tbl_table *out = NULL;
    switch (mode) {
    case PART_HEAD:
        rc = part_head(ctx, in, NULL);
        break;
    case PART_SAMPLING:
        rc = part_sampling(ctx, in, NULL);
        break;
    case PART_ASSIGN:
        rc = part_assign(ctx, in, NULL, &nfolds);
        if (rc == 0 && in != NULL) rc = part_with_folds(ctx, in, NULL, &out);
        break;
    default:
        rc = part_pick(ctx, in, &out);
        break;
    }
    if (rc < 0 || in == NULL) return rc;
    if (out != NULL) return mod_output_table(ctx, "dataset", out);
    return mod__output_schema(ctx, "dataset", in);
}

static int part_run(mod_ctx *ctx)
{
    size_t mode, nfolds = 0;
    int rc = mod__param_choice(ctx, "partition_or_sample_mode", &mode);
    if (rc < 0) return rc;
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL) return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    tbl_table *out = NULL;
    if (mode == PART_PICK) {
        rc = part_pick(ctx, in, &out);
    } else if (mode == PART_ASSIGN) {
        int64_t *fold = wf_calloc(in->nrows, sizeof *fold);
        if (fold == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory assigning folds");
        rc = part_assign(ctx, in, fold, &nfolds);
        if (rc == 0) rc = part_with_folds(ctx, in, fold, &out);
        free(fold);
    } else {
        bool *keep = wf_calloc(in->nrows, sizeof *keep);
        if (keep == NULL) return mod_fail(ctx, WF_ENOMEM, "out of memory sampling rows");
        rc = mode == PART_HEAD ? part_head(ctx, in, keep) : part_sampling(ctx, in, keep);
        wf_error err = {0};
        if (rc == 0 && tbl_filter(in, keep, &out, &err) < 0) rc = mod_fail_with(ctx, &err);
        free(keep);
    }
    if (rc < 0) {
        tbl_free(out);
        return rc;
    }
    return mod_output_table(ctx, "dataset", out);
}

/* ---- the descriptor ----------------------------------------------------- */

static const mod_port part_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The rows to sample or partition."},
};

static const mod_port part_out[] = {
    {.name = "dataset",
     .kind = MOD_TABLE,
     .help = "The chosen rows; with assign-to-folds, every row with its `Fold`."},
};

static const mod_param part_params[] = {
    {.name = "partition_or_sample_mode",
     .label = "Partition or sample mode",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"sampling\"",
     .choices = part_modes,
     .help = "`head`: the first rows; `sampling`: a random share; `assign-to-folds`: number "
             "every row with a fold; `pick-fold`: the rows of one fold."},
    {.name = "number_of_rows_to_select",
     .label = "Number of rows to select",
     .type = MOD_PARAM_INT,
     .default_json = "10",
     .has_min = true,
     .min = 0,
     .visible_when = "partition_or_sample_mode=head",
     .help = "How many rows to keep from the top (all of them when the table is shorter)."},
    {.name = "rate_of_sampling",
     .label = "Rate of sampling",
     .type = MOD_PARAM_NUMBER,
     .default_json = "0.01",
     .has_min = true,
     .min = 0,
     .has_max = true,
     .max = 1,
     .visible_when = "partition_or_sample_mode=sampling",
     .help = "The share of the rows to keep: above 0, at most 1, rounded to the nearest row."},
    {.name = "random_seed_for_sampling",
     .label = "Random seed for sampling",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .visible_when = "partition_or_sample_mode=sampling",
     .help = "The seed of the random choice: the same seed gives the same sample."},
    {.name = "stratified_split_for_sampling",
     .label = "Stratified split for sampling",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .visible_when = "partition_or_sample_mode=sampling",
     .help = "Sample each value of the stratification column on its own, keeping the "
             "proportions of its values."},
    {.name = "stratification_key_column_for_sampling",
     .label = "Stratification key column for sampling",
     .type = MOD_PARAM_COLUMN,
     .input = "dataset",
     .visible_when = "stratified_split_for_sampling=true",
     .help = "The column whose values define the strata."},
    {.name = "randomized_split",
     .label = "Randomized split",
     .type = MOD_PARAM_BOOL,
     .default_json = "true",
     .visible_when = "partition_or_sample_mode=assign-to-folds",
     .help = "Shuffle the rows before assigning folds. Off: rows take folds in turn (round "
             "robin) in table order."},
    {.name = "random_seed",
     .label = "Random seed",
     .type = MOD_PARAM_INT,
     .default_json = "0",
     .has_min = true,
     .min = 0,
     .visible_when = "partition_or_sample_mode=assign-to-folds",
     .help = "The seed of the shuffle: the same seed gives the same folds."},
    {.name = "specify_the_partitioner_method",
     .label = "Specify the partitioner method",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"partition-evenly\"",
     .choices = part_methods,
     .visible_when = "partition_or_sample_mode=assign-to-folds",
     .help = "`partition-evenly`: folds of equal size; "
             "`partition-with-customized-proportions`: folds of the listed shares."},
    {.name = "specify_how_many_folds_to_split_evenly_into",
     .label = "Specify how many folds to split evenly into",
     .type = MOD_PARAM_INT,
     .default_json = "5",
     .has_min = true,
     .min = 1,
     .visible_when = "specify_the_partitioner_method=partition-evenly",
     .help = "The number of folds; their sizes differ by one row at most."},
    {.name = "list_of_proportions_separated_by_comma",
     .label = "List of proportions separated by comma",
     .type = MOD_PARAM_STRING,
     .default_json = "\"\"",
     .visible_when = "specify_the_partitioner_method=partition-with-customized-proportions",
     .help = "The share of each fold, as in `0.5, 0.25, 0.25`. Shares that add up to less "
             "than 1 get one more fold for the rest; more than 1 is an error."},
    {.name = "stratified_split",
     .label = "Stratified split",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .visible_when = "partition_or_sample_mode=assign-to-folds",
     .help = "Assign the folds within each value of the stratification column, so that every "
             "fold keeps the proportions of its values."},
    {.name = "stratification_key_column",
     .label = "Stratification key column",
     .type = MOD_PARAM_COLUMN,
     .input = "dataset",
     .visible_when = "stratified_split=true",
     .help = "The column whose values define the strata."},
    {.name = "specify_which_fold_to_be_sampled_from",
     .label = "Specify which fold to be sampled from",
     .type = MOD_PARAM_INT,
     .default_json = "1",
     .has_min = true,
     .min = 1,
     .visible_when = "partition_or_sample_mode=pick-fold",
     .help = "The fold to pick, from 1."},
    {.name = "pick_complement_of_the_selected_fold",
     .label = "Pick complement of the selected fold",
     .type = MOD_PARAM_BOOL,
     .default_json = "false",
     .visible_when = "partition_or_sample_mode=pick-fold",
     .help = "Pick every row except those of the fold."},
};

const mod_descriptor mod_partition_and_sample = {
    .name = "partition-and-sample",
    .version = 1,
    .display_name = "Partition and Sample",
    .category = "Data Transformation",
    .help = "Samples rows, or divides them into folds and picks a fold.\n"
            "\n"
            "## Modes\n"
            "\n"
            "- **head**: the first `number_of_rows_to_select` rows.\n"
            "- **sampling**: `rate_of_sampling` of the rows, rounded to the nearest row, chosen "
            "uniformly without replacement. Stratified, each value of the key column (missing "
            "counts as a value) is sampled on its own at the same rate.\n"
            "- **assign-to-folds**: the output is the input plus an integer column `Fold` "
            "(1, 2, ...) with the `clear` role, so learners ignore it. With "
            "`partition-evenly`, rows take the folds in turn (after a shuffle when "
            "`randomized_split`), so fold sizes differ by one row at most; with "
            "`partition-with-customized-proportions`, each fold takes its share of the "
            "(shuffled) rows, rounded. Stratified, each value of the key column is dealt out on "
            "its own (the turn carries on from one value to the next), so every fold keeps the "
            "proportions of the values. An input `Fold` column is replaced.\n"
            "- **pick-fold**: the rows whose `Fold` is the chosen fold (or, with "
            "`pick_complement_of_the_selected_fold`, every other row), without the `Fold` "
            "column. The input must have a `Fold` column; a fold above the highest one is an "
            "error.\n"
            "\n"
            "Rows keep their input order in every mode.\n"
            "\n"
            "## Differences from the Azure designer\n"
            "\n"
            "- Azure hides fold numbers in metadata; weft shows them in the `Fold` column.\n"
            "- A seed of 0 is a seed like any other: the same seed gives the same rows every "
            "time (Azure takes 0 to mean a seed from the clock).\n"
            "- Azure's \"use replacement in the partitioning\" (a row in several folds) is not "
            "supported: every row has one fold.\n"
            "- The modes and methods are Azure's in kebab-case: Azure's `Assign to Folds` is "
            "`assign-to-folds`, `Partition evenly` is `partition-evenly`.\n"
            "\n"
            "## Example\n"
            "\n"
            "Five stratified folds for cross-validation, then the rows of all folds but the "
            "second:\n"
            "\n"
            "```json\n"
            "{\"partition_or_sample_mode\": \"assign-to-folds\", \"random_seed\": 7,\n"
            " \"stratified_split\": true, \"stratification_key_column\": \"class\"}\n"
            "{\"partition_or_sample_mode\": \"pick-fold\",\n"
            " \"specify_which_fold_to_be_sampled_from\": 2,\n"
            " \"pick_complement_of_the_selected_fold\": true}\n"
            "```\n",
    MOD_PORTS(inputs, part_in),
    MOD_PORTS(outputs, part_out),
    MOD_PARAMS(part_params),
    .configure = part_configure,
    .run = part_run,
};
