/*
 * ml_test.h: helpers shared by the tests of src/ml (test_*.c here): a
 * message check, scratch directories, and running a Python peer that
 * prints numbers. Include it once, after cmocka.h. (The module tests have
 * their own, tests/modules/module_test.h, which needs the modules part.)
 */
#ifndef WEFT_TESTS_ML_TEST_H
#define WEFT_TESTS_ML_TEST_H

#include "ml/ml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* A new scratch directory (caller frees with remove_dir). */
static inline char *temp_dir(void)
{
    char *dir = strdup("/tmp/weft-test-ml-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static inline void remove_dir(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

/* Runs a python snippet with dir as sys.argv[1] and parses the first line it
 * prints as up to n numbers into v; returns how many. Fails the test when
 * python fails. */
static inline int python_numbers(const char *dir, const char *script, double *v, int n)
{
    char path[512], cmd[1024];
    snprintf(path, sizeof path, "%s/peer.py", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", path, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[4096] = "";
    if (fgets(line, sizeof line, p) == NULL) line[0] = '\0';
    int status = pclose(p);
    if (status != 0) fail_msg("python failed (%d): %s", status, line);
    int got = 0;
    char *s = line, *end;
    while (got < n) {
        double x = strtod(s, &end);
        if (end == s) break;
        v[got++] = x;
        s = end;
    }
    return got;
}

#endif
