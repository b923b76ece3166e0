/*
 * static.c: the browser app's files. Every GET outside /api is a file of
 * the built UI (ui/dist), or index.html for the app's own routes (the
 * single-page fallback). A path is decoded, then refused if any segment is
 * "." or ".."; the file found must also resolve (symbolic links followed)
 * inside the UI directory, so nothing outside it is ever served.
 */
#include "http_int.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char srv__not_built_page[] =
    "<!doctype html>\n"
    "<html><head><meta charset=\"utf-8\"><title>weft</title></head>\n"
    "<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\">\n"
    "<h1>weft</h1>\n"
    "<p>The server is running, but the browser app is not built, so there is no UI to show.\n"
    "Build it into <code>ui/dist</code> (or start the server with <code>--ui DIR</code>).</p>\n"
    "<p>The REST API works: see <a href=\"/api/openapi.json\">/api/openapi.json</a> and\n"
    "<a href=\"/api/health\">/api/health</a>.</p>\n"
    "</body></html>\n";

static bool srv__has_index(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/index.html", dir) >= sizeof path) return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *srv__ui_dir_find(const char *opt_dir)
{
    if (opt_dir != NULL) return srv__has_index(opt_dir) ? realpath(opt_dir, NULL) : NULL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) return NULL;
    *slash = '\0';
    char dir[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s/../ui/dist", exe) >= sizeof dir) return NULL;
    return srv__has_index(dir) ? realpath(dir, NULL) : NULL;
}

typedef struct srv__type {
    const char *ext;
    const char *type;
} srv__type;

static const srv__type srv__types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".wasm", "application/wasm"},
    {".txt", "text/plain; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *srv__content_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot != NULL)
        for (size_t i = 0; i < sizeof srv__types / sizeof srv__types[0]; i++)
            if (strcasecmp(dot, srv__types[i].ext) == 0) return srv__types[i].type;
    return "application/octet-stream";
}

/* Decodes raw and checks every segment. Returns the decoded path (malloc'd)
 * or NULL when it is not acceptable. */
static char *srv__clean_path(const char *raw)
{
    size_t n = strlen(raw);
    char *path = malloc(n + 1);
    if (path == NULL || srv__percent_decode(raw, n, path) < 0 || path[0] != '/') {
        free(path);
        return NULL;
    }
    for (const char *seg = path + 1;;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.') ||
            memchr(seg, '\\', len) != NULL) {
            free(path);
            return NULL;
        }
        if (end == NULL) break;
        seg = end + 1;
    }
    return path;
}

/* Opens dir + rel if it is a regular file inside dir. -1 otherwise. */
static int srv__open_inside(const char *dir, const char *rel, uint64_t *size)
{
    char joined[PATH_MAX];
    if ((size_t)snprintf(joined, sizeof joined, "%s%s", dir, rel) >= sizeof joined) return -1;
    char *real = realpath(joined, NULL);
    if (real == NULL) return -1;
    size_t dn = strlen(dir);
    bool inside = strncmp(real, dir, dn) == 0 && real[dn] == '/';
    int fd = inside ? open(real, O_RDONLY | O_CLOEXEC) : -1;
    free(real);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0) *size = (uint64_t)st.st_size;
    return fd;
}

static int srv__set_type(srv_response *res, const char *type)
{
    free(res->content_type);
    res->content_type = wf_strdup(type);
    return res->content_type ? 0 : -1;
}

int srv__static_reply(srv_server *s, const char *raw, srv_response *res, int *fd, uint64_t *fd_size)
{
    *fd = -1;
    char *path = srv__clean_path(raw);
    if (path == NULL)
        return srv_reply_error(res, 400, "bad_path",
                               "the path may not hold \".\" or \"..\" segments, backslashes, "
                               "NUL bytes or bad %%-escapes");
    if (s->ui_dir == NULL) {
        bool root = strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0;
        free(path);
        if (!root) return srv_reply_error(res, 404, "not_found", "the UI is not built");
        char *page = wf_strdup(srv__not_built_page);
        return srv_reply_bytes(res, 200, "text/html; charset=utf-8", page,
                               page ? sizeof srv__not_built_page - 1 : 0);
    }
    const char *rel = strcmp(path, "/") == 0 ? "/index.html" : path;
    *fd = srv__open_inside(s->ui_dir, rel, fd_size);
    if (*fd < 0) {
        /* The app's own routes (/datasets/iris) get index.html; a missing
         * file with an extension (/assets/x.js) is a real 404. */
        const char *last = strrchr(path, '/');
        if (strchr(last, '.') != NULL) {
            free(path);
            return srv_reply_error(res, 404, "not_found", "no such file in the UI");
        }
        rel = "/index.html";
        *fd = srv__open_inside(s->ui_dir, rel, fd_size);
        if (*fd < 0) {
            free(path);
            return srv_reply_error(res, 404, "not_found", "the UI has no index.html");
        }
    }
    res->status = 200;
    int rc = srv__set_type(res, srv__content_type(rel));
    /* Vite names its assets by content: they never change. */
    bool immutable = strncmp(rel, "/assets/", 8) == 0;
    res->extra_header_name = wf_strdup("Cache-Control");
    res->extra_header_value =
        wf_strdup(immutable ? "public, max-age=31536000, immutable" : "no-cache");
    free(path);
    if (rc < 0 || res->extra_header_name == NULL || res->extra_header_value == NULL) {
        close(*fd);
        *fd = -1;
        return srv_reply_error(res, 500, "internal", "out of memory");
    }
    return 0;
}
