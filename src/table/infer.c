/* infer.c: choosing a column's type from all of its text fields. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

unsigned tbl_field_kinds(const char *s, size_t len)
{
    if (len == 0) return 0;
    unsigned char c = (unsigned char)s[0];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
        int64_t i;
        double x;
        if (tbl_parse_int64(s, len, &i) == 0) return TBL_KIND_INTEGER | TBL_KIND_NUMERIC;
        if (tbl_parse_double(s, len, &x) == 0) return TBL_KIND_NUMERIC;
        if (len >= 10 && tbl_parse_datetime(s, len, &i) == 0) return TBL_KIND_DATETIME;
        return 0;
    }
    bool b;
    if (tbl_parse_bool(s, len, &b) == 0) return TBL_KIND_BOOLEAN;
    double x;
    if ((c == 'i' || c == 'I') && tbl_parse_double(s, len, &x) == 0) return TBL_KIND_NUMERIC;
    return 0;
}

void tbl_infer_init(tbl_infer *in)
{
    in->kinds = TBL_KIND_ALL;
    in->present = 0;
    in->missing = 0;
}

void tbl_infer_add(tbl_infer *in, const char *s, size_t len)
{
    if (tbl_is_missing_token(s, len)) {
        in->missing++;
        return;
    }
    in->present++;
    if (in->kinds) in->kinds &= tbl_field_kinds(s, len);
}

tbl_type tbl_infer_type(const tbl_infer *in)
{
    if (in->present == 0) return TBL_STRING;
    if (in->kinds & TBL_KIND_INTEGER) return TBL_INTEGER;
    if (in->kinds & TBL_KIND_NUMERIC) return TBL_NUMERIC;
    if (in->kinds & TBL_KIND_BOOLEAN) return TBL_BOOLEAN;
    if (in->kinds & TBL_KIND_DATETIME) return TBL_DATETIME;
    return TBL_STRING;
}

/* Low cardinality: at most half the values are distinct, and there are at
 * most 10,000 levels. Names and free text stay strings. */
bool tbl_infer_is_categorical(size_t distinct, size_t present)
{
    return present > 0 && distinct * 2 <= present && distinct <= 10000;
}

int tbl_column_from_text(tbl_column *out, const char *name, const tbl_strings *fields,
                         wf_error *err)
{
    size_t n = fields->count;
    tbl_infer in;
    tbl_infer_init(&in);
    for (size_t r = 0; r < n; r++) {
        size_t len;
        const char *s = tbl_strings_at(fields, r, &len);
        tbl_infer_add(&in, s, len);
    }
    tbl_type type = tbl_infer_type(&in);
    tbl_dict dict = {0};
    int32_t *codes = NULL;
    if (type == TBL_STRING) {
        codes = wf_mallocarray(n, sizeof *codes);
        if (codes == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        for (size_t r = 0; r < n; r++) {
            size_t len;
            const char *s = tbl_strings_at(fields, r, &len);
            codes[r] = tbl_is_missing_token(s, len) ? -1 : tbl_dict_intern(&dict, s, len);
        }
        if (dict.failed) {
            free(codes);
            tbl_dict_free(&dict);
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        }
        if (tbl_infer_is_categorical(tbl_dict_size(&dict), in.present)) type = TBL_CATEGORICAL;
    }
    int rc = tbl_column_init(out, name, type, n, err);
    if (rc < 0) goto done;
    tbl_strings_builder sb = {0};
    for (size_t r = 0; r < n; r++) {
        size_t len;
        const char *s = tbl_strings_at(fields, r, &len);
        bool missing = tbl_is_missing_token(s, len);
        if (missing && tbl_set_missing(out, r, n) < 0) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        bool b;
        switch (type) {
        case TBL_INTEGER:
            if (!missing) tbl_parse_int64(s, len, &out->v.i64[r]);
            break;
        case TBL_NUMERIC:
            if (!missing) tbl_parse_double(s, len, &out->v.f64[r]);
            break;
        case TBL_BOOLEAN:
            if (!missing && tbl_parse_bool(s, len, &b) == 0) out->v.b8[r] = b;
            break;
        case TBL_DATETIME:
            if (!missing) tbl_parse_datetime(s, len, &out->v.i64[r]);
            break;
        case TBL_CATEGORICAL:
            out->v.codes[r] = codes[r];
            break;
        case TBL_STRING:
            tbl_strings_append(&sb, missing ? "" : s, missing ? 0 : len);
            break;
        }
    }
    if (rc == 0 && type == TBL_STRING) {
        tbl_strings_clear(&out->str);
        if (tbl_strings_finish(&sb, &out->str) < 0)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    } else {
        tbl_strings_builder_free(&sb);
    }
    if (rc == 0 && type == TBL_CATEGORICAL) {
        tbl_strings_clear(&out->levels);
        if (tbl_dict_finish(&dict, &out->levels) < 0)
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (rc < 0) tbl_column_clear(out);
done:
    tbl_dict_free(&dict);
    free(codes);
    return rc;
}
