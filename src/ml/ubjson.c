/*
 * ubjson.c: ml_ubjson_check, a structural check of UBJSON bytes (the
 * format XGBoost saves its models in) before XGBoost reads them.
 *
 * XGBoost 1.7's reader trusts the lengths and counts it reads: a damaged
 * string length makes it allocate exabytes, and some damage makes it read
 * past its buffer (both found by fuzz/fuzz_model.c). A model's SHA-256 only
 * catches accidental damage; an uploaded model can carry a digest that
 * matches damaged bytes. So every value is walked here first: each marker
 * must be a known one, each length and count must fit in the bytes left,
 * containers must close, nesting is bounded, and nothing may follow the
 * one value.
 *
 * The format is UBJSON draft 12 (ubjson.org), as XGBoost writes it:
 * big-endian numbers; strings and object keys as a length (an integer with
 * its marker) and bytes; containers optionally typed ('$' marker) and
 * counted ('#' count), a typed container's elements having no markers.
 */
#include "ml.h"

#include <stdint.h>

/* Deeper than any model XGBoost writes (about 6 levels). */
#define ML__UBJ_DEPTH 64

typedef struct ml__ubj {
    const uint8_t *p;
    size_t n, at;
    wf_error *err;
} ml__ubj;

static int ml__ubj_bad(ml__ubj *u, const char *what)
{
    return wf_error_set(u->err, WF_ECORRUPT, "damaged XGBoost model: %s at byte %zu", what, u->at);
}

/* The payload size of a fixed-size marker, 0 for markers with no payload,
 * -1 for markers that are not fixed-size (S, H, [, {) or unknown. */
static int ml__ubj_fixed(uint8_t marker)
{
    switch (marker) {
    case 'Z':
    case 'N':
    case 'T':
    case 'F':
        return 0;
    case 'i':
    case 'U':
    case 'C':
        return 1;
    case 'I':
        return 2;
    case 'l':
    case 'd':
        return 4;
    case 'L':
    case 'D':
        return 8;
    default:
        return -1;
    }
}

/* An integer of type `marker` (its payload at u->at), as a count or length:
 * it must be one of the integer markers and not negative. */
static int ml__ubj_length_of(ml__ubj *u, uint8_t marker, size_t *out)
{
    int size = marker == 'i' || marker == 'U' ? 1 : marker == 'I' ? 2 : marker == 'l' ? 4 : 8;
    if (marker != 'i' && marker != 'U' && marker != 'I' && marker != 'l' && marker != 'L')
        return ml__ubj_bad(u, "a length that is not an integer");
    if (u->n - u->at < (size_t)size) return ml__ubj_bad(u, "a length cut short");
    uint64_t v = 0;
    for (int k = 0; k < size; k++)
        v = v << 8 | u->p[u->at + (size_t)k];
    bool negative = marker != 'U' && (u->p[u->at] & 0x80) != 0;
    u->at += (size_t)size;
    if (negative) return ml__ubj_bad(u, "a negative length");
    *out = (size_t)v;
    return 0;
}

/* A marker-led integer length (strings, keys, counts). */
static int ml__ubj_length(ml__ubj *u, size_t *out)
{
    if (u->at >= u->n) return ml__ubj_bad(u, "the model ends where a length should be");
    uint8_t marker = u->p[u->at++];
    return ml__ubj_length_of(u, marker, out);
}

/* Skips `len` bytes that must be there. */
static int ml__ubj_bytes(ml__ubj *u, size_t len)
{
    if (len > u->n - u->at) return ml__ubj_bad(u, "a length past the end of the model");
    u->at += len;
    return 0;
}

static int ml__ubj_value(ml__ubj *u, uint8_t marker, int depth);

/* A container after its opening marker: '[' or '{'. */
static int ml__ubj_container(ml__ubj *u, uint8_t open, int depth)
{
    if (depth >= ML__UBJ_DEPTH) return ml__ubj_bad(u, "containers nested too deep");
    int type = 0; /* the '$' element marker, or 0 */
    bool counted = false;
    size_t count = 0;
    if (u->at < u->n && u->p[u->at] == '$') {
        u->at++;
        if (u->at >= u->n) return ml__ubj_bad(u, "the model ends in a container's type");
        type = u->p[u->at++];
        if (u->at >= u->n || u->p[u->at] != '#')
            return ml__ubj_bad(u, "a typed container without a count");
    }
    if (u->at < u->n && u->p[u->at] == '#') {
        u->at++;
        int rc = ml__ubj_length(u, &count);
        if (rc < 0) return rc;
        counted = true;
        /* Every element takes at least a byte (a fixed-size one exactly its
         * size), except typed ones of no payload (a run of nulls), which
         * XGBoost never writes: a count cannot promise more elements than
         * the bytes left could hold. */
        int size = type != 0 ? ml__ubj_fixed((uint8_t)type) : 1;
        if (size == 0) return ml__ubj_bad(u, "a counted container of empty elements");
        if (count > (u->n - u->at) / (size_t)(size > 0 ? size : 1))
            return ml__ubj_bad(u, "a count past the end of the model");
        if (type != 0 && size > 0 && open == '[') return ml__ubj_bytes(u, count * (size_t)size);
    }
    for (size_t k = 0; !counted || k < count; k++) {
        if (u->at >= u->n) return ml__ubj_bad(u, "the model ends inside a container");
        if (!counted && u->p[u->at] == (open == '[' ? ']' : '}')) {
            u->at++;
            return 0;
        }
        if (open == '{') {
            size_t len;
            int rc = ml__ubj_length(u, &len);
            if (rc == 0) rc = ml__ubj_bytes(u, len);
            if (rc < 0) return rc;
        }
        uint8_t marker;
        if (type != 0) {
            marker = (uint8_t)type;
        } else {
            if (u->at >= u->n) return ml__ubj_bad(u, "the model ends where a value should be");
            marker = u->p[u->at++];
        }
        int rc = ml__ubj_value(u, marker, depth + 1);
        if (rc < 0) return rc;
    }
    return 0;
}

/* One value of type `marker` (already read). */
static int ml__ubj_value(ml__ubj *u, uint8_t marker, int depth)
{
    int size = ml__ubj_fixed(marker);
    if (size >= 0) return ml__ubj_bytes(u, (size_t)size);
    if (marker == 'S' || marker == 'H') {
        size_t len;
        int rc = ml__ubj_length(u, &len);
        return rc < 0 ? rc : ml__ubj_bytes(u, len);
    }
    if (marker == '[' || marker == '{') return ml__ubj_container(u, marker, depth);
    u->at--;
    return ml__ubj_bad(u, "an unknown marker");
}

int ml_ubjson_check(const void *bytes, size_t len, wf_error *err)
{
    ml__ubj u = {.p = bytes, .n = len, .err = err};
    if (len == 0 || u.p[0] != '{')
        return wf_error_set(err, WF_ECORRUPT, "the saved model is not XGBoost UBJSON (%zu bytes)",
                            len);
    u.at = 1;
    int rc = ml__ubj_container(&u, '{', 0);
    if (rc == 0 && u.at != len) rc = ml__ubj_bad(&u, "bytes after the model");
    return rc;
}
