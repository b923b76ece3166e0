/*
 * table: weft's columnar table and its schema, readers, writers, column
 * selection, row operations and profiles. It knows files and memory buffers,
 * nothing else.
 *
 *     wf_error err = {0};
 *     tbl_table *t = NULL;
 *     if (tbl_read_file("iris.arff", NULL, &t, &err) < 0) { ...err.message... }
 *     tbl_profile *p = NULL;
 *     tbl_profile_table(t, &p, &err);        // statistics of every column
 *     tbl_write_csv_file(t, "iris.csv", &err);
 *     tbl_profile_free(p);
 *     tbl_free(t);
 *
 * Data model (DESIGN.md section 3): a table has nrows rows and ncols columns.
 * Each column has a name (unique in its table), a type, a role, and values
 * stored as one contiguous buffer for its type. Missing values are marked per
 * row in a byte mask, never by sentinel values.
 *
 * Ownership: a tbl_table owns its columns and their buffers, except when it
 * was loaded from a native file by memory-mapping; then column buffers point
 * into the mapping (`borrowed`), and tbl_free unmaps it. Everything that
 * returns a new table through `tbl_table **out` hands the caller ownership;
 * free it with tbl_free. Inputs are never modified unless the function's
 * contract says so.
 */
#ifndef WEFT_TABLE_H
#define WEFT_TABLE_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* jansson's type, for the JSON helpers below, without including it here. */
struct json_t;

/* ---- types and roles --------------------------------------------------- */

typedef enum tbl_type {
    TBL_NUMERIC = 0,     /* double */
    TBL_INTEGER = 1,     /* int64 */
    TBL_BOOLEAN = 2,     /* uint8, 0 or 1 */
    TBL_STRING = 3,      /* offsets + bytes */
    TBL_CATEGORICAL = 4, /* int32 codes into a dictionary of strings */
    TBL_DATETIME = 5,    /* int64 microseconds since 1970-01-01T00:00:00Z */
} tbl_type;
#define TBL_TYPE_COUNT 6

typedef enum tbl_role {
    TBL_ROLE_FEATURE = 0, /* the default */
    TBL_ROLE_LABEL = 1,
    TBL_ROLE_WEIGHT = 2,
    TBL_ROLE_SCORE = 3, /* added by Score Model */
    TBL_ROLE_CLEAR = 4, /* ignored by learners */
} tbl_role;
#define TBL_ROLE_COUNT 5

/* Bytes per value in a column's value buffer: 8 for numeric, integer and
 * datetime, 4 for categorical codes, 1 for booleans, 0 for strings (whose
 * values live in offsets and bytes). */
size_t tbl_type_width(tbl_type type);
/* "numeric", "integer", "boolean", "string", "categorical", "datetime". */
const char *tbl_type_name(tbl_type type);
int tbl_type_parse(const char *name, tbl_type *out); /* 0 or WF_EINVAL */
/* "feature", "label", "weight", "score", "clear". */
const char *tbl_role_name(tbl_role role);
int tbl_role_parse(const char *name, tbl_role *out); /* 0 or WF_EINVAL */

/* ---- strings ----------------------------------------------------------- */

/* count strings; string i is data[offsets[i] .. offsets[i + 1]), not
 * NUL-terminated, and may contain any bytes. offsets has count + 1 entries;
 * offsets[0] == 0. */
typedef struct tbl_strings {
    size_t count;
    int64_t *offsets;
    char *data;
} tbl_strings;

static inline const char *tbl_strings_at(const tbl_strings *s, size_t i, size_t *len)
{
    *len = (size_t)(s->offsets[i + 1] - s->offsets[i]);
    return s->data + s->offsets[i];
}

/* Appends strings one by one. On OOM the builder is marked failed and
 * tbl_strings_finish reports it, so callers check once. */
typedef struct tbl_strings_builder {
    int64_t *offsets;
    size_t count, offsets_cap;
    char *data;
    size_t data_len, data_cap;
    bool failed;
} tbl_strings_builder;

void tbl_strings_append(tbl_strings_builder *b, const char *s, size_t len);
/* Moves the builder's buffers into *out (which the caller later releases
 * with tbl_strings_clear). Returns 0 or WF_ENOMEM (and frees the builder). */
