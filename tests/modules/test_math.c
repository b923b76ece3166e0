/*
 * test_math.c: apply-math-operation@1. Every operation of every category
 * runs on the same columns and is checked against numpy and
 * scipy.special computed by /usr/bin/python3 on the same CSV; then the
 * module's own rules: names, output modes, pairing of column sets,
 * missing values, and the errors for columns that are not numbers.
 */
#include "module_test.h"

#include "modules/math_int.h"

#include <math.h>

/* 24 rows. x: general values; y: second arguments; p: probabilities; s:
 * positive shapes; n: small whole numbers; k: integers; flag: booleans. */
#define MATH_DATA                                                                                  \
    "x,y,p,s,n,k,flag\n"                                                                           \
    "-3.7,2,0,0.1,0,-4,true\n"                                                                     \
    "-2.5,-1,0.01,0.5,1,-1,false\n"                                                                \
    "-1.5,0.5,0.1,1,2,0,true\n"                                                                    \
    "-0.5,3,0.25,1.5,3,1,false\n"                                                                  \
    "0,1,0.5,2,4,2,true\n"                                                                         \
    "0.25,0,0.75,3,0,3,\n"                                                                         \
    "0.5,2.5,0.9,5,1,5,false\n"                                                                    \
    "1,-2,0.99,7.5,2,8,true\n"                                                                     \
    "1.5,4,0.999,10,3,13,false\n"                                                                  \
    "2,1.5,1,20,4,21,true\n"                                                                       \
    "2.5,0.3,1e-8,50,0,34,false\n"                                                                 \
    "3,-0.7,0.3,0.75,1,55,true\n"                                                                  \
    "4.75,2,0.6,2.5,2,89,false\n"                                                                  \
    "10,3,0.05,4,3,144,true\n"                                                                     \
    "123.456,0.1,0.42,12.5,4,233,false\n"                                                          \
    ",1,0.5,1,0,,\n"                                                                               \
    "0.001,,0.2,0.3,1,377,true\n"                                                                  \
    "7,5,0.8,6,2,610,false\n"                                                                      \
    "-0.999,2,0.7,0.9,3,987,true\n"                                                                \
    "0.999,-3,0.35,3.3,4,1597,false\n"                                                             \
    "25,1,0.15,100,0,-2584,true\n"                                                                 \
    "-7.25,6,0.65,0.2,1,4181,false\n"                                                              \
    "171.5,0.5,0.45,30,2,6765,true\n"                                                              \
    "5.5,-0.5,0.55,8,3,-10946,false\n"

/* Each operation: its category and name as Azure spells them (the
 * parameter values are their kebab-case, see kebab(); result columns keep
 * Azure's names), the column it works on and the column of its second
 * argument (NULL when it has none), and a relative tolerance (and an
 * absolute one, for functions whose libm error is absolute near their
 * zeros). */
typedef struct math_case {
    const char *category, *op, *x, *y;
    double rtol, atol;
} math_case;

