/*
 * parse.c: text to scalar values, shared by every reader. Numbers must be
 * exact (a CSV round trip keeps every double) and fast (CSV import is measured
 * against pandas), so doubles take Clinger's fast path when it is exact and
 * fall back to strtod otherwise:
 *   W. D. Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990.
 */
#include "table.h"

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

int tbl_parse_double(const char *s, size_t len, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == len) return WF_EPARSE;
    if (s[i] == 'i' || s[i] == 'I') {
        const char *rest = s + i;
        size_t n = len - i;
        if (tbl__eq(rest, n, "inf") || tbl__eq(rest, n, "Inf") || tbl__eq(rest, n, "Infinity") ||
            tbl__eq(rest, n, "INF")) {
            *out = neg ? -INFINITY : INFINITY;
            return 0;
        }
        return WF_EPARSE;
    }
    uint64_t mant = 0;
    int digits = 0;     /* significant digits in mant */
    int dropped = 0;    /* integer digits beyond what mant holds */
    int frac_exp = 0;   /* minus the fraction digits taken into mant */
    bool any = false;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        any = true;
        if (digits < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant) digits++;
        } else {
            dropped++;
        }
        i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            any = true;
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                if (mant) digits++;
                frac_exp--;
            } else if (s[i] != '0') {
                dropped = 1000; /* inexact: leave it to strtod */
            }
            i++;
        }
    }
    if (!any) return WF_EPARSE;
    int exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        if (i == len || s[i] < '0' || s[i] > '9') return WF_EPARSE;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (exp < 100000) exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (eneg) exp = -exp;
    }
    if (i != len) return WF_EPARSE;
    int e10 = exp + frac_exp;
    if (dropped == 0 && mant <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
        double x = (double)mant;
        x = e10 < 0 ? x / tbl__pow10[-e10] : x * tbl__pow10[e10];
        *out = neg ? -x : x;
        return 0;
    }
    return tbl__parse_double_slow(s, len, out);
}

int tbl_parse_int64(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == len) return WF_EPARSE;
    uint64_t v = 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return WF_EPARSE;
        if (v > (limit - d) / 10) return WF_EPARSE;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
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
    return (size_t)snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, h,
                            mi, s);
}
