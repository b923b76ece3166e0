/*
 * math.c: `apply-math-operation@1`, the Azure designer's Apply Math
 * Operation. One operation (math_ops.c) applies to every selected numeric
 * column, alone or with a second argument: a constant, or the columns of a
 * second selection. Results are appended, replace their columns, or come
 * out alone, named as Azure names them: `Sqrt(price)`, `Add(price_$10)`,
 * `Divide(price_weight)`.
 *
 * The parameters are Azure's: one operation parameter per category, and per
 * category that takes a second argument its type (`constant` or
 * `column-set`), its constant and its column selection, each shown only when
 * it applies. Their values are Azure's names in kebab-case (`Sqrt` is
 * `sqrt`, `ResultOnly` is `result-only`); result columns keep Azure's names.
 */
#include "math_int.h"
#include "modules_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mod_port math_in[] = {
    {.name = "dataset", .kind = MOD_TABLE, .help = "The table with the numeric columns."},
};

static const mod_port math_out[] = {
    {.name = "result_dataset",
     .kind = MOD_TABLE,
     .help = "The input with the results appended or in place, or the results alone."},
};

/* The categories, in the order of mod__math_categories; each is also the
 * prefix of its parameters' names ("basic_func", "basic_arg_type"...). */
static const char *const math_category_choices[MOD__MATH_NCATEGORIES + 1] = {
    "basic", "compare", "operations", "rounding", "special", "trigonometric", NULL};
static const char *const math_arg_type_choices[] = {"constant", "column-set", NULL};
enum { MATH_CONSTANT, MATH_COLUMN_SET };
static const char *const math_mode_choices[] = {"append", "inplace", "result-only", NULL};
enum { MATH_APPEND, MATH_INPLACE, MATH_RESULT_ONLY };

#define MATH_NUMERIC "{\"include\": [{\"type\": \"numeric\"}]}"

/* The second-argument trio of a category: its type, its constant and its
 * columns, each shown only when it applies. */
#define MATH_ARG_TYPE(prefix, shown_when, title)                                                   \
    {                                                                                              \
        .name = prefix "_arg_type", .label = title, .type = MOD_PARAM_ENUM,                        \
        .default_json = "\"constant\"", .choices = math_arg_type_choices,                          \
        .visible_when = shown_when,                                                                \
        .help = "Whether the second argument is a constant or a set of columns."                   \
    }
#define MATH_ARG_CONSTANT(prefix, title)                                                           \
    {                                                                                              \
        .name = prefix "_constant", .label = title, .type = MOD_PARAM_NUMBER, .default_json = "0", \
        .visible_when = prefix "_arg_type=constant", .help = "The constant second argument."       \
    }
#define MATH_ARG_COLUMNS(prefix, title)                                                            \
    {                                                                                              \
        .name = prefix "_column_selector", .label = title, .type = MOD_PARAM_COLUMN_SELECTION,     \
        .default_json = MATH_NUMERIC, .input = "dataset",                                          \
        .visible_when = prefix "_arg_type=column-set",                                             \
        .help = "The columns that hold the second argument, paired with the column set: one "      \
                "column with every selected column, or as many as the column set, in order."       \
    }

