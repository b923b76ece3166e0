/*
 * arff_date.c: the dates of ARFF files, written in Java SimpleDateFormat
 * patterns (Weka's @attribute NAME date "yyyy-MM-dd HH:mm:ss"), and the
 * case-insensitive keyword matching the ARFF reader shares with them.
 */
#include "arff_int.h"

#include <stdio.h>
#include <string.h>

/* True when s[0, n) equals lowercase kw[0, n), ignoring ASCII case. */
bool tbl__arff_nocase_eq(const char *s, const char *kw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        if (ch != kw[i]) return false;
    }
    return true;
}

/* True when the word at [s, s+len) is the keyword kw, ignoring ASCII case. */
bool tbl__arff_is_word(const char *s, size_t len, const char *kw)
{
    return strlen(kw) == len && tbl__arff_nocase_eq(s, kw, len);
}

static bool tbl__arff_is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Checks a SimpleDateFormat pattern: letters this reader understands, and
 * quoted text that ends. 0, or the offending letter ('\'' for a quote). */
char tbl__arff_check_date_format(const char *fmt)
{
    for (size_t i = 0; fmt[i];) {
        if (fmt[i] == '\'') {
            for (i++;; i++) {
                if (fmt[i] == '\0') return '\'';
                if (fmt[i] == '\'' && fmt[i + 1] == '\'') {
                    i++;
                } else if (fmt[i] == '\'') {
                    i++;
                    break;
                }
            }
            continue;
        }
        if (tbl__arff_is_alpha(fmt[i]) && strchr("yMdHkKhmsSaEzZX", fmt[i]) == NULL) return fmt[i];
        i++;
    }
    return 0;
}

static bool tbl__arff_numeric_letter(char ch, size_t count)
{
    return (ch != '\0' && strchr("ydHkKhmsS", ch) != NULL) || (ch == 'M' && count < 3);
}

static bool tbl__arff_match_nocase(const char *s, size_t len, size_t at, const char *word)
{
    size_t n = strlen(word);
    if (len - at < n) return false;
    return tbl__arff_is_word(s + at, n, word);
}

/* An English month name, full or in three letters, at s[j]: sets *month
 * (1-12) and returns the bytes it took, or 0. */
static size_t tbl__arff_match_month(const char *s, size_t len, size_t j, int *month)
{
    static const char *const months[12] = {"january",   "february", "march",    "april",
                                           "may",       "june",     "july",     "august",
                                           "september", "october",  "november", "december"};
    for (int m = 0; m < 12; m++) {
        size_t used = 0;
        if (tbl__arff_match_nocase(s, len, j, months[m]))
            used = strlen(months[m]);
        else if (len - j >= 3 && tbl__arff_nocase_eq(s + j, months[m], 3))
            used = 3;
        if (used) {
            *month = m + 1;
            return used;
        }
    }
    return 0;
}

/* A time zone at s[*j]: Z, UTC or GMT, optionally followed by (or just) an
 * offset +hh, +hhmm or +hh:mm. Sets *minutes east of UTC. */
static bool tbl__arff_parse_zone(const char *s, size_t len, size_t *j, int *minutes)
{
    size_t at = *j;
    *minutes = 0;
    if (at < len && s[at] == 'Z') {
        *j = at + 1;
        return true;
    }
    bool named =
        tbl__arff_match_nocase(s, len, at, "utc") || tbl__arff_match_nocase(s, len, at, "gmt");
    if (named) at += 3;
    if (at >= len || (s[at] != '+' && s[at] != '-')) {
        *j = at;
        return named;
    }
    int sign = s[at++] == '-' ? -1 : 1;
    int v[2] = {0, 0};
    for (int part = 0; part < 2; part++) {
        if (part == 1 && at < len && s[at] == ':') at++;
        if (len - at < 2 || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') {
            if (part == 0) return false;
            break;
        }
        v[part] = (s[at] - '0') * 10 + (s[at + 1] - '0');
        at += 2;
    }
    if (v[0] > 23 || v[1] > 59) return false;
    *minutes = sign * (v[0] * 60 + v[1]);
    *j = at;
    return true;
}

/* Parses s as the whole of the SimpleDateFormat pattern fmt. Fields the
 * pattern leaves out default to 1970-01-01 00:00:00 UTC, as in Java. Two-
 * digit years take a fixed pivot (00-49 are 20xx) rather than Java's
 * clock-relative one, so that reading a file gives the same table every day. */
