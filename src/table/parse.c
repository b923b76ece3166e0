/*
 * parse.c: text to scalar values, shared by every reader. Numbers must be
 * exact (a CSV round trip keeps every double) and fast (CSV import is measured
 * against pandas), so doubles take Clinger's fast path when it is exact and
 * fall back to strtod otherwise:
 *   W. D. Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990.
 */
#include "parse_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool tbl__eq(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && memcmp(s, lit, n) == 0;
}

bool tbl_is_missing_token(const char *s, size_t len)
{
    switch (len) {
    case 0:
        return true;
    case 1:
        return s[0] == '?';
    case 2:
        return tbl__eq(s, len, "NA");
    case 3:
        return tbl__eq(s, len, "NaN") || tbl__eq(s, len, "N/A") || tbl__eq(s, len, "nan");
    case 4:
        return tbl__eq(s, len, "null") || tbl__eq(s, len, "NULL");
    default:
        return false;
    }
}

static const double tbl__pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int tbl__parse_double_slow(const char *s, size_t len, double *out)
{
    char small[64];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (buf == NULL) return WF_ENOMEM;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double x = strtod(buf, &end);
    bool ok = end == buf + len;
    if (buf != small) free(buf);
    if (!ok) return WF_EPARSE;
    *out = x;
    return 0;
}

static bool tbl__is_digit(char c)
{
    return (unsigned char)(c - '0') <= 9;
}

static const uint64_t tbl__pow10_int[9] = {1,      10,      100,      1000,     10000,
                                           100000, 1000000, 10000000, 100000000};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Eight digits at a time (SWAR: SIMD within a register). The bytes of x are
 * characters in memory order, the first in the low byte. */

/* The up to eight bytes at p, zero-filled past end; reads only [s, end),
 * which must hold at least eight bytes. */
static uint64_t tbl__load8(const char *s, const char *p, const char *end)
{
    uint64_t x;
    if (end - p >= 8) {
        memcpy(&x, p, 8);
        return x;
    }
    (void)s;
    memcpy(&x, end - 8, 8);
    return x >> (8 * (8 - (end - p)));
}

/* How many of x's bytes, from the first, are ASCII digits. A byte is not a
 * digit when b - '0' borrows or b + 0x46 reaches 0x80 (b > '9'). Borrows
 * and carries only move towards later bytes, so the first flagged byte is
 * exact. */
static unsigned tbl__count_digits8(uint64_t x)
{
    const uint64_t highs = 0x8080808080808080ull;
    uint64_t flags = ((x - 0x3030303030303030ull) | (x + 0x4646464646464646ull)) & highs;
    return flags ? (unsigned)__builtin_ctzll(flags) >> 3 : 8;
}

/* The value of x's first n digits (1 <= n <= 8). Shifting them to the top
 * puts zeros (leading zeros) in front; then pairs of digits, pairs of pairs
 * and halves are combined: d0*10+d1, then *100, then *10000. */
static uint64_t tbl__value8(uint64_t x, unsigned n)
{
    uint64_t t = (x - 0x3030303030303030ull) << (8 * (8 - n));
    t = (t * 10 + (t >> 8)) & 0x00ff00ff00ff00ffull;
    t = (t * 100 + (t >> 16)) & 0x0000ffff0000ffffull;
    return (t * 10000 + (t >> 32)) & 0xffffffffull;
}
#endif

/* Reads the digits at p into *mant (which wraps past 19 digits; callers
 * count digits and do not trust it then) and returns where they end. */
static inline const char *tbl__read_digits(const char *s, const char *p, const char *end,
                                           uint64_t *mant)
{
    uint64_t m = *mant;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - s >= 8) {
        while (p < end) {
            uint64_t x = tbl__load8(s, p, end);
            unsigned n = tbl__count_digits8(x);
            if (n == 0) break;
            m = m * tbl__pow10_int[n] + tbl__value8(x, n);
            p += n;
            if (n < 8) break;
        }
        *mant = m;
        return p;
    }
#endif
    while (p < end && tbl__is_digit(*p))
        m = m * 10 + (uint64_t)(*p++ - '0');
    *mant = m;
    return p;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The common shape, [-] 1 to 7 digits [. 0 to 7 digits] and no exponent,
 * with 16 bytes readable from the first digit: two eight-byte loads and no
 * branch that depends on how many digits there are. It returns 0 (and
 * tbl__decimal_prefix takes over) for anything else; when it answers, it
 * answers what tbl__decimal_prefix would: at most 14 digits, so the mantissa
 * is exact and Clinger's fast path applies. */
