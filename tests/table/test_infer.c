/*
 * test_infer.c: scalar parsing (parse.c) and type inference (infer.c): exact
 * doubles against strtod, int64 limits, the datetime formats, booleans,
 * missing tokens, and how tbl_column_from_text picks a column's type.
 */
#include "table/parse_int.h"
#include "table/table.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Parses s with tbl_parse_double and with strtod; both must agree to the
 * bit (or both refuse). */
static void check_like_strtod(const char *s)
{
    double ours = 0, theirs;
    char *end;
    /* An exact-size copy, no NUL after it: AddressSanitizer catches any
     * read past the field. */
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = tbl_parse_double(copy, n, &ours);
    free(copy);
    theirs = strtod(s, &end);
    if (rc != 0) fail_msg("tbl_parse_double refused \"%s\"", s);
    if (memcmp(&ours, &theirs, sizeof ours) != 0)
        fail_msg("\"%s\": got %.17g, strtod says %.17g", s, ours, theirs);
}

static void double_hard_cases_match_strtod(void **state)
{
    (void)state;
    static const char *const cases[] = {"0.1",
                                        "0.2",
                                        "0.3",
                                        "1e23",
                                        "8.98846567431158e307",
                                        "1.7976931348623157e308",
                                        "2.2250738585072011e-308",
                                        "2.2250738585072012e-308",
                                        "2.2250738585072014e-308",
                                        "4.9e-324",
                                        "5e-324",
                                        "2.4703282292062327e-324",
                                        "9007199254740993",
                                        "9007199254740992",
                                        "9007199254740991",
                                        "18446744073709551615",
                                        "18446744073709551616",
                                        "123456789012345678901234567890",
                                        "0.000001234",
                                        "1e-400",
                                        "1e400",
                                        "-0",
                                        "-0.0",
                                        "+1.5",
                                        ".5",
                                        "5.",
                                        "1E5",
                                        "1e+05",
                                        "1e-05",
                                        "3.141592653589793",
                                        "2.718281828459045",
                                        "0.30000000000000004",
                                        "1234567.1234567",
                                        "-1234.56789",
                                        "00000000000000000000001.5",
                                        "0.0000000000000000000000000001",
                                        "12345678.9",
                                        "123456789",
                                        "1234567890123456789",
                                        "12345678901234567890",
                                        "99999999.99999999",
                                        "7.0e-10",
                                        "1.00000000000000011102230246251565e0",
                                        "9007199254740993.0000000000000001",
                                        "1448997445238699",
                                        "4503599627370497.5"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_like_strtod(cases[i]);
}

/* Random decimal strings of every length the eight-digit fast path cuts
 * differently: 1 to 24 digits, a point anywhere, sometimes an exponent. */
static void double_random_decimals_match_strtod(void **state)
{
    (void)state;
    srand(12345);
    char buf[64];
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = 0;
        if (rand() % 3 == 0) buf[n++] = '-';
        int digits = 1 + rand() % 24, point = rand() % (digits + 1);
        for (int d = 0; d < digits; d++) {
            if (d == point && rand() % 2) buf[n++] = '.';
            buf[n++] = (char)('0' + rand() % 10);
        }
        if (rand() % 4 == 0) n += (size_t)sprintf(buf + n, "e%d", rand() % 80 - 40);
        buf[n] = '\0';
        check_like_strtod(buf);
    }
}

/* Inside a longer text (as the CSV reader parses them, in place) numbers
 * take the short path that loads 16 bytes at once: the prefix must end
 * where the number ends and hold strtod's value. */
static void double_prefix_in_longer_text_matches_strtod(void **state)
{
    (void)state;
    srand(4321);
    static const char *const tails[] = {",1,2,3,4,5,6,7,8,9", "\n123456789012345",
                                        ".5.5.5.5.5.5.5.5",   "e5xxxxxxxxxxxxxxx",
                                        "E+2,,,,,,,,,,,,,,,", "                "};
    char num[64], text[128];
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = 0;
        if (rand() % 3 == 0) num[n++] = rand() % 4 ? '-' : '+';
        int whole = rand() % 10, frac = rand() % 10;
        for (int d = 0; d < whole; d++)
            num[n++] = (char)('0' + rand() % 10);
        if (frac > 0 || whole == 0) {
            num[n++] = '.';
            for (int d = 0; d < frac; d++)
                num[n++] = (char)('0' + rand() % 10);
        }
        if (whole + frac == 0) num[n++] = '7';
        num[n] = '\0';
        const char *tail = tails[rand() % 6];
        int len = snprintf(text, sizeof text, "%s%s", num, tail);
        /* What strtod makes of the number and tail together is the answer
         * for the "e5" and "E+2" tails, which extend the number. */
        char *end;
        double want = strtod(text, &end);
        double got = 0;
        size_t used = tbl__parse_double_prefix(text, (size_t)len, &got);
        if (used != (size_t)(end - text) || memcmp(&got, &want, sizeof got) != 0)
            fail_msg("\"%s\": used %zu, got %.17g; strtod used %zu, got %.17g", text, used, got,
                     (size_t)(end - text), want);
    }
}

