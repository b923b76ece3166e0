/* error.c: the one error table and the wf_error helpers. */
#include "util.h"

#include <stdio.h>
#include <string.h>

const char *wf_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define WF__ERROR_CASE(name, value, text)                                                          \
    case value:                                                                                    \
        return text;
        WF_ERROR_TABLE(WF__ERROR_CASE)
#undef WF__ERROR_CASE
    }
    return "unknown error";
}

int wf_error_setv(wf_error *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL || err->code != 0) return code;
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return code;
}

int wf_error_set(wf_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wf_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int wf_error_prefix(wf_error *err, const char *fmt, ...)
{
    if (err == NULL) return WF_EINVAL;
    char prefix[WF_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Build "<prefix>: <message>" by hand, cutting at the buffer's end. */
    char joined[WF_ERROR_MESSAGE_MAX];
    size_t n = strlen(prefix);
    if (n > sizeof joined - 3) n = sizeof joined - 3;
    memcpy(joined, prefix, n);
    memcpy(joined + n, ": ", 2);
    size_t room = sizeof joined - n - 3;
    size_t m = strlen(err->message);
    if (m > room) m = room;
    memcpy(joined + n + 2, err->message, m);
    joined[n + 2 + m] = '\0';
    memcpy(err->message, joined, sizeof joined);
    return err->code;
}

void wf_error_clear(wf_error *err)
{
    if (err == NULL) return;
    err->code = 0;
    err->message[0] = '\0';
}