static size_t tbl__decimal_short(const char *s, const char *end, double *out)
{
    const char *p = s + (*s == '-');
    if (end - p < 16) return 0;
    uint64_t a, b;
    memcpy(&a, p, 8);
    unsigned n1 = tbl__count_digits8(a);
    if (n1 == 0 || n1 == 8) return 0;
    uint64_t m = tbl__value8(a, n1);
    const char *q = p + n1;
    if (*q == '.') {
        memcpy(&b, q + 1, 8);
        unsigned n2 = tbl__count_digits8(b);
        if (n2 == 8 || q[1 + n2] == 'e' || q[1 + n2] == 'E') return 0;
        /* Below 2^53, so the signed conversion (one instruction) is exact. */
        double x = (double)(int64_t)m;
        if (n2 > 0)
            x = (double)(int64_t)(m * tbl__pow10_int[n2] + tbl__value8(b, n2)) / tbl__pow10[n2];
        *out = *s == '-' ? -x : x;
        return (size_t)(q + 1 + n2 - s);
    }
    if (*q == 'e' || *q == 'E') return 0;
    *out = *s == '-' ? -(double)(int64_t)m : (double)(int64_t)m;
    return (size_t)(q - s);
}
#endif

/* The longest prefix of s[0..len) of the form [+-] digits [. digits]
 * [(e|E) [+-] digits], with at least one digit before the exponent; an
 * exponent without digits is not part of it. Returns its length (0 when
 * there is none) and its value in *out. The digits are gathered into one
 * integer without a check per digit: a number of more than 19 digits
 * (which that integer may not hold) goes to strtod, and so does one whose
 * power of ten is out of Clinger's exact range. *rc is 0, or WF_ENOMEM when
 * strtod's copy could not be made. */
static size_t tbl__decimal_prefix(const char *s, size_t len, double *out, int *rc)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    *rc = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 17) {
        size_t used = tbl__decimal_short(s, end, out);
        if (used) return used;
    }
#endif
    if (p < end && (*p == '-' || *p == '+')) neg = *p++ == '-';
    uint64_t mant = 0;
    const char *digits = p;
    p = tbl__read_digits(s, p, end, &mant);
    size_t ndigits = (size_t)(p - digits), nfrac = 0;
    if (p < end && *p == '.') {
        const char *frac = ++p;
        p = tbl__read_digits(s, p, end, &mant);
        nfrac = (size_t)(p - frac);
        ndigits += nfrac;
    }
    if (ndigits == 0) return 0;
    int64_t exp = 0;
    if (p + 1 < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        bool eneg = false;
        if (*q == '-' || *q == '+') eneg = *q++ == '-';
        if (q < end && tbl__is_digit(*q)) {
            while (q < end && tbl__is_digit(*q)) {
                if (exp < 100000) exp = exp * 10 + (*q - '0');
                q++;
            }
            if (eneg) exp = -exp;
            p = q;
        }
    }
    size_t used = (size_t)(p - s);
    int64_t e10 = exp - (int64_t)nfrac;
    if (ndigits <= 19 && mant <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
        double x = (double)mant;
        x = e10 < 0 ? x / tbl__pow10[-e10] : x * tbl__pow10[e10];
        *out = neg ? -x : x;
        return used;
    }
    *rc = tbl__parse_double_slow(s, used, out);
    return *rc == 0 ? used : 0;
}

size_t tbl__parse_double_prefix(const char *s, size_t len, double *out)
{
    int rc;
    return tbl__decimal_prefix(s, len, out, &rc);
}

/* A decimal number (tbl__decimal_prefix) that fills s, or [+-] inf, Inf,
 * INF or Infinity. */
int tbl_parse_double(const char *s, size_t len, double *out)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+')) neg = *p++ == '-';
    if (p < end && (*p == 'i' || *p == 'I')) {
        size_t n = (size_t)(end - p);
        if (tbl__eq(p, n, "inf") || tbl__eq(p, n, "Inf") || tbl__eq(p, n, "Infinity") ||
            tbl__eq(p, n, "INF")) {
            *out = neg ? -INFINITY : INFINITY;
            return 0;
        }
        return WF_EPARSE;
    }
    double x;
    int rc;
    size_t used = tbl__decimal_prefix(s, len, &x, &rc);
    if (rc < 0) return rc;
    if (used == 0 || used != len) return WF_EPARSE;
    *out = x;
    return 0;
}