static const mod_param math_params[] = {
    {.name = "column_selector",
     .label = "Column set",
     .type = MOD_PARAM_COLUMN_SELECTION,
     .default_json = MATH_NUMERIC,
     .input = "dataset",
     .help = "The numeric columns to operate on (integer and boolean columns count as "
             "numbers)."},
    {.name = "category",
     .label = "Category",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"basic\"",
     .choices = math_category_choices,
     .help = "The family of the operation."},
    {.name = "basic_func",
     .label = "Basic math function",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"abs\"",
     .choices = mod__math_basic_choices,
     .visible_when = "category=basic",
     .help = "The Basic operation."},
    {.name = "compare_func",
     .label = "Comparison function",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"equal-to\"",
     .choices = mod__math_compare_choices,
     .visible_when = "category=compare",
     .help = "The comparison: a true/false column, or the larger or smaller value."},
    {.name = "operations_func",
     .label = "Arithmetic operation",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"add\"",
     .choices = mod__math_operations_choices,
     .visible_when = "category=operations",
     .help = "The arithmetic operation."},
    {.name = "rounding_func",
     .label = "Rounding operation",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"ceiling\"",
     .choices = mod__math_rounding_choices,
     .visible_when = "category=rounding",
     .help = "The rounding operation."},
    {.name = "special_func",
     .label = "Special function",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"beta\"",
     .choices = mod__math_special_choices,
     .visible_when = "category=special",
     .help = "The special function."},
    {.name = "trigonometric_func",
     .label = "Trigonometric function",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"acos\"",
     .choices = mod__math_trigonometric_choices,
     .visible_when = "category=trigonometric",
     .help = "The trigonometric function (angles in radians unless the name says degrees)."},
    MATH_ARG_TYPE("basic", "basic_func=atan2|exp2|hypotenuse|log|nth-root|pow",
                  "Second argument type"),
    MATH_ARG_CONSTANT("basic", "Second argument"),
    MATH_ARG_COLUMNS("basic", "Second argument"),
    MATH_ARG_TYPE("compare", "category=compare", "Value to compare type"),
    MATH_ARG_CONSTANT("compare", "Value to compare"),
    MATH_ARG_COLUMNS("compare", "Value to compare"),
    MATH_ARG_TYPE("operations", "category=operations", "Second argument type"),
    MATH_ARG_CONSTANT("operations", "Second argument"),
    MATH_ARG_COLUMNS("operations", "Second argument"),
    MATH_ARG_TYPE("rounding",
                  "rounding_func=ceiling|floor|mod|quotient|remainder|round-digits|round-down|"
                  "round-up|to-multiple|truncate",
                  "Precision type"),
    MATH_ARG_CONSTANT("rounding", "Precision"),
    MATH_ARG_COLUMNS("rounding", "Precision"),
    MATH_ARG_TYPE("special",
                  "special_func=beta|beta-ln|gamma-regularized-p|gamma-regularized-p-inverse|"
                  "gamma-regularized-q|gamma-regularized-q-inverse|polygamma",
                  "Second argument type"),
    MATH_ARG_CONSTANT("special", "Second argument"),
    MATH_ARG_COLUMNS("special", "Second argument"),
    {.name = "output_mode",
     .label = "Output mode",
     .type = MOD_PARAM_ENUM,
     .default_json = "\"append\"",
     .choices = math_mode_choices,
     .help = "`append` adds the result columns to the input; `inplace` replaces each selected "
             "column by its result; `result-only` outputs the result columns alone."},
};

/* ---- the operation, checked -------------------------------------------- */

typedef struct math_plan {
    const mod__math_op *op;
    size_t category;
    size_t mode;
    size_t *cols, ncols; /* the column set */
    size_t *args, nargs; /* the second argument's columns (column-set) */
    bool constant;       /* the second argument is `value` */
    double value;
    char prefix_arg[64]; /* "<category>_column_selector", for errors */
    size_t *pair_col;    /* per result: index into cols */
    size_t *pair_arg;    /* per result: index into args (column-set only) */
    size_t nresults;
} math_plan;

static void math_plan_clear(math_plan *p)
{
    free(p->cols);
    free(p->args);
    free(p->pair_col);
    free(p->pair_arg);
    memset(p, 0, sizeof *p);
}

/* Every selected column must hold numbers (booleans count as 0 and 1). */
static int math_check_numeric(mod_ctx *ctx, const char *field, const tbl_table *t,
                              const size_t *idx, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const tbl_column *c = &t->cols[idx[k]];
        if (c->type != TBL_NUMERIC && c->type != TBL_INTEGER && c->type != TBL_BOOLEAN)
            return mod__field_error(ctx, field, WF_ETYPE,
                                    "column \"%s\" is %s: Apply Math Operation works on "
                                    "numeric columns",
                                    c->name, tbl_type_name(c->type));
    }
    return 0;
}

/* Reads the category, its operation and argument, and the output mode. The
 * columns are resolved only when t is given (its schema is known). */
