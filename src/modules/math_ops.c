/*
 * math_ops.c: the operations of apply-math-operation@1, by category. Each
 * category is an X-macro list of operations: Azure's name (which names the
 * result columns), the module's enum choice (that name in kebab-case: a
 * hyphen between words, digits staying with their word, as `NthRoot` is
 * `nth-root` and `Log10` is `log10`) and the function, so that the three
 * never drift apart.
 *
 * Values follow the function of the same name in numpy and scipy.special,
 * where Azure's designer implements it; where Azure defines an operation its
 * own way (Exp2 multiplies by its second argument, Ceiling and Floor round
 * to a multiple, RoundDigits rounds half away from zero), that definition
 * is kept. Anything undefined answers NaN, which the module makes missing.
 */
#include "math_int.h"

#include <math.h>

#define MATH_PI 3.14159265358979323846

static double math_degrees(double radians)
{
    return radians * (180.0 / MATH_PI);
}

static double math_radians(double degrees)
{
    return degrees * (MATH_PI / 180.0);
}

/* Azure's precision arguments are whole numbers of digits: Python's int(),
 * which truncates. */
static bool math_digits(double y, double *scale)
{
    if (!isfinite(y)) return false;
    *scale = pow(10.0, trunc(y));
    return true;
}

/* Python's x % y: the result takes the sign of y. */
static double math_python_mod(double x, double y)
{
    double r = fmod(x, y);
    if (r != 0.0 && (r < 0.0) != (y < 0.0)) r += y;
    return r;
}

/* ---- Basic ------------------------------------------------------------- */

static double op_abs(double x, double y)
{
    (void)y;
    return fabs(x);
}

/* The documented reading: the column holds y coordinates, the second
 * argument x coordinates, as MATLAB's atan2(Y, X). */
static double op_atan2(double x, double y)
{
    return atan2(x, y);
}

static double op_cuberoot(double x, double y)
{
    (void)y;
    return cbrt(x);
}

/* n!! of the whole part of x; Azure's limit of 300 (above: infinity). */
static double op_double_factorial(double x, double y)
{
    (void)y;
    if (x < 0.0) return NAN;
    double n = trunc(x);
    if (n > 300.0) return INFINITY;
    double r = 1.0;
    for (double k = n; k > 1.0; k -= 2.0)
        r *= k;
    return r;
}

/* numpy.spacing: the gap to the next double away from zero. */
static double op_eps(double x, double y)
{
    (void)y;
    if (!isfinite(x)) return NAN;
    return nextafter(x, x < 0.0 ? -INFINITY : INFINITY) - x;
}

static double op_exp(double x, double y)
{
    (void)y;
    return exp(x);
}

/* Azure's Exp2: the second argument times 2 to the power of the column. */
static double op_exp2(double x, double y)
{
    return y * exp2(x);
}

static double op_exp_minus1(double x, double y)
{
    (void)y;
    return expm1(x);
}

/* n! of the whole part of x; above 170 it overflows a double. */
static double op_factorial(double x, double y)
{
    (void)y;
    if (x < 0.0) return NAN;
    double n = trunc(x);
    if (n > 170.0) return INFINITY;
    double r = 1.0;
    for (double k = 2.0; k <= n; k += 1.0)
        r *= k;
    return r;
}

static double op_hypotenuse(double x, double y)
{
    return hypot(x, y);
}

static double op_ln(double x, double y)
{
    (void)y;
    return log(x);
}

static double op_ln_plus1(double x, double y)
{
    (void)y;
    return log1p(x);
}

/* The logarithm of x in base y. */
static double op_log(double x, double y)
{
    return log(x) / log(y);
}

static double op_log10(double x, double y)
{
    (void)y;
    return log10(x);
}

static double op_log2(double x, double y)
{
    (void)y;
    return log2(x);
}

static double op_nth_root(double x, double y)
{
    return pow(x, 1.0 / y);
}

static double op_pow(double x, double y)
{
    return pow(x, y);
}

static double op_sqrt(double x, double y)
{
    (void)y;
    return sqrt(x);
}