int tbl_strings_finish(tbl_strings_builder *b, tbl_strings *out);
void tbl_strings_builder_free(tbl_strings_builder *b);
void tbl_strings_clear(tbl_strings *s);
/* A deep copy of src into *dst (which the caller releases with
 * tbl_strings_clear). 0 or WF_ENOMEM, leaving *dst empty. */
int tbl_strings_copy(tbl_strings *dst, const tbl_strings *src);

/* A dictionary that interns strings to dense codes 0, 1, 2, ... in first-seen
 * order, as categorical columns need. */
typedef struct tbl_dict {
    tbl_strings_builder levels;
    int32_t *slots; /* open addressing: code + 1, 0 = empty */
    uint64_t *hashes;
    size_t nslots;
    bool failed;
} tbl_dict;

/* Returns the code of s, adding it if new; -1 on OOM (sticky in d->failed). */
int32_t tbl_dict_intern(tbl_dict *d, const char *s, size_t len);
/* Returns the code of s, or -1 when absent. */
int32_t tbl_dict_find(const tbl_dict *d, const char *s, size_t len);
static inline size_t tbl_dict_size(const tbl_dict *d)
{
    return d->levels.count;
}
/* Moves the levels into *out and frees the rest. 0 or WF_ENOMEM. */
int tbl_dict_finish(tbl_dict *d, tbl_strings *out);
void tbl_dict_free(tbl_dict *d);

uint64_t tbl_hash_bytes(const void *p, size_t len, uint64_t seed);

/* ---- columns and tables ------------------------------------------------ */

typedef struct tbl_column {
    char *name;
    tbl_type type;
    tbl_role role;
    uint8_t *missing; /* NULL when no row is missing; else nrows bytes, 1 = missing */
    union {
        double *f64;    /* TBL_NUMERIC */
        int64_t *i64;   /* TBL_INTEGER, TBL_DATETIME */
        uint8_t *b8;    /* TBL_BOOLEAN */
        int32_t *codes; /* TBL_CATEGORICAL; -1 where missing */
    } v;
    tbl_strings str;    /* TBL_STRING values; "" where missing */
    tbl_strings levels; /* TBL_CATEGORICAL dictionary */
    bool borrowed;      /* buffers (not name) live in the table's mapping */
} tbl_column;

typedef struct tbl_table {
    size_t nrows, ncols;
    tbl_column *cols;
    size_t cols_cap;
    void *mapping; /* a native file mapped by tbl_native_load, or NULL */
    size_t mapping_size;
} tbl_table;

tbl_table *tbl_new(void);    /* NULL on OOM */
void tbl_free(tbl_table *t); /* accepts NULL */

/* Allocates the buffers of an empty column of `nrows` rows of `type`, zeroed,
 * with no missing values. String columns get nrows empty strings; categorical
 * columns get no levels and codes of 0 (the caller sets both). */
int tbl_column_init(tbl_column *c, const char *name, tbl_type type, size_t nrows, wf_error *err);
/* Frees what the column owns and zeroes it. */
void tbl_column_clear(tbl_column *c);
/* A deep copy, owned by *dst. */
int tbl_column_copy(tbl_column *dst, const tbl_column *src, size_t nrows, wf_error *err);
/* A column that shares src's values, mask and strings (it is `borrowed`:
 * only its name is its own). It is valid for as long as src's buffers are,
 * and must not be changed. Selecting columns this way costs nothing per
 * row. */
int tbl_column_share(tbl_column *dst, const tbl_column *src, wf_error *err);

/* Appends c to t, taking ownership of its buffers (c is zeroed on success and
 * untouched on failure). The first column fixes t->nrows; a column name that
 * is already in t fails with WF_EEXIST. */
int tbl_add_column(tbl_table *t, tbl_column *c, size_t nrows, wf_error *err);
/* Index of the column named `name`, or -1. */
int tbl_find_column(const tbl_table *t, const char *name);
/* Removes and frees column i. */
void tbl_drop_column(tbl_table *t, size_t i);
/* A deep copy of the whole table. */
int tbl_clone(const tbl_table *t, tbl_table **out, wf_error *err);

