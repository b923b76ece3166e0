/*
 * bench_mhd_static.c: the HTTP peer of DESIGN.md section 11: libmicrohttpd,
 * in the same epoll thread-pool mode weft serves with, answering every
 * request with one fixed JSON reply. What weft's API costs on top of the
 * library is the difference between the two under the same load.
 *
 *     bench_mhd_static PORT     (runs until killed)
 */
#include <microhttpd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char bench__reply[] = "{\"status\":\"ok\"}";

static enum MHD_Result bench__answer(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **req_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        sizeof bench__reply - 1, (void *)bench__reply, MHD_RESPMEM_PERSISTENT);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_mhd_static PORT\n");
        return 2;
    }
    unsigned threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)atoi(argv[1]), NULL, NULL,
        bench__answer, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "bench_mhd_static: cannot listen on port %s\n", argv[1]);
        return 1;
    }
    pause();
    MHD_stop_daemon(d);
    return 0;
}
