/*
 * events.c: status names and the event bus, the in-process channel that
 * carries run events from the executor to whoever listens (the CLI prints
 * them; the server streams them as server-sent events).
 *
 * The bus holds one recursive mutex for the whole of a publish. That makes
 * the guarantee the server needs simple to keep: once unsubscribe returns,
 * the subscriber's callback is not running and will never run again, so
 * the subscriber may free its state. Recursion lets a callback unsubscribe
 * itself; it does so by clearing its entry, which the outermost publish
 * compacts away when it finishes walking the list.
 */
#include "engine.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *eng_status_name(eng_status s)
{
    switch (s) {
    case ENG_QUEUED:
        return "queued";
    case ENG_RUNNING:
        return "running";
    case ENG_COMPLETED:
        return "completed";
    case ENG_REUSED:
        return "reused";
    case ENG_FAILED:
        return "failed";
    case ENG_CANCELED:
        return "canceled";
    case ENG_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

typedef struct eng__subscriber {
    uint64_t id; /* 0: removed, waiting for compaction */
    int64_t run_id;
    eng_event_fn fn;
    void *user;
} eng__subscriber;

struct eng_bus {
    pthread_mutex_t lock; /* recursive */
    eng__subscriber *subs;
    size_t count, cap;
    uint64_t next_id;
    int publishing; /* depth of nested publishes on the owning thread */
};

eng_bus *eng_bus_new(void)
{
    eng_bus *bus = calloc(1, sizeof *bus);
    if (bus == NULL) return NULL;
    pthread_mutexattr_t attr;
    if (pthread_mutexattr_init(&attr) != 0) {
        free(bus);
        return NULL;
    }
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init(&bus->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) {
        free(bus);
        return NULL;
    }
    bus->next_id = 1;
    return bus;
}

void eng_bus_free(eng_bus *bus)
{
    if (bus == NULL) return;
    pthread_mutex_destroy(&bus->lock);
    free(bus->subs);
    free(bus);
}

int eng_bus_subscribe(eng_bus *bus, int64_t run_id, eng_event_fn fn, void *user, uint64_t *id)
{
    if (bus == NULL || fn == NULL) return WF_EINVAL;
    pthread_mutex_lock(&bus->lock);
    int rc = wf_grow((void **)&bus->subs, &bus->cap, bus->count + 1, sizeof *bus->subs);
    if (rc == 0) {
        eng__subscriber *s = &bus->subs[bus->count++];
        s->id = bus->next_id++;
        s->run_id = run_id;
        s->fn = fn;
        s->user = user;
        if (id != NULL) *id = s->id;
    }
    pthread_mutex_unlock(&bus->lock);
    return rc < 0 ? WF_ENOMEM : 0;
}

/* Drops removed entries; only when no publish is walking the list. */
static void eng__bus_compact(eng_bus *bus)
{
    size_t kept = 0;
    for (size_t i = 0; i < bus->count; i++)
        if (bus->subs[i].id != 0) bus->subs[kept++] = bus->subs[i];
    bus->count = kept;
}

void eng_bus_unsubscribe(eng_bus *bus, uint64_t id)
{
    if (bus == NULL || id == 0) return;
    pthread_mutex_lock(&bus->lock);
    for (size_t i = 0; i < bus->count; i++)
        if (bus->subs[i].id == id) bus->subs[i].id = 0;
    if (bus->publishing == 0) eng__bus_compact(bus);
    pthread_mutex_unlock(&bus->lock);
}

void eng_bus_publish(void *user, const eng_event *event)
{
    eng_bus *bus = user;
    if (bus == NULL || event == NULL) return;
    pthread_mutex_lock(&bus->lock);
    bus->publishing++;
    /* Entries added by a callback land past `n` and see the next event,
     * not this one; the array may move, so index it afresh each time. */
    size_t n = bus->count;
    for (size_t i = 0; i < n; i++) {
        eng__subscriber s = bus->subs[i];
        if (s.id == 0 || (s.run_id != 0 && s.run_id != event->run_id)) continue;
        s.fn(s.user, event);
    }
    if (--bus->publishing == 0) eng__bus_compact(bus);
    pthread_mutex_unlock(&bus->lock);
}