static inline bool tbl_is_missing(const tbl_column *c, size_t row)
{
    return c->missing != NULL && c->missing[row];
}
/* Marks row as missing, allocating the mask on first use. */
int tbl_set_missing(tbl_column *c, size_t row, size_t nrows);
/* Number of missing rows. */
size_t tbl_count_missing(const tbl_column *c, size_t nrows);
/* Frees the mask if no row is missing, so "no mask" keeps meaning "none". */
void tbl_compact_missing(tbl_column *c, size_t nrows);

/* The value at (row) as text, as the CSV writer and `weft head` show it:
 * numbers round-trip (shortest of %.15g/%.17g), datetimes are ISO-8601 UTC,
 * booleans are "true"/"false", missing is "". Returns the length it needed
 * (like snprintf). */
size_t tbl_format_cell(const tbl_column *c, size_t row, char *buf, size_t cap);

/* Bytes the column's values and mask take in memory. */
size_t tbl_column_bytes(const tbl_column *c, size_t nrows);

/* ---- scalar parsing (shared by the readers) ---------------------------- */

/* True for the tokens that mean missing: "", "NA", "NaN", "?" (and "N/A",
 * "null", "NULL" in CSV and JSON strings). */
bool tbl_is_missing_token(const char *s, size_t len);
/* Exact decimal-to-double (correctly rounded). Leading/trailing spaces are
 * not allowed. 0 or WF_EPARSE. */
int tbl_parse_double(const char *s, size_t len, double *out);
int tbl_parse_int64(const char *s, size_t len, int64_t *out);
/* true/false, TRUE/FALSE, True/False, yes/no. (Not 0/1: those are integers.) */
int tbl_parse_bool(const char *s, size_t len, bool *out);
/* ISO-8601 dates and date-times (YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.f]][Z|+hh:mm],
 * a space instead of T) and YYYY/MM/DD hh:mm[:ss]. Local times are taken as
 * UTC. */
int tbl_parse_datetime(const char *s, size_t len, int64_t *micros);
/* Formats as YYYY-MM-DDThh:mm:ss[.ffffff]Z, or YYYY-MM-DD when the time is
 * midnight. Returns the length. */
size_t tbl_format_datetime(int64_t micros, char *buf, size_t cap);

/* ---- type inference ---------------------------------------------------- */

/* Which types a field's text could be: a bit set of TBL_KIND_*. */
enum {
    TBL_KIND_INTEGER = 1,
    TBL_KIND_NUMERIC = 2,
    TBL_KIND_BOOLEAN = 4,
    TBL_KIND_DATETIME = 8,
    TBL_KIND_ALL = 15,
};
unsigned tbl_field_kinds(const char *s, size_t len);

/* Running inference over every field of a column (the whole file, not the
 * first rows). */
typedef struct tbl_infer {
    unsigned kinds; /* intersection over non-missing fields */
    size_t present; /* non-missing fields seen */
    size_t missing; /* missing fields seen */
} tbl_infer;

void tbl_infer_init(tbl_infer *in);
void tbl_infer_add(tbl_infer *in, const char *s, size_t len);
/* The type to use: integer, then numeric, boolean, datetime, else string.
 * An all-missing column is string. */
tbl_type tbl_infer_type(const tbl_infer *in);
/* Whether a string column with `distinct` values over `present` non-missing
 * rows should become categorical (low cardinality). */
bool tbl_infer_is_categorical(size_t distinct, size_t present);

/* Builds a typed column from text fields (one per row; `missing` may be NULL),
 * inferring its type over all of them. Used by readers whose input is text. */
int tbl_column_from_text(tbl_column *out, const char *name, const tbl_strings *fields,
                         wf_error *err);

/* ---- reading ----------------------------------------------------------- */

typedef enum tbl_format {
    TBL_FORMAT_AUTO = 0,
    TBL_FORMAT_CSV,
    TBL_FORMAT_TSV,
    TBL_FORMAT_ARFF,
    TBL_FORMAT_JSON,
    TBL_FORMAT_NATIVE,
} tbl_format;

