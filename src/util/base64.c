/*
 * base64.c: RFC 4648 base64 with padding. Trained boosters are binary
 * (XGBoost's UBJSON); models are JSON artifacts, so the bytes travel as text.
 */
#include "util.h"

#include <stdlib.h>

static const char wf__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *wf_base64_encode(const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3) return NULL;
    char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
    if (out == NULL) return NULL;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = wf__b64[v >> 18];
        *o++ = wf__b64[v >> 12 & 63];
        *o++ = wf__b64[v >> 6 & 63];
        *o++ = wf__b64[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = wf__b64[v >> 18];
        *o++ = wf__b64[v >> 12 & 63];
        *o++ = i + 1 < len ? wf__b64[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

static int wf__b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int wf_base64_decode(const char *text, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len % 4 != 0) return WF_EPARSE;
    size_t pad = len >= 1 && text[len - 1] == '=' ? (len >= 2 && text[len - 2] == '=' ? 2 : 1) : 0;
    uint8_t *buf = malloc(len / 4 * 3 + 1), *o = buf;
    if (buf == NULL) return WF_ENOMEM;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            bool padding = i + k >= len - pad;
            int d = padding ? 0 : wf__b64_value(text[i + k]);
            if (d < 0 || (padding && text[i + k] != '=')) {
                free(buf);
                return WF_EPARSE;
            }
            v = v << 6 | (uint32_t)d;
        }
        *o++ = (uint8_t)(v >> 16);
        if (i + 4 < len || pad < 2) *o++ = (uint8_t)(v >> 8);
        if (i + 4 < len || pad < 1) *o++ = (uint8_t)v;
    }
    *out = buf;
    *out_len = (size_t)(o - buf);
    return 0;
}
