/*
 * python.c: `execute-python-script@1`, the Azure designer's Execute Python
 * Script. The user's script defines azureml_main(dataframe1, dataframe2);
 * weft runs it with Debian's /usr/bin/python3 on the two input tables as
 * pandas DataFrames, and the one or two DataFrames it returns become the
 * two outputs.
 *
 * One run: a temporary folder; the bridge, the script and the inputs
 * written into it (python_frame.c, as raw column arrays, not CSV); python3
 * started on the bridge, its printed lines sent to the log as they come,
 * and killed on cancel (python_process.c); its status and outputs read
 * back; the folder removed, whatever happened. The exchange is described
 * in python_int.h, the Python half lives in python_bridge.c.
 *
 * Output columns keep the role of the input column of the same name
 * (dataset1's first), since a script that edits a table should not lose its
 * label. Their types follow the DataFrame's dtypes.
 */
#include "python_int.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const mod_port python_in[] = {
    {.name = "dataset1",
     .kind = MOD_TABLE,
     .optional = true,
     .help = "The table passed as dataframe1 (None when not connected)."},
    {.name = "dataset2",
     .kind = MOD_TABLE,
     .optional = true,
     .help = "The table passed as dataframe2 (None when not connected)."},
};

static const mod_port python_out[] = {
    {.name = "result_dataset",
     .kind = MOD_TABLE,
     .help = "The first DataFrame azureml_main returns."},
    {.name = "python_device",
     .kind = MOD_TABLE,
     .help = "The second DataFrame azureml_main returns; an empty table when it returns "
             "one."},
};

/* The default script: the Azure designer's contract, in weft's words. As
 * JSON text, since defaults are JSON. */
#define PYTHON_DEFAULT_SCRIPT                                                                      \
    "\"# Execute Python Script: weft calls azureml_main with the input tables.\\n"                 \
    "import pandas as pd\\n"                                                                       \
    "\\n"                                                                                          \
    "\\n"                                                                                          \
    "# dataframe1 and dataframe2 are pandas DataFrames from the dataset1 and\\n"                   \
    "# dataset2 ports, or None when a port is not connected.\\n"                                   \
    "def azureml_main(dataframe1 = None, dataframe2 = None):\\n"                                   \
    "\\n"                                                                                          \
    "    # Your code goes here; print() writes to the step's log.\\n"                              \
    "    print(f'Input pandas.DataFrame #1: {dataframe1}')\\n"                                     \
    "\\n"                                                                                          \
    "    # Return one or two DataFrames: the first goes to result_dataset,\\n"                     \
    "    # the second to python_device. For example:\\n"                                           \
    "    #   return dataframe1,\\n"                                                                \
    "    #   return dataframe1, dataframe2\\n"                                                     \
    "    return dataframe1,\\n\""

static const mod_param python_params[] = {
    {.name = "python_script",
     .label = "Python script",
     .type = MOD_PARAM_PYTHON,
     .default_json = PYTHON_DEFAULT_SCRIPT,
     .required = true,
     .help = "Python 3 code that defines azureml_main(dataframe1=None, dataframe2=None) and "
             "returns a pandas DataFrame, or a tuple of one or two DataFrames."},
};

/* ---- the script parameter ---------------------------------------------- */

/* What can be checked without running: the script is there, is text, and
 * at least names its entry point. */
static int python_check_script(mod_ctx *ctx, const char *script)
{
    const char *f = "python_script";
    if (script == NULL || script[strspn(script, " \t\r\n")] == '\0')
        return mod_param_error(ctx, f,
                               "the script is empty: it must define "
                               "azureml_main(dataframe1=None, dataframe2=None)");
    size_t bad = 0;
    if (!wf_utf8_valid(script, strlen(script), &bad))
        return mod_param_error(ctx, f, "the script is not UTF-8 text (byte %zu)", bad + 1);
    if (strstr(script, "azureml_main") == NULL)
        return mod_param_error(ctx, f,
                               "the script defines no azureml_main(dataframe1=None, "
                               "dataframe2=None), which weft calls with the input tables");
    return 0;
}