static const math_case math_cases[] = {
    {"Basic", "Abs", "x", NULL, 0, 0},
    {"Basic", "Atan2", "x", "y", 1e-15, 0},
    {"Basic", "Cuberoot", "x", NULL, 1e-15, 0},
    {"Basic", "DoubleFactorial", "x", NULL, 1e-13, 0},
    {"Basic", "Eps", "x", NULL, 0, 0},
    {"Basic", "Exp", "x", NULL, 1e-15, 0},
    {"Basic", "Exp2", "x", "y", 1e-15, 0},
    {"Basic", "ExpMinus1", "x", NULL, 1e-15, 0},
    {"Basic", "Factorial", "x", NULL, 1e-13, 0},
    {"Basic", "Hypotenuse", "x", "y", 1e-15, 0},
    {"Basic", "Ln", "x", NULL, 1e-15, 0},
    {"Basic", "LnPlus1", "x", NULL, 1e-15, 0},
    {"Basic", "Log", "s", "y", 1e-14, 0},
    {"Basic", "Log10", "x", NULL, 1e-15, 0},
    {"Basic", "Log2", "x", NULL, 1e-15, 0},
    {"Basic", "NthRoot", "s", "y", 1e-14, 0},
    {"Basic", "Pow", "x", "y", 1e-14, 0},
    {"Basic", "Sqrt", "x", NULL, 1e-15, 0},
    {"Basic", "SqrtPi", "x", NULL, 1e-15, 0},
    {"Basic", "Square", "x", NULL, 0, 0},
    {"Compare", "EqualTo", "n", "k", 0, 0},
    {"Compare", "GreaterThan", "x", "y", 0, 0},
    {"Compare", "GreaterThanOrEqualTo", "n", "y", 0, 0},
    {"Compare", "LessThan", "x", "y", 0, 0},
    {"Compare", "LessThanOrEqualTo", "n", "y", 0, 0},
    {"Compare", "NotEqualTo", "x", "y", 0, 0},
    {"Compare", "PairMax", "x", "y", 0, 0},
    {"Compare", "PairMin", "x", "y", 0, 0},
    {"Operations", "Add", "x", "y", 0, 0},
    {"Operations", "Divide", "x", "y", 0, 0},
    {"Operations", "Multiply", "x", "k", 0, 0},
    {"Operations", "Subtract", "x", "flag", 0, 0},
    {"Rounding", "Ceiling", "x", "y", 1e-15, 0},
    {"Rounding", "CeilingPower2", "x", NULL, 0, 0},
    {"Rounding", "Floor", "x", "y", 1e-15, 0},
    {"Rounding", "Mod", "x", "y", 1e-15, 0},
    {"Rounding", "Quotient", "x", "y", 0, 0},
    {"Rounding", "Remainder", "x", "y", 1e-15, 0},
    {"Rounding", "RoundDigits", "x", "n", 1e-15, 0},
    {"Rounding", "RoundDown", "x", "n", 1e-15, 0},
    {"Rounding", "RoundUp", "x", "n", 1e-15, 0},
    {"Rounding", "ToEven", "x", NULL, 0, 0},
    {"Rounding", "ToMultiple", "x", "y", 1e-15, 0},
    {"Rounding", "ToOdd", "x", NULL, 0, 0},
    {"Rounding", "Truncate", "x", "n", 1e-15, 0},
    {"Special", "Beta", "s", "y", 1e-12, 0},
    {"Special", "BetaLn", "s", "s", 1e-12, 0},
    {"Special", "EllipticIntegralE", "x", NULL, 1e-13, 0},
    {"Special", "EllipticIntegralK", "x", NULL, 1e-13, 0},
    {"Special", "Erf", "x", NULL, 1e-15, 0},
    {"Special", "Erfc", "x", NULL, 1e-14, 0},
    {"Special", "ErfcScaled", "x", NULL, 1e-13, 0},
    {"Special", "ErfInverse", "x", NULL, 1e-13, 0},
    {"Special", "ExponentialIntegralEin", "x", NULL, 1e-12, 0},
    {"Special", "Gamma", "x", NULL, 1e-13, 0},
    /* glibc's lgamma is accurate to ~1e-16 absolute, not relative, near
     * its zeros at 1 and 2 (scipy's gammaln is relative there). */
    {"Special", "GammaLn", "x", NULL, 1e-13, 1e-15},
    {"Special", "GammaRegularizedP", "s", "x", 1e-11, 0},
    {"Special", "GammaRegularizedPInverse", "s", "p", 1e-10, 0},
    {"Special", "GammaRegularizedQ", "s", "x", 1e-11, 0},
    {"Special", "GammaRegularizedQInverse", "s", "p", 1e-10, 0},
    {"Special", "Polygamma", "s", "n", 1e-12, 0},
    {"Trigonometric", "Acos", "x", NULL, 1e-15, 0},
    {"Trigonometric", "AcosDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Acosh", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Acot", "x", NULL, 1e-15, 0},
    {"Trigonometric", "AcotDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Acoth", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Acsc", "x", NULL, 1e-15, 0},
    {"Trigonometric", "AcscDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Acsch", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Asec", "x", NULL, 1e-15, 0},
    {"Trigonometric", "AsecDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Asech", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Asin", "x", NULL, 1e-15, 0},
    {"Trigonometric", "AsinDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Asinh", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Atan", "x", NULL, 1e-15, 0},
    {"Trigonometric", "AtanDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Atanh", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Cos", "x", NULL, 1e-15, 0},
    {"Trigonometric", "CosDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Cosh", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Cot", "x", NULL, 1e-15, 0},
    {"Trigonometric", "CotDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Coth", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Csc", "x", NULL, 1e-15, 0},
    {"Trigonometric", "CscDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Csch", "x", NULL, 1e-15, 0},
    {"Trigonometric", "DegreesToRadians", "x", NULL, 1e-15, 0},
    {"Trigonometric", "RadiansToDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Sec", "x", NULL, 1e-15, 0},
    {"Trigonometric", "SecDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Sech", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Sign", "x", NULL, 0, 0},
    {"Trigonometric", "Sin", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Sinc", "x", NULL, 1e-15, 0},
    {"Trigonometric", "SinDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Sinh", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Tan", "x", NULL, 1e-15, 0},
    {"Trigonometric", "TanDegrees", "x", NULL, 1e-15, 0},
    {"Trigonometric", "Tanh", "x", NULL, 1e-15, 0},
};
#define MATH_NCASES (sizeof math_cases / sizeof math_cases[0])

/* The peer: numpy and scipy.special on the same CSV. It prints, for each
 * case, the expected column: numbers, null for missing (or NaN), and
 * "inf"/"-inf". Missing operands give missing results. */
static const char math_peer[] =
    "import json, math, sys\n"
    "import numpy as np, pandas as pd, scipy.special as sp\n"
    "np.seterr(all='ignore')\n"
    "d = pd.read_csv('data.csv')\n"
    "d['flag'] = d['flag'].map({True: 1.0, False: 0.0})\n"
    "cases = json.load(open('cases.json'))\n"
    "def fact(v, lim, step):\n"
    "    if v < 0: return math.nan\n"
    "    n = int(v)\n"
    "    if n > lim: return math.inf\n"
    "    r = 1\n"
    "    while n > 1: r *= n; n -= step\n"
    "    return float(r)\n"
    "def digits(x, y, f):\n"
    "    s = 10.0 ** np.trunc(y)\n"
    "    return f(x, s)\n"
    "def ceiling(x, y):\n"
    "    if x > 0 and y < 0: return math.nan\n"
    "    return 0.0 if y == 0 else math.ceil(x / y) * y\n"
    "def floor(x, y):\n"
    "    if (x > 0 and y < 0) or y == 0: return math.nan\n"
    "    return math.floor(x / y) * y\n"
    "def to_multiple(x, y):\n"
    "    if y < 0: return math.nan\n"
    "    if y == 0: return 0.0\n"
    "    r = x % y\n"
    "    return x + y - r if r + r >= y else x - r\n"
    "def beta(f):\n"
    "    def g(x, y):\n"
    "        if x < 0 or y < 0: return math.nan\n"
    "        if x == 0 or y == 0: return math.inf\n"
    "        return f(x, y)\n"
    "    return g\n"
    "def ein(x):\n"
    "    if x == 0: return 0.0\n"
    "    if x > 0: return sp.exp1(x) + np.euler_gamma + math.log(x)\n"
    "    return np.euler_gamma + math.log(-x) - sp.expi(-x)\n"
    "def polygamma(x, y):\n"
    "    if y < 0: return math.nan\n"
    "    return sp.polygamma(int(y), x)\n"
    "ops = {\n"
    " 'Abs': np.abs, 'Atan2': np.arctan2, 'Cuberoot': np.cbrt,\n"
    " 'DoubleFactorial': lambda x: fact(x, 300, 2), 'Eps': np.spacing, 'Exp': np.exp,\n"
    " 'Exp2': lambda x, y: y * np.exp2(x), 'ExpMinus1': np.expm1,\n"
    " 'Factorial': lambda x: fact(x, 170, 1), 'Hypotenuse': np.hypot, 'Ln': np.log,\n"
    " 'LnPlus1': np.log1p, 'Log': lambda x, y: np.log(x) / np.log(y), 'Log10': np.log10,\n"
    " 'Log2': np.log2, 'NthRoot': lambda x, y: np.power(x, 1.0 / y), 'Pow': np.power,\n"
    " 'Sqrt': np.sqrt, 'SqrtPi': lambda x: np.sqrt(x * np.pi), 'Square': np.square,\n"
    " 'EqualTo': lambda x, y: float(x == y), 'GreaterThan': lambda x, y: float(x > y),\n"
    " 'GreaterThanOrEqualTo': lambda x, y: float(x >= y),\n"
    " 'LessThan': lambda x, y: float(x < y), 'LessThanOrEqualTo': lambda x, y: float(x <= y),\n"
    " 'NotEqualTo': lambda x, y: float(x != y), 'PairMax': np.maximum, 'PairMin': np.minimum,\n"
    " 'Add': np.add, 'Divide': np.divide, 'Multiply': np.multiply, 'Subtract': np.subtract,\n"
    " 'Ceiling': ceiling, 'CeilingPower2': lambda x: np.ceil(x) ** 2, 'Floor': floor,\n"
    " 'Mod': np.mod, 'Quotient': lambda x, y: np.trunc(np.divide(x, y)), 'Remainder': np.fmod,\n"
    " 'RoundDigits': lambda x, y: digits(x, y, lambda a, s: np.trunc(a * s + "
    "math.copysign(0.5, a)) / s),\n"
    " 'RoundDown': lambda x, y: digits(x, y, lambda a, s: math.copysign(np.floor(abs(a) * s) / "
    "s, a)),\n"
    " 'RoundUp': lambda x, y: digits(x, y, lambda a, s: math.copysign(np.ceil(abs(a) * s) / s, "
    "a)),\n"
    " 'ToEven': lambda x: np.round(x / 2) * 2, 'ToMultiple': to_multiple,\n"
    " 'ToOdd': lambda x: np.floor(x / 2) * 2 + 1,\n"
    " 'Truncate': lambda x, y: digits(x, y, lambda a, s: np.trunc(a * s) / s),\n"
    " 'Beta': beta(sp.beta), 'BetaLn': beta(sp.betaln), 'EllipticIntegralE': sp.ellipe,\n"
    " 'EllipticIntegralK': sp.ellipk, 'Erf': sp.erf, 'Erfc': sp.erfc, 'ErfcScaled': sp.erfcx,\n"
    " 'ErfInverse': sp.erfinv, 'ExponentialIntegralEin': ein, 'Gamma': sp.gamma,\n"
    " 'GammaLn': sp.gammaln, 'GammaRegularizedP': sp.gammainc,\n"
    " 'GammaRegularizedPInverse': sp.gammaincinv, 'GammaRegularizedQ': sp.gammaincc,\n"
    " 'GammaRegularizedQInverse': sp.gammainccinv, 'Polygamma': polygamma,\n"
    " 'Acos': np.arccos, 'AcosDegrees': lambda x: np.degrees(np.arccos(x)),\n"
    " 'Acosh': np.arccosh, 'Acot': lambda x: np.arctan(1 / x),\n"
    " 'AcotDegrees': lambda x: np.degrees(np.arctan(1 / x)),\n"
    " 'Acoth': lambda x: np.arctanh(1 / x), 'Acsc': lambda x: np.arcsin(1 / x),\n"
    " 'AcscDegrees': lambda x: np.degrees(np.arcsin(1 / x)),\n"
    " 'Acsch': lambda x: np.arcsinh(1 / x), 'Asec': lambda x: np.arccos(1 / x),\n"
    " 'AsecDegrees': lambda x: np.degrees(np.arccos(1 / x)),\n"
    " 'Asech': lambda x: np.arccosh(1 / x), 'Asin': np.arcsin,\n"
    " 'AsinDegrees': lambda x: np.degrees(np.arcsin(x)), 'Asinh': np.arcsinh,\n"
    " 'Atan': np.arctan, 'AtanDegrees': lambda x: np.degrees(np.arctan(x)),\n"
    " 'Atanh': np.arctanh, 'Cos': np.cos, 'CosDegrees': lambda x: np.cos(np.radians(x)),\n"
    " 'Cosh': np.cosh, 'Cot': lambda x: 1 / np.tan(x),\n"
    " 'CotDegrees': lambda x: 1 / np.tan(np.radians(x)), 'Coth': lambda x: 1 / np.tanh(x),\n"
    " 'Csc': lambda x: 1 / np.sin(x), 'CscDegrees': lambda x: 1 / np.sin(np.radians(x)),\n"
    " 'Csch': lambda x: 1 / np.sinh(x), 'DegreesToRadians': np.radians,\n"
    " 'RadiansToDegrees': np.degrees, 'Sec': lambda x: 1 / np.cos(x),\n"
    " 'SecDegrees': lambda x: 1 / np.cos(np.radians(x)), 'Sech': lambda x: 1 / np.cosh(x),\n"
    " 'Sign': np.sign, 'Sin': np.sin, 'Sinc': np.sinc,\n"
    " 'SinDegrees': lambda x: np.sin(np.radians(x)), 'Sinh': np.sinh, 'Tan': np.tan,\n"
    " 'TanDegrees': lambda x: np.tan(np.radians(x)), 'Tanh': np.tanh,\n"
    "}\n"
    "def encode(v):\n"
    "    v = float(v)\n"
    "    if math.isnan(v): return None\n"
    "    if math.isinf(v): return 'inf' if v > 0 else '-inf'\n"
    "    return v\n"
    "out = {}\n"
    "for c in cases:\n"
    "    f, col = ops[c['op']], []\n"
    "    for i in range(len(d)):\n"
    "        x = np.float64(d[c['x']][i])\n"
    "        y = np.float64(d[c['y']][i]) if c['y'] else None\n"
    "        if math.isnan(x) or (y is not None and math.isnan(y)): col.append(None)\n"
    "        else: col.append(encode(f(x) if y is None else f(x, y)))\n"
    "    out[c['op']] = col\n"
    "print(json.dumps(out))\n";

static json_t *math_expected(const char *dir)
{
    tbl_table *t = mt_csv(MATH_DATA);
    mt_write_csv(dir, "data", t);
    tbl_free(t);
    json_t *cases = json_array();
    for (size_t i = 0; i < MATH_NCASES; i++)
        json_array_append_new(cases, json_pack("{s:s, s:s, s:s?}", "op", math_cases[i].op, "x",
                                               math_cases[i].x, "y", math_cases[i].y));
    char path[512];
    snprintf(path, sizeof path, "%s/cases.json", dir);
    assert_int_equal(json_dump_file(cases, path, 0), 0);
    json_decref(cases);
    return mt_python_json(dir, math_peer, NULL);
}

/* Azure's name of an operation or category in kebab-case, the module's
 * enum value (docs/modules.md): a hyphen before a capital that starts a
 * word (after a lowercase letter or a digit, or an acronym's last capital
 * before lowercase), then all lowercase. "NthRoot" is "nth-root",
 * "GammaRegularizedPInverse" "gamma-regularized-p-inverse", "Log10" "log10". */
static void kebab(const char *azure, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; azure[i] != '\0' && k + 2 < cap; i++) {
        char c = azure[i];
        bool upper = c >= 'A' && c <= 'Z';
        if (upper && i > 0) {
            char prev = azure[i - 1], next = azure[i + 1];
            bool after_word = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
            bool acronym_end = prev >= 'A' && prev <= 'Z' && next >= 'a' && next <= 'z';
            if (after_word || acronym_end) out[k++] = '-';
        }
        out[k++] = upper ? (char)(c - 'A' + 'a') : c;
    }
    out[k] = '\0';
}

/* Parameters that apply case c to its columns, results alone. */
static char *math_params(const math_case *c)
{
    char category[32], op[64];
    kebab(c->category, category, sizeof category);
    kebab(c->op, op, sizeof op);
    json_t *p = json_pack("{s:s, s:s, s:{s:[{s:[s]}]}}", "category", category, "output_mode",
                          "result-only", "column_selector", "include", "names", c->x);
    char key[64];
    snprintf(key, sizeof key, "%s_func", category);
    json_object_set_new(p, key, json_string(op));
    if (c->y != NULL) {
        snprintf(key, sizeof key, "%s_arg_type", category);
        json_object_set_new(p, key, json_string("column-set"));
        snprintf(key, sizeof key, "%s_column_selector", category);
        json_object_set_new(p, key, json_pack("{s:[{s:[s]}]}", "include", "names", c->y));
    }
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return text;
}

static void math_check_value(const math_case *c, size_t row, const tbl_column *col,
                             const json_t *want)
{
    bool missing = tbl_is_missing(col, row);
    if (json_is_null(want)) {
        if (!missing) {
            double got = col->type == TBL_BOOLEAN ? col->v.b8[row] : col->v.f64[row];
            fail_msg("%s row %zu: expected missing, got %.17g", c->op, row + 1, got);
        }
        return;
    }
    if (missing) fail_msg("%s row %zu: missing, expected a value", c->op, row + 1);
    double got = col->type == TBL_BOOLEAN ? col->v.b8[row] : col->v.f64[row];
    if (json_is_string(want)) {
        double inf = strcmp(json_string_value(want), "inf") == 0 ? INFINITY : -INFINITY;
        if (got != inf) fail_msg("%s row %zu: got %.17g, expected %g", c->op, row + 1, got, inf);
        return;
    }
    double w = json_number_value(want);
    double tol = c->rtol * fabs(w) + c->atol + 1e-300;
    if (!(fabs(got - w) <= tol))
        fail_msg("%s row %zu: got %.17g, expected %.17g (rtol %g)", c->op, row + 1, got, w,
                 c->rtol);
}

static void every_operation_matches_numpy_and_scipy(void **state)
{
    (void)state;
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    json_t *expected = math_expected(dir);
    tbl_table *t = mt_csv(MATH_DATA);
    for (size_t i = 0; i < MATH_NCASES; i++) {
        const math_case *c = &math_cases[i];
        char *params = math_params(c);
        mod_ctx ctx;
        int rc = mt_run(&ctx, "apply-math-operation@1", params, t, false);
        if (rc != 0) fail_msg("%s: %s", c->op, ctx.err.message);
        const tbl_table *out = mt_table(&ctx, 0);
        assert_int_equal(out->ncols, 1);
        assert_int_equal(out->nrows, t->nrows);
        const tbl_column *col = &out->cols[0];
        assert_int_equal(col->type,
                         strcmp(c->category, "Compare") == 0 && strncmp(c->op, "Pair", 4) != 0
                             ? TBL_BOOLEAN
                             : TBL_NUMERIC);
        const json_t *want = json_object_get(expected, c->op);
        assert_int_equal(json_array_size(want), t->nrows);
        for (size_t row = 0; row < t->nrows; row++)
            math_check_value(c, row, col, json_array_get(want, row));
        mod_ctx_clear(&ctx);
        free(params);
    }
    tbl_free(t);
    json_decref(expected);
    mt_rmtree(dir);
}

/* ---- the special functions over wide ranges ------------------------------ */

/* Arguments far into the tails, where series, continued fractions and
 * asymptotic expansions take over from one another. */
static const char special_peer[] =
    "import json, math\n"
    "import numpy as np, scipy.special as sp\n"
    "np.seterr(all='ignore')\n"
    "import mpmath\n"
    "mpmath.mp.dps = 40\n"
    "def ein(x):\n"
    "    x = mpmath.mpf(x)\n"
    "    if x > 0: return float(mpmath.e1(x) + mpmath.euler + mpmath.log(x))\n"
    "    return float(mpmath.euler + mpmath.log(-x) - mpmath.ei(-x))\n"
    "f = {'ellipk': lambda a, b: sp.ellipk(a), 'ellipe': lambda a, b: sp.ellipe(a),\n"
    "     'erfcx': lambda a, b: sp.erfcx(a), 'erfinv': lambda a, b: sp.erfinv(a),\n"
    "     'ein': lambda a, b: ein(a), 'p': sp.gammainc, 'q': sp.gammaincc,\n"
    "     'pinv': sp.gammaincinv, 'qinv': sp.gammainccinv,\n"
    "     'psi': lambda a, b: sp.polygamma(int(b), a)}\n"
    "cases = json.load(open('special.json'))\n"
    "print(json.dumps([float(f[c[0]](c[1], c[2])) for c in cases]))\n";

typedef struct special_case {
    const char *fn;
    double a, b, rtol;
} special_case;

static double special_value(const special_case *c)
{
    if (strcmp(c->fn, "ellipk") == 0) return mod__ellipk(c->a);
    if (strcmp(c->fn, "ellipe") == 0) return mod__ellipe(c->a);
    if (strcmp(c->fn, "erfcx") == 0) return mod__erfcx(c->a);
    if (strcmp(c->fn, "erfinv") == 0) return mod__erfinv(c->a);
    if (strcmp(c->fn, "ein") == 0) return mod__ein(c->a);
    if (strcmp(c->fn, "p") == 0) return mod__gamma_p(c->a, c->b);
    if (strcmp(c->fn, "q") == 0) return mod__gamma_q(c->a, c->b);
    if (strcmp(c->fn, "pinv") == 0) return mod__gamma_p_inv(c->a, c->b);
    if (strcmp(c->fn, "qinv") == 0) return mod__gamma_q_inv(c->a, c->b);
    return mod__polygamma((int)c->b, c->a);
}

static void special_functions_hold_far_into_their_tails(void **state)
{
    (void)state;
    static const special_case cases[] = {
        {"ellipk", -1e6, 0, 1e-13},
        {"ellipk", -30, 0, 1e-14},
        {"ellipk", 0.5, 0, 1e-14},
        {"ellipk", 0.999999, 0, 1e-12},
        {"ellipe", -1e6, 0, 1e-13},
        {"ellipe", -30, 0, 1e-14},
        {"ellipe", 0.9999, 0, 1e-13},
        {"erfcx", -5, 0, 1e-14},
        {"erfcx", 0.1, 0, 1e-14},
        {"erfcx", 5, 0, 1e-13},
        {"erfcx", 25.9, 0, 1e-13},
        {"erfcx", 26.1, 0, 1e-14},
        {"erfcx", 1e3, 0, 1e-14},
        {"erfcx", 1e10, 0, 1e-14},
        {"erfinv", 1e-10, 0, 1e-14},
        {"erfinv", -0.3, 0, 1e-14},
        {"erfinv", 0.9999999, 0, 1e-13},
        {"erfinv", -0.9999999999999, 0, 1e-12},
        {"ein", -700, 0, 1e-12},
        {"ein", -50, 0, 1e-13},
        {"ein", -1e-8, 0, 1e-14},
        {"ein", 1e-8, 0, 1e-14},
        {"ein", 1.9, 0, 1e-14},
        {"ein", 2.1, 0, 1e-14},
        {"ein", 700, 0, 1e-14},
        {"p", 0.01, 1e-5, 1e-12},
        {"p", 0.5, 3, 1e-13},
        {"p", 10, 5, 1e-12},
        {"p", 100, 90, 1e-11},
        {"p", 1000, 1100, 1e-10},
        {"q", 1e4, 9800, 1e-9},
        {"q", 3, 50, 1e-12},
        {"q", 0.5, 0.1, 1e-13},
        {"pinv", 0.01, 1e-300, 1e-10},
        {"pinv", 0.5, 1e-10, 1e-11},
        {"pinv", 2, 0.5, 1e-12},
        {"pinv", 50, 0.999999, 1e-11},
        {"pinv", 1000, 0.3, 1e-11},
        {"qinv", 5, 1e-200, 1e-10},
        {"qinv", 0.2, 0.7, 1e-11},
        {"qinv", 300, 0.01, 1e-11},
        {"psi", 1e-5, 0, 1e-13},
        {"psi", -3.3, 0, 1e-12},
        {"psi", 1e3, 0, 1e-14},
        {"psi", 0.3, 1, 1e-13},
        {"psi", 2.5, 3, 1e-13},
        {"psi", 7, 10, 1e-12},
        {"psi", 150, 20, 1e-11},
    };
    size_t n = sizeof cases / sizeof cases[0];
    char dir[64];
    mt_mkdtemp(dir, sizeof dir);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("[s, f, f]", cases[i].fn, cases[i].a, cases[i].b));
    char path[512];
    snprintf(path, sizeof path, "%s/special.json", dir);
    assert_int_equal(json_dump_file(list, path, 0), 0);
    json_decref(list);
    json_t *want = mt_python_json(dir, special_peer, NULL);
    for (size_t i = 0; i < n; i++) {
        double w = json_number_value(json_array_get(want, i));
        double got = special_value(&cases[i]);
        if (!(fabs(got - w) <= cases[i].rtol * fabs(w)))
            fail_msg("%s(%g, %g): got %.17g, scipy %.17g", cases[i].fn, cases[i].a, cases[i].b, got,
                     w);
    }
    json_decref(want);
    mt_rmtree(dir);
}

/* Every category's choices are its operations' Azure names in kebab-case,
 * in order (and the categories are the category parameter's choices, in
 * order); every operation the test checks exists. */
static void every_operation_is_a_choice_and_is_tested(void **state)
{
    (void)state;
    const mod_descriptor *m = mod_find("apply-math-operation@1");
    const mod_param *category = &m->params[mod_param_index(m, "category")];
    size_t total = 0;
    for (size_t k = 0; k < MOD__MATH_NCATEGORIES; k++) {
        const mod__math_category *cat = &mod__math_categories[k];
        char want[64];
        kebab(cat->name, want, sizeof want);
        assert_string_equal(category->choices[k], want);
        for (size_t i = 0; i < cat->nops; i++) {
            kebab(cat->ops[i].name, want, sizeof want);
            assert_string_equal(cat->choices[i], want);
            bool tested = false;
            for (size_t j = 0; j < MATH_NCASES && !tested; j++)
                tested = strcmp(math_cases[j].op, cat->ops[i].name) == 0 &&
                         strcmp(math_cases[j].category, cat->name) == 0 &&
                         (math_cases[j].y != NULL) == cat->ops[i].binary;
            if (!tested)
                fail_msg("%s/%s is not tested as it is declared", cat->name, cat->ops[i].name);
        }
        assert_null(cat->choices[cat->nops]);
        total += cat->nops;
    }
    assert_null(category->choices[MOD__MATH_NCATEGORIES]);
    assert_int_equal(total, MATH_NCASES);
    /* The rule on the names where it has a choice to make. */
    const char *cases[][2] = {{"NthRoot", "nth-root"},
                              {"Log10", "log10"},
                              {"ExpMinus1", "exp-minus1"},
                              {"GammaRegularizedPInverse", "gamma-regularized-p-inverse"},
                              {"GreaterThanOrEqualTo", "greater-than-or-equal-to"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[64];
        kebab(cases[i][0], got, sizeof got);
        assert_string_equal(got, cases[i][1]);
    }
}

/* ---- names and output modes ---------------------------------------------- */

#define PRICES                                                                                     \
    "id,price,weight,name\n"                                                                       \
    "1,4,2,a\n"                                                                                    \
    "2,9,,b\n"                                                                                     \
    "3,,5,c\n"                                                                                     \
    "4,16.5,0.5,d\n"

static void results_are_named_as_azure_names_them(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(PRICES);
    mod_ctx ctx;
    /* Unary: Op(col), appended after the input's columns. */
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"price\", "
                            "\"weight\"]}]}, \"basic_func\": \"sqrt\"}",
                            t, false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 6);
    assert_string_equal(out->cols[4].name, "Sqrt(price)");
    assert_string_equal(out->cols[5].name, "Sqrt(weight)");
    assert_true(out->cols[4].v.f64[1] == 3.0);
    /* Missing stays missing. */
    assert_true(tbl_is_missing(&out->cols[4], 2));
    assert_true(tbl_is_missing(&out->cols[5], 1));
    mod_ctx_clear(&ctx);

    /* A constant: Op(col_$c). */
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"price\"]}]}, "
                            "\"category\": \"operations\", \"operations_func\": \"subtract\", "
                            "\"operations_constant\": 2.5, \"output_mode\": \"result-only\"}",
                            t, false),
                     0);
    out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 1);
    assert_string_equal(out->cols[0].name, "Subtract(price_$2.5)");
    assert_true(out->cols[0].v.f64[3] == 14.0);
    mod_ctx_clear(&ctx);

    /* A column: Op(col_arg); a whole constant prints without decimals. */
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"price\"]}]}, "
                            "\"category\": \"compare\", \"compare_func\": \"greater-than\", "
                            "\"compare_arg_type\": \"column-set\", "
                            "\"compare_column_selector\": {\"include\": [{\"names\": "
                            "[\"weight\"]}]}, \"output_mode\": \"result-only\"}",
                            t, false),
                     0);
    out = mt_table(&ctx, 0);
    assert_string_equal(out->cols[0].name, "GreaterThan(price_weight)");
    assert_int_equal(out->cols[0].type, TBL_BOOLEAN);
    assert_true(out->cols[0].v.b8[0] == 1);
    assert_true(tbl_is_missing(&out->cols[0], 1));
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void append_renames_a_result_whose_name_is_taken(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("x,Abs(x)\n-1,5\n2,6\n");
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"x\"]}]}}", t,
                            false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 3);
    assert_string_equal(out->cols[1].name, "Abs(x)");
    assert_string_equal(out->cols[2].name, "Abs(x)(2)");
    assert_true(out->cols[2].v.f64[0] == 1.0);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void inplace_keeps_the_name_and_role_of_each_column(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(PRICES);
    t->cols[1].role = TBL_ROLE_LABEL;
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"id\", "
                            "\"price\"]}]}, \"category\": \"rounding\", \"rounding_func\": "
                            "\"round-digits\", \"rounding_constant\": -1, "
                            "\"output_mode\": \"inplace\"}",
                            t, false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 4);
    assert_string_equal(out->cols[1].name, "price");
    assert_int_equal(out->cols[1].role, TBL_ROLE_LABEL);
    assert_int_equal(out->cols[0].type, TBL_NUMERIC); /* was integer */
    /* 16.5 to tens is 20; 4 is 0; 9 is 10 (half away from zero: 5 -> 10). */
    assert_true(out->cols[1].v.f64[0] == 0.0);
    assert_true(out->cols[1].v.f64[1] == 10.0);
    assert_true(out->cols[1].v.f64[3] == 20.0);
    assert_true(tbl_is_missing(&out->cols[1], 2));
    assert_string_equal(out->cols[3].name, "name"); /* untouched */
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* One column against several, several against one, several pairwise. */
static void column_sets_pair_as_azure_pairs_them(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("a,b,c,d\n1,2,3,4\n5,6,7,8\n");
    struct {
        const char *x, *y;
        const char *names[4];
    } cases[] = {
        {"[\"a\"]", "[\"c\", \"d\"]", {"Add(a_c)", "Add(a_d)", NULL}},
        {"[\"a\", \"b\"]", "[\"d\"]", {"Add(a_d)", "Add(b_d)", NULL}},
        {"[\"a\", \"b\"]", "[\"c\", \"d\"]", {"Add(a_c)", "Add(b_d)", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char params[512];
        snprintf(params, sizeof params,
                 "{\"column_selector\": {\"include\": [{\"names\": %s}]}, \"category\": "
                 "\"operations\", \"operations_arg_type\": \"column-set\", "
                 "\"operations_column_selector\": {\"include\": [{\"names\": %s}]}, "
                 "\"output_mode\": \"result-only\"}",
                 cases[i].x, cases[i].y);
        mod_ctx ctx;
        assert_int_equal(mt_run(&ctx, "apply-math-operation@1", params, t, false), 0);
        const tbl_table *out = mt_table(&ctx, 0);
        assert_int_equal(out->ncols, 2);
        for (size_t k = 0; k < 2; k++)
            assert_string_equal(out->cols[k].name, cases[i].names[k]);
        mod_ctx_clear(&ctx);
    }
    /* Two against three does not pair. */
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"a\", "
                            "\"b\"]}]}, \"category\": \"operations\", \"operations_arg_type\": "
                            "\"column-set\", \"operations_column_selector\": {\"include\": "
                            "[{\"names\": [\"b\", \"c\", \"d\"]}]}}",
                            t, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "operations_column_selector"),
                       "the column set has 2 columns and the second argument 3");
    mod_ctx_clear(&ctx);
    /* In place, one column cannot take two results. */
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"a\"]}]}, "
                            "\"category\": \"operations\", \"operations_arg_type\": "
                            "\"column-set\", \"operations_column_selector\": {\"include\": "
                            "[{\"names\": [\"c\", \"d\"]}]}, \"output_mode\": \"inplace\"}",
                            t, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "output_mode"), "gives 2 results");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

/* ---- bad paths ----------------------------------------------------------- */

static void a_string_column_is_an_error_naming_it(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(PRICES);
    for (int schema_only = 0; schema_only < 2; schema_only++) {
        mod_ctx ctx;
        assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                                "{\"column_selector\": {\"include\": [{\"names\": [\"price\", "
                                "\"name\"]}]}}",
                                t, schema_only),
                         WF_ETYPE);
        mt_assert_contains(mt_field_error(&ctx, "column_selector"), "column \"name\" is string");
        assert_null(ctx.outputs[0].table);
        mod_ctx_clear(&ctx);
    }
    /* In the second argument too. */
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"price\"]}]}, "
                            "\"category\": \"compare\", \"compare_arg_type\": \"column-set\", "
                            "\"compare_column_selector\": {\"include\": [{\"names\": "
                            "[\"name\"]}]}}",
                            t, false),
                     WF_ETYPE);
    mt_assert_contains(mt_field_error(&ctx, "compare_column_selector"), "column \"name\"");
    mod_ctx_clear(&ctx);
    /* An unknown column and an unknown operation. */
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"prise\"]}]}}", t,
                            false),
                     WF_ENOTFOUND);
    mt_assert_contains(mt_field_error(&ctx, "column_selector"), "prise");
    mod_ctx_clear(&ctx);
    /* Azure's spelling of an operation is not a value: "sqrt" is. */
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1", "{\"basic_func\": \"Sqrt\"}", t, false),
                     WF_EINVAL);
    mt_assert_contains(mt_field_error(&ctx, "basic_func"), "\"Sqrt\" is not one of");
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void integer_and_boolean_columns_count_as_numbers(void **state)
{
    (void)state;
    tbl_table *t = mt_csv("k,flag\n3,true\n-4,false\n,true\n");
    assert_int_equal(t->cols[0].type, TBL_INTEGER);
    assert_int_equal(t->cols[1].type, TBL_BOOLEAN);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"column_selector\": {\"include\": [{\"names\": [\"k\", "
                            "\"flag\"]}]}, \"category\": \"operations\", "
                            "\"operations_func\": \"multiply\", "
                            "\"operations_constant\": 10, \"output_mode\": \"result-only\"}",
                            t, false),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->ncols, 2);
    assert_string_equal(out->cols[0].name, "Multiply(k_$10)");
    assert_true(out->cols[0].v.f64[1] == -40.0);
    assert_true(tbl_is_missing(&out->cols[0], 2));
    assert_true(out->cols[1].v.f64[0] == 10.0);
    assert_true(out->cols[1].v.f64[1] == 0.0);
    mod_ctx_clear(&ctx);
    tbl_free(t);
}

