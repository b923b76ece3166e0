/* arena.c: a chain of blocks; one free releases everything made from it. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wf__arena_block {
    struct wf__arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} wf__arena_block;

struct wf_arena {
    wf__arena_block *head;
};

enum { WF__ARENA_BLOCK = 64 * 1024 };

wf_arena *wf_arena_new(void)
{
    return calloc(1, sizeof(wf_arena));
}

void *wf_arena_alloc(wf_arena *a, size_t size)
{
    size_t rounded = (size + 15) & ~(size_t)15;
    if (rounded < size) return NULL;
    wf__arena_block *b = a->head;
    if (b == NULL || b->size - b->used < rounded) {
        size_t want = rounded > WF__ARENA_BLOCK ? rounded : WF__ARENA_BLOCK;
        b = malloc(sizeof *b + want);
        if (b == NULL) return NULL;
        b->size = want;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    return p;
}

char *wf_arena_strdup(wf_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = wf_arena_alloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

char *wf_arena_printf(wf_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *d = wf_arena_alloc(a, (size_t)n + 1);
    if (d == NULL) return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void wf_arena_free(wf_arena *a)
{
    if (a == NULL) return;
    wf__arena_block *b = a->head;
    while (b) {
        wf__arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}
