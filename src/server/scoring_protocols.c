/*
 * scoring_protocols.c: the three request formats one endpoint speaks
 * (DESIGN.md section 6), read into the rows of engine.h and written back:
 *
 * - native, as the Azure designer's endpoints: {"Inputs":
 *   {"WebServiceInput0": [{...}, ...]}, "GlobalParameters": {}} answered by
 *   {"Results": {"WebServiceOutput0": [{...}, ...]}}. The input may also be
 *   named by the Web Service Input node's id, and may come as Azure ML
 *   Studio (classic) wrote it: {"ColumnNames": [...], "Values": [[...]]}.
 * - MLflow's scoring server: exactly one of "dataframe_split" ({"columns",
 *   "data"}), "dataframe_records" ([{...}]), "instances" or "inputs" (rows
 *   as objects, rows as arrays in the schema's order, or an object of
 *   columns), answered by {"predictions": [{...}, ...]}; errors are MLflow's
 *   {"error_code", "message"}.
 * - the Open Inference Protocol v2 (KServe, Triton): "inputs" holds one
 *   tensor per column, {"name", "shape": [n] or [n, 1], "datatype", "data"};
 *   the reply has one output tensor per column of Web Service Output's
 *   table (or those the request's "outputs" names), FP64, INT64, BOOL or
 *   BYTES; errors are {"error": "..."}.
 *
 * Nothing here scores: a decoded request is rows for eng_scoring_rows_table,
 * and the fuzz harness drives decoding and encoding without a server.
 * Bodies are read with eng_json_parse into an arena per request, and
 * replies are written straight from the table's columns: at a thousand
 * rows a request, a general JSON library's allocations would cost more
 * than the scoring.
 */
#include "endpoints_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors -------------------------------------------------------------- */

static const char *srv__mlflow_code(int status)
{
    switch (status) {
    case 400:
    case 413:
    case 415:
        return "BAD_REQUEST";
    case 401:
        return "UNAUTHENTICATED";
    case 404:
        return "RESOURCE_DOES_NOT_EXIST";
    case 503:
        return "TEMPORARILY_UNAVAILABLE";
    default:
        return "INTERNAL_ERROR";
    }
}

