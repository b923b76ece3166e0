/*
 * parts.c: running a pass over a table on several threads. A pass is cut
 * into parts (by rows or by columns, as the caller decides); part 0 runs on
 * the calling thread and the others on threads of their own. Each part
 * writes only what it owns, so results do not depend on how many threads
 * ran.
 */
#include "ops_int.h"

#include <pthread.h>
#include <unistd.h>

/* Below this many cells of work, starting a thread costs more than it
 * saves. */
#define TBL__THREAD_WORK (1u << 18)

size_t tbl__thread_count(size_t rows, size_t cols)
{
    if (cols == 0 || rows < TBL__THREAD_WORK / cols) return 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus < 1 ? 1 : (size_t)cpus;
    return n > TBL__THREADS_MAX ? TBL__THREADS_MAX : n;
}

typedef struct tbl__part {
    tbl__part_fn fn;
    void *ctx;
    size_t part, nparts;
} tbl__part;

static void *tbl__part_main(void *arg)
{
    tbl__part *p = arg;
    p->fn(p->ctx, p->part, p->nparts);
    return NULL;
}

void tbl__run_parts(tbl__part_fn fn, void *ctx, size_t n)
{
    pthread_t tid[TBL__THREADS_MAX];
    tbl__part parts[TBL__THREADS_MAX];
    bool started[TBL__THREADS_MAX] = {false};
    if (n > TBL__THREADS_MAX) n = TBL__THREADS_MAX;
    for (size_t i = 0; i < n; i++)
        parts[i] = (tbl__part){fn, ctx, i, n};
    for (size_t i = 1; i < n; i++)
        started[i] = pthread_create(&tid[i], NULL, tbl__part_main, &parts[i]) == 0;
    fn(ctx, 0, n);
    for (size_t i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(ctx, i, n);
    }
}
