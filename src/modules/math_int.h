/*
 * math_int.h: what the files of apply-math-operation@1 share: the
 * operations of each category (math_ops.c), as tables the module (math.c)
 * dispatches through, and the special functions (math_special.c).
 *
 * Every operation is a function of one or two doubles that answers NaN
 * outside its domain; the module turns NaN into a missing value.
 */
#ifndef WEFT_MODULES_MATH_INT_H
#define WEFT_MODULES_MATH_INT_H

#include <stdbool.h>
#include <stddef.h>

typedef double (*mod__math_fn)(double x, double y);

typedef struct mod__math_op {
    const char *name; /* Azure's name, for result columns: "Sqrt", "GreaterThan", ... */
    mod__math_fn fn;  /* y is the second argument (0 when there is none) */
    bool binary;      /* takes a second argument (constant or column) */
    bool boolean;     /* answers true/false (0 or 1): Compare's tests */
} mod__math_op;

/* A category: its operations, and their enum choices (the names in
 * kebab-case: "sqrt", "greater-than", ...; NULL-terminated, in the same
 * order). */
typedef struct mod__math_category {
    const char *name; /* "Basic", "Compare", ... */
    const mod__math_op *ops;
    size_t nops;
    const char *const *choices;
} mod__math_category;

enum {
    MOD__MATH_BASIC,
    MOD__MATH_COMPARE,
    MOD__MATH_OPERATIONS,
    MOD__MATH_ROUNDING,
    MOD__MATH_SPECIAL,
    MOD__MATH_TRIGONOMETRIC,
    MOD__MATH_NCATEGORIES
};

extern const mod__math_category mod__math_categories[MOD__MATH_NCATEGORIES];
/* The choices of each category's operation parameter. */
extern const char *const mod__math_basic_choices[];
extern const char *const mod__math_compare_choices[];
extern const char *const mod__math_operations_choices[];
extern const char *const mod__math_rounding_choices[];
extern const char *const mod__math_special_choices[];
extern const char *const mod__math_trigonometric_choices[];

/* ---- special functions (math_special.c) ---------------------------------- */

/* Complete elliptic integrals of the first and second kind, with parameter
 * m = k^2 (m <= 1), as scipy.special.ellipk and ellipe. */
double mod__ellipk(double m);
double mod__ellipe(double m);
/* exp(x^2) erfc(x), without overflow or underflow for large x. */
double mod__erfcx(double x);
/* The inverse of erf on [-1, 1]. */
double mod__erfinv(double x);
/* Ein(x) = integral from 0 to x of (1 - exp(-t)) / t dt. */
double mod__ein(double x);
/* The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P,
 * for a > 0 and x >= 0, and their inverses in x. */
double mod__gamma_p(double a, double x);
double mod__gamma_q(double a, double x);
double mod__gamma_p_inv(double a, double p);
double mod__gamma_q_inv(double a, double q);
/* The polygamma function psi^(n)(x): the digamma function for n = 0. */
double mod__polygamma(int n, double x);

#endif