static int math_parse(mod_ctx *ctx, const tbl_table *t, math_plan *p)
{
    memset(p, 0, sizeof *p);
    size_t op;
    char field[64];
    int rc = mod__param_choice(ctx, "category", &p->category);
    if (rc == 0) rc = mod__param_choice(ctx, "output_mode", &p->mode);
    if (rc < 0) return rc;
    const char *prefix = math_category_choices[p->category];
    snprintf(field, sizeof field, "%s_func", prefix);
    if ((rc = mod__param_choice(ctx, field, &op)) < 0) return rc;
    p->op = &mod__math_categories[p->category].ops[op];
    size_t arg_type = MATH_CONSTANT;
    if (p->op->binary) {
        snprintf(field, sizeof field, "%s_arg_type", prefix);
        if ((rc = mod__param_choice(ctx, field, &arg_type)) < 0) return rc;
        p->constant = arg_type == MATH_CONSTANT;
        snprintf(field, sizeof field, "%s_constant", prefix);
        if (p->constant && (rc = mod_param_number(ctx, field, &p->value)) < 0) return rc;
        snprintf(p->prefix_arg, sizeof p->prefix_arg, "%s_column_selector", prefix);
    }
    if (t == NULL) {
        /* The schema is unknown: still check that the selections parse. */
        tbl_selection sel;
        rc = mod_param_selection(ctx, "column_selector", &sel);
        tbl_selection_clear(&sel);
        if (rc == 0 && p->op->binary && !p->constant) {
            rc = mod_param_selection(ctx, p->prefix_arg, &sel);
            tbl_selection_clear(&sel);
        }
        return rc;
    }
    rc = mod__resolve_selection(ctx, "column_selector", t, &p->cols, &p->ncols);
    if (rc == 0) rc = math_check_numeric(ctx, "column_selector", t, p->cols, p->ncols);
    if (rc == 0 && p->op->binary && !p->constant) {
        rc = mod__resolve_selection(ctx, p->prefix_arg, t, &p->args, &p->nargs);
        if (rc == 0) rc = math_check_numeric(ctx, p->prefix_arg, t, p->args, p->nargs);
    }
    return rc;
}

/* Pairs the column set with the argument columns as Azure does: one column
 * on either side goes with every column of the other; otherwise the i-th
 * goes with the i-th, and the counts must agree. */
static int math_pair(mod_ctx *ctx, math_plan *p)
{
    size_t n = p->ncols;
    bool columns = p->op->binary && !p->constant;
    size_t m = columns ? p->nargs : 1;
    bool cross = n == 1 || m == 1;
    if (!cross && n != m)
        return mod__field_error(ctx, p->prefix_arg, WF_EINVAL,
                                "the column set has %zu columns and the second argument %zu: "
                                "select one column in either, or as many in both",
                                n, m);
    p->nresults = cross ? n * m : n;
    if (p->mode == MATH_INPLACE && p->nresults != n)
        return mod__field_error(ctx, "output_mode", WF_EINVAL,
                                "inplace replaces each selected column by its result, but one "
                                "column with %zu second-argument columns gives %zu results",
                                m, p->nresults);
    p->pair_col = wf_calloc(p->nresults, sizeof *p->pair_col);
    p->pair_arg = wf_calloc(p->nresults, sizeof *p->pair_arg);
    if (p->pair_col == NULL || p->pair_arg == NULL)
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    for (size_t r = 0; r < p->nresults; r++) {
        p->pair_col[r] = cross ? r / m : r;
        p->pair_arg[r] = cross ? r % m : r;
    }
    return 0;
}

/* ---- computing --------------------------------------------------------- */

/* The value at row as a double; false when it is missing. */
static bool math_value(const tbl_column *c, size_t row, double *x)
{
    if (tbl_is_missing(c, row)) return false;
    switch (c->type) {
    case TBL_NUMERIC:
        *x = c->v.f64[row];
        return !isnan(*x);
    case TBL_INTEGER:
        *x = (double)c->v.i64[row];
        return true;
    case TBL_BOOLEAN:
        *x = c->v.b8[row] ? 1.0 : 0.0;
        return true;
    default:
        return false;
    }
}

/* A constant as Azure prints it in a column name: 10, 2.5, 1e-05. */
static void math_format_constant(double v, char *buf, size_t cap)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, cap, "%.0f", v);
    else {
        snprintf(buf, cap, "%.15g", v);
        if (strtod(buf, NULL) != v) snprintf(buf, cap, "%.17g", v);
    }
}