static void configure_gives_the_schema_of_the_result(void **state)
{
    (void)state;
    tbl_table *t = mt_csv(PRICES);
    tbl_table *schema = NULL;
    assert_int_equal(tbl_take(t, NULL, 0, &schema, NULL), 0);
    mod_ctx ctx;
    assert_int_equal(mt_run(&ctx, "apply-math-operation@1",
                            "{\"category\": \"trigonometric\", \"trigonometric_func\": "
                            "\"sin\"}",
                            schema, true),
                     0);
    const tbl_table *out = mt_table(&ctx, 0);
    assert_int_equal(out->nrows, 0);
    assert_int_equal(out->ncols, 7);
    assert_string_equal(out->cols[4].name, "Sin(id)");
    assert_string_equal(out->cols[6].name, "Sin(weight)");
    mod_ctx_clear(&ctx);
    /* Without a schema, configure still checks the parameters. */
    assert_int_equal(
        mt_run(&ctx, "apply-math-operation@1", "{\"output_mode\": \"Sideways\"}", NULL, true),
        WF_EINVAL);
    assert_non_null(mt_field_error(&ctx, "output_mode"));
    mod_ctx_clear(&ctx);
    tbl_free(schema);
    tbl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_operation_matches_numpy_and_scipy),
        cmocka_unit_test(special_functions_hold_far_into_their_tails),
        cmocka_unit_test(every_operation_is_a_choice_and_is_tested),
        cmocka_unit_test(results_are_named_as_azure_names_them),
        cmocka_unit_test(append_renames_a_result_whose_name_is_taken),
        cmocka_unit_test(inplace_keeps_the_name_and_role_of_each_column),
        cmocka_unit_test(column_sets_pair_as_azure_pairs_them),
        cmocka_unit_test(a_string_column_is_an_error_naming_it),
        cmocka_unit_test(integer_and_boolean_columns_count_as_numbers),
        cmocka_unit_test(configure_gives_the_schema_of_the_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