/* Every double printed with %.17g reads back to the same bits. */
static void double_round_trips_random_bit_patterns(void **state)
{
    (void)state;
    srand(777);
    char buf[64];
    for (int iter = 0; iter < 200000; iter++) {
        uint64_t bits = 0;
        for (int k = 0; k < 4; k++)
            bits = (bits << 16) ^ (uint64_t)(rand() & 0xffff);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x)) continue;
        int n = snprintf(buf, sizeof buf, "%.17g", x);
        double y;
        assert_int_equal(tbl_parse_double(buf, (size_t)n, &y), 0);
        if (memcmp(&x, &y, sizeof x) != 0) fail_msg("%s read back as %.17g", buf, y);
    }
}

static void double_refuses_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {"",      "-",    "+",   ".",    "e5",   "1e",     "1e+",
                                      "1.2.3", " 1",   "1 ",  "0x10", "1,5",  "--1",    "nan",
                                      "inff",  "1e5x", "abc", "1-2",  "-.e1", "Infinit"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double x;
        if (tbl_parse_double(bad[i], strlen(bad[i]), &x) == 0)
            fail_msg("\"%s\" parsed as %g", bad[i], x);
    }
    double x;
    assert_int_equal(tbl_parse_double("-Infinity", 9, &x), 0);
    assert_true(isinf(x) && x < 0);
    /* Only len bytes count: the digits after them are not read. */
    assert_int_equal(tbl_parse_double("12345678912", 3, &x), 0);
    assert_true(x == 123.0);
}

