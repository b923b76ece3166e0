/*
 * dataset_upload.h: what routes_datasets.c needs to take a file out of an
 * upload. A dataset upload is either the raw file or multipart/form-data
 * with a `file` part and a few small text fields; dataset_upload.c finds the
 * part in the streamed body and copies it to a temporary file of its own, so
 * the table readers see a plain file in either case.
 *
 *     srv_upload up = {0};
 *     if (srv__multipart_extract(ctype, data, len, tmp_dir, &up, &err) < 0) ...
 *     tbl_read_file(up.path, &opt, &t, &err);
 *     srv__upload_clear(&up);              // unlinks up.path
 */
#ifndef WEFT_SERVER_DATASET_UPLOAD_H
#define WEFT_SERVER_DATASET_UPLOAD_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct srv_upload {
    char *path;     /* the file part, copied to a temporary file (malloc'd) */
    size_t size;    /* its bytes */
    char *filename; /* the part's file name, base name only, or NULL */
    /* The optional form fields, NUL-terminated, or NULL when absent. */
    char *name, *format, *description, *header;
} srv_upload;

/* Whether a Content-Type names multipart/form-data. */
bool srv__is_multipart(const char *content_type);

/* Finds the `file` part (else the first part with a filename) of the
 * multipart/form-data body data[0..len) whose boundary content_type gives,
 * copies its bytes to a new file in tmp_dir and collects the name, format,
 * description and header fields. Returns 0, or WF_EPARSE for a malformed
 * body or one without a file part, WF_EIO when the copy fails; on failure
 * nothing is left in tmp_dir and *out is empty. */
int srv__multipart_extract(const char *content_type, const uint8_t *data, size_t len,
                           const char *tmp_dir, srv_upload *out, wf_error *err);

/* Writes data[0..len) to a new temporary file in tmp_dir; *path (malloc'd)
 * names it. Used when a body arrives in memory rather than as a file. */
int srv__upload_spool(const char *tmp_dir, const void *data, size_t len, char **path,
                      wf_error *err);

/* Unlinks the temporary file and frees the strings; accepts a zeroed struct. */
void srv__upload_clear(srv_upload *u);

#endif