int srv__scoring_error(srv_response *res, srv__protocol proto, int status, const char *code,
                       const char *fmt, ...)
{
    char message[WF_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (proto == SRV__NATIVE) return srv_reply_error(res, status, code, "%s", message);
    srv__utf8_sanitize(message);
    json_t *body = proto == SRV__MLFLOW ? json_pack("{s:s, s:s}", "error_code",
                                                    srv__mlflow_code(status), "message", message)
                                        : json_pack("{s:s}", "error", message);
    srv_reply_json(res, status, body);
    if (body == NULL) res->status = 500;
    return 0;
}

srv__protocol srv__route_protocol(const srv_route *route)
{
    if (route == NULL || route->pattern == NULL) return SRV__NATIVE;
    if (strncmp(route->pattern, "/v2", 3) == 0) return SRV__V2;
    if (strstr(route->pattern, "/invocations") != NULL) return SRV__MLFLOW;
    return SRV__NATIVE;
}

/* ---- decoding ------------------------------------------------------------ */

void srv__scoring_request_clear(srv__scoring_request *r)
{
    if (r == NULL) return;
    wf_arena_free(r->arena);
    memset(r, 0, sizeof *r);
}

static bool srv__is(const eng_json *v, eng_json_kind kind)
{
    return v != NULL && v->kind == kind;
}

/* A new array of n values in the arena (items to be filled). */
static eng_json *srv__new_array(wf_arena *a, size_t n)
{
    eng_json *v = wf_arena_alloc(a, sizeof *v);
    eng_json *items = n ? wf_arena_alloc(a, n * sizeof *items) : NULL;
    if (v == NULL || (n > 0 && items == NULL)) return NULL;
    *v = (eng_json){.kind = ENG_JSON_ARRAY, .n = (uint32_t)n, .items = items};
    return v;
}

/* Rows given as arrays, matched to the schema's columns by position. */
static int srv__positional(const eng_scoring_plan *plan, const eng_json *data,
                           srv__scoring_request *out, wf_error *err)
{
    const tbl_table *t = eng_scoring_input_schema(plan);
    eng_json *names = srv__new_array(out->arena, t->ncols);
    if (names == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (size_t j = 0; j < t->ncols; j++)
        ((eng_json *)names->items)[j] = (eng_json){
            .kind = ENG_JSON_STRING, .n = (uint32_t)strlen(t->cols[j].name), .s = t->cols[j].name};
    out->rows = (eng_scoring_rows){.shape = ENG_ROWS_SPLIT, .columns = names, .data = data};
    return 0;
}

/* An object of columns; a column given as one value (not an array) is a
 * one-row column. */
static int srv__by_column(const eng_json *obj, srv__scoring_request *out, wf_error *err)
{
    uint32_t arrays = 0;
    for (uint32_t i = 0; i < obj->n; i++)
        arrays += obj->members[i].value.kind == ENG_JSON_ARRAY;
    if (arrays == obj->n) {
        out->rows = (eng_scoring_rows){.shape = ENG_ROWS_COLUMNS, .by_column = obj};
        return 0;
    }
    if (arrays > 0)
        return wf_error_set(err, WF_EINVAL,
                            "columns must all be arrays of values, or all single values");
    eng_json *wrapped = wf_arena_alloc(out->arena, sizeof *wrapped);
    eng_json_member *members = wf_arena_alloc(out->arena, (obj->n + 1) * sizeof *members);
    if (wrapped == NULL || members == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < obj->n; i++) {
        members[i] = obj->members[i];
        members[i].value =
            (eng_json){.kind = ENG_JSON_ARRAY, .n = 1, .items = &obj->members[i].value};
    }
    *wrapped = (eng_json){.kind = ENG_JSON_OBJECT, .n = obj->n, .members = members};
    out->rows = (eng_scoring_rows){.shape = ENG_ROWS_COLUMNS, .by_column = wrapped};
    return 0;
}

/* "instances" and "inputs": rows as objects, rows as arrays, an object of
 * columns, or values of a one-column schema. */
static int srv__mlflow_list(const eng_scoring_plan *plan, const char *key, const eng_json *v,
                            srv__scoring_request *out, wf_error *err)
{
    if (v->kind == ENG_JSON_OBJECT) return srv__by_column(v, out, err);
    if (v->kind != ENG_JSON_ARRAY)
        return wf_error_set(err, WF_EINVAL, "\"%s\" must be a list of rows or an object of columns",
                            key);
    const eng_json *first = eng_json_at(v, 0);
    if (first == NULL || first->kind == ENG_JSON_OBJECT) {
        out->rows = (eng_scoring_rows){.shape = ENG_ROWS_RECORDS, .records = v};
        return 0;
    }
    if (first->kind == ENG_JSON_ARRAY) return srv__positional(plan, v, out, err);
    const tbl_table *schema = eng_scoring_input_schema(plan);
    if (schema->ncols != 1)
        return wf_error_set(err, WF_EINVAL,
                            "\"%s\" holds single values, but the endpoint takes %zu columns: send "
                            "rows as objects",
                            key, schema->ncols);
    eng_json *by = wf_arena_alloc(out->arena, sizeof *by);
    eng_json_member *m = wf_arena_alloc(out->arena, sizeof *m);
    if (by == NULL || m == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    *m = (eng_json_member){.key = schema->cols[0].name,
                           .key_len = (uint32_t)strlen(schema->cols[0].name),
                           .value = *v};
    *by = (eng_json){.kind = ENG_JSON_OBJECT, .n = 1, .members = m};
    out->rows = (eng_scoring_rows){.shape = ENG_ROWS_COLUMNS, .by_column = by};
    return 0;
}

static int srv__decode_mlflow(const eng_scoring_plan *plan, const eng_json *body,
                              srv__scoring_request *out, wf_error *err)
{
    static const char *const keys[] = {"dataframe_split", "dataframe_records", "instances",
                                       "inputs"};
    const char *key = NULL;
    const eng_json *v = NULL;
    for (size_t i = 0; i < 4; i++) {
        const eng_json *here = eng_json_get(body, keys[i]);
        if (here == NULL) continue;
        if (key != NULL)
            return wf_error_set(err, WF_EINVAL, "give one of \"%s\" and \"%s\", not both", key,
                                keys[i]);
        key = keys[i];
        v = here;
    }
    if (key == NULL)
        return wf_error_set(err, WF_EINVAL,
                            "the body needs one of \"dataframe_split\", \"dataframe_records\", "
                            "\"instances\" or \"inputs\"");
    if (strcmp(key, "dataframe_split") == 0) {
        if (v->kind != ENG_JSON_OBJECT)
            return wf_error_set(err, WF_EINVAL,
                                "\"dataframe_split\" must be {\"columns\": [...], \"data\": "
                                "[[...], ...]}");
        const eng_json *columns = eng_json_get(v, "columns");
        const eng_json *data = eng_json_get(v, "data");
        if (columns == NULL) return srv__positional(plan, data, out, err);
        out->rows = (eng_scoring_rows){.shape = ENG_ROWS_SPLIT, .columns = columns, .data = data};
        return 0;
    }
    if (strcmp(key, "dataframe_records") == 0) {
        out->rows = (eng_scoring_rows){.shape = ENG_ROWS_RECORDS, .records = v};
        return 0;
    }
    return srv__mlflow_list(plan, key, v, out, err);
}

static int srv__decode_native(const eng_scoring_plan *plan, const eng_json *body,
                              srv__scoring_request *out, wf_error *err)
{
    const eng_json *inputs = eng_json_get(body, "Inputs");
    if (!srv__is(inputs, ENG_JSON_OBJECT))
        return wf_error_set(err, WF_EINVAL,
                            "the body must be {\"Inputs\": {\"" SRV__NATIVE_INPUT
                            "\": [{...}, ...]}, \"GlobalParameters\": {}}");
    const eng_json *v = eng_json_get(inputs, SRV__NATIVE_INPUT);
    if (v == NULL) v = eng_json_get(inputs, eng_scoring_input_node(plan));
    /* Azure ML Studio (classic) named its one input "input1". */
    if (v == NULL && inputs->n == 1) {
        const eng_json *only = &inputs->members[0].value;
        if (eng_json_get(only, "ColumnNames") != NULL) v = only;
    }
    if (v == NULL)
        return wf_error_set(err, WF_EINVAL, "\"Inputs\" has no \"" SRV__NATIVE_INPUT "\"");
    if (v->kind == ENG_JSON_OBJECT && eng_json_get(v, "ColumnNames") != NULL) {
        out->rows = (eng_scoring_rows){.shape = ENG_ROWS_SPLIT,
                                       .columns = eng_json_get(v, "ColumnNames"),
                                       .data = eng_json_get(v, "Values")};
        return 0;
    }
    out->rows = (eng_scoring_rows){.shape = ENG_ROWS_RECORDS, .records = v};
    return 0;
}

/* How many leaves a nested array has; -1 when deeper than `depth`. */
static long srv__leaves(const eng_json *v, int depth)
{
    if (v->kind != ENG_JSON_ARRAY) return 1;
    if (depth > 8) return -1;
    long n = 0;
    for (uint32_t i = 0; i < v->n; i++) {
        long k = srv__leaves(&v->items[i], depth + 1);
        if (k < 0) return -1;
        n += k;
    }
    return n;
}

static void srv__flatten(const eng_json *v, eng_json *out, size_t *o)
{
    if (v->kind != ENG_JSON_ARRAY) {
        out[(*o)++] = *v;
        return;
    }
    for (uint32_t i = 0; i < v->n; i++)
        srv__flatten(&v->items[i], out, o);
}

static bool srv__v2_datatype(const eng_json *t)
{
    static const char *const types[] = {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64",
                                        "INT8", "INT16", "INT32",  "INT64",  "FP16",
                                        "FP32", "FP64",  "BYTES",  NULL};
    for (size_t i = 0; srv__is(t, ENG_JSON_STRING) && types[i] != NULL; i++)
        if (strlen(types[i]) == t->n && memcmp(t->s, types[i], t->n) == 0) return true;
    return false;
}

static int srv__decode_v2(const eng_json *body, srv__scoring_request *out, wf_error *err)
{
    const eng_json *inputs = eng_json_get(body, "inputs");
    if (!srv__is(inputs, ENG_JSON_ARRAY) || inputs->n == 0)
        return wf_error_set(err, WF_EINVAL,
                            "the body needs \"inputs\": [{\"name\", \"shape\", \"datatype\", "
                            "\"data\"}, ...], one tensor per column");
    const eng_json *id = eng_json_get(body, "id");
    if (id != NULL && id->kind != ENG_JSON_STRING)
        return wf_error_set(err, WF_EINVAL, "\"id\" must be a string");
    out->id = id;
    eng_json *by = wf_arena_alloc(out->arena, sizeof *by);
    eng_json_member *members = wf_arena_alloc(out->arena, inputs->n * sizeof *members);
    if (by == NULL || members == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < inputs->n; i++) {
        const eng_json *in = &inputs->items[i];
        const eng_json *name = eng_json_get(in, "name");
        const eng_json *shape = eng_json_get(in, "shape");
        const eng_json *datatype = eng_json_get(in, "datatype");
        const eng_json *data = eng_json_get(in, "data");
        if (!srv__is(name, ENG_JSON_STRING) || !srv__is(shape, ENG_JSON_ARRAY) || shape->n == 0 ||
            !srv__is(data, ENG_JSON_ARRAY))
            return wf_error_set(err, WF_EINVAL,
                                "input %u needs \"name\", \"shape\", \"datatype\" and \"data\"",
                                i + 1);
        int nlen = name->n > 200 ? 200 : (int)name->n;
        if (!srv__v2_datatype(datatype))
            return wf_error_set(err, WF_EINVAL,
                                "input \"%.*s\": the datatype is not one of BOOL, UINT8-64, "
                                "INT8-64, FP16-64 and BYTES",
                                nlen, name->s);
        for (uint32_t k = 0; k < i; k++)
            if (members[k].key_len == name->n && memcmp(members[k].key, name->s, name->n) == 0)
                return wf_error_set(err, WF_EINVAL, "input \"%.*s\" is given twice", nlen, name->s);
        /* One column per tensor: [n], or [n, 1, ...]. */
        double count = 1;
        for (uint32_t k = 0; k < shape->n; k++) {
            const eng_json *dim = &shape->items[k];
            int64_t d = -1;
            if (dim->kind != ENG_JSON_NUMBER || tbl_parse_int64(dim->s, dim->n, &d) < 0 || d < 0 ||
                (k > 0 && d != 1))
                return wf_error_set(err, WF_EINVAL,
                                    "input \"%.*s\": shape must be [n] or [n, 1] (one tensor per "
                                    "column)",
                                    nlen, name->s);
            count *= (double)d;
        }
        long leaves = srv__leaves(data, 0);
        if (leaves < 0)
            return wf_error_set(err, WF_EINVAL, "input \"%.*s\": data is nested too deeply", nlen,
                                name->s);
        if ((double)leaves != count)
            return wf_error_set(err, WF_EINVAL,
                                "input \"%.*s\": shape says %.0f values, data holds %ld", nlen,
                                name->s, count, leaves);
        const eng_json *column = data;
        bool nested = false;
        for (uint32_t k = 0; k < data->n && !nested; k++)
            nested = data->items[k].kind == ENG_JSON_ARRAY;
        if (nested) {
            eng_json *flat = srv__new_array(out->arena, (size_t)leaves);
            if (flat == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
            size_t o = 0;
            srv__flatten(data, (eng_json *)flat->items, &o);
            column = flat;
        }
        members[i] = (eng_json_member){.key = name->s, .key_len = name->n, .value = *column};
    }
    *by = (eng_json){.kind = ENG_JSON_OBJECT, .n = inputs->n, .members = members};
    const eng_json *outputs = eng_json_get(body, "outputs");
    if (outputs != NULL && outputs->kind != ENG_JSON_ARRAY)
        return wf_error_set(err, WF_EINVAL, "\"outputs\" must be a list of {\"name\"}");
    out->outputs = outputs;
    out->rows = (eng_scoring_rows){.shape = ENG_ROWS_COLUMNS, .by_column = by};
    return 0;
}

int srv__scoring_decode(srv__protocol proto, const char *body, size_t len,
                        const eng_scoring_plan *plan, srv__scoring_request *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (body == NULL || len == 0)
        return wf_error_set(err, WF_EINVAL, "the request body is empty; a JSON object is needed");
    if ((out->arena = wf_arena_new()) == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    wf_error perr = {0};
    int rc = eng_json_parse(body, len, out->arena, &out->body, &perr);
    if (rc < 0)
        return wf_error_set(err, rc == WF_ENOMEM ? rc : WF_EINVAL, "the body is not JSON: %s",
                            perr.message);
    if (out->body->kind != ENG_JSON_OBJECT)
        return wf_error_set(err, WF_EINVAL, "the body must be a JSON object");
    switch (proto) {
    case SRV__NATIVE:
        return srv__decode_native(plan, out->body, out, err);
    case SRV__MLFLOW:
        return srv__decode_mlflow(plan, out->body, out, err);
    case SRV__V2:
        return srv__decode_v2(out->body, out, err);
    }
    return wf_error_set(err, WF_EINVAL, "unknown protocol");
}

/* ---- encoding ------------------------------------------------------------ */

/* Appends s[0..n) as a JSON string. Table strings may hold any bytes:
 * each byte that is not part of valid UTF-8 is written as U+FFFD. */
static void srv__put_string(wf_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t bad;
    if (!wf_utf8_valid(s, n, &bad)) {
        wf_buf clean = {0};
        while (!wf_utf8_valid(s, n, &bad)) {
            wf_buf_append(&clean, s, bad);
            wf_buf_append(&clean, "\xef\xbf\xbd", 3);
            s += bad + 1;
            n -= bad + 1;
        }
        wf_buf_append(&clean, s, n);
        if (clean.failed)
            b->failed = true;
        else
            srv__put_string(b, clean.data, clean.len);
        wf_buf_free(&clean);
        return;
    }
    wf_buf_append(b, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        wf_buf_append(b, s + from, i - from);
        from = i + 1;
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            wf_buf_append(b, esc, 2);
        } else if (c == '\n' || c == '\t' || c == '\r') {
            esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
            wf_buf_append(b, esc, 2);
        } else {
            wf_buf_append(b, esc, 6);
        }
    }
    wf_buf_append(b, s + from, n - from);
    wf_buf_append(b, "\"", 1);
}

static size_t srv__itoa(int64_t v, char *out)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    size_t o = 0;
    if (v < 0) out[o++] = '-';
    while (n > 0)
        out[o++] = tmp[--n];
    return o;
}

/* round-half-even(m 2^e 10^k) for m < 2^53, e < 0, 0 <= k <= 20: exact,
 * in 128 bits (m 10^20 < 2^120). */
static uint64_t srv__scaled_round(uint64_t m, int e, int k)
{
    unsigned __int128 num = m;
    for (int i = 0; i < k; i++)
        num *= 10;
    int shift = -e;
    if (shift >= 127) return 0;
    unsigned __int128 one = 1;
    unsigned __int128 q = num >> shift, r = num & ((one << shift) - 1), half = one << (shift - 1);
    if (r > half || (r == half && (q & 1))) q++;
    return (uint64_t)q;
}

/* v's decimal rounded to p significant digits (p = 15 or 17), exactly as
 * printf rounds: *digits has p digits and *x is the decimal exponent of the
 * first. False when v is out of the range handled here. */
static bool srv__round_digits(double v, int p, uint64_t *digits, int *x)
{
    static const uint64_t lo[18] = {0,
                                    1,
                                    10,
                                    100,
                                    1000,
                                    10000,
                                    100000,
                                    1000000,
                                    10000000,
                                    100000000,
                                    1000000000,
                                    10000000000,
                                    100000000000,
                                    1000000000000,
                                    10000000000000,
                                    100000000000000,
                                    1000000000000000,
                                    10000000000000000};
    int exp2;
    double frac = frexp(fabs(v), &exp2);
    uint64_t m = (uint64_t)ldexp(frac, 53);
    int e = exp2 - 53;
    int d = (int)floor(log10(fabs(v)));
    for (int tries = 0; tries < 3; tries++) {
        int k = p - 1 - d;
        if (e >= 0 || k < 0 || k > 20) return false;
        uint64_t c = srv__scaled_round(m, e, k);
        if (c >= lo[p] * 10) {
            d++;
        } else if (c < lo[p]) {
            d--;
        } else {
            *digits = c;
            *x = d;
            return true;
        }
    }
    return false;
}

/* The text of digits (p of them) with the first at decimal exponent x,
 * plainly (no exponent), trailing zeros after the point dropped. */
static size_t srv__place_point(bool neg, uint64_t digits, int p, int x, char *out)
{
    char d[24];
    for (int i = p - 1; i >= 0; i--) {
        d[i] = (char)('0' + digits % 10);
        digits /= 10;
    }
    int last = p - 1; /* the last digit kept: zeros after the point go */
    while (last > x && last > 0 && d[last] == '0')
        last--;
    size_t o = 0;
    if (neg) out[o++] = '-';
    if (x < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int z = -1; z > x; z--)
            out[o++] = '0';
        for (int i = 0; i <= last; i++)
            out[o++] = d[i];
        return o;
    }
    for (int i = 0; i <= last || i <= x; i++) {
        if (i == x + 1) out[o++] = '.';
        out[o++] = i <= last ? d[i] : '0';
    }
    return o;
}

size_t srv__format_double(double v, char *out, size_t cap)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (v == 0 && signbit(v)) {
        memcpy(out, "-0.0", 4);
        return 4;
    }
    if (v == floor(v) && fabs(v) < 1e15) return srv__itoa((int64_t)v, out);
    /* Few decimals (11.5, 0.25): k / 10^d is v exactly for k = round(v
     * 10^d). k and 10^d are exact doubles, so their IEEE quotient is the
     * correctly rounded value of the decimal, which is what a reader makes
     * of it. */
    for (int d = 1; d <= 3; d++) {
        double scaled = v * pow10[d];
        if (fabs(scaled) >= 1e15) break;
        int64_t k = llround(scaled);
        if ((double)k / pow10[d] == v) {
            int64_t a = k < 0 ? -k : k;
            int digits = 1;
            for (int64_t t = a; t >= 10; t /= 10)
                digits++;
            int x = digits - 1 - d;
            return srv__place_point(k < 0, (uint64_t)a, digits, x, out);
        }
    }
    /* Else what %.15g gives when it reads back to v, and %.17g when not,
     * as tbl_format_cell writes numbers, with exact integer arithmetic
     * instead of printf's. The 15 digits are checked by dividing (or
     * multiplying) by a power of ten: both exact, so the result is the
     * correctly rounded value of the decimal. */
    uint64_t c;
    int x;
    if (fabs(v) >= 1e-4 && fabs(v) < 1e14 && srv__round_digits(v, 15, &c, &x) && x >= -4 &&
        x <= 13) {
        int j = x - 14;
        double back = j >= 0 ? (double)c * pow10[j] : (double)c / pow10[-j];
        if (back == fabs(v)) return srv__place_point(v < 0, c, 15, x, out);
        if (srv__round_digits(v, 17, &c, &x) && x >= -4 && x <= 13)
            return srv__place_point(v < 0, c, 17, x, out);
    }
    tbl_column col = {.type = TBL_NUMERIC, .v.f64 = &v};
    size_t n = tbl_format_cell(&col, 0, out, cap);
    return n < cap ? n : 0;
}

/* One cell as JSON. *last_dt / last_text cache a datetime's text: a
 * column often repeats its dates. */
typedef struct srv__cell_cache {
    int64_t micros;
    char text[48];
    size_t len;
    bool set;
} srv__cell_cache;

static void srv__put_cell(wf_buf *b, const tbl_column *c, size_t r, srv__cell_cache *cache)
{
    char num[40];
    size_t len;
    const char *s;
    if (tbl_is_missing(c, r) || (c->type == TBL_NUMERIC && !isfinite(c->v.f64[r]))) {
        wf_buf_append(b, "null", 4);
        return;
    }
    switch (c->type) {
    case TBL_NUMERIC:
        wf_buf_append(b, num, srv__format_double(c->v.f64[r], num, sizeof num));
        return;
    case TBL_INTEGER:
        wf_buf_append(b, num, srv__itoa(c->v.i64[r], num));
        return;
    case TBL_BOOLEAN:
        wf_buf_puts(b, c->v.b8[r] ? "true" : "false");
        return;
    case TBL_DATETIME:
        if (!cache->set || cache->micros != c->v.i64[r]) {
            cache->len = tbl_format_datetime(c->v.i64[r], cache->text, sizeof cache->text);
            if (cache->len >= sizeof cache->text) cache->len = sizeof cache->text - 1;
            cache->micros = c->v.i64[r];
            cache->set = true;
        }
        wf_buf_append(b, "\"", 1);
        wf_buf_append(b, cache->text, cache->len);
        wf_buf_append(b, "\"", 1);
        return;
    case TBL_STRING:
        s = tbl_strings_at(&c->str, r, &len);
        srv__put_string(b, s, len);
        return;
    case TBL_CATEGORICAL:
        if (c->v.codes[r] < 0 || (size_t)c->v.codes[r] >= c->levels.count) {
            wf_buf_append(b, "null", 4);
            return;
        }
        s = tbl_strings_at(&c->levels, (size_t)c->v.codes[r], &len);
        srv__put_string(b, s, len);
        return;
    }
    wf_buf_append(b, "null", 4);
}

/* The table as an array of records. */
static int srv__put_records(wf_buf *b, const tbl_table *t)
{
    wf_buf keys = {0};
    size_t *key_end = wf_mallocarray(t->ncols + 1, sizeof *key_end);
    srv__cell_cache *cache = wf_calloc(t->ncols + 1, sizeof *cache);
    if (key_end == NULL || cache == NULL) {
        free(key_end);
        free(cache);
        return WF_ENOMEM;
    }
    /* Each column's "name": is written once, then copied into every row. */
    for (size_t j = 0; j < t->ncols; j++) {
        if (j > 0) wf_buf_append(&keys, ",", 1);
        srv__put_string(&keys, t->cols[j].name, strlen(t->cols[j].name));
        wf_buf_append(&keys, ":", 1);
        key_end[j] = keys.len;
    }
    wf_buf_append(b, "[", 1);
    for (size_t r = 0; r < t->nrows && !b->failed; r++) {
        wf_buf_append(b, r ? ",{" : "{", r ? 2 : 1);
        for (size_t j = 0; j < t->ncols; j++) {
            size_t from = j ? key_end[j - 1] : 0;
            wf_buf_append(b, keys.data + from, key_end[j] - from);
            srv__put_cell(b, &t->cols[j], r, &cache[j]);
        }
        wf_buf_append(b, "}", 1);
    }
    wf_buf_append(b, "]", 1);
    bool failed = keys.failed || b->failed;
    wf_buf_free(&keys);
    free(key_end);
    free(cache);
    return failed ? WF_ENOMEM : 0;
}

static const char *srv__v2_type_of(tbl_type t)
{
    switch (t) {
    case TBL_NUMERIC:
        return "FP64";
    case TBL_INTEGER:
        return "INT64";
    case TBL_BOOLEAN:
        return "BOOL";
    default:
        return "BYTES";
    }
}

/* Whether output column `name` was asked for (all when outputs is NULL). */
static bool srv__v2_wanted(const eng_json *outputs, const char *name)
{
    if (outputs == NULL) return true;
    size_t len = strlen(name);
    for (uint32_t i = 0; i < outputs->n; i++) {
        const eng_json *n = eng_json_get(&outputs->items[i], "name");
        if (srv__is(n, ENG_JSON_STRING) && n->n == len && memcmp(n->s, name, len) == 0) return true;
    }
    return false;
}

static int srv__encode_v2(const tbl_table *out, const srv__deployment *d,
                          const srv__scoring_request *req, wf_buf *b, wf_error *err)
{
    /* Every output asked for must exist. */
    for (uint32_t i = 0; req->outputs != NULL && i < req->outputs->n; i++) {
        const eng_json *n = eng_json_get(&req->outputs->items[i], "name");
        bool found = false;
        for (size_t j = 0; srv__is(n, ENG_JSON_STRING) && j < out->ncols && !found; j++)
            found = strlen(out->cols[j].name) == n->n && memcmp(out->cols[j].name, n->s, n->n) == 0;
        if (!found)
            return wf_error_set(err, WF_EINVAL, "output %u is not a column of the reply (%s)",
                                i + 1, "give {\"name\": column}");
    }
    wf_buf_puts(b, "{\"model_name\":");
    srv__put_string(b, d->name, strlen(d->name));
    wf_buf_printf(b, ",\"model_version\":\"%d\"", d->version);
    if (req->id != NULL) {
        wf_buf_puts(b, ",\"id\":");
        srv__put_string(b, req->id->s, req->id->n);
    }
    wf_buf_puts(b, ",\"outputs\":[");
    bool first = true;
    for (size_t j = 0; j < out->ncols; j++) {
        const tbl_column *c = &out->cols[j];
        if (!srv__v2_wanted(req->outputs, c->name)) continue;
        if (!first) wf_buf_append(b, ",", 1);
        first = false;
        wf_buf_puts(b, "{\"name\":");
        srv__put_string(b, c->name, strlen(c->name));
        wf_buf_printf(b, ",\"datatype\":\"%s\",\"shape\":[%zu],\"data\":[",
                      srv__v2_type_of(c->type), out->nrows);
        srv__cell_cache cache = {0};
        for (size_t r = 0; r < out->nrows; r++) {
            if (r > 0) wf_buf_append(b, ",", 1);
            srv__put_cell(b, c, r, &cache);
        }
        wf_buf_puts(b, "]}");
    }
    wf_buf_puts(b, "]}\n");
    return b->failed ? wf_error_set(err, WF_ENOMEM, "out of memory writing the reply") : 0;
}

int srv__scoring_encode(srv__protocol proto, const tbl_table *out, const srv__deployment *d,
                        const srv__scoring_request *req, wf_buf *buf, wf_error *err)
{
    if (proto == SRV__V2) return srv__encode_v2(out, d, req, buf, err);
    wf_buf_puts(buf, proto == SRV__MLFLOW ? "{\"predictions\":"
                                          : "{\"Results\":{\"" SRV__NATIVE_OUTPUT "\":");
    int rc = srv__put_records(buf, out);
    wf_buf_puts(buf, proto == SRV__MLFLOW ? "}\n" : "}}\n");
    if (rc == 0 && buf->failed) rc = WF_ENOMEM;
    return rc < 0 ? wf_error_set(err, rc, "out of memory writing the reply") : 0;
}
