/*
 * math_special.c: the special functions of Apply Math Operation that C99's
 * <math.h> lacks: complete elliptic integrals, the scaled complementary and
 * the inverse error functions, the exponential integral Ein, the
 * regularized incomplete gamma functions and their inverses, and the
 * polygamma functions. Each answers NaN outside its domain. Their values
 * are checked against scipy.special in tests/modules/test_math.c.
 */
#include "math_int.h"

#include <float.h>
#include <math.h>

#define MATH_PI 3.14159265358979323846
#define MATH_EULER_GAMMA 0.57721566490153286061

/* ---- complete elliptic integrals --------------------------------------- */

/* K(m) and E(m) by the arithmetic-geometric mean (Abramowitz and Stegun,
 * Handbook of Mathematical Functions, 1964, 17.6): with a0 = 1,
 * b0 = sqrt(1 - m), c0^2 = m and a_{n+1} = (a_n + b_n) / 2,
 * b_{n+1} = sqrt(a_n b_n), c_{n+1} = (a_n - b_n) / 2,
 *     K = pi / (2 a_N),   E = K (1 - sum_n 2^(n-1) c_n^2).
 * The mean converges quadratically: a handful of steps reach full
 * precision. */
static void math_elliptic(double m, double *k, double *e)
{
    double a = 1.0, b = sqrt(1.0 - m), sum = 0.5 * m, power = 0.5;
    for (int i = 0; i < 64; i++) {
        double c = 0.5 * (a - b);
        double next = 0.5 * (a + b);
        b = sqrt(a * b);
        a = next;
        power *= 2.0;
        sum += power * c * c;
        /* Once c is below half an ulp of a, a and b agree to twice the
         * digits: stop before rounding noise, doubled each step, counts. */
        if (fabs(c) <= 1e-16 * a) break;
    }
    *k = MATH_PI / (2.0 * a);
    *e = *k * (1.0 - sum);
}

double mod__ellipk(double m)
{
    if (isnan(m) || m > 1.0) return NAN;
    if (m == 1.0) return INFINITY;
    if (m == -INFINITY) return 0.0;
    double k, e;
    math_elliptic(m, &k, &e);
    return k;
}

double mod__ellipe(double m)
{
    if (isnan(m) || m > 1.0) return NAN;
    if (m == 1.0) return 1.0;
    if (m == -INFINITY) return INFINITY;
    double k, e;
    math_elliptic(m, &k, &e);
    return e;
}

/* ---- error functions --------------------------------------------------- */

/* exp(x^2) erfc(x). Below 26, erfc(x) is still a normal double and exp(x^2)
 * finite; x^2 is split into its rounded value and the rounding error (an
 * exact fused multiply-add), so the product keeps full precision. Above,
 * the asymptotic series (Abramowitz and Stegun 7.1.23)
 *     erfcx(x) ~ 1/(x sqrt(pi)) sum_n (-1)^n (2n-1)!! / (2x^2)^n
 * converges to double precision in a few terms. */
double mod__erfcx(double x)
{
    if (isnan(x)) return NAN;
    if (x < 26.0) {
        double x2 = x * x;
        double low = fma(x, x, -x2);
        return exp(x2) * exp(low) * erfc(x);
    }
    if (x == INFINITY) return 0.0;
    double r = 1.0 / (2.0 * x * x), term = 1.0, sum = 1.0;
    for (int n = 1; n < 60; n++) {
        term *= -(2.0 * n - 1.0) * r;
        sum += term;
        if (fabs(term) < 1e-17 * sum) break;
    }
    return sum / (x * sqrt(MATH_PI));
}

/* erf^-1(x). A first guess from Winitzki's closed-form approximation ("A
 * handy approximation for the error function and its inverse", 2008;
 * relative error about 2e-3), then Halley's method on erf(y) = x, which
 * triples the correct digits per step. Above 0.5 the residual is taken as
 * (1 - x) - erfc(y): 1 - x is exact there, and erfc keeps the digits that
 * erf(y) - x would cancel near 1. */
