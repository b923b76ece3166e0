/*
 * stream.c: streamed replies (server-sent events) without holding a thread.
 * The daemon has one thread per core for every connection, so a stream that
 * waited for its next event inside the callback would stall every other
 * client of that thread. Instead a stream with nothing to say parks its
 * connection (MHD_suspend_connection) and a small waker thread resumes the
 * parked ones every SRV__POLL_MS, or at once on srv_streams_wake; the
 * callback is then asked again.
 *
 * Locking: a connection is parked and put on the list under streams_lock,
 * and taken off the list and resumed under it, so it is never resumed twice
 * nor freed while listed. MHD requires every connection resumed before
 * MHD_stop_daemon: at shutdown srv__streams_end makes every stream finish at
 * its next call instead of parking again, and resumes the parked ones.
 */
#include "http_int.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SRV__POLL_MS 100
#define SRV__KEEPALIVE_S 15

struct srv__stream {
    srv_server *server;
    struct MHD_Connection *conn;
    ssize_t (*inner)(void *user, uint64_t pos, char *buf, size_t max);
    void (*inner_free)(void *user);
    void *user;
    uint64_t inner_pos; /* what the inner stream has given; keep-alives are ours */
    uint64_t *bytes;    /* the exchange's count of bytes sent */
    bool keepalive;     /* text/event-stream: idle comments keep proxies open */
    struct timespec last_sent;
    srv__stream *next; /* on the parked list */
};

static double srv__since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void *srv__waker(void *arg)
{
    srv_server *s = arg;
    pthread_mutex_lock(&s->streams_lock);
    while (!s->waker_quit) {
        if (!s->wake_now) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += SRV__POLL_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            int rc = 0;
            while (!s->wake_now && !s->waker_quit && rc != ETIMEDOUT)
                rc = pthread_cond_timedwait(&s->streams_cond, &s->streams_lock, &until);
        }
        s->wake_now = false;
        srv__stream *list = s->parked;
        s->parked = NULL;
        for (srv__stream *st = list, *next; st != NULL; st = next) {
            next = st->next;
            st->next = NULL;
            MHD_resume_connection(st->conn);
        }
    }
    pthread_mutex_unlock(&s->streams_lock);
    return NULL;
}

int srv__streams_start(srv_server *s, wf_error *err)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s->streams_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) return wf_error_set(err, WF_ENOMEM, "cannot make a condition variable");
    if (pthread_mutex_init(&s->streams_lock, NULL) != 0) {
        pthread_cond_destroy(&s->streams_cond);
        return wf_error_set(err, WF_ENOMEM, "cannot make a mutex");
    }
    rc = pthread_create(&s->waker, NULL, srv__waker, s);
    if (rc != 0) {
        pthread_mutex_destroy(&s->streams_lock);
        pthread_cond_destroy(&s->streams_cond);
        return wf_error_set(err, WF_ENOMEM, "cannot start a thread: %s", strerror(rc));
    }
    s->waker_started = true;
    return 0;
}

void srv_streams_wake(srv_server *s)
{
    if (s == NULL || !s->waker_started) return;
    pthread_mutex_lock(&s->streams_lock);
    s->wake_now = true;
    pthread_cond_signal(&s->streams_cond);
    pthread_mutex_unlock(&s->streams_lock);
}

void srv__streams_end(srv_server *s)
{
    atomic_store(&s->stopping, true);
    srv_streams_wake(s);
}

void srv__streams_stop(srv_server *s)
{
    if (!s->waker_started) return;
    pthread_mutex_lock(&s->streams_lock);
    s->waker_quit = true;
    pthread_cond_signal(&s->streams_cond);
    pthread_mutex_unlock(&s->streams_lock);
    pthread_join(s->waker, NULL);
    pthread_mutex_destroy(&s->streams_lock);
    pthread_cond_destroy(&s->streams_cond);
    s->waker_started = false;
}

static ssize_t srv__stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos; /* the inner stream counts only its own bytes */
    srv__stream *st = cls;
    srv_server *s = st->server;
    if (atomic_load(&s->stopping)) return MHD_CONTENT_READER_END_OF_STREAM;
    ssize_t n = st->inner(st->user, st->inner_pos, buf, max);
    if (n < 0) return n < -1 ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    if ((size_t)n > max) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0 && st->keepalive && srv__since(&st->last_sent) >= SRV__KEEPALIVE_S) {
        static const char ping[] = ": keep-alive\n\n";
        if (max >= sizeof ping - 1) {
            memcpy(buf, ping, sizeof ping - 1);
            clock_gettime(CLOCK_MONOTONIC, &st->last_sent);
            *st->bytes += sizeof ping - 1;
            return (ssize_t)(sizeof ping - 1);
        }
    }
    if (n > 0) {
        st->inner_pos += (uint64_t)n;
        *st->bytes += (uint64_t)n;
        clock_gettime(CLOCK_MONOTONIC, &st->last_sent);
        return n;
    }
    pthread_mutex_lock(&s->streams_lock);
    if (atomic_load(&s->stopping)) {
        pthread_mutex_unlock(&s->streams_lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    MHD_suspend_connection(st->conn);
    st->next = s->parked;
    s->parked = st;
    pthread_mutex_unlock(&s->streams_lock);
    return 0;
}

static void srv__stream_free(void *cls)
{
    srv__stream *st = cls;
    if (st->inner_free != NULL) st->inner_free(st->user);
    free(st);
}

struct MHD_Response *srv__stream_response(srv_server *s, struct MHD_Connection *conn,
                                          srv_response *res, uint64_t *bytes)
{
    srv__stream *st = calloc(1, sizeof *st);
    if (st == NULL) return NULL;
    st->server = s;
    st->conn = conn;
    st->inner = res->stream;
    st->inner_free = res->stream_free;
    st->user = res->stream_user;
    st->bytes = bytes;
    st->keepalive = res->content_type && strncmp(res->content_type, "text/event-stream", 17) == 0;
    clock_gettime(CLOCK_MONOTONIC, &st->last_sent);
    struct MHD_Response *r = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 * 1024, srv__stream_read, st, srv__stream_free);
    if (r == NULL) {
        free(st);
        return NULL;
    }
    /* The wrapper owns the inner stream now. */
    res->stream = NULL;
    res->stream_free = NULL;
    res->stream_user = NULL;
    return r;
}
