/*
 * python_int.h: what the files of Execute Python Script (python.c,
 * python_frame.c, python_process.c, python_bridge.c) share, and the
 * exchange between weft and the Python bridge.
 *
 * A run happens in a fresh temporary directory D (mode 0700), removed at the
 * end whatever happened:
 *
 *     D/weft_bridge.py      the bridge (mod__py_bridge_source), run by python3
 *     D/script.py           the user's script, as typed
 *     D/in1/, D/in2/        the input tables, one folder per connected port
 *     D/out1/, D/out2/      the returned DataFrames, written by the bridge
 *     D/status.json         the outcome, written last by the bridge
 *
 * A table folder ("frame", weft.frame/1) holds schema.json:
 *
 *     {"format": "weft.frame/1", "nrows": N, "columns": [
 *        {"name": "price", "type": "numeric", "missing": true}, ...]}
 *
 * and for column k files named cK.*, each a raw little-endian array of N
 * values with no header, so either side can map it without parsing:
 *
 *     numeric      cK.values  float64 (NaN where missing)
 *     integer      cK.values  int64 (0 where missing)
 *     boolean      cK.values  uint8, 0 or 1 (0 where missing)
 *     datetime     cK.values  int64 microseconds since 1970-01-01 UTC
 *     categorical  cK.values  int32 codes, -1 where missing; "nlevels" levels
 *                  in cK.levels.* as strings (below)
 *     string       the N strings as below ("" where missing)
 *     any type     cK.missing  uint8 per row, 1 = missing; present only when
 *                  "missing" is true (categoricals use code -1 instead)
 *
 * Strings are stored one of two ways, named by the column's "strings" field:
 * "joined" puts them in P.text separated by single NUL bytes (used when no
 * string holds a NUL: one split on the Python side, no per-string work), and
 * "offsets" puts int64 start offsets (count + 1 of them) in P.offsets and
 * the bytes in P.data. Text is UTF-8; other bytes survive the round trip
 * through Python's "surrogateescape".
 *
 * status.json is {"ok": true, "outputs": 1 or 2, "timings": {...},
 * "python": "3.11.2", "pandas": "1.5.3"} or {"ok": false, "error": "...",
 * "line": N or null}, where line is the script's line the error points at.
 */
#ifndef WEFT_MODULES_PYTHON_INT_H
#define WEFT_MODULES_PYTHON_INT_H

#include "modules_int.h"

#include <stdbool.h>

/* The interpreter Execute Python Script runs: Debian's, named in full, since
 * another python3 may come first on PATH (DESIGN.md section 9). A variable
 * only so that tests can point it at a missing file. */
extern const char *mod__python_binary;

/* The bridge's Python source (python_bridge.c). */
extern const char mod__py_bridge_source[];

/* Writes t into folder dir (which must not exist yet) as a weft.frame/1.
 * 0 or a negative code with err naming the file or column. */
int mod__py_write_frame(const tbl_table *t, const char *dir, wf_error *err);

/* Reads the frame in folder dir into a new table (caller frees *out).
 * Everything is checked before it is trusted: sizes, codes, offsets. */
int mod__py_read_frame(const char *dir, tbl_table **out, wf_error *err);

/* How the python3 process ended. */
typedef struct mod__py_exit {
    bool canceled; /* ctx->cancel was set, and the process was killed */
    int code;      /* exit status, when it exited */
    int signal;    /* the signal that ended it, or 0 */
} mod__py_exit;

/* Runs `python bridge` in folder dir with a clean environment, sending every
 * line it prints (stdout and stderr) to mod_log as it comes, killing it when
 * ctx->cancel is set, and making sure that neither it nor anything it
 * started is left running when this returns (unless, under `weft step`,
 * the engine's sweep of the step's process group does that; see
 * python_process.c). 0 once it has ended (however it ended: see *how), or a
 * negative code with ctx->err set when it could not be started. */
int mod__py_run_process(mod_ctx *ctx, const char *dir, mod__py_exit *how);

#endif
