/* Tests of util: the error helpers, SHA-256, UTF-8, buffers, arenas, files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"
#include "util/util_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void sha256_matches_fips_180_examples(void **state)
{
    (void)state;
    char hex[WF_SHA256_HEX];
    wf_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    wf_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    wf_sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void sha256_streaming_equals_one_shot(void **state)
{
    (void)state;
    /* One million 'a's, fed in uneven pieces (FIPS 180-2 appendix B.3). */
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    wf_sha256 h;
    wf_sha256_init(&h);
    size_t at = 0, step = 1;
    while (at < 1000000) {
        size_t n = step < 1000000 - at ? step : 1000000 - at;
        wf_sha256_update(&h, a + at, n);
        at += n;
        step = step * 3 % 1021 + 1;
    }
    uint8_t digest[32];
    wf_sha256_final(&h, digest);
    char hex[WF_SHA256_HEX];
    wf_hex_encode(digest, 32, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* The SHA-extension code (where the CPU has it) and the portable code agree
 * on every length around the 64-byte block and padding boundaries. */
static void sha256_hardware_and_portable_agree(void **state)
{
    (void)state;
    uint8_t *data = malloc(5000);
    assert_non_null(data);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < 5000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data[i] = (uint8_t)x;
    }
    for (size_t len = 0; len < 5000; len += len < 200 ? 1 : 97) {
        char fast[WF_SHA256_HEX], slow[WF_SHA256_HEX];
        wf_sha256_hex(data, len, fast);
        wf__sha256_force_portable(true);
        wf_sha256_hex(data, len, slow);
        wf__sha256_force_portable(false);
        if (strcmp(fast, slow) != 0) fail_msg("length %zu: %s != %s", len, fast, slow);
    }
    free(data);
}

static void error_keeps_first_message_and_prefixes(void **state)
{
    (void)state;
    wf_error err = {0};
    assert_int_equal(wf_error_set(&err, WF_EPARSE, "line %d: bad", 7), WF_EPARSE);
    wf_error_set(&err, WF_EIO, "second");
    assert_int_equal(err.code, WF_EPARSE);
    assert_string_equal(err.message, "line 7: bad");
    wf_error_prefix(&err, "file %s", "x.csv");
    assert_string_equal(err.message, "file x.csv: line 7: bad");
    assert_string_equal(wf_strerror(WF_ENOMEM), "out of memory");
    assert_int_equal(wf_error_set(NULL, WF_EIO, "ignored"), WF_EIO);
}