static void int64_parses_limits_and_refuses_overflow(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(tbl_parse_int64("9223372036854775807", 19, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(tbl_parse_int64("-9223372036854775808", 20, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_not_equal(tbl_parse_int64("9223372036854775808", 19, &v), 0);
    assert_int_not_equal(tbl_parse_int64("-9223372036854775809", 20, &v), 0);
    assert_int_not_equal(tbl_parse_int64("99999999999999999999", 20, &v), 0);
    assert_int_equal(tbl_parse_int64("+5", 2, &v), 0);
    assert_true(v == 5);
    static const char *const bad[] = {"", "-", "+", "1.0", "12a", " 1", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_not_equal(tbl_parse_int64(bad[i], strlen(bad[i]), &v), 0);
}

static void field_kinds_classify_each_scalar(void **state)
{
    (void)state;
    assert_int_equal(tbl_field_kinds("123", 3), TBL_KIND_INTEGER | TBL_KIND_NUMERIC);
    /* Past int64 a whole number is still a number, just not an integer. */
    assert_int_equal(tbl_field_kinds("9223372036854775808", 19), TBL_KIND_NUMERIC);
    assert_int_equal(tbl_field_kinds("1.5", 3), TBL_KIND_NUMERIC);
    assert_int_equal(tbl_field_kinds("1e5", 3), TBL_KIND_NUMERIC);
    assert_int_equal(tbl_field_kinds("inf", 3), TBL_KIND_NUMERIC);
    assert_int_equal(tbl_field_kinds("true", 4), TBL_KIND_BOOLEAN);
    assert_int_equal(tbl_field_kinds("2020-01-02", 10), TBL_KIND_DATETIME);
    assert_int_equal(tbl_field_kinds("2020/01/02 10:30", 16), TBL_KIND_DATETIME);
    assert_int_equal(tbl_field_kinds("abc", 3), 0);
    assert_int_equal(tbl_field_kinds("1,5", 3), 0);
}

static int64_t dt(const char *s)
{
    int64_t us = -1;
    if (tbl_parse_datetime(s, strlen(s), &us) != 0) fail_msg("\"%s\" refused", s);
    return us;
}

static void datetime_reads_iso_and_slash_formats(void **state)
{
    (void)state;
    const int64_t day = 86400 * (int64_t)1000000;
    assert_true(dt("1970-01-01") == 0);
    assert_true(dt("1970-01-02") == day);
    assert_true(dt("1969-12-31") == -day);
    assert_true(dt("2020-02-29") == dt("2020-03-01") - day);
    assert_true(dt("2020-01-02T03:04:05Z") ==
                dt("2020-01-02") + (3 * 3600 + 4 * 60 + 5) * 1000000LL);
    assert_true(dt("2020-01-02 03:04") == dt("2020-01-02T03:04:00"));
    assert_true(dt("2020/01/02 03:04") == dt("2020-01-02T03:04"));
    assert_true(dt("2020/01/02 03:04:05") == dt("2020-01-02T03:04:05Z"));
    assert_true(dt("2020-01-02T03:04:05.123456Z") == dt("2020-01-02T03:04:05Z") + 123456);
    assert_true(dt("2020-01-02T03:04:05.5") == dt("2020-01-02T03:04:05") + 500000);
    assert_true(dt("2020-01-02T05:04:05+02:00") == dt("2020-01-02T03:04:05Z"));
    assert_true(dt("2020-01-02T01:04:05-0200") == dt("2020-01-02T03:04:05Z"));
    assert_true(dt("9999-12-31T23:59:59Z") > 0);
    assert_true(dt("0000-01-01") < 0);
}

static void datetime_refuses_impossible_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {"2021-02-29",
                                      "2020-13-01",
                                      "2020-00-10",
                                      "2020-01-32",
                                      "2020-01-02T24:00",
                                      "2020-01-02T10:60",
                                      "2020/01/02T03:04",
                                      "2020-01-02T",
                                      "2020-01-02T03:04Zx",
                                      "20-01-02",
                                      "2020-1-02",
                                      "2020/01-02",
                                      "2020-01-02 03:04:05.",
                                      "0000-01-01T00:00+01:00",
                                      "9999-12-31T23:59:59-01:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t us;
        if (tbl_parse_datetime(bad[i], strlen(bad[i]), &us) == 0)
            fail_msg("\"%s\" accepted", bad[i]);
    }
}

static void datetime_formats_and_reads_back(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "2020-01-02", "2020-01-02T03:04:05Z",        "1901-12-13T20:45:52.000001Z",
        "0001-01-01", "9999-12-31T23:59:59.999999Z", "1969-12-31T23:59:59Z"};
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t us = dt(cases[i]);
        size_t n = tbl_format_datetime(us, buf, sizeof buf);
        assert_string_equal(buf, cases[i]);
        assert_int_equal(n, strlen(cases[i]));
    }
}

static void bool_reads_words_not_digits(void **state)
{
    (void)state;
    static const char *const yes[] = {"true", "TRUE", "True", "yes"};
    static const char *const no[] = {"false", "FALSE", "False", "no"};
    static const char *const bad[] = {"1", "0", "t", "f", "tru", "Yes!", ""};
    bool b;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(tbl_parse_bool(yes[i], strlen(yes[i]), &b), 0);
        assert_true(b);
        assert_int_equal(tbl_parse_bool(no[i], strlen(no[i]), &b), 0);
        assert_false(b);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_not_equal(tbl_parse_bool(bad[i], strlen(bad[i]), &b), 0);
}

static void missing_tokens_are_recognised(void **state)
{
    (void)state;
    static const char *const yes[] = {"", "NA", "NaN", "?", "N/A", "null", "NULL", "nan"};
    static const char *const no[] = {"na", "None", " ", "0", "??", "NAN!", "-"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(tbl_is_missing_token(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(tbl_is_missing_token(no[i], strlen(no[i])));
}

static tbl_type infer_of(const char *const *fields, size_t n)
{
    tbl_infer in;
    tbl_infer_init(&in);
    for (size_t i = 0; i < n; i++)
        tbl_infer_add(&in, fields[i], strlen(fields[i]));
    return tbl_infer_type(&in);
}

static void infer_widens_over_every_field(void **state)
{
    (void)state;
    const char *ints[] = {"1", "NA", "-3", ""};
    const char *nums[] = {"1", "2", "2.5"};
    const char *big[] = {"1", "9223372036854775808"};
    const char *bools[] = {"true", "?", "no"};
    const char *dates[] = {"2020-01-01", "2020/01/02 10:00"};
    const char *mixed[] = {"1", "true"};
    const char *none[] = {"", "NA"};
    assert_int_equal(infer_of(ints, 4), TBL_INTEGER);
    assert_int_equal(infer_of(nums, 3), TBL_NUMERIC);
    assert_int_equal(infer_of(big, 2), TBL_NUMERIC);
    assert_int_equal(infer_of(bools, 3), TBL_BOOLEAN);
    assert_int_equal(infer_of(dates, 2), TBL_DATETIME);
    assert_int_equal(infer_of(mixed, 2), TBL_STRING);
    assert_int_equal(infer_of(none, 2), TBL_STRING);
}

static void categorical_needs_few_distinct_values(void **state)
{
    (void)state;
    assert_true(tbl_infer_is_categorical(3, 100));
    assert_true(tbl_infer_is_categorical(50, 100));
    assert_false(tbl_infer_is_categorical(51, 100));
    assert_false(tbl_infer_is_categorical(0, 0));
    assert_false(tbl_infer_is_categorical(10001, 1000000));
}

static void make_fields(tbl_strings *out, const char *const *v, size_t n)
{
    tbl_strings_builder b = {0};
    for (size_t i = 0; i < n; i++)
        tbl_strings_append(&b, v[i], strlen(v[i]));
    assert_int_equal(tbl_strings_finish(&b, out), 0);
}

static void column_from_text_picks_categorical_for_repeats(void **state)
{
    (void)state;
    const char *v[] = {"red", "blue", "red", "NA", "blue", "red"};
    tbl_strings f;
    make_fields(&f, v, 6);
    tbl_column c;
    wf_error err = {0};
    assert_int_equal(tbl_column_from_text(&c, "colour", &f, &err), 0);
    assert_int_equal(c.type, TBL_CATEGORICAL);
    assert_int_equal(c.levels.count, 2);
    assert_int_equal(c.v.codes[0], c.v.codes[2]);
    assert_int_equal(c.v.codes[3], -1);
    assert_true(tbl_is_missing(&c, 3));
    assert_false(tbl_is_missing(&c, 4));
    tbl_column_clear(&c);
    tbl_strings_clear(&f);
}

static void column_from_text_keeps_unique_text_as_string(void **state)
{
    (void)state;
    const char *v[] = {"alice", "bob", "carol", "", "dave"};
    tbl_strings f;
    make_fields(&f, v, 5);
    tbl_column c;
    wf_error err = {0};
    assert_int_equal(tbl_column_from_text(&c, "name", &f, &err), 0);
    assert_int_equal(c.type, TBL_STRING);
    size_t len;
    const char *s = tbl_strings_at(&c.str, 2, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(s, "carol", 5);
    assert_true(tbl_is_missing(&c, 3));
    tbl_column_clear(&c);
    tbl_strings_clear(&f);
}

static void column_from_text_parses_numbers(void **state)
{
    (void)state;
    const char *v[] = {"1.5", "?", "-2", "1e3"};
    tbl_strings f;
    make_fields(&f, v, 4);
    tbl_column c;
    wf_error err = {0};
    assert_int_equal(tbl_column_from_text(&c, "x", &f, &err), 0);
    assert_int_equal(c.type, TBL_NUMERIC);
    assert_true(c.v.f64[0] == 1.5 && c.v.f64[2] == -2.0 && c.v.f64[3] == 1000.0);
    assert_true(tbl_is_missing(&c, 1));
    tbl_column_clear(&c);
    tbl_strings_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(double_hard_cases_match_strtod),
        cmocka_unit_test(double_random_decimals_match_strtod),
        cmocka_unit_test(double_prefix_in_longer_text_matches_strtod),
        cmocka_unit_test(double_round_trips_random_bit_patterns),
        cmocka_unit_test(double_refuses_malformed_text),
        cmocka_unit_test(int64_parses_limits_and_refuses_overflow),
        cmocka_unit_test(field_kinds_classify_each_scalar),
        cmocka_unit_test(datetime_reads_iso_and_slash_formats),
        cmocka_unit_test(datetime_refuses_impossible_dates),
        cmocka_unit_test(datetime_formats_and_reads_back),
        cmocka_unit_test(bool_reads_words_not_digits),
        cmocka_unit_test(missing_tokens_are_recognised),
        cmocka_unit_test(infer_widens_over_every_field),
        cmocka_unit_test(categorical_needs_few_distinct_values),
        cmocka_unit_test(column_from_text_picks_categorical_for_repeats),
        cmocka_unit_test(column_from_text_keeps_unique_text_as_string),
        cmocka_unit_test(column_from_text_parses_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