/* sqrt(pi x). */
static double op_sqrt_pi(double x, double y)
{
    (void)y;
    return sqrt(x * MATH_PI);
}

static double op_square(double x, double y)
{
    (void)y;
    return x * x;
}

#define MATH_BASIC(X)                                                                              \
    X(Abs, "abs", op_abs, false, false)                                                            \
    X(Atan2, "atan2", op_atan2, true, false)                                                       \
    X(Cuberoot, "cuberoot", op_cuberoot, false, false)                                             \
    X(DoubleFactorial, "double-factorial", op_double_factorial, false, false)                      \
    X(Eps, "eps", op_eps, false, false)                                                            \
    X(Exp, "exp", op_exp, false, false)                                                            \
    X(Exp2, "exp2", op_exp2, true, false)                                                          \
    X(ExpMinus1, "exp-minus1", op_exp_minus1, false, false)                                        \
    X(Factorial, "factorial", op_factorial, false, false)                                          \
    X(Hypotenuse, "hypotenuse", op_hypotenuse, true, false)                                        \
    X(Ln, "ln", op_ln, false, false)                                                               \
    X(LnPlus1, "ln-plus1", op_ln_plus1, false, false)                                              \
    X(Log, "log", op_log, true, false)                                                             \
    X(Log10, "log10", op_log10, false, false)                                                      \
    X(Log2, "log2", op_log2, false, false)                                                         \
    X(NthRoot, "nth-root", op_nth_root, true, false)                                               \
    X(Pow, "pow", op_pow, true, false)                                                             \
    X(Sqrt, "sqrt", op_sqrt, false, false)                                                         \
    X(SqrtPi, "sqrt-pi", op_sqrt_pi, false, false)                                                 \
    X(Square, "square", op_square, false, false)

/* ---- Compare ----------------------------------------------------------- */

static double op_equal(double x, double y)
{
    return x == y;
}

static double op_greater(double x, double y)
{
    return x > y;
}

static double op_greater_equal(double x, double y)
{
    return x >= y;
}

static double op_less(double x, double y)
{
    return x < y;
}

static double op_less_equal(double x, double y)
{
    return x <= y;
}

static double op_not_equal(double x, double y)
{
    return x != y;
}

static double op_pair_max(double x, double y)
{
    return x >= y ? x : y;
}

static double op_pair_min(double x, double y)
{
    return x <= y ? x : y;
}

#define MATH_COMPARE(X)                                                                            \
    X(EqualTo, "equal-to", op_equal, true, true)                                                   \
    X(GreaterThan, "greater-than", op_greater, true, true)                                         \
    X(GreaterThanOrEqualTo, "greater-than-or-equal-to", op_greater_equal, true, true)              \
    X(LessThan, "less-than", op_less, true, true)                                                  \
    X(LessThanOrEqualTo, "less-than-or-equal-to", op_less_equal, true, true)                       \
    X(NotEqualTo, "not-equal-to", op_not_equal, true, true)                                        \
    X(PairMax, "pair-max", op_pair_max, true, false)                                               \
    X(PairMin, "pair-min", op_pair_min, true, false)

/* ---- Operations -------------------------------------------------------- */

static double op_add(double x, double y)
{
    return x + y;
}

static double op_divide(double x, double y)
{
    return x / y;
}

static double op_multiply(double x, double y)
{
    return x * y;
}

static double op_subtract(double x, double y)
{
    return x - y;
}

#define MATH_OPERATIONS(X)                                                                         \
    X(Add, "add", op_add, true, false)                                                             \
    X(Divide, "divide", op_divide, true, false)                                                    \
    X(Multiply, "multiply", op_multiply, true, false)                                              \
    X(Subtract, "subtract", op_subtract, true, false)

/* ---- Rounding ---------------------------------------------------------- */

/* Azure's Ceiling and Floor round to a multiple of their argument (Excel's
 * CEILING and FLOOR): ceil(x / y) y. A positive x with a negative multiple
 * has no answer; a multiple of 0 gives 0 (Ceiling) or nothing (Floor). */
