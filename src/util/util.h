/*
 * util: errors, allocation, SHA-256, files and arenas. Every other part of
 * weft stands on this one; it knows nothing about tables or pipelines.
 *
 * The error convention, used everywhere in weft:
 *
 *     wf_error err = {0};
 *     if (tbl_read_csv_file("cars.csv", NULL, &t, &err) < 0)
 *         fprintf(stderr, "weft: %s\n", err.message);
 *
 * A function returns int: 0 (or a non-negative count) on success, a negative
 * WF_E* code on failure. When it fails it fills the caller's wf_error, if one
 * was given, with the code and a message for people that says what was wrong
 * and where. Bad input is never an assert or an abort.
 */
#ifndef WEFT_UTIL_H
#define WEFT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ------------------------------------------------------------ */

/* The version the server reports and artifacts record. */
#define WEFT_VERSION "0.1.0"

/* X(name, value, description): the one table of error codes. */
#define WF_ERROR_TABLE(X)                                                                          \
    X(WF_EINVAL, -1, "invalid argument")                                                           \
    X(WF_ENOMEM, -2, "out of memory")                                                              \
    X(WF_EIO, -3, "input/output error")                                                            \
    X(WF_EPARSE, -4, "malformed input")                                                            \
    X(WF_ENOTFOUND, -5, "not found")                                                               \
    X(WF_EEXIST, -6, "already exists")                                                             \
    X(WF_ETYPE, -7, "wrong type")                                                                  \
    X(WF_ELIMIT, -8, "limit exceeded")                                                             \
    X(WF_EFORMAT, -9, "unsupported format")                                                        \
    X(WF_ESTORE, -10, "workspace store error")                                                     \
    X(WF_ECORRUPT, -11, "corrupt data")                                                           \
    X(WF_ECANCELED, -12, "cancelled")

enum {
#define WF__ERROR_ENUM(name, value, text) name = value,
    WF_ERROR_TABLE(WF__ERROR_ENUM)
#undef WF__ERROR_ENUM
};

#define WF_ERROR_MESSAGE_MAX 1024

typedef struct wf_error {
    int code;                           /* 0, or a WF_E* code */
    char message[WF_ERROR_MESSAGE_MAX]; /* for people; empty when code is 0 */
} wf_error;

/* The fixed description of a WF_E* code ("unknown error" for others). */
const char *wf_strerror(int code);

/* Fills err (which may be NULL) and returns code, so that a failing function
 * can end with `return wf_error_set(err, WF_EPARSE, "line %zu: ...", line);`.
 * The first message set wins: a caller that adds context uses
 * wf_error_prefix instead. */