double mod__erfinv(double x)
{
    if (isnan(x) || x < -1.0 || x > 1.0) return NAN;
    if (x == 1.0) return INFINITY;
    if (x == -1.0) return -INFINITY;
    if (x == 0.0) return x;
    double ax = fabs(x);
    const double a = 0.147;
    double l = log((1.0 - ax) * (1.0 + ax));
    double h = 2.0 / (MATH_PI * a) + 0.5 * l;
    double y = sqrt(sqrt(h * h - l / a) - h);
    const double two_over_sqrt_pi = 1.12837916709551257390;
    for (int i = 0; i < 8; i++) {
        double f = ax <= 0.5 ? erf(y) - ax : (1.0 - ax) - erfc(y);
        double slope = two_over_sqrt_pi * exp(-y * y);
        if (f == 0.0 || slope == 0.0) break;
        double u = f / slope;
        /* erf'' = -2y erf': Halley's step is u / (1 + y u). */
        double step = u / (1.0 + y * u);
        y -= step;
        if (fabs(step) <= 1e-16 * y) break;
    }
    return x < 0 ? -y : y;
}

/* ---- the exponential integral Ein -------------------------------------- */

/* E1(x) for x > 2, by its continued fraction (Abramowitz and Stegun 5.1.22)
 *     E1(x) = exp(-x) (1/(x+1-) 1/(x+3-) 4/(x+5-) 9/(x+7-) ...)
 * evaluated forwards by the modified Lentz method (Lentz, Applied Optics
 * 15, 1976; Thompson and Barnett, J. Comput. Phys. 64, 1986). */
static double math_e1_fraction(double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -(double)i * (double)i;
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double delta = c * d;
        h *= delta;
        if (fabs(delta - 1.0) < 1e-16) break;
    }
    return h * exp(-x);
}

/* Ein(x) = sum_{k>=1} (-1)^(k+1) x^k / (k k!) (Abramowitz and Stegun 5.1.11
 * rearranged). The series converges everywhere; its terms all have one
 * sign for x < 0, and for x <= 2 they cancel little. Beyond 2,
 * Ein(x) = E1(x) + gamma + ln x, with E1 from its continued fraction. */
double mod__ein(double x)
{
    if (isnan(x)) return NAN;
    if (x == 0.0) return 0.0;
    if (x == INFINITY) return INFINITY;
    if (x == -INFINITY) return -INFINITY;
    if (x > 2.0) return math_e1_fraction(x) + MATH_EULER_GAMMA + log(x);
    /* b_k = (-x)^k / (k k!), Ein = -sum b_k. */
    double b = -x, sum = b;
    for (int k = 2; k < 100000; k++) {
        b *= -x * (double)(k - 1) / ((double)k * (double)k);
        sum += b;
        if (fabs(b) <= 1e-17 * fabs(sum) || !isfinite(sum)) break;
    }
    return -sum;
}

/* ---- regularized incomplete gamma functions ---------------------------- */

/* log(x^a e^-x / Gamma(a)), the factor both expansions share. */
static double math_gamma_log_factor(double a, double x)
{
    return a * log(x) - x - lgamma(a);
}

/* P(a, x) by its series (Abramowitz and Stegun 6.5.29), for x < a + 1:
 *     P = x^a e^-x / Gamma(a + 1) sum_n x^n / ((a+1)(a+2)...(a+n)). */
static double math_gamma_p_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 10000000; n++) {
        term *= x / (a + n);
        sum += term;
        if (term < sum * 1e-17) break;
    }
    return sum * exp(math_gamma_log_factor(a, x));
}

/* Q(a, x) by Legendre's continued fraction (Abramowitz and Stegun 6.5.31),
 * for x >= a + 1, evaluated by the modified Lentz method:
 *     Q = x^a e^-x / Gamma(a) (1/(x+1-a-) 1(1-a)/(x+3-a-) 2(2-a)/(x+5-a-) ...). */