static double op_ceiling(double x, double y)
{
    if (x > 0.0 && y < 0.0) return NAN;
    if (y == 0.0) return 0.0;
    return ceil(x / y) * y;
}

static double op_floor(double x, double y)
{
    if ((x > 0.0 && y < 0.0) || y == 0.0) return NAN;
    return floor(x / y) * y;
}

/* Azure's "squared ceiling": ceil(x)^2. */
static double op_ceiling_power2(double x, double y)
{
    (void)y;
    double c = ceil(x);
    return c * c;
}

static double op_mod(double x, double y)
{
    return y == 0.0 ? NAN : math_python_mod(x, y);
}

/* The quotient truncated toward zero. */
static double op_quotient(double x, double y)
{
    return trunc(x / y);
}

/* The remainder with the sign of x (C's fmod, Python's Decimal %). */
static double op_remainder(double x, double y)
{
    return fmod(x, y);
}

/* Half away from zero, to y digits (y < 0: to tens, hundreds...). */
static double op_round_digits(double x, double y)
{
    double scale;
    if (!math_digits(y, &scale)) return NAN;
    return trunc(x * scale + copysign(0.5, x)) / scale;
}

/* Toward zero, to y digits. */
static double op_round_down(double x, double y)
{
    double scale;
    if (!math_digits(y, &scale)) return NAN;
    return copysign(floor(fabs(x) * scale) / scale, x);
}

/* Away from zero, to y digits. */
static double op_round_up(double x, double y)
{
    double scale;
    if (!math_digits(y, &scale)) return NAN;
    return copysign(ceil(fabs(x) * scale) / scale, x);
}

/* The nearest even whole number, halves going to the multiple of 4 (Python's
 * round(x / 2) * 2, which rounds halves to even). */
static double op_to_even(double x, double y)
{
    (void)y;
    return 2.0 * nearbyint(x / 2.0);
}

/* Azure's ToOdd: floor(x / 2) * 2 + 1, the odd number at or just above
 * the even number at or below x. */
static double op_to_odd(double x, double y)
{
    (void)y;
    return floor(x / 2.0) * 2.0 + 1.0;
}

/* The nearest multiple of y (halves up). */
static double op_to_multiple(double x, double y)
{
    if (y < 0.0) return NAN;
    if (y == 0.0) return 0.0;
    double r = math_python_mod(x, y);
    return r + r >= y ? x + y - r : x - r;
}

/* Cut to y digits, toward zero. */
static double op_truncate(double x, double y)
{
    double scale;
    if (!math_digits(y, &scale)) return NAN;
    return trunc(x * scale) / scale;
}

#define MATH_ROUNDING(X)                                                                           \
    X(Ceiling, "ceiling", op_ceiling, true, false)                                                 \
    X(CeilingPower2, "ceiling-power2", op_ceiling_power2, false, false)                            \
    X(Floor, "floor", op_floor, true, false)                                                       \
    X(Mod, "mod", op_mod, true, false)                                                             \
    X(Quotient, "quotient", op_quotient, true, false)                                              \
    X(Remainder, "remainder", op_remainder, true, false)                                           \
    X(RoundDigits, "round-digits", op_round_digits, true, false)                                   \
    X(RoundDown, "round-down", op_round_down, true, false)                                         \
    X(RoundUp, "round-up", op_round_up, true, false)                                               \
    X(ToEven, "to-even", op_to_even, false, false)                                                 \
    X(ToMultiple, "to-multiple", op_to_multiple, true, false)                                      \
    X(ToOdd, "to-odd", op_to_odd, false, false)                                                    \
    X(Truncate, "truncate", op_truncate, true, false)

/* ---- Special ----------------------------------------------------------- */

/* Euler's beta function B(x, y) = Gamma(x) Gamma(y) / Gamma(x + y), for
 * x, y >= 0 as in Azure; through the log-gamma function when the gamma
 * function itself would overflow. */
