/*
 * test_endpoint.c: endpoint keys and the endpoint registry (store.h). Keys
 * are 43 base64url characters of 32 random bytes; the store keeps their
 * SHA-256 (checked against Python's hashlib) and never the key itself (the
 * database files are searched for it); a key matches its own digest only,
 * through either slot; regenerating one slot stops the old key at once and
 * leaves the other slot alone; versions grow with each redeploy while the
 * keys stay; states follow their version.
 */
#include "store_test.h"

#include <dirent.h>

/* Whether `needle` occurs in any file under dir (the database, its WAL). */
static bool found_in_files(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            found = found_in_files(path, needle);
            continue;
        }
        char *text = NULL;
        size_t size = 0;
        if (wf_read_file(path, &text, &size, NULL) < 0) continue;
        found = memmem(text, size, needle, strlen(needle)) != NULL;
        free(text);
    }
    closedir(d);
    return found;
}

static void keys_are_43_base64url_characters_and_differ(void **state)
{
    (void)state;
    char seen[64][ST_KEY_TEXT];
    for (int i = 0; i < 64; i++) {
        assert_int_equal(st_key_new(seen[i], NULL), 0);
        assert_int_equal(strlen(seen[i]), 43);
        for (const char *c = seen[i]; *c; c++)
            assert_non_null(
                strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *c));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    /* Base64url of 32 bytes: decoding (with '+', '/' and padding put back)
     * gives 32 bytes, and the last character carries only 4 bits. */
    char std[48];
    for (int k = 0; k < 43; k++)
        std[k] = seen[0][k] == '-' ? '+' : seen[0][k] == '_' ? '/' : seen[0][k];
    std[43] = '=';
    std[44] = '\0';
    uint8_t *bytes = NULL;
    size_t n = 0;
    assert_int_equal(wf_base64_decode(std, 44, &bytes, &n), 0);
    assert_int_equal(n, 32);
    free(bytes);
}

static void key_digest_is_sha256_as_python_computes_it(void **state)
{
    (void)state;
    char key[ST_KEY_TEXT], hex[WF_SHA256_HEX];
    assert_int_equal(st_key_new(key, NULL), 0);
    st_key_sha256(key, hex);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import hashlib,sys; "
             "print(hashlib.sha256(sys.argv[1].encode()).hexdigest())\" '%s'",
             key);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char want[80] = "";
    assert_non_null(fgets(want, sizeof want, p));
    pclose(p);
    want[strcspn(want, "\n")] = '\0';
    assert_string_equal(hex, want);
}

static void a_key_matches_its_own_digest_only(void **state)
{
    (void)state;
    char a[ST_KEY_TEXT], b[ST_KEY_TEXT], ha[WF_SHA256_HEX], hb[WF_SHA256_HEX];
    assert_int_equal(st_key_new(a, NULL), 0);
    assert_int_equal(st_key_new(b, NULL), 0);
    st_key_sha256(a, ha);
    st_key_sha256(b, hb);
    assert_true(st_key_matches(a, ha, hb));
    assert_true(st_key_matches(b, ha, hb));
    assert_false(st_key_matches(a, hb, hb));
    /* One character off, a prefix, a longer key, nothing at all. */
    char wrong[ST_KEY_TEXT];
    strcpy(wrong, a);
    wrong[20] = wrong[20] == 'A' ? 'B' : 'A';
    assert_false(st_key_matches(wrong, ha, hb));
    char prefix[ST_KEY_TEXT];
    snprintf(prefix, sizeof prefix, "%.42s", a);
    assert_false(st_key_matches(prefix, ha, hb));
    char longer[ST_KEY_TEXT + 2];
    snprintf(longer, sizeof longer, "%sx", a);
    assert_false(st_key_matches(longer, ha, hb));
    assert_false(st_key_matches("", ha, hb));
    assert_false(st_key_matches(NULL, ha, hb));
    /* The digest itself is not a key. */
    assert_false(st_key_matches(ha, ha, hb));
    /* An unset slot matches nothing, not even the empty string's digest. */
    char empty[WF_SHA256_HEX];
    st_key_sha256("", empty);
    assert_false(st_key_matches("", "", NULL));
    assert_true(st_key_matches("", empty, NULL));
    assert_false(st_key_matches(a, NULL, ""));
}