int tbl__arff_parse_date(const char *fmt, const char *s, size_t len, int64_t *micros)
{
    int f[7] = {1970, 1, 1, 0, 0, 0, 0}; /* year month day hour minute second tz */
    int64_t millis = 0;
    int pm = -1;
    bool hour12 = false;
    size_t j = 0;
    for (size_t i = 0; fmt[i];) {
        char ch = fmt[i];
        if (ch == '\'' || !tbl__arff_is_alpha(ch)) {
            /* Literal text: one symbol, '' for a quote, or 'quoted text'. */
            const char *lit = fmt + i;
            size_t n = 1;
            if (ch == '\'') {
                if (fmt[i + 1] == '\'') {
                    n = 2;
                    lit = "'";
                } else {
                    for (i++; fmt[i] && !(fmt[i] == '\'' && fmt[i + 1] != '\'');) {
                        if (j >= len || s[j] != fmt[i]) return WF_EPARSE;
                        j++;
                        i += fmt[i] == '\'' ? 2 : 1;
                    }
                    if (fmt[i]) i++; /* the closing quote */
                    continue;
                }
            }
            if (j >= len || s[j] != lit[0]) return WF_EPARSE;
            j++;
            i += n;
            continue;
        }
        size_t n = 0;
        while (fmt[i + n] == ch)
            n++;
        i += n;
        size_t n2 = 0;
        while (fmt[i] && fmt[i + n2] == fmt[i])
            n2++;
        /* Adjacent numeric fields ("yyyyMMdd") need exact widths. */
        bool abut = tbl__arff_numeric_letter(fmt[i], n2);
        if (ch == 'M' && n >= 3) {
            size_t used = tbl__arff_match_month(s, len, j, &f[1]);
            if (used == 0) return WF_EPARSE;
            j += used;
        } else if (ch == 'a') {
            if (tbl__arff_match_nocase(s, len, j, "am"))
                pm = 0;
            else if (tbl__arff_match_nocase(s, len, j, "pm"))
                pm = 1;
            else
                return WF_EPARSE;
            j += 2;
        } else if (ch == 'E') {
            size_t start = j;
            while (j < len && tbl__arff_is_alpha(s[j]))
                j++;
            if (j == start) return WF_EPARSE;
        } else if (ch == 'z' || ch == 'Z' || ch == 'X') {
            if (!tbl__arff_parse_zone(s, len, &j, &f[6])) return WF_EPARSE;
        } else {
            size_t most = abut ? n : ch == 'y' ? 4 : ch == 'S' ? 9 : 2;
            if (most < n) most = n;
            if (most > 9) most = 9;
            size_t k = 0;
            int64_t v = 0;
            while (k < most && j < len && s[j] >= '0' && s[j] <= '9') {
                v = v * 10 + (s[j++] - '0');
                k++;
            }
            if (k == 0 || (abut && k != n)) return WF_EPARSE;
            int iv = v > 1000000000 ? 1000000000 : (int)v;
            if (ch == 'y' && n == 2 && k == 2) iv += iv < 50 ? 2000 : 1900;
            if (ch == 'k' && iv == 24) iv = 0; /* k: 1-24 */
            if (ch == 'h' && iv == 12) iv = 0; /* h: 1-12, with a */
            if ((ch == 'h' && iv > 12) || (ch == 'K' && iv > 11)) iv = 99;
            hour12 = hour12 || ch == 'h' || ch == 'K';
            /* Which of f each numeric letter sets (S, milliseconds, is apart). */
            static const char letters[] = "yMdHkKhms";
            static const int field[] = {0, 1, 2, 3, 3, 3, 3, 4, 5};
            if (ch == 'S')
                millis = v;
            else
                f[field[strchr(letters, ch) - letters]] = iv;
        }
    }
    if (j != len) return WF_EPARSE;
    if (hour12 && pm == 1 && f[3] < 12) f[3] += 12;
    if (f[0] > 9999 || f[1] > 12 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
        return WF_EPARSE;
    /* tbl_parse_datetime checks the day against the month's length. */
    char iso[32];
    int n = snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d", f[0], f[1], f[2], f[3], f[4],
                     f[5]);
    int64_t base;
    if (tbl_parse_datetime(iso, (size_t)n, &base) < 0) return WF_EPARSE;
    *micros = base + millis * 1000 - (int64_t)f[6] * 60 * 1000000;
    return 0;
}