static double op_beta(double x, double y)
{
    if (x < 0.0 || y < 0.0) return NAN;
    if (x == 0.0 || y == 0.0) return INFINITY;
    if (x + y < 170.0) return tgamma(x) * tgamma(y) / tgamma(x + y);
    return exp(lgamma(x) + lgamma(y) - lgamma(x + y));
}

static double op_beta_ln(double x, double y)
{
    if (x < 0.0 || y < 0.0) return NAN;
    if (x == 0.0 || y == 0.0) return INFINITY;
    if (x + y < 170.0) return log(tgamma(x) * tgamma(y) / tgamma(x + y));
    return lgamma(x) + lgamma(y) - lgamma(x + y);
}

static double op_ellipe(double x, double y)
{
    (void)y;
    return mod__ellipe(x);
}

static double op_ellipk(double x, double y)
{
    (void)y;
    return mod__ellipk(x);
}

static double op_erf(double x, double y)
{
    (void)y;
    return erf(x);
}

static double op_erfc(double x, double y)
{
    (void)y;
    return erfc(x);
}

static double op_erfcx(double x, double y)
{
    (void)y;
    return mod__erfcx(x);
}

static double op_erfinv(double x, double y)
{
    (void)y;
    return mod__erfinv(x);
}

static double op_ein(double x, double y)
{
    (void)y;
    return mod__ein(x);
}

static double op_gamma(double x, double y)
{
    (void)y;
    return tgamma(x);
}

static double op_gamma_ln(double x, double y)
{
    (void)y;
    return lgamma(x);
}

/* As scipy's gammainc(a, x): the column is the shape a, the second argument
 * the point x. */
static double op_gamma_p(double x, double y)
{
    return mod__gamma_p(x, y);
}

static double op_gamma_p_inv(double x, double y)
{
    return mod__gamma_p_inv(x, y);
}

static double op_gamma_q(double x, double y)
{
    return mod__gamma_q(x, y);
}

static double op_gamma_q_inv(double x, double y)
{
    return mod__gamma_q_inv(x, y);
}

/* The polygamma function of order y (its whole part) at x. */
static double op_polygamma(double x, double y)
{
    if (!(y >= 0.0) || y > 170.0) return NAN;
    return mod__polygamma((int)y, x);
}

#define MATH_SPECIAL(X)                                                                            \
    X(Beta, "beta", op_beta, true, false)                                                          \
    X(BetaLn, "beta-ln", op_beta_ln, true, false)                                                  \
    X(EllipticIntegralE, "elliptic-integral-e", op_ellipe, false, false)                           \
    X(EllipticIntegralK, "elliptic-integral-k", op_ellipk, false, false)                           \
    X(Erf, "erf", op_erf, false, false)                                                            \
    X(Erfc, "erfc", op_erfc, false, false)                                                         \
    X(ErfcScaled, "erfc-scaled", op_erfcx, false, false)                                           \
    X(ErfInverse, "erf-inverse", op_erfinv, false, false)                                          \
    X(ExponentialIntegralEin, "exponential-integral-ein", op_ein, false, false)                    \
    X(Gamma, "gamma", op_gamma, false, false)                                                      \
    X(GammaLn, "gamma-ln", op_gamma_ln, false, false)                                              \
    X(GammaRegularizedP, "gamma-regularized-p", op_gamma_p, true, false)                           \
    X(GammaRegularizedPInverse, "gamma-regularized-p-inverse", op_gamma_p_inv, true, false)        \
    X(GammaRegularizedQ, "gamma-regularized-q", op_gamma_q, true, false)                           \
    X(GammaRegularizedQInverse, "gamma-regularized-q-inverse", op_gamma_q_inv, true, false)        \
    X(Polygamma, "polygamma", op_polygamma, true, false)

/* ---- Trigonometric ----------------------------------------------------- */

/* One-argument functions; `expr` computes from x. */
#define MATH_UNARY(name, expr)                                                                     \
    static double name(double x, double y)                                                         \
    {                                                                                              \
        (void)y;                                                                                   \
        return (expr);                                                                             \
    }