const char *tbl_format_name(tbl_format f); /* "auto", "csv", "tsv", "arff", "json", "native" */
int tbl_format_parse(const char *name, tbl_format *out);
/* Guesses the format from the file name's extension, then from the bytes. */
tbl_format tbl_detect_format(const char *path, const uint8_t *data, size_t len);

/* Whether a CSV's first row names its columns. The zero value guesses, so a
 * zeroed tbl_read_options means "the defaults". */
typedef enum tbl_header {
    TBL_HEADER_GUESS = 0,   /* a header when every first-row field is text that is
                               not a number, boolean, date or missing token */
    TBL_HEADER_PRESENT = 1, /* the first row names the columns */
    TBL_HEADER_ABSENT = 2,  /* no header: columns are "Column 1", "Column 2", ... */
} tbl_header;

typedef struct tbl_read_options {
    tbl_format format; /* TBL_FORMAT_AUTO detects */
    tbl_header header; /* TBL_HEADER_GUESS (the zero value) guesses */
    char delimiter;    /* 0 = sniff (CSV) */
    size_t max_field;  /* bytes; 0 = the default, 1 MiB */
    /* Filled by the reader (may be NULL): messages about what it changed,
     * such as renamed duplicate columns, one per line. The caller frees it. */
    char **warnings;
} tbl_read_options;

/* All readers: on failure *out is NULL, err says what and where (line and
 * column or field), and nothing leaks. Input is never trusted. */
int tbl_read_csv(const char *data, size_t len, const tbl_read_options *opt, tbl_table **out,
                 wf_error *err);
int tbl_read_arff(const char *data, size_t len, const tbl_read_options *opt, tbl_table **out,
                  wf_error *err);
/* An array of records, or an object of columns. */
int tbl_read_json(const char *data, size_t len, const tbl_read_options *opt, tbl_table **out,
                  wf_error *err);
/* Any format from a file; native files are memory-mapped. opt may be NULL. */
int tbl_read_file(const char *path, const tbl_read_options *opt, tbl_table **out, wf_error *err);

/* ---- writing ----------------------------------------------------------- */

/* RFC 4180 CSV with a header row (delimiter ',' or '\t'). */
int tbl_write_csv(const tbl_table *t, char delimiter, wf_buf *out, wf_error *err);
/* An array of records; missing values are null. */
int tbl_write_json(const tbl_table *t, wf_buf *out, wf_error *err);
/* Writes the format named by `format` (csv, tsv, json, native) to path,
 * atomically. */
int tbl_write_file(const tbl_table *t, const char *path, tbl_format format, wf_error *err);

/* ---- the native format (docs/formats.md) ------------------------------- */

/* Serialises t into one buffer (malloc'd, *size bytes; caller frees). The
 * same table always gives the same bytes, so the SHA-256 of the buffer is the
 * artifact digest. */
int tbl_native_encode(const tbl_table *t, uint8_t **buf, size_t *size, wf_error *err);
/* Loads a native file by memory-mapping it: no parsing of values. Validates
 * the header and every offset before trusting them. */
int tbl_native_load(const char *path, tbl_table **out, wf_error *err);
/* The same over a buffer the caller keeps alive for the table's lifetime
 * (columns borrow from it; used by the fuzzer and by tests). */
int tbl_native_view(const uint8_t *data, size_t size, tbl_table **out, wf_error *err);

/* ---- column selection (DESIGN.md section 4) ---------------------------- */

/* A selection is an ordered list of rules over a starting set. Each rule
 * includes or excludes the columns it matches: by names, by type, by role, or
 * by 1-based index ranges ("1-3,7"). JSON forms, documented in
 * docs/formats.md:
 *     {"include": [RULE...], "exclude": [RULE...]}     (start from none, or
 *                                                       from all when there are
 *                                                       only excludes)
 *     {"start": "all"|"none", "rules": [{"op": "include"|"exclude", ...RULE}]}
 *     RULE = {"names": [...]} | {"type": "numeric"} | {"role": "label"}
 *          | {"indices": "1-3,7"}
 * "type": "numeric" matches integer columns too (Azure's "Numeric").
 */