int wf_error_set(wf_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int wf_error_setv(wf_error *err, int code, const char *fmt, va_list ap);

/* Puts "<prefix>: " in front of err's message, keeping its code; returns the
 * code. Used to add where ("file cars.csv") to what a callee said. */
int wf_error_prefix(wf_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears err back to no error. */
void wf_error_clear(wf_error *err);

/* ---- allocation -------------------------------------------------------- */

/* Allocation never aborts: these return NULL on failure like malloc, but
 * also check n * size for overflow. */
void *wf_calloc(size_t n, size_t size);
void *wf_mallocarray(size_t n, size_t size);
void *wf_reallocarray(void *p, size_t n, size_t size);
/* An array of n elements of `size` bytes, not zeroed, for large buffers that
 * are about to be filled (columns, matrices, join pairs): one of 4 MiB or
 * more is aligned to 2 MiB and advised onto transparent huge pages, as numpy
 * does, because the first write to fresh memory faults once per page and
 * with 4 KiB pages those faults cost as much as the filling. The advice is a
 * hint; where the kernel ignores it nothing changes. Freed with free();
 * NULL on overflow or OOM. */
void *wf_alloc_large(size_t n, size_t size);
char *wf_strdup(const char *s);
char *wf_strndup(const char *s, size_t n);

/* Grows *buf (holding *cap elements of size `size`) to hold at least `need`
 * elements, doubling. Returns 0 or WF_ENOMEM (leaving *buf intact). */
int wf_grow(void **buf, size_t *cap, size_t need, size_t size);

/* ---- arenas ------------------------------------------------------------ */

/* An arena: everything allocated from it is freed by one wf_arena_free.
 * Allocations are 16-byte aligned. */
typedef struct wf_arena wf_arena;
wf_arena *wf_arena_new(void);
void *wf_arena_alloc(wf_arena *a, size_t size);          /* NULL on OOM */
char *wf_arena_strdup(wf_arena *a, const char *s);       /* NULL on OOM */
char *wf_arena_printf(wf_arena *a, const char *fmt, ...) /* NULL on OOM */
    __attribute__((format(printf, 2, 3)));
void wf_arena_free(wf_arena *a); /* accepts NULL */

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------- */

typedef struct wf_sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
} wf_sha256;

#define WF_SHA256_HEX 65 /* 64 hex digits and a NUL */

void wf_sha256_init(wf_sha256 *h);
void wf_sha256_update(wf_sha256 *h, const void *data, size_t len);
void wf_sha256_final(wf_sha256 *h, uint8_t digest[32]);
/* The lowercase hex digest of one buffer. */
void wf_sha256_hex(const void *data, size_t len, char hex[WF_SHA256_HEX]);
void wf_hex_encode(const uint8_t *bytes, size_t n, char *out); /* out holds 2n+1 */

/* ---- files ------------------------------------------------------------- */

/* A read-only view of a whole file. Empty files map to data == NULL, size 0. */
typedef struct wf_mapped_file {
    const uint8_t *data;
    size_t size;
} wf_mapped_file;

int wf_map_file(const char *path, wf_mapped_file *out, wf_error *err);
void wf_unmap_file(wf_mapped_file *m); /* accepts a zeroed struct */

/* Reads a whole file into a NUL-terminated malloc'd buffer; the caller frees
 * *out. */
int wf_read_file(const char *path, char **out, size_t *size, wf_error *err);

/* Writes data to path atomically: a temporary file beside it, fsync, rename,
 * fsync of the directory. On failure nothing is left behind. */
int wf_write_file_atomic(const char *path, const void *data, size_t size, wf_error *err);

/* mkdir -p. */
int wf_mkdirs(const char *path, wf_error *err);

/* ---- text -------------------------------------------------------------- */

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). When it is
 * not, *bad_offset (if given) is the offset of the first bad byte. */
bool wf_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* A growable byte buffer, always NUL-terminated when data != NULL. */
typedef struct wf_buf {
    char *data;
    size_t len, cap;
    bool failed; /* sticky: an append ran out of memory */
} wf_buf;

void wf_buf_append(wf_buf *b, const char *s, size_t n);
void wf_buf_puts(wf_buf *b, const char *s);
void wf_buf_printf(wf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wf_buf_free(wf_buf *b);

/* Base64 (RFC 4648, with padding), for binary state inside JSON artifacts.
 * encode: a new NUL-terminated string, NULL on OOM. decode: 0, WF_ENOMEM, or
 * WF_EPARSE for text that is not base64; the caller frees *out. */
char *wf_base64_encode(const void *data, size_t len);
int wf_base64_decode(const char *text, size_t len, uint8_t **out, size_t *out_len);

/* A reproducible random generator: SplitMix64, fully determined by its 64-bit
 * state, so a seed parameter gives the same rows, folds and trees on every
 * machine. Seed it with `wf_rng r = {.state = seed};`. */
typedef struct wf_rng {
    uint64_t state;
} wf_rng;

uint64_t wf_rng_next(wf_rng *r);
/* Uniform in [0, bound), without modulo bias; bound > 0. */
uint64_t wf_rng_below(wf_rng *r, uint64_t bound);
/* Uniform in [0, 1), with 53 random bits. */
double wf_rng_uniform(wf_rng *r);
/* Standard normal (Marsaglia's polar method). */
double wf_rng_normal(wf_rng *r);

#endif