static void utf8_validation_finds_first_bad_byte(void **state)
{
    (void)state;
    size_t bad = 0;
    assert_true(wf_utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15, &bad));
    assert_false(wf_utf8_valid("ab\xff", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(wf_utf8_valid("\xc0\xaf", 2, &bad));     /* overlong '/' */
    assert_false(wf_utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
    assert_false(wf_utf8_valid("x\xe2\x82", 3, &bad));    /* truncated */
    assert_int_equal(bad, 1);
}

static void buf_grows_and_formats(void **state)
{
    (void)state;
    wf_buf b = {0};
    for (int i = 0; i < 1000; i++)
        wf_buf_printf(&b, "%d,", i);
    assert_false(b.failed);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    assert_int_equal(b.len, strlen(b.data));
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    wf_buf_printf(&b, "%s", big);
    assert_int_equal(b.len, strlen(b.data));
    wf_buf_free(&b);
}

static void arena_allocations_are_aligned_and_freed_together(void **state)
{
    (void)state;
    wf_arena *a = wf_arena_new();
    assert_non_null(a);
    for (int i = 0; i < 10000; i++) {
        char *p = wf_arena_alloc(a, (size_t)(i % 97) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    assert_non_null(wf_arena_alloc(a, 1 << 20)); /* bigger than a block */
    assert_string_equal(wf_arena_printf(a, "%s-%d", "n", 3), "n-3");
    wf_arena_free(a);
    wf_arena_free(NULL);
}

static void grow_refuses_overflow(void **state)
{
    (void)state;
    void *p = NULL;
    size_t cap = 0;
    assert_int_equal(wf_grow(&p, &cap, 10, 8), 0);
    assert_true(cap >= 10);
    assert_int_equal(wf_grow(&p, &cap, SIZE_MAX / 2, 8), WF_ENOMEM);
    assert_non_null(p);
    free(p);
    assert_null(wf_mallocarray(SIZE_MAX / 2, 4));
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void atomic_write_replaces_and_leaves_no_temporary(void **state)
{
    (void)state;
    char dir[] = "/tmp/weft-util-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/file.txt", dir);
    wf_error err = {0};
    char sub[256];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    assert_int_equal(wf_mkdirs(sub, &err), 0);
    assert_int_equal(wf_write_file_atomic(path, "one", 3, &err), 0);
    assert_int_equal(wf_write_file_atomic(path, "second", 6, &err), 0);
    char *text = NULL;
    size_t size = 0;
    assert_int_equal(wf_read_file(path, &text, &size, &err), 0);
    assert_string_equal(text, "second");
    assert_int_equal(size, 6);
    free(text);
    assert_int_equal(count_entries(sub), 1);

    /* A write into a directory that does not exist fails with the path named. */
    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope/file.txt", dir);
    assert_int_equal(wf_write_file_atomic(missing, "x", 1, &err), WF_EIO);
    assert_non_null(strstr(err.message, "nope"));

    wf_mapped_file m;
    wf_error_clear(&err);
    assert_int_equal(wf_map_file(path, &m, &err), 0);
    assert_int_equal(m.size, 6);
    assert_memory_equal(m.data, "second", 6);
    wf_unmap_file(&m);
    assert_int_equal(wf_map_file(sub, &m, &err), WF_EIO); /* a directory */

    unlink(path);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/a", dir);
    rmdir(sub);
    rmdir(dir);
}

/* RFC 4648 section 10's test vectors, both ways, and text that is not base64. */
static void base64_matches_rfc_4648_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                        "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *e = wf_base64_encode(plain[i], strlen(plain[i]));
        assert_string_equal(e, coded[i]);
        free(e);
        uint8_t *d;
        size_t n;
        assert_int_equal(wf_base64_decode(coded[i], strlen(coded[i]), &d, &n), 0);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(d, plain[i], n);
        free(d);
    }
    uint8_t *d;
    size_t n;
    assert_int_equal(wf_base64_decode("Zm9", 3, &d, &n), WF_EPARSE);
    assert_int_equal(wf_base64_decode("Zm*v", 4, &d, &n), WF_EPARSE);
    assert_int_equal(wf_base64_decode("Z=9v", 4, &d, &n), WF_EPARSE);
    /* Every byte value survives a round trip. */
    uint8_t all[256];
    for (size_t i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char *e = wf_base64_encode(all, sizeof all);
    assert_int_equal(wf_base64_decode(e, strlen(e), &d, &n), 0);
    assert_int_equal(n, 256);
    assert_memory_equal(d, all, 256);
    free(d);
    free(e);
}

/* The generator is SplitMix64: its first output from seed 0 is the published
 * 0xe220a8397b1dcdaf; uniform draws stay in [0, 1) with the right mean, and
 * normal draws have mean 0 and variance 1. */
static void rng_is_splitmix64_and_its_draws_are_distributed(void **state)
{
    (void)state;
    wf_rng r = {.state = 0};
    assert_true(wf_rng_next(&r) == 0xe220a8397b1dcdafULL);
    double sum = 0, sum2 = 0, usum = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = wf_rng_uniform(&r);
        assert_true(u >= 0 && u < 1);
        usum += u;
        double z = wf_rng_normal(&r);
        sum += z;
        sum2 += z * z;
        assert_true(wf_rng_below(&r, 7) < 7);
    }
    assert_true(fabs(usum / n - 0.5) < 0.01);
    assert_true(fabs(sum / n) < 0.01);
    assert_true(fabs(sum2 / n - 1) < 0.02);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_matches_fips_180_examples),
        cmocka_unit_test(sha256_streaming_equals_one_shot),
        cmocka_unit_test(sha256_hardware_and_portable_agree),
        cmocka_unit_test(error_keeps_first_message_and_prefixes),
        cmocka_unit_test(utf8_validation_finds_first_bad_byte),
        cmocka_unit_test(buf_grows_and_formats),
        cmocka_unit_test(arena_allocations_are_aligned_and_freed_together),
        cmocka_unit_test(grow_refuses_overflow),
        cmocka_unit_test(atomic_write_replaces_and_leaves_no_temporary),
        cmocka_unit_test(base64_matches_rfc_4648_vectors),
        cmocka_unit_test(rng_is_splitmix64_and_its_draws_are_distributed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
