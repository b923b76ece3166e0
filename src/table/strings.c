/* strings.c: string buffers, the string builder and the interning dictionary. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a folded through a 64-bit finaliser (from splitmix64) so that short,
 * similar keys spread over the table's low bits. */
uint64_t tbl_hash_bytes(const void *p, size_t len, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

void tbl_strings_append(tbl_strings_builder *b, const char *s, size_t len)
{
    if (b->failed) return;
    if (b->offsets == NULL) {
        if (wf_grow((void **)&b->offsets, &b->offsets_cap, 2, sizeof(int64_t)) < 0) goto oom;
        b->offsets[0] = 0;
    }
    if (wf_grow((void **)&b->offsets, &b->offsets_cap, b->count + 2, sizeof(int64_t)) < 0) goto oom;
    if (b->data_len + len + 1 > b->data_cap &&
        wf_grow((void **)&b->data, &b->data_cap, b->data_len + len + 1, 1) < 0)
        goto oom;
    if (len) memcpy(b->data + b->data_len, s, len);
    b->data_len += len;
    b->count++;
    b->offsets[b->count] = (int64_t)b->data_len;
    return;
oom:
    b->failed = true;
}

int tbl_strings_finish(tbl_strings_builder *b, tbl_strings *out)
{
    memset(out, 0, sizeof *out);
    if (!b->failed && b->offsets == NULL) {
        b->offsets = calloc(1, sizeof(int64_t));
        if (b->offsets == NULL) b->failed = true;
    }
    if (!b->failed && b->data == NULL) {
        b->data = calloc(1, 1);
        if (b->data == NULL) b->failed = true;
    }
    if (b->failed) {
        tbl_strings_builder_free(b);
        return WF_ENOMEM;
    }
    out->count = b->count;
    out->offsets = b->offsets;
    out->data = b->data;
    memset(b, 0, sizeof *b);
    return 0;
}

void tbl_strings_builder_free(tbl_strings_builder *b)
{
    free(b->offsets);
    free(b->data);
    memset(b, 0, sizeof *b);
}

void tbl_strings_clear(tbl_strings *s)
{
    free(s->offsets);
    free(s->data);
    memset(s, 0, sizeof *s);
}

static int tbl__dict_rehash(tbl_dict *d, size_t nslots)
{
    int32_t *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL) return WF_ENOMEM;
    for (size_t code = 0; code < d->levels.count; code++) {
        size_t i = d->hashes[code] & (nslots - 1);
        while (slots[i] != 0)
            i = (i + 1) & (nslots - 1);
        slots[i] = (int32_t)code + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return 0;
}

static int32_t tbl__dict_lookup(const tbl_dict *d, const char *s, size_t len, uint64_t h,
                                size_t *slot)
{
    size_t i = h & (d->nslots - 1);
    while (d->slots[i] != 0) {
        int32_t code = d->slots[i] - 1;
        const tbl_strings_builder *lv = &d->levels;
        size_t llen = (size_t)(lv->offsets[code + 1] - lv->offsets[code]);
        if (d->hashes[code] == h && llen == len &&
            (len == 0 || memcmp(lv->data + lv->offsets[code], s, len) == 0))
            return code;
        i = (i + 1) & (d->nslots - 1);
    }
    *slot = i;
    return -1;
}

int32_t tbl_dict_find(const tbl_dict *d, const char *s, size_t len)
{
    if (d->nslots == 0) return -1;
    size_t slot;
    return tbl__dict_lookup(d, s, len, tbl_hash_bytes(s, len, 0), &slot);
}

int32_t tbl_dict_intern(tbl_dict *d, const char *s, size_t len)
{
    if (d->failed) return -1;
    if (d->levels.count >= INT32_MAX - 1) goto fail;
    if ((d->levels.count + 1) * 2 > d->nslots) {
        if (tbl__dict_rehash(d, d->nslots ? d->nslots * 2 : 64) < 0) goto fail;
    }
    uint64_t h = tbl_hash_bytes(s, len, 0);
    size_t slot;
    int32_t code = tbl__dict_lookup(d, s, len, h, &slot);
    if (code >= 0) return code;
    code = (int32_t)d->levels.count;
    size_t cap = d->levels.offsets_cap;
    tbl_strings_append(&d->levels, s, len);
    if (d->levels.failed) goto fail;
    /* hashes grows alongside the level offsets. */
    if (d->hashes == NULL || cap != d->levels.offsets_cap) {
        uint64_t *hs = wf_reallocarray(d->hashes, d->levels.offsets_cap, sizeof *hs);
        if (hs == NULL) goto fail;
        d->hashes = hs;
    }
    d->hashes[code] = h;
    d->slots[slot] = code + 1;
    return code;
fail:
    d->failed = true;
    return -1;
}

int tbl_dict_finish(tbl_dict *d, tbl_strings *out)
{
    bool failed = d->failed;
    free(d->slots);
    free(d->hashes);
    d->slots = NULL;
    d->hashes = NULL;
    d->nslots = 0;
    if (failed) {
        tbl_strings_builder_free(&d->levels);
        memset(out, 0, sizeof *out);
        return WF_ENOMEM;
    }
    return tbl_strings_finish(&d->levels, out);
}

void tbl_dict_free(tbl_dict *d)
{
    free(d->slots);
    free(d->hashes);
    tbl_strings_builder_free(&d->levels);
    memset(d, 0, sizeof *d);
}