/* Result r: its column, named Op(col), Op(col_$c) or Op(col_arg). */
static int math_result(mod_ctx *ctx, const tbl_table *t, const math_plan *p, size_t r,
                       tbl_column *out)
{
    const tbl_column *x = &t->cols[p->cols[p->pair_col[r]]];
    const tbl_column *y = p->op->binary && !p->constant ? &t->cols[p->args[p->pair_arg[r]]] : NULL;
    wf_buf name = {0};
    if (!p->op->binary) {
        wf_buf_printf(&name, "%s(%s)", p->op->name, x->name);
    } else if (y == NULL) {
        char c[64];
        math_format_constant(p->value, c, sizeof c);
        wf_buf_printf(&name, "%s(%s_$%s)", p->op->name, x->name, c);
    } else {
        wf_buf_printf(&name, "%s(%s_%s)", p->op->name, x->name, y->name);
    }
    if (name.failed) {
        wf_buf_free(&name);
        return mod_fail(ctx, WF_ENOMEM, "out of memory");
    }
    wf_error err = {0};
    size_t n = t->nrows;
    int rc = tbl_column_init(out, name.data, p->op->boolean ? TBL_BOOLEAN : TBL_NUMERIC, n, &err);
    wf_buf_free(&name);
    if (rc < 0) return mod_fail_with(ctx, &err);
    for (size_t row = 0; row < n; row++) {
        double a, b = p->value;
        double v = NAN;
        if (math_value(x, row, &a) && (y == NULL || math_value(y, row, &b))) v = p->op->fn(a, b);
        if (isnan(v)) {
            if (tbl_set_missing(out, row, n) < 0) {
                tbl_column_clear(out);
                return mod_fail(ctx, WF_ENOMEM, "out of memory");
            }
        } else if (p->op->boolean) {
            out->v.b8[row] = v != 0.0;
        } else {
            out->v.f64[row] = v;
        }
        if ((row & 0xffff) == 0xffff && mod_cancelled(ctx)) {
            tbl_column_clear(out);
            return mod_fail(ctx, WF_ECANCELED, "canceled");
        }
    }
    return 0;
}

/* Renames c, if t has its name, as Azure's Append does: "name(2)",
 * "name(3)"... */
static int math_unique_name(const tbl_table *t, tbl_column *c)
{
    if (tbl_find_column(t, c->name) < 0) return 0;
    size_t cap = strlen(c->name) + 32;
    char *name = malloc(cap);
    if (name == NULL) return WF_ENOMEM;
    for (size_t k = 2;; k++) {
        snprintf(name, cap, "%s(%zu)", c->name, k);
        if (tbl_find_column(t, name) < 0) break;
    }
    free(c->name);
    c->name = name;
    return 0;
}

static int math_apply(mod_ctx *ctx)
{
    const tbl_table *in = mod_input_table(ctx, "dataset");
    if (in == NULL && !ctx->schema_only)
        return mod_fail(ctx, WF_EINVAL, "input \"dataset\" is missing");
    math_plan p;
    int rc = math_parse(ctx, in, &p);
    if (rc == 0 && in != NULL) rc = math_pair(ctx, &p);
    if (rc < 0 || in == NULL) {
        math_plan_clear(&p);
        return rc;
    }
    wf_error err = {0};
    tbl_table *out = NULL;
    if (p.mode == MATH_RESULT_ONLY) {
        if ((out = tbl_new()) == NULL) rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        if (out != NULL) out->nrows = in->nrows;
    } else if (tbl_clone(in, &out, &err) < 0) {
        rc = mod_fail_with(ctx, &err);
    }
    for (size_t r = 0; rc == 0 && r < p.nresults; r++) {
        tbl_column c;
        if ((rc = math_result(ctx, in, &p, r, &c)) < 0) break;
        tbl_compact_missing(&c, in->nrows);
        if (p.mode == MATH_INPLACE) {
            /* The result takes the column's place, name and role. */
            tbl_column *old = &out->cols[p.cols[p.pair_col[r]]];
            free(c.name);
            c.name = old->name;
            c.role = old->role;
            old->name = NULL;
            tbl_column_clear(old);
            *old = c;
            continue;
        }
        if (math_unique_name(out, &c) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
        } else if ((rc = tbl_add_column(out, &c, in->nrows, &err)) < 0) {
            tbl_column_clear(&c);
            rc = mod_fail_with(ctx, &err);
        }
    }
    if (rc == 0 && !ctx->schema_only)
        mod_log(ctx, "%s: %zu result columns over %zu rows", p.op->name, p.nresults, in->nrows);
    math_plan_clear(&p);
    if (rc < 0) {
        tbl_free(out);
        return rc;
    }
    return mod_output_table(ctx, "result_dataset", out);
}