static double math_gamma_q_fraction(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 10000000; i++) {
        double an = -(double)i * ((double)i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double delta = c * d;
        h *= delta;
        if (fabs(delta - 1.0) < 1e-16) break;
    }
    return h * exp(math_gamma_log_factor(a, x));
}

double mod__gamma_p(double a, double x)
{
    if (isnan(a) || isnan(x) || a <= 0.0 || x < 0.0 || a == INFINITY) return NAN;
    if (x == 0.0) return 0.0;
    if (x == INFINITY) return 1.0;
    return x < a + 1.0 ? math_gamma_p_series(a, x) : 1.0 - math_gamma_q_fraction(a, x);
}

double mod__gamma_q(double a, double x)
{
    if (isnan(a) || isnan(x) || a <= 0.0 || x < 0.0 || a == INFINITY) return NAN;
    if (x == 0.0) return 1.0;
    if (x == INFINITY) return 0.0;
    return x < a + 1.0 ? 1.0 - math_gamma_p_series(a, x) : math_gamma_q_fraction(a, x);
}

/* Solves P(a, x) = target (upper: Q(a, x) = target) for x by Halley's
 * method, kept inside a bracket that every evaluation narrows, so a step
 * that would leave it bisects instead. With f(x) = P(a, x) - p,
 *     f'(x) = x^(a-1) e^-x / Gamma(a),   f''/f' = (a - 1)/x - 1
 * (the same for q - Q(a, x)). The first guess is the Wilson-Hilferty cube
 * of a normal quantile (Wilson and Hilferty, PNAS 17, 1931) for a >= 1,
 * else the small-x approximation P ~ x^a / Gamma(a + 1). */
static double math_gamma_solve(double a, double target, bool upper)
{
    /* Near 1, solve the other tail for the small side's digits. */
    if (target > 0.9) {
        target = 1.0 - target;
        upper = !upper;
    }
    double p = upper ? 1.0 - target : target; /* the lower tail, for the guess */
    double x = NAN;
    if (a >= 1.0) {
        double z;
        if (upper && target < 1e-10)
            z = sqrt(-2.0 * log(target));
        else if (!upper && target < 1e-10)
            z = -sqrt(-2.0 * log(target));
        else
            z = 1.41421356237309504880 * mod__erfinv(2.0 * p - 1.0);
        double t = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * sqrt(a));
        x = a * t * t * t;
    }
    if (!(x > 0.0) || !isfinite(x)) {
        double log_x = (log(upper ? 1.0 - target : target) + lgamma(a + 1.0)) / a;
        /* Where P ~ x^a / Gamma(a + 1) holds, an answer below the smallest
         * double is 0. */
        if (!upper && log_x < -745.0) return 0.0;
        x = exp(log_x);
        if (!(x > 0.0) || !isfinite(x)) x = a > 1.0 ? a : 1.0;
    }
    double lo = 0.0, hi = INFINITY;
    for (int i = 0; i < 200; i++) {
        double f = upper ? target - mod__gamma_q(a, x) : mod__gamma_p(a, x) - target;
        if (f == 0.0) return x;
        if (f < 0.0)
            lo = x;
        else
            hi = x;
        double slope = exp((a - 1.0) * log(x) - x - lgamma(a));
        double next;
        if (slope > 0.0 && isfinite(slope)) {
            double u = f / slope;
            double denom = 1.0 - 0.5 * u * ((a - 1.0) / x - 1.0);
            next = x - (denom > 0.1 ? u / denom : u);
        } else {
            next = NAN;
        }
        /* A step out of the bracket bisects it (in ratio, down to 0). */
        if (!(next > lo && next < hi))
            next = !isfinite(hi) ? 2.0 * x + 1.0 : lo > 0.0 ? 0.5 * (lo + hi) : 0.125 * hi;
        if (fabs(next - x) <= 4.0 * DBL_EPSILON * fabs(next)) return next;
        x = next;
    }
    return x;
}

