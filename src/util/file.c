/* file.c: mapping, reading and atomically writing whole files. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int wf_map_file(const char *path, wf_mapped_file *out, wf_error *err)
{
    out->data = NULL;
    out->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return wf_error_set(err, WF_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return wf_error_set(err, WF_EIO, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return wf_error_set(err, WF_EIO, "%s is not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return 0;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) return wf_error_set(err, WF_EIO, "cannot map %s: %s", path, strerror(e));
    out->data = p;
    out->size = (size_t)st.st_size;
    return 0;
}

void wf_unmap_file(wf_mapped_file *m)
{
    if (m->data != NULL) munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

int wf_read_file(const char *path, char **out, size_t *size, wf_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return wf_error_set(err, WF_EIO, "cannot open %s: %s", path, strerror(errno));
    wf_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        wf_buf_append(&b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        wf_buf_free(&b);
        return wf_error_set(err, WF_EIO, "cannot read %s", path);
    }
    if (b.failed) {
        wf_buf_free(&b);
        return wf_error_set(err, WF_ENOMEM, "out of memory reading %s", path);
    }
    if (b.data == NULL) {
        b.data = calloc(1, 1);
        if (b.data == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    *out = b.data;
    if (size) *size = b.len;
    return 0;
}

static int wf__fsync_dir_of(const char *path)
{
    char *copy = wf_strdup(path);
    if (copy == NULL) return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int wf_write_file_atomic(const char *path, const void *data, size_t size, wf_error *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (tmp == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return wf_error_set(err, WF_EIO, "cannot create a file beside %s: %s", path, strerror(e));
    }
    const uint8_t *p = data;
    size_t left = size;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) goto fail;
        p += w;
        left -= (size_t)w;
    }
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) goto fail;
    free(tmp);
    wf__fsync_dir_of(path);
    return 0;
fail:;
    int e = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(tmp);
    return wf_error_set(err, WF_EIO, "cannot write %s: %s", path, strerror(e));
}

int wf_mkdirs(const char *path, wf_error *err)
{
    char *copy = wf_strdup(path);
    if (copy == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (char *p = copy + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
                int e = errno;
                int rc =
                    wf_error_set(err, WF_EIO, "cannot create directory %s: %s", copy, strerror(e));
                free(copy);
                return rc;
            }
            *p = saved;
            if (saved == '\0') break;
        }
    }
    free(copy);
    return 0;
}