static int python_configure(mod_ctx *ctx)
{
    /* The outputs' schemas depend on what the script does: unknown. */
    return python_check_script(ctx, mod_param_string(ctx, "python_script"));
}

/* ---- the temporary folder ---------------------------------------------- */

/* The folder for this run's files: TMPDIR (or /tmp)/weft-python-PID-XXXXXX.
 * The pid in the name lets a later run remove what a killed one left. */
static int python_make_dir(mod_ctx *ctx, const char *base, char *dir)
{
    if (snprintf(dir, PATH_MAX, "%s/weft-python-%ld-XXXXXX", base, (long)getpid()) >= PATH_MAX)
        return mod_fail(ctx, WF_EINVAL, "the temporary folder's path is too long");
    if (mkdtemp(dir) == NULL)
        return mod_fail(ctx, WF_EIO, "cannot create a temporary folder in %s: %s", base,
                        strerror(errno));
    return 0;
}

/* nftw callbacks: a script may leave read-only folders behind, so the
 * first pass makes every folder writable, the second removes everything.
 * FTW_PHYS: a symbolic link is removed, never followed. */
static int python_unlock(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR) chmod(path, 0700);
    return 0;
}

static int python_unlink(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void python_remove_dir(mod_ctx *ctx, const char *dir)
{
    nftw(dir, python_unlock, 16, FTW_PHYS);
    nftw(dir, python_unlink, 16, FTW_PHYS | FTW_DEPTH);
    if (ctx != NULL && access(dir, F_OK) == 0)
        mod_log(ctx, "warning: could not remove %s entirely", dir);
}

/* A step killed on its time limit (SIGKILL, the whole process group) has
 * no chance to remove its folder: the next run does, for every folder of
 * ours (a real directory, owned by this user) whose process is gone. A
 * live process, or one that is not ours to signal, keeps its folder. */
static void python_sweep_stale(const char *base)
{
    DIR *d = opendir(base);
    if (d == NULL) return;
    static const char prefix[] = "weft-python-";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, sizeof prefix - 1) != 0) continue;
        char *end;
        long pid = strtol(e->d_name + sizeof prefix - 1, &end, 10);
        if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char path[PATH_MAX];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", base, e->d_name) < (int)sizeof path &&
            lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
            python_remove_dir(NULL, path);
    }
    closedir(d);
}