static void endpoints_keep_digests_never_keys(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char primary[ST_KEY_TEXT], secondary[ST_KEY_TEXT];
    st_endpoint e = {0};
    st_endpoint_spec spec = {.name = "cars-price",
                             .document_json = "{\"format\":\"weft.pipeline/1\"}",
                             .state = "healthy",
                             .source = "draft 3"};
    wf_error err = {0};
    if (st_endpoint_create(ws, &spec, primary, secondary, &e, &err) < 0)
        fail_msg("%s", err.message);
    assert_string_equal(e.name, "cars-price");
    assert_int_equal(e.version, 1);
    assert_string_equal(e.state, "healthy");
    assert_string_equal(e.reason, "");
    assert_string_equal(e.source, "draft 3");
    assert_string_not_equal(primary, secondary);
    assert_true(st_key_matches(primary, e.primary_sha256, e.secondary_sha256));
    assert_true(st_key_matches(secondary, e.primary_sha256, e.secondary_sha256));
    st_endpoint_clear(&e);
    st_close(ws);
    /* The keys are in no file of the workspace; their digests are. */
    assert_false(found_in_files(dir, primary));
    assert_false(found_in_files(dir, secondary));
    char hex[WF_SHA256_HEX];
    st_key_sha256(primary, hex);
    assert_true(found_in_files(dir, hex));
    remove_temp_dir(dir);
}

static void names_are_checked_and_unique(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char p[ST_KEY_TEXT], s[ST_KEY_TEXT];
    wf_error err = {0};
    const char *bad[] = {"", "-cars", "a/b", "a b", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st_endpoint_spec spec = {.name = bad[i], .document_json = "{}", .state = "healthy"};
        assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, &err), WF_EINVAL);
        wf_error_clear(&err);
    }
    char long_name[120];
    memset(long_name, 'a', 101);
    long_name[101] = '\0';
    st_endpoint_spec spec = {.name = long_name, .document_json = "{}", .state = "healthy"};
    assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, &err), WF_EINVAL);
    spec.name = "ok";
    spec.state = "sleeping";
    assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, &err), WF_EINVAL);
    spec.state = "healthy";
    assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, NULL), 0);
    wf_error_clear(&err);
    assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, &err), WF_EEXIST);
    assert_non_null(strstr(err.message, "\"ok\""));
    /* A refused create gives no key out. */
    assert_string_equal(p, "");
    st_close(ws);
    remove_temp_dir(dir);
}