double mod__gamma_p_inv(double a, double p)
{
    if (isnan(a) || isnan(p) || a <= 0.0 || a == INFINITY || p < 0.0 || p > 1.0) return NAN;
    if (p == 0.0) return 0.0;
    if (p == 1.0) return INFINITY;
    return math_gamma_solve(a, p, false);
}

double mod__gamma_q_inv(double a, double q)
{
    if (isnan(a) || isnan(q) || a <= 0.0 || a == INFINITY || q < 0.0 || q > 1.0) return NAN;
    if (q == 1.0) return 0.0;
    if (q == 0.0) return INFINITY;
    return math_gamma_solve(a, q, true);
}

/* ---- polygamma --------------------------------------------------------- */

/* The digamma function: the recurrence psi(x) = psi(x + 1) - 1/x lifts x to
 * 6 or more, where the asymptotic series (Abramowitz and Stegun 6.3.18)
 *     psi(x) ~ ln x - 1/(2x) - sum_k B_2k / (2k x^2k)
 * is exact to double precision; negative x goes through the reflection
 * psi(1 - x) - psi(x) = pi cot(pi x). Poles (0, -1, -2, ...) are NaN. */
static double math_digamma(double x)
{
    if (isnan(x) || x == -INFINITY) return NAN;
    if (x == INFINITY) return INFINITY;
    if (x <= 0.0 && floor(x) == x) return NAN;
    if (x < 0.0) return math_digamma(1.0 - x) - MATH_PI / tan(MATH_PI * x);
    double shift = 0.0;
    while (x < 6.0) {
        shift -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    double series =
        f *
        (1.0 / 12 -
         f * (1.0 / 120 -
              f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))));
    return shift + log(x) - 0.5 / x - series;
}

/* The Hurwitz zeta function zeta(s, q) = sum_{k>=0} (q + k)^-s, for s > 1
 * and q > 0, by Euler-Maclaurin summation (Abramowitz and Stegun 23.1.30):
 * the first terms directly until w = q + N >= s + 15, then
 *     w^(1-s)/(s-1) + w^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) w^(-s-2j+1),
 * whose terms shrink fast once w is that large. */
static double math_hurwitz_zeta(double s, double q)
{
    static const double bernoulli[] = {1.0 / 6,       -1.0 / 30,       1.0 / 42,      -1.0 / 30,
                                       5.0 / 66,      -691.0 / 2730,   7.0 / 6,       -3617.0 / 510,
                                       43867.0 / 798, -174611.0 / 330, 854513.0 / 138};
    double sum = 0.0, w = q;
    while (w < s + 15.0) {
        sum += pow(w, -s);
        w += 1.0;
    }
    sum += pow(w, 1.0 - s) / (s - 1.0) + 0.5 * pow(w, -s);
    /* term_j = B_2j / (2j)! * s(s+1)...(s+2j-2) * w^(-s-2j+1) */
    double rising = s, factorial = 2.0, wpow = pow(w, -s - 1.0);
    for (size_t j = 1; j <= sizeof bernoulli / sizeof bernoulli[0]; j++) {
        double term = bernoulli[j - 1] / factorial * rising * wpow;
        sum += term;
        if (fabs(term) < 1e-17 * fabs(sum)) break;
        rising *= (s + 2.0 * j - 1.0) * (s + 2.0 * j);
        factorial *= (2.0 * j + 1.0) * (2.0 * j + 2.0);
        wpow /= w * w;
    }
    return sum;
}

/* psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1 (Abramowitz and
 * Stegun 6.4.10), for x > 0. */
double mod__polygamma(int n, double x)
{
    if (n < 0 || isnan(x)) return NAN;
    if (n == 0) return math_digamma(x);
    if (x <= 0.0) return NAN;
    if (x == INFINITY) return 0.0;
    double factorial = 1.0;
    for (int k = 2; k <= n; k++)
        factorial *= k;
    double z = math_hurwitz_zeta(n + 1.0, x);
    return (n % 2 == 1 ? 1.0 : -1.0) * factorial * z;
}