MATH_UNARY(op_acos, acos(x))
MATH_UNARY(op_acos_degrees, math_degrees(acos(x)))
MATH_UNARY(op_acosh, acosh(x))
MATH_UNARY(op_acot, atan(1.0 / x))
MATH_UNARY(op_acot_degrees, math_degrees(atan(1.0 / x)))
MATH_UNARY(op_acoth, atanh(1.0 / x))
MATH_UNARY(op_acsc, asin(1.0 / x))
MATH_UNARY(op_acsc_degrees, math_degrees(asin(1.0 / x)))
MATH_UNARY(op_acsch, asinh(1.0 / x))
MATH_UNARY(op_asec, acos(1.0 / x))
MATH_UNARY(op_asec_degrees, math_degrees(acos(1.0 / x)))
MATH_UNARY(op_asech, acosh(1.0 / x))
MATH_UNARY(op_asin, asin(x))
MATH_UNARY(op_asin_degrees, math_degrees(asin(x)))
MATH_UNARY(op_asinh, asinh(x))
MATH_UNARY(op_atan, atan(x))
MATH_UNARY(op_atan_degrees, math_degrees(atan(x)))
MATH_UNARY(op_atanh, atanh(x))
MATH_UNARY(op_cos, cos(x))
MATH_UNARY(op_cos_degrees, cos(math_radians(x)))
MATH_UNARY(op_cosh, cosh(x))
MATH_UNARY(op_cot, 1.0 / tan(x))
MATH_UNARY(op_cot_degrees, 1.0 / tan(math_radians(x)))
MATH_UNARY(op_coth, 1.0 / tanh(x))
MATH_UNARY(op_csc, 1.0 / sin(x))
MATH_UNARY(op_csc_degrees, 1.0 / sin(math_radians(x)))
MATH_UNARY(op_csch, 1.0 / sinh(x))
MATH_UNARY(op_degrees_to_radians, math_radians(x))
MATH_UNARY(op_radians_to_degrees, math_degrees(x))
MATH_UNARY(op_sec, 1.0 / cos(x))
MATH_UNARY(op_sec_degrees, 1.0 / cos(math_radians(x)))
MATH_UNARY(op_sech, 1.0 / cosh(x))
MATH_UNARY(op_sign, x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0)
MATH_UNARY(op_sin, sin(x))
/* numpy's normalized sinc: sin(pi x) / (pi x), 1 at 0. */
MATH_UNARY(op_sinc, x == 0.0 ? 1.0 : sin(MATH_PI * x) / (MATH_PI * x))
MATH_UNARY(op_sin_degrees, sin(math_radians(x)))
MATH_UNARY(op_sinh, sinh(x))
MATH_UNARY(op_tan, tan(x))
MATH_UNARY(op_tan_degrees, tan(math_radians(x)))
MATH_UNARY(op_tanh, tanh(x))

