/* alloc.c: overflow-checked allocation helpers and the growth rule. */
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *wf_calloc(size_t n, size_t size)
{
    if (n == 0 || size == 0) return calloc(1, 1);
    return calloc(n, size);
}

void *wf_mallocarray(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    return malloc(n * size != 0 ? n * size : 1);
}

void *wf_reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    return realloc(p, n * size != 0 ? n * size : 1);
}

void *wf_alloc_large(size_t n, size_t size)
{
    const size_t huge = (size_t)2 << 20;
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    size_t bytes = n * size;
    if (bytes < 2 * huge || bytes > SIZE_MAX - huge) return malloc(bytes != 0 ? bytes : 1);
    size_t rounded = (bytes + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, rounded);
#ifdef MADV_HUGEPAGE
    if (p != NULL) (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

char *wf_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d == NULL) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *wf_strdup(const char *s)
{
    return wf_strndup(s, strlen(s));
}

int wf_grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t next = *cap ? *cap : 16;
    while (next < need) {
        if (next > SIZE_MAX / 2) return WF_ENOMEM;
        next *= 2;
    }
    void *p = wf_reallocarray(*buf, next, size);
    if (p == NULL) return WF_ENOMEM;
    *buf = p;
    *cap = next;
    return 0;
}