size_t tbl__parse_int64_prefix(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    size_t start = i;
    uint64_t v = 0;
    /* Eighteen digits cannot overflow; only check past them. */
    while (i < len && i - start < 18 && tbl__is_digit(s[i]))
        v = v * 10 + (uint64_t)(s[i++] - '0');
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (i < len && tbl__is_digit(s[i])) {
        unsigned d = (unsigned)(s[i++] - '0');
        if (v > (limit - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (i == start) return 0;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return i;
}

int tbl_parse_int64(const char *s, size_t len, int64_t *out)
{
    int64_t v;
    size_t used = tbl__parse_int64_prefix(s, len, &v);
    if (used == 0 || used != len) return WF_EPARSE;
    *out = v;
    return 0;
}

int tbl_parse_bool(const char *s, size_t len, bool *out)
{
    if (tbl__eq(s, len, "true") || tbl__eq(s, len, "TRUE") || tbl__eq(s, len, "True") ||
        tbl__eq(s, len, "yes")) {
        *out = true;
        return 0;
    }
    if (tbl__eq(s, len, "false") || tbl__eq(s, len, "FALSE") || tbl__eq(s, len, "False") ||
        tbl__eq(s, len, "no")) {
        *out = false;
        return 0;
    }
    return WF_EPARSE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date: shift the year to
 * start in March so the leap day comes last, then count 400-year eras. */
static int64_t tbl__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void tbl__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool tbl__digits(const char *s, size_t len, size_t at, size_t n, unsigned *out)
{
    if (at + n > len) return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[at + i] - '0';
        if (d > 9) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static unsigned tbl__days_in_month(unsigned y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int tbl_parse_datetime(const char *s, size_t len, int64_t *micros)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    if (len < 10 || !tbl__digits(s, len, 0, 4, &y)) return WF_EPARSE;
    char sep = s[4];
    if ((sep != '-' && sep != '/') || s[7] != sep) return WF_EPARSE;
    if (!tbl__digits(s, len, 5, 2, &mo) || !tbl__digits(s, len, 8, 2, &d)) return WF_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > tbl__days_in_month(y, mo)) return WF_EPARSE;
    size_t i = 10;
    int64_t frac = 0;
    int64_t offset_min = 0;
    if (i < len) {
        if (s[i] != 'T' && s[i] != ' ') return WF_EPARSE;
        if (sep == '/' && s[i] != ' ') return WF_EPARSE;
        i++;
        if (!tbl__digits(s, len, i, 2, &h) || i + 2 >= len || s[i + 2] != ':' ||
            !tbl__digits(s, len, i + 3, 2, &mi))
            return WF_EPARSE;
        i += 5;
        if (i < len && s[i] == ':') {
            if (!tbl__digits(s, len, i + 1, 2, &sec)) return WF_EPARSE;
            i += 3;
            if (i < len && (s[i] == '.' || s[i] == ',') && sep == '-') {
                i++;
                int64_t scale = 100000;
                size_t start = i;
                while (i < len && s[i] >= '0' && s[i] <= '9') {
                    frac += (s[i] - '0') * scale;
                    scale /= 10;
                    i++;
                }
                if (i == start) return WF_EPARSE;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return WF_EPARSE;
        if (i < len && sep == '-') {
            if (s[i] == 'Z' && i + 1 == len) {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                unsigned oh, om;
                int sign = s[i] == '-' ? -1 : 1;
                if (!tbl__digits(s, len, i + 1, 2, &oh)) return WF_EPARSE;
                size_t at = i + 3;
                if (at < len && s[at] == ':') at++;
                if (!tbl__digits(s, len, at, 2, &om) || oh > 23 || om > 59) return WF_EPARSE;
                offset_min = sign * (int64_t)(oh * 60 + om);
                i = at + 2;
            }
        }
        if (i != len) return WF_EPARSE;
    }
    int64_t days = tbl__days_from_civil(y, mo, d);
    int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    /* A UTC offset or a leap second can carry a time out of years 0000 to
     * 9999, which tbl_format_datetime could not write back: refuse it. */
    if (seconds < tbl__days_from_civil(0, 1, 1) * 86400 ||
        seconds >= tbl__days_from_civil(10000, 1, 1) * 86400)
        return WF_EPARSE;
    *micros = seconds * 1000000 + frac;
    return 0;
}

size_t tbl_format_datetime(int64_t micros, char *buf, size_t cap)
{
    int64_t secs = micros / 1000000;
    int64_t frac = micros % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    tbl__civil_from_days(days, &y, &m, &d);
    if (rem == 0 && frac == 0)
        return (size_t)snprintf(buf, cap, "%04lld-%02u-%02u", (long long)y, m, d);
    unsigned h = (unsigned)(rem / 3600), mi = (unsigned)(rem / 60 % 60), s = (unsigned)(rem % 60);
    if (frac)
        return (size_t)snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ", (long long)y,
                                m, d, h, mi, s, (long long)frac);
    return (size_t)snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, h, mi,
                            s);
}