#define MATH_TRIGONOMETRIC(X)                                                                      \
    X(Acos, "acos", op_acos, false, false)                                                         \
    X(AcosDegrees, "acos-degrees", op_acos_degrees, false, false)                                  \
    X(Acosh, "acosh", op_acosh, false, false)                                                      \
    X(Acot, "acot", op_acot, false, false)                                                         \
    X(AcotDegrees, "acot-degrees", op_acot_degrees, false, false)                                  \
    X(Acoth, "acoth", op_acoth, false, false)                                                      \
    X(Acsc, "acsc", op_acsc, false, false)                                                         \
    X(AcscDegrees, "acsc-degrees", op_acsc_degrees, false, false)                                  \
    X(Acsch, "acsch", op_acsch, false, false)                                                      \
    X(Asec, "asec", op_asec, false, false)                                                         \
    X(AsecDegrees, "asec-degrees", op_asec_degrees, false, false)                                  \
    X(Asech, "asech", op_asech, false, false)                                                      \
    X(Asin, "asin", op_asin, false, false)                                                         \
    X(AsinDegrees, "asin-degrees", op_asin_degrees, false, false)                                  \
    X(Asinh, "asinh", op_asinh, false, false)                                                      \
    X(Atan, "atan", op_atan, false, false)                                                         \
    X(AtanDegrees, "atan-degrees", op_atan_degrees, false, false)                                  \
    X(Atanh, "atanh", op_atanh, false, false)                                                      \
    X(Cos, "cos", op_cos, false, false)                                                            \
    X(CosDegrees, "cos-degrees", op_cos_degrees, false, false)                                     \
    X(Cosh, "cosh", op_cosh, false, false)                                                         \
    X(Cot, "cot", op_cot, false, false)                                                            \
    X(CotDegrees, "cot-degrees", op_cot_degrees, false, false)                                     \
    X(Coth, "coth", op_coth, false, false)                                                         \
    X(Csc, "csc", op_csc, false, false)                                                            \
    X(CscDegrees, "csc-degrees", op_csc_degrees, false, false)                                     \
    X(Csch, "csch", op_csch, false, false)                                                         \
    X(DegreesToRadians, "degrees-to-radians", op_degrees_to_radians, false, false)                 \
    X(RadiansToDegrees, "radians-to-degrees", op_radians_to_degrees, false, false)                 \
    X(Sec, "sec", op_sec, false, false)                                                            \
    X(SecDegrees, "sec-degrees", op_sec_degrees, false, false)                                     \
    X(Sech, "sech", op_sech, false, false)                                                         \
    X(Sign, "sign", op_sign, false, false)                                                         \
    X(Sin, "sin", op_sin, false, false)                                                            \
    X(Sinc, "sinc", op_sinc, false, false)                                                         \
    X(SinDegrees, "sin-degrees", op_sin_degrees, false, false)                                     \
    X(Sinh, "sinh", op_sinh, false, false)                                                         \
    X(Tan, "tan", op_tan, false, false)                                                            \
    X(TanDegrees, "tan-degrees", op_tan_degrees, false, false)                                     \
    X(Tanh, "tanh", op_tanh, false, false)

/* ---- the tables -------------------------------------------------------- */

#define MATH_CHOICE(name, choice, fn, binary, boolean) choice,
#define MATH_OP(name, choice, fn, binary, boolean) {#name, fn, binary, boolean},

const char *const mod__math_basic_choices[] = {MATH_BASIC(MATH_CHOICE) NULL};
const char *const mod__math_compare_choices[] = {MATH_COMPARE(MATH_CHOICE) NULL};
const char *const mod__math_operations_choices[] = {MATH_OPERATIONS(MATH_CHOICE) NULL};
const char *const mod__math_rounding_choices[] = {MATH_ROUNDING(MATH_CHOICE) NULL};
const char *const mod__math_special_choices[] = {MATH_SPECIAL(MATH_CHOICE) NULL};
const char *const mod__math_trigonometric_choices[] = {MATH_TRIGONOMETRIC(MATH_CHOICE) NULL};

static const mod__math_op math_basic[] = {MATH_BASIC(MATH_OP)};
static const mod__math_op math_compare[] = {MATH_COMPARE(MATH_OP)};
static const mod__math_op math_operations[] = {MATH_OPERATIONS(MATH_OP)};
static const mod__math_op math_rounding[] = {MATH_ROUNDING(MATH_OP)};
static const mod__math_op math_special[] = {MATH_SPECIAL(MATH_OP)};
static const mod__math_op math_trigonometric[] = {MATH_TRIGONOMETRIC(MATH_OP)};

#define MATH_CATEGORY(title, table, names)                                                         \
    {                                                                                              \
        .name = title, .ops = table, .nops = sizeof table / sizeof table[0], .choices = names      \
    }

const mod__math_category mod__math_categories[MOD__MATH_NCATEGORIES] = {
    MATH_CATEGORY("Basic", math_basic, mod__math_basic_choices),
    MATH_CATEGORY("Compare", math_compare, mod__math_compare_choices),
    MATH_CATEGORY("Operations", math_operations, mod__math_operations_choices),
    MATH_CATEGORY("Rounding", math_rounding, mod__math_rounding_choices),
    MATH_CATEGORY("Special", math_special, mod__math_special_choices),
    MATH_CATEGORY("Trigonometric", math_trigonometric, mod__math_trigonometric_choices),
};