const mod_descriptor mod_apply_math_operation = {
    .name = "apply-math-operation",
    .version = 1,
    .display_name = "Apply Math Operation",
    .category = "Data Transformation",
    .help = "Applies one math operation to the selected numeric columns: a function of each "
            "value, or of each value and a second argument (a constant, or the values of other "
            "columns in the same row).\n"
            "\n"
            "## Operations\n"
            "\n"
            "The values are Azure's operation names in kebab-case (`NthRoot` is `nth-root`, "
            "`Log10` is `log10`); result columns keep Azure's names (`NthRoot(x_$3)`).\n"
            "\n"
            "- **basic**: `abs`, `atan2`*, `cuberoot`, `double-factorial`, `eps`, `exp`, "
            "`exp2`*, `exp-minus1`, `factorial`, `hypotenuse`*, `ln`, `ln-plus1`, `log`*, "
            "`log10`, `log2`, `nth-root`*, `pow`*, `sqrt`, `sqrt-pi`, `square`.\n"
            "- **compare** (all take a second argument): `equal-to`, `greater-than`, "
            "`greater-than-or-equal-to`, `less-than`, `less-than-or-equal-to`, `not-equal-to` "
            "(boolean results), `pair-max`, `pair-min`.\n"
            "- **operations** (all take a second argument): `add`, `divide`, `multiply`, "
            "`subtract` (column minus argument, column over argument).\n"
            "- **rounding**: `ceiling`*, `ceiling-power2`, `floor`*, `mod`*, `quotient`*, "
            "`remainder`*, `round-digits`*, `round-down`*, `round-up`*, `to-even`, "
            "`to-multiple`*, `to-odd`, `truncate`*.\n"
            "- **special**: `beta`*, `beta-ln`*, `elliptic-integral-e`, `elliptic-integral-k`, "
            "`erf`, `erfc`, `erfc-scaled`, `erf-inverse`, `exponential-integral-ein`, `gamma`, "
            "`gamma-ln`, `gamma-regularized-p`*, `gamma-regularized-p-inverse`*, "
            "`gamma-regularized-q`*, `gamma-regularized-q-inverse`*, `polygamma`*.\n"
            "- **trigonometric**: `acos`, `acos-degrees`, `acosh`, `acot`, `acot-degrees`, "
            "`acoth`, `acsc`, `acsc-degrees`, `acsch`, `asec`, `asec-degrees`, `asech`, `asin`, "
            "`asin-degrees`, `asinh`, `atan`, `atan-degrees`, `atanh`, `cos`, `cos-degrees`, "
            "`cosh`, `cot`, `cot-degrees`, `coth`, `csc`, `csc-degrees`, `csch`, "
            "`degrees-to-radians`, `radians-to-degrees`, `sec`, `sec-degrees`, `sech`, `sign`, "
            "`sin`, `sinc`, `sin-degrees`, `sinh`, `tan`, `tan-degrees`, `tanh`.\n"
            "\n"
            "\\* takes a second argument `y`. Values are those of the numpy or scipy.special "
            "function of the same name, with Azure's definitions where Azure has its own: "
            "`atan2` is atan2(column, y) (the column holds y coordinates, the argument x "
            "coordinates); `exp2` is y * 2^x; `log` is the logarithm in base y; `nth-root` is "
            "x^(1/y); `ceiling` and `floor` round to a multiple of y (y = 0 gives 0 for "
            "`ceiling`, nothing for `floor`); `ceiling-power2` is ceil(x)^2; `mod` has the sign "
            "of y, `remainder` the sign of x; `quotient` is x / y truncated; `round-digits` "
            "rounds half away from zero to y digits, `round-down` toward and `round-up` away "
            "from zero, `truncate` cuts (y is a whole number of digits, negative for tens, "
            "hundreds...); `to-even` is 2 round(x/2), halves to even (so odd whole numbers go "
            "to the neighbouring multiple of 4), `to-odd` is floor(x/2)*2+1; `to-multiple` "
            "rounds to the nearest multiple of y; `factorial` and `double-factorial` take the "
            "whole part of x; `beta` and `beta-ln` need x, y >= 0; the incomplete gamma "
            "functions take the column as the shape a and y as the point (scipy's gammainc(a, "
            "y)); `polygamma` is the polygamma function of order y (0: digamma) at x; `sinc` is "
            "sin(pi x)/(pi x).\n"
            "\n"
            "A missing value in either operand gives a missing result, and so does a result "
            "that is not a number (`ln` of a negative number, `sqrt` of -1, 0/0). Infinities "
            "stay (1/0 is infinity).\n"
            "\n"
            "## Parameters\n"
            "\n"
            "- **Column set** (`column_selector`, default every numeric column): integer and "
            "boolean columns count as numbers; a string, categorical or date-time column is "
            "an error that names it.\n"
            "- **Category** (`category`, default `basic`), and the operation of that category: "
            "`basic_func` (default `abs`), `compare_func` (`equal-to`), `operations_func` "
            "(`add`), `rounding_func` (`ceiling`), `special_func` (`beta`), "
            "`trigonometric_func` (`acos`).\n"
            "- For operations with a second argument, per category (`basic`, `compare`, "
            "`operations`, `rounding`, `special`): `<category>_arg_type` (`constant` or "
            "`column-set`, default `constant`), `<category>_constant` (default 0) and "
            "`<category>_column_selector` (default every numeric column): that is "
            "`basic_arg_type`, `basic_constant`, `basic_column_selector`, `compare_arg_type`, "
            "`compare_constant`, `compare_column_selector`, `operations_arg_type`, "
            "`operations_constant`, `operations_column_selector`, `rounding_arg_type`, "
            "`rounding_constant`, `rounding_column_selector`, `special_arg_type`, "
            "`special_constant` and `special_column_selector`. With a column set as the second "
            "argument, one column on either side pairs with every column of the other, "
            "otherwise the i-th column pairs with the i-th and the counts must agree.\n"
            "- **Output mode** (`output_mode`, default `append`): `append` adds the results "
            "after the input's columns (a name already taken gets `(2)`, `(3)`...), `inplace` "
            "replaces each selected column by its result (keeping its name and role), "
            "`result-only` outputs the results alone.\n"
            "\n"
            "Results are numeric columns (compare's tests: boolean), named `Op(column)`, "
            "`Op(column_$constant)` or `Op(column_argument)` with Azure's name of the "
            "operation: `Sqrt(price)`, `Add(price_$10)`, `Divide(price_weight)`.\n"
            "\n"
            "## Differences from Azure\n"
            "\n"
            "Values at the edges of a domain are the mathematical ones where Azure's differ: "
            "Sqrt(0) is 0 (Azure: NaN), Ln(0) is -infinity, division by zero gives +-infinity "
            "or missing for 0/0 (Azure: always infinity), Pow of a negative base with a whole "
            "exponent is defined, GammaLn and the digamma function are defined for negative "
            "non-integers, EllipticIntegralE and K for negative parameters, and Polygamma uses "
            "its order (Azure's always computes the digamma function). The complex-number "
            "operations (Conj, ImaginaryPart, RealPart, Arg, Cis) are left out: weft has no "
            "complex columns. Parameter values are Azure's names in kebab-case (Azure's "
            "`RoundDigits` is `round-digits`, `ResultOnly` is `result-only`).\n"
            "\n"
            "## Example\n"
            "\n"
            "Round every price to 2 digits, in place:\n"
            "\n"
            "```json\n"
            "{\"column_selector\": {\"include\": [{\"names\": [\"price\"]}]},\n"
            " \"category\": \"rounding\", \"rounding_func\": \"round-digits\",\n"
            " \"rounding_constant\": 2, \"output_mode\": \"inplace\"}\n"
            "```\n",
    MOD_PORTS(inputs, math_in),
    MOD_PORTS(outputs, math_out),
    MOD_PARAMS(math_params),
    .configure = math_apply,
    .run = math_apply,
};