typedef enum tbl_rule_kind {
    TBL_RULE_ALL,
    TBL_RULE_NAMES,
    TBL_RULE_TYPE,
    TBL_RULE_ROLE,
    TBL_RULE_INDICES,
} tbl_rule_kind;

typedef struct tbl_rule {
    bool exclude;
    tbl_rule_kind kind;
    char **names; /* TBL_RULE_NAMES */
    size_t nnames;
    tbl_type type;   /* TBL_RULE_TYPE */
    bool any_number; /* TBL_RULE_TYPE "numeric": integer matches too */
    tbl_role role;   /* TBL_RULE_ROLE */
    size_t *ranges;  /* TBL_RULE_INDICES: pairs [lo, hi], 1-based inclusive */
    size_t nranges;
} tbl_rule;

typedef struct tbl_selection {
    bool start_all;
    tbl_rule *rules;
    size_t nrules;
} tbl_selection;

/* Parses the JSON forms above. Errors name the rule and field. */
int tbl_selection_from_json(const struct json_t *json, tbl_selection *out, wf_error *err);
/* Selection of the listed names, in order. */
int tbl_selection_names(tbl_selection *out, const char *const *names, size_t n, wf_error *err);
void tbl_selection_clear(tbl_selection *s);
/* Resolves the selection against a table (which may have zero rows: only its
 * schema matters). *indices (malloc'd, caller frees) holds the selected
 * column indices in table order. A name that is not in the table is an error
 * naming it. */
int tbl_selection_resolve(const tbl_selection *s, const tbl_table *t, size_t **indices,
                          size_t *count, wf_error *err);
/* A new table with just the selected columns, in table order. */
int tbl_select_columns(const tbl_table *t, const tbl_selection *s, tbl_table **out, wf_error *err);

/* ---- row operations ---------------------------------------------------- */

/* Rows rows[0..n) of t, in that order (an index may repeat). */
int tbl_take(const tbl_table *t, const size_t *rows, size_t n, tbl_table **out, wf_error *err);
/* Rows where keep[row] is true. */
int tbl_filter(const tbl_table *t, const bool *keep, tbl_table **out, wf_error *err);
/* The rows of t where first[r] (to *a) and the others (to *b), each in
 * their order: two filters in one pass over each column (cheaper than
 * two filters: each source column is read while it is in cache). */
int tbl_split(const tbl_table *t, const bool *first, tbl_table **a, tbl_table **b, wf_error *err);

/* A split's output buffers, made ready ahead: tbl_split_reserve_start
 * allocates them for n_first rows first and the rest second, and faults
 * their pages in, on a thread of its own while the caller decides which rows
 * go first. Worth it for a large table when the count is known before the
 * rows (Split Data's random split). NULL when the thread cannot start (the
 * split then allocates as usual). t must outlive the reserve. */
typedef struct tbl_split_reserve tbl_split_reserve;
tbl_split_reserve *tbl_split_reserve_start(const tbl_table *t, size_t n_first);
/* tbl_split into the reserved buffers; takes `reserve` (NULL allowed), and
 * allocates afresh if first's count differs from the reserved one. */
int tbl_split_into(const tbl_table *t, const bool *first, tbl_split_reserve *reserve, tbl_table **a,
                   tbl_table **b, wf_error *err);
/* For a caller that does not split after all; accepts NULL. */
void tbl_split_reserve_free(tbl_split_reserve *reserve);

typedef struct tbl_sort_key {
    size_t column;
    bool descending;
    bool missing_first; /* missing values sort last unless this is set */
} tbl_sort_key;
/* A stable sort on several keys. */
int tbl_sort(const tbl_table *t, const tbl_sort_key *keys, size_t nkeys, tbl_table **out,
             wf_error *err);
/* The permutation tbl_sort would apply (rows in sorted order; caller frees). */
int tbl_sort_order(const tbl_table *t, const tbl_sort_key *keys, size_t nkeys, size_t **order,
                   wf_error *err);

/* Rows of a then rows of b, matching columns by name. Columns must have the
 * same names (in any order) and compatible types: integer widens to numeric,
 * categoricals merge their dictionaries. */