static int python_write_text(mod_ctx *ctx, const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return mod_fail(ctx, WF_EINVAL, "the temporary folder's path is too long");
    FILE *f = fopen(path, "wbe");
    size_t len = strlen(text);
    bool ok = f != NULL && fwrite(text, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0) ok = false;
    if (!ok) return mod_fail(ctx, WF_EIO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* The bridge, the script and the connected inputs, into dir. */
static int python_prepare(mod_ctx *ctx, const char *dir, const char *script)
{
    int rc = python_write_text(ctx, dir, "weft_bridge.py", mod__py_bridge_source);
    if (rc == 0) rc = python_write_text(ctx, dir, "script.py", script);
    static const char *const ports[] = {"dataset1", "dataset2"};
    for (int k = 0; rc == 0 && k < 2; k++) {
        const tbl_table *t = mod_input_table(ctx, ports[k]);
        if (t == NULL) continue;
        char sub[PATH_MAX];
        wf_error err = {0};
        if (snprintf(sub, sizeof sub, "%s/in%d", dir, k + 1) >= (int)sizeof sub)
            return mod_fail(ctx, WF_EINVAL, "the temporary folder's path is too long");
        if ((rc = mod__py_write_frame(t, sub, &err)) < 0) {
            wf_error_prefix(&err, "input %s", ports[k]);
            return mod_fail_with(ctx, &err);
        }
    }
    return rc;
}

/* ---- results ----------------------------------------------------------- */

/* Gives each column of t the role of the input column of the same name. A
 * weight that is no longer a number goes back to being a feature. */
static void python_restore_roles(mod_ctx *ctx, tbl_table *t)
{
    const tbl_table *ins[2] = {mod_input_table(ctx, "dataset1"), mod_input_table(ctx, "dataset2")};
    for (size_t i = 0; i < t->ncols; i++) {
        tbl_column *c = &t->cols[i];
        for (int k = 0; k < 2; k++) {
            int j = ins[k] != NULL ? tbl_find_column(ins[k], c->name) : -1;
            if (j < 0) continue;
            c->role = ins[k]->cols[j].role;
            break;
        }
        if (c->role == TBL_ROLE_WEIGHT && c->type != TBL_NUMERIC && c->type != TBL_INTEGER)
            c->role = TBL_ROLE_FEATURE;
    }
}

/* Output k (1 or 2) from dir/outK, with roles restored. */
static int python_read_output(mod_ctx *ctx, const char *dir, int k, tbl_table **out)
{
    char sub[PATH_MAX];
    wf_error err = {0};
    if (snprintf(sub, sizeof sub, "%s/out%d", dir, k) >= (int)sizeof sub)
        return mod_fail(ctx, WF_EINVAL, "the temporary folder's path is too long");
    if (mod__py_read_frame(sub, out, &err) < 0) {
        wf_error_prefix(&err, "reading back DataFrame %d", k);
        return mod_fail_with(ctx, &err);
    }
    python_restore_roles(ctx, *out);
    return 0;
}

static void python_log_timings(mod_ctx *ctx, const json_t *status)
{
    const json_t *t = json_object_get(status, "timings");
    mod_log(ctx,
            "Python %s, pandas %s: inputs loaded in %.3f s, script ran %.3f s, outputs "
            "written in %.3f s",
            json_string_value(json_object_get(status, "python")),
            json_string_value(json_object_get(status, "pandas")),
            json_number_value(json_object_get(t, "load")),
            json_number_value(json_object_get(t, "script")),
            json_number_value(json_object_get(t, "save")));
}

/* Turns how python3 ended and what it left in dir into outputs or an
 * error. */
static int python_collect(mod_ctx *ctx, const char *dir, const mod__py_exit *how)
{
    if (how->canceled) return mod_fail(ctx, WF_ECANCELED, "canceled: python3 was stopped");
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/status.json", dir) >= (int)sizeof path)
        return mod_fail(ctx, WF_EINVAL, "the temporary folder's path is too long");
    json_t *status = access(path, F_OK) == 0 ? json_load_file(path, 0, NULL) : NULL;
    if (status == NULL && how->signal != 0)
        return mod_fail(ctx, WF_EIO, "python3 was killed by signal %d (%s) before it finished",
                        how->signal, strsignal(how->signal));
    if (status == NULL)
        return mod_fail(ctx, WF_EIO,
                        "python3 exited with status %d before it finished (see the log)",
                        how->code);
    int rc = 0;
    if (!json_is_true(json_object_get(status, "ok"))) {
        const char *error = json_string_value(json_object_get(status, "error"));
        const json_t *line = json_object_get(status, "line");
        if (error == NULL) error = "the Python bridge failed without saying why";
        if (json_is_integer(line))
            rc = mod_fail(ctx, WF_EINVAL, "%s (line %lld of the script)", error,
                          (long long)json_integer_value(line));
        else
            rc = mod_fail(ctx, WF_EINVAL, "%s", error);
        json_decref(status);
        return rc;
    }
    python_log_timings(ctx, status);
    json_int_t outputs = json_integer_value(json_object_get(status, "outputs"));
    json_decref(status);
    tbl_table *first = NULL, *second = NULL;
    rc = python_read_output(ctx, dir, 1, &first);
    if (rc == 0 && outputs >= 2) rc = python_read_output(ctx, dir, 2, &second);
    if (rc == 0 && second == NULL && (second = tbl_new()) == NULL)
        rc = mod_fail(ctx, WF_ENOMEM, "out of memory");
    if (rc < 0) {
        tbl_free(first);
        tbl_free(second);
        return rc;
    }
    rc = mod_output_table(ctx, "result_dataset", first);
    int rc2 = mod_output_table(ctx, "python_device", second);
    return rc < 0 ? rc : rc2;
}

static int python_run(mod_ctx *ctx)
{
    const char *script = mod_param_string(ctx, "python_script");
    int rc = python_check_script(ctx, script);
    if (rc < 0) return rc;
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] != '/') base = "/tmp";
    python_sweep_stale(base);
    char dir[PATH_MAX];
    if ((rc = python_make_dir(ctx, base, dir)) < 0) return rc;
    rc = python_prepare(ctx, dir, script);
    if (rc == 0 && mod_cancelled(ctx))
        rc = mod_fail(ctx, WF_ECANCELED, "canceled before python3 started");
    mod__py_exit how;
    if (rc == 0) {
        mod_progress(ctx, 0.1);
        rc = mod__py_run_process(ctx, dir, &how);
    }
    if (rc == 0) rc = python_collect(ctx, dir, &how);
    python_remove_dir(ctx, dir);
    if (rc == 0) mod_progress(ctx, 1);
    return rc;
}

