/*
 * scoring_json.c: the JSON reader of scoring requests (engine.h,
 * eng_json_parse). A request may carry thousands of rows, and a general
 * JSON library spends most of a scoring request's time allocating: one
 * block per value, one hash table per object. This reader makes one pass
 * over the text (RFC 8259) and puts every value in the request's arena:
 * arrays and objects are contiguous runs of their elements, strings
 * without escapes point into the text itself, numbers stay as their text
 * until a column asks for them as its type. Everything goes at once when
 * the arena is freed.
 *
 * Input is never trusted: the text must be UTF-8, nesting is limited, and
 * a syntax error says its line and column.
 */
#include "pipeline_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENG__JSON_DEPTH 64

typedef struct eng__reader {
    const char *p, *start, *end;
    wf_arena *arena;
    /* Elements of the arrays and objects being read, innermost last. */
    eng_json *values;
    size_t nvalues, values_cap;
    eng_json_member *members;
    size_t nmembers, members_cap;
    wf_error *err;
    int code; /* the first failure, or 0 */
} eng__reader;

static int eng__json_fail(eng__reader *r, const char *what)
{
    if (r->code != 0) return r->code;
    size_t line = 1, col = 1;
    for (const char *q = r->start; q < r->p && q < r->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*q & 0xc0) != 0x80) {
            col++;
        }
    }
    r->code = WF_EPARSE;
    return wf_error_set(r->err, WF_EPARSE, "line %zu, column %zu: %s", line, col, what);
}

static int eng__json_oom(eng__reader *r)
{
    if (r->code == 0) r->code = wf_error_set(r->err, WF_ENOMEM, "out of memory reading JSON");
    return r->code;
}