int tbl_concat_rows(const tbl_table *a, const tbl_table *b, tbl_table **out, wf_error *err);
/* Columns of a then columns of b (same row count). Clashing names from b get
 * a " (2)" suffix, as the Azure designer's Add Columns does. */
int tbl_add_columns(const tbl_table *a, const tbl_table *b, tbl_table **out, wf_error *err);

typedef enum tbl_join_kind {
    TBL_JOIN_INNER,
    TBL_JOIN_LEFT_OUTER,
    TBL_JOIN_FULL_OUTER,
    TBL_JOIN_LEFT_SEMI,
} tbl_join_kind;

typedef struct tbl_join_options {
    tbl_join_kind kind;
    const size_t *left_keys, *right_keys; /* column indices, nkeys each */
    size_t nkeys;
    bool case_sensitive;  /* for string and categorical keys */
    bool keep_right_keys; /* keep the right table's key columns in the result */
} tbl_join_options;

/* A hash join. Output: left columns, then right columns (minus its keys
 * unless keep_right_keys; a left semi join outputs left columns only). Name
 * clashes get " (2)". Missing keys never match. Left row order is kept. */
int tbl_join(const tbl_table *left, const tbl_table *right, const tbl_join_options *opt,
             tbl_table **out, wf_error *err);

/* Distinct rows over the given key columns (all columns when nkeys == 0),
 * keeping the first occurrence of each. */
int tbl_distinct(const tbl_table *t, const size_t *keys, size_t nkeys, tbl_table **out,
                 wf_error *err);

/* Group-by: group_of[row] (caller frees) is the group index of each row,
 * groups numbered in first-seen order; *ngroups is their count and
 * *first_row (caller frees) the first row of each group. Missing is its own
 * key value. */
int tbl_group_by(const tbl_table *t, const size_t *keys, size_t nkeys, size_t **group_of,
                 size_t **first_row, size_t *ngroups, wf_error *err);

/* Converts a column to another type in place (column i of t). A value that
 * cannot be converted fails with its row and value named, unless
 * `invalid_to_missing`. */
int tbl_cast_column(tbl_table *t, size_t i, tbl_type to, bool invalid_to_missing, wf_error *err);
/* Converts column i of t to the type of `like` (the same column elsewhere,
 * such as an input's column of the same name), as tbl_cast_column without
 * invalid_to_missing. A categorical keeps like's levels first, in their
 * order (unused ones too), then adds new values as they appear. */
int tbl_cast_column_like(tbl_table *t, size_t i, const tbl_column *like, wf_error *err);

/* ---- profiles ---------------------------------------------------------- */

typedef struct tbl_histogram_bin {
    double lo, hi; /* [lo, hi), the last bin closed */
    size_t count;
} tbl_histogram_bin;

typedef struct tbl_category_count {
    char *value;
    size_t count;
} tbl_category_count;

typedef struct tbl_column_profile {
    char *name;
    tbl_type type;
    tbl_role role;
    size_t count; /* rows */
    size_t missing;
    size_t unique; /* distinct non-missing values */
    char *mode;    /* the most frequent value as text (ties: the first seen), NULL if none */
    size_t mode_count;
    bool has_stats; /* numeric, integer, boolean and datetime columns */
    double min, max, mean, median, stddev, q1, q3; /* sample stddev (n - 1) */
    tbl_histogram_bin *bins;                       /* numbers, booleans and datetimes */
    size_t nbins;
    tbl_category_count *top; /* strings, categoricals and booleans: most frequent first */
    size_t ntop;
} tbl_column_profile;

typedef struct tbl_profile {
    size_t nrows, ncols;
    tbl_column_profile *columns;
} tbl_profile;

#define TBL_PROFILE_BINS 20
#define TBL_PROFILE_TOP 10

int tbl_profile_table(const tbl_table *t, tbl_profile **out, wf_error *err);
void tbl_profile_free(tbl_profile *p); /* accepts NULL */
/* The profile as JSON (a new reference; NULL on OOM). */
struct json_t *tbl_profile_to_json(const tbl_profile *p);

#endif