const mod_descriptor mod_execute_python_script = {
    .name = "execute-python-script",
    .version = 1,
    .display_name = "Execute Python Script",
    .category = "Python Language",
    .help = "Runs a Python script on up to two tables, with pandas, numpy and scikit-learn at "
            "hand, as the Azure designer's Execute Python Script does.\n"
            "\n"
            "The script defines `azureml_main(dataframe1=None, dataframe2=None)`. weft calls it "
            "with the tables on `dataset1` and `dataset2` as pandas DataFrames (`None` for a port "
            "that is not connected). It returns a DataFrame, or a tuple of one or two: the first "
            "goes to `result_dataset`, the second to `python_device` (an empty table when there is "
            "none; `None` in the tuple also gives an empty table).\n"
            "\n"
            "## Data types\n"
            "\n"
            "- numeric: `float64`, missing as NaN;\n"
            "- integer: `int64`, or `Int64` (missing as `pd.NA`) when a value is missing;\n"
            "- boolean: `bool`, or `boolean` (missing as `pd.NA`) when a value is missing;\n"
            "- string: `object` of `str`, missing as NaN;\n"
            "- categorical: `category`;\n"
            "- datetime: `datetime64[ns, UTC]`, missing as NaT (dates outside 1677-2262 come as "
            "Python datetimes).\n"
            "\n"
            "On the way back each column's type follows its dtype; `object` columns take the type "
            "of their values (text otherwise). A column named like an input column keeps that "
            "column's role (label, weight, ...), and a text column that was categorical in the "
            "input is categorical again. The DataFrame's index is not kept.\n"
            "\n"
            "## Running\n"
            "\n"
            "weft runs Debian's `/usr/bin/python3` in a temporary folder (its working directory, "
            "removed afterwards) with a clean environment: no user site-packages, no bytecode "
            "written. Everything the script prints goes to the step's log, line by line. An "
            "exception fails the step: the log shows the traceback and the error its last line, "
            "for example `Python: ZeroDivisionError: division by zero (line 3 of the script)`. "
            "The step's time limit and cancel stop Python and everything it started.\n"
            "\n"
            "Azure's third input, the script bundle (a zip of extra modules), is not supported, "
            "and `python_device` holds the second DataFrame, not plots.\n"
            "\n"
            "## Example\n"
            "\n"
            "```python\n"
            "import pandas as pd\n"
            "\n"
            "def azureml_main(dataframe1=None, dataframe2=None):\n"
            "    df = dataframe1.copy()\n"
            "    df['price_per_hp'] = df['price'] / df['horsepower']\n"
            "    print('rows:', len(df))\n"
            "    return df,\n"
            "```\n",
    MOD_PORTS(inputs, python_in),
    MOD_PORTS(outputs, python_out),
    MOD_PARAMS(python_params),
    .configure = python_configure,
    .run = python_run,
};