static void eng__skip_space(eng__reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool eng__literal(eng__reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return false;
    r->p += n;
    return true;
}

static int eng__hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

static size_t eng__utf8_put(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A string; r->p is on its opening quote. Sets *s and *n. */
static int eng__string(eng__reader *r, const char **s, uint32_t *n)
{
    const char *q = ++r->p;
    bool escaped = false;
    while (q < r->end && *q != '"') {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20) {
            r->p = q;
            return eng__json_fail(r, "a control character in a string");
        }
        if (c == '\\') {
            escaped = true;
            q++;
        }
        q++;
    }
    if (q >= r->end) return eng__json_fail(r, "a string does not end");
    if ((size_t)(q - r->p) > UINT32_MAX) return eng__json_fail(r, "a string is too long");
    if (!escaped) {
        *s = r->p;
        *n = (uint32_t)(q - r->p);
        r->p = q + 1;
        return 0;
    }
    /* Unescaped, the string is never longer than its text. */
    char *out = wf_arena_alloc(r->arena, (size_t)(q - r->p) + 1);
    if (out == NULL) return eng__json_oom(r);
    size_t o = 0;
    while (r->p < q) {
        if (*r->p != '\\') {
            out[o++] = *r->p++;
            continue;
        }
        char e = r->p[1];
        r->p += 2;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e != '\0' ? strchr(from, e) : NULL;
        if (k != NULL) {
            out[o++] = to[k - from];
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || q - r->p < 4 || eng__hex4(r->p, &cp) < 0) {
            r->p -= 2;
            return eng__json_fail(r, "a bad escape in a string");
        }
        r->p += 4;
        if (cp >= 0xd800 && cp < 0xdc00) {
            if (q - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || eng__hex4(r->p + 2, &lo) < 0 ||
                lo < 0xdc00 || lo > 0xdfff)
                return eng__json_fail(r, "a lone surrogate in a string");
            r->p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp < 0xe000) {
            return eng__json_fail(r, "a lone surrogate in a string");
        }
        if (cp == 0) return eng__json_fail(r, "a NUL character in a string");
        /* "\uXXXX" is six bytes; its UTF-8 at most three (four for a
         * pair of twelve): the output never outruns the input. */
        o += eng__utf8_put(out + o, cp);
    }
    out[o] = '\0';
    r->p = q + 1;
    *s = out;
    *n = (uint32_t)o;
    return 0;
}

/* A number's text, checked against the grammar; r->p is on its start. */
static int eng__number(eng__reader *r, eng_json *v)
{
    const char *q = r->p;
    if (q < r->end && *q == '-') q++;
    if (q >= r->end || *q < '0' || *q > '9') return eng__json_fail(r, "a bad value");
    if (*q == '0')
        q++;
    else
        while (q < r->end && *q >= '0' && *q <= '9')
            q++;
    if (q < r->end && *q == '.') {
        q++;
        if (q >= r->end || *q < '0' || *q > '9') return eng__json_fail(r, "a bad number");
        while (q < r->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < r->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < r->end && (*q == '+' || *q == '-')) q++;
        if (q >= r->end || *q < '0' || *q > '9') return eng__json_fail(r, "a bad number");
        while (q < r->end && *q >= '0' && *q <= '9')
            q++;
    }
    v->kind = ENG_JSON_NUMBER;
    v->s = r->p;
    v->n = (uint32_t)(q - r->p);
    r->p = q;
    return 0;
}

static int eng__value(eng__reader *r, eng_json *v, int depth);

static int eng__array(eng__reader *r, eng_json *v, int depth)
{
    r->p++;
    size_t base = r->nvalues;
    eng__skip_space(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
    } else {
        for (;;) {
            if (wf_grow((void **)&r->values, &r->values_cap, r->nvalues + 1, sizeof *r->values) < 0)
                return eng__json_oom(r);
            eng_json item;
            int rc = eng__value(r, &item, depth + 1);
            if (rc < 0) return rc;
            r->values[r->nvalues++] = item;
            eng__skip_space(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                continue;
            }
            if (r->p < r->end && *r->p == ']') {
                r->p++;
                break;
            }
            return eng__json_fail(r, "expected ',' or ']' in an array");
        }
    }
    size_t n = r->nvalues - base;
    eng_json *items = n ? wf_arena_alloc(r->arena, n * sizeof *items) : NULL;
    if (n > 0 && items == NULL) return eng__json_oom(r);
    if (n > 0) memcpy(items, r->values + base, n * sizeof *items);
    r->nvalues = base;
    *v = (eng_json){.kind = ENG_JSON_ARRAY, .n = (uint32_t)n, .items = items};
    return 0;
}

static int eng__object(eng__reader *r, eng_json *v, int depth)
{
    r->p++;
    size_t base = r->nmembers;
    eng__skip_space(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
    } else {
        for (;;) {
            eng__skip_space(r);
            if (r->p >= r->end || *r->p != '"') return eng__json_fail(r, "expected a key");
            eng_json_member m;
            int rc = eng__string(r, &m.key, &m.key_len);
            if (rc < 0) return rc;
            eng__skip_space(r);
            if (r->p >= r->end || *r->p != ':') return eng__json_fail(r, "expected ':'");
            r->p++;
            if ((rc = eng__value(r, &m.value, depth + 1)) < 0) return rc;
            if (wf_grow((void **)&r->members, &r->members_cap, r->nmembers + 1,
                        sizeof *r->members) < 0)
                return eng__json_oom(r);
            r->members[r->nmembers++] = m;
            eng__skip_space(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                continue;
            }
            if (r->p < r->end && *r->p == '}') {
                r->p++;
                break;
            }
            return eng__json_fail(r, "expected ',' or '}' in an object");
        }
    }
    size_t n = r->nmembers - base;
    eng_json_member *members = n ? wf_arena_alloc(r->arena, n * sizeof *members) : NULL;
    if (n > 0 && members == NULL) return eng__json_oom(r);
    if (n > 0) memcpy(members, r->members + base, n * sizeof *members);
    r->nmembers = base;
    *v = (eng_json){.kind = ENG_JSON_OBJECT, .n = (uint32_t)n, .members = members};
    return 0;
}

static int eng__value(eng__reader *r, eng_json *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > ENG__JSON_DEPTH) return eng__json_fail(r, "nested too deeply");
    eng__skip_space(r);
    if (r->p >= r->end) return eng__json_fail(r, "the text ends where a value should be");
    switch (*r->p) {
    case '{':
        return eng__object(r, v, depth);
    case '[':
        return eng__array(r, v, depth);
    case '"':
        v->kind = ENG_JSON_STRING;
        return eng__string(r, &v->s, &v->n);
    case 't':
        v->kind = ENG_JSON_TRUE;
        return eng__literal(r, "true") ? 0 : eng__json_fail(r, "a bad value");
    case 'f':
        v->kind = ENG_JSON_FALSE;
        return eng__literal(r, "false") ? 0 : eng__json_fail(r, "a bad value");
    case 'n':
        v->kind = ENG_JSON_NULL;
        return eng__literal(r, "null") ? 0 : eng__json_fail(r, "a bad value");
    default:
        return eng__number(r, v);
    }
}

int eng_json_parse(const char *text, size_t len, wf_arena *arena, const eng_json **out,
                   wf_error *err)
{
    *out = NULL;
    size_t bad;
    if (!wf_utf8_valid(text, len, &bad))
        return wf_error_set(err, WF_EPARSE, "byte %zu: the text is not UTF-8", bad + 1);
    eng__reader r = {.p = text, .start = text, .end = text + len, .arena = arena, .err = err};
    eng_json *root = wf_arena_alloc(arena, sizeof *root);
    int rc = root == NULL ? eng__json_oom(&r) : eng__value(&r, root, 0);
    if (rc == 0) {
        eng__skip_space(&r);
        if (r.p != r.end) rc = eng__json_fail(&r, "more text after the value");
    }
    free(r.values);
    free(r.members);
    if (rc < 0) return rc;
    *out = root;
    return 0;
}

const eng_json *eng_json_get(const eng_json *object, const char *key)
{
    if (object == NULL || object->kind != ENG_JSON_OBJECT) return NULL;
    size_t n = strlen(key);
    for (uint32_t i = 0; i < object->n; i++) {
        const eng_json_member *m = &object->members[i];
        if (m->key_len == n && memcmp(m->key, key, n) == 0) return &m->value;
    }
    return NULL;
}

const eng_json *eng_json_at(const eng_json *array, size_t i)
{
    if (array == NULL || array->kind != ENG_JSON_ARRAY || i >= array->n) return NULL;
    return &array->items[i];
}