static void redeploys_count_versions_and_keep_keys(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char p[ST_KEY_TEXT], s[ST_KEY_TEXT];
    st_endpoint_spec spec = {.name = "m", .document_json = "{\"v\":1}", .state = "healthy"};
    assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, NULL), 0);
    spec.document_json = "{\"v\":2}";
    spec.state = "failed";
    spec.reason = "node x: no";
    st_endpoint e = {0};
    assert_int_equal(st_endpoint_redeploy(ws, &spec, &e, NULL), 0);
    assert_int_equal(e.version, 2);
    assert_string_equal(e.document_json, "{\"v\":2}");
    assert_string_equal(e.state, "failed");
    assert_string_equal(e.reason, "node x: no");
    assert_true(st_key_matches(p, e.primary_sha256, e.secondary_sha256));
    assert_true(st_key_matches(s, e.primary_sha256, e.secondary_sha256));
    st_endpoint_clear(&e);
    /* A state for an old version changes nothing; for the current, it does. */
    assert_int_equal(st_endpoint_set_state(ws, "m", 1, "healthy", NULL, NULL), 0);
    assert_int_equal(st_endpoint_get(ws, "m", &e, NULL), 0);
    assert_string_equal(e.state, "failed");
    st_endpoint_clear(&e);
    assert_int_equal(st_endpoint_set_state(ws, "m", 2, "healthy", NULL, NULL), 0);
    assert_int_equal(st_endpoint_get(ws, "m", &e, NULL), 0);
    assert_string_equal(e.state, "healthy");
    assert_string_equal(e.reason, "");
    st_endpoint_clear(&e);
    spec.name = "nobody";
    wf_error err = {0};
    assert_int_equal(st_endpoint_redeploy(ws, &spec, NULL, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void regenerating_a_key_stops_the_old_one_only(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char p[ST_KEY_TEXT], s[ST_KEY_TEXT], fresh[ST_KEY_TEXT];
    st_endpoint_spec spec = {.name = "m", .document_json = "{}", .state = "healthy"};
    assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, NULL), 0);
    assert_int_equal(st_endpoint_regenerate_key(ws, "m", 0, fresh, NULL), 0);
    st_endpoint e = {0};
    assert_int_equal(st_endpoint_get(ws, "m", &e, NULL), 0);
    assert_false(st_key_matches(p, e.primary_sha256, e.secondary_sha256));
    assert_true(st_key_matches(fresh, e.primary_sha256, e.secondary_sha256));
    assert_true(st_key_matches(s, e.primary_sha256, e.secondary_sha256));
    st_endpoint_clear(&e);
    assert_int_equal(st_endpoint_regenerate_key(ws, "m", 1, fresh + 0, NULL), 0);
    assert_int_equal(st_endpoint_get(ws, "m", &e, NULL), 0);
    assert_false(st_key_matches(s, e.primary_sha256, e.secondary_sha256));
    assert_true(st_key_matches(fresh, e.primary_sha256, e.secondary_sha256));
    st_endpoint_clear(&e);
    wf_error err = {0};
    assert_int_equal(st_endpoint_regenerate_key(ws, "m", 2, fresh, &err), WF_EINVAL);
    wf_error_clear(&err);
    assert_int_equal(st_endpoint_regenerate_key(ws, "nobody", 0, fresh, &err), WF_ENOTFOUND);
    st_close(ws);
    remove_temp_dir(dir);
}

static void list_and_delete(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    st_workspace *ws = open_workspace(dir);
    char p[ST_KEY_TEXT], s[ST_KEY_TEXT];
    const char *names[] = {"zeta", "alpha", "mid"};
    for (int i = 0; i < 3; i++) {
        st_endpoint_spec spec = {.name = names[i], .document_json = "{}", .state = "deploying"};
        assert_int_equal(st_endpoint_create(ws, &spec, p, s, NULL, NULL), 0);
    }
    st_endpoint *list = NULL;
    size_t n = 0;
    assert_int_equal(st_endpoint_list(ws, &list, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].name, "alpha");
    assert_string_equal(list[2].name, "zeta");
    assert_string_equal(list[1].state, "deploying");
    st_endpoints_free(list, n);
    assert_int_equal(st_endpoint_delete(ws, "mid", NULL), 0);
    wf_error err = {0};
    assert_int_equal(st_endpoint_delete(ws, "mid", &err), WF_ENOTFOUND);
    st_endpoint e = {0};
    assert_int_equal(st_endpoint_get(ws, "mid", &e, NULL), WF_ENOTFOUND);
    assert_int_equal(st_endpoint_list(ws, &list, &n, NULL), 0);
    assert_int_equal(n, 2);
    st_endpoints_free(list, n);
    st_close(ws);
    remove_temp_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_are_43_base64url_characters_and_differ),
        cmocka_unit_test(key_digest_is_sha256_as_python_computes_it),
        cmocka_unit_test(a_key_matches_its_own_digest_only),
        cmocka_unit_test(endpoints_keep_digests_never_keys),
        cmocka_unit_test(names_are_checked_and_unique),
        cmocka_unit_test(redeploys_count_versions_and_keep_keys),
        cmocka_unit_test(regenerating_a_key_stops_the_old_one_only),
        cmocka_unit_test(list_and_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
