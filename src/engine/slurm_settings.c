/*
 * slurm_settings.c: what a Slurm compute target's settings may hold
 * (docs/formats.md, "A target's settings"), checked before they are saved
 * and again when a run opens the target.
 */
#include "run_int.h"

#include <string.h>

static bool eng__plain_word(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) return false;
    return true;
}

/* Slurm's --time: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS". */
static bool eng__time_ok(const char *s)
{
    size_t n = strlen(s), colons = 0, dashes = 0;
    if (n == 0 || n > 32 || s[0] < '0' || s[0] > '9') return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':') {
            if (++colons > 2 || s[i + 1] < '0' || s[i + 1] > '9') return false;
        } else if (s[i] == '-') {
            if (++dashes > 1 || colons > 0 || s[i + 1] < '0' || s[i + 1] > '9') return false;
        } else if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool eng__int_in(const json_t *v, json_int_t lo, json_int_t hi)
{
    return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

static int eng__check_path(const json_t *v, const char *key, wf_error *err)
{
    const char *s = json_string_value(v);
    if (s == NULL || s[0] != '/' || strlen(s) > 1024 || strchr(s, '\n') != NULL)
        return wf_error_set(err, WF_EINVAL, "\"%s\" must be an absolute path", key);
    return 0;
}

int eng__slurm_config_check(const json_t *config, wf_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)config, key, v)
    {
        if (strcmp(key, "partition") == 0 || strcmp(key, "account") == 0) {
            if (!json_is_string(v) || !eng__plain_word(json_string_value(v), 100))
                return wf_error_set(err, WF_EINVAL,
                                    "\"%s\" must be a name without spaces (at most 100 characters)",
                                    key);
        } else if (strcmp(key, "time_limit") == 0) {
            if (!eng__int_in(v, 1, 525600 * 10) &&
                !(json_is_string(v) && eng__time_ok(json_string_value(v))))
                return wf_error_set(err, WF_EINVAL,
                                    "\"time_limit\" must be minutes, or Slurm's --time form "
                                    "(\"MM\", \"HH:MM:SS\", \"D-HH:MM\")");
        } else if (strcmp(key, "cpus") == 0) {
            if (!eng__int_in(v, 1, 4096))
                return wf_error_set(err, WF_EINVAL, "\"cpus\" must be an integer from 1 to 4096");
        } else if (strcmp(key, "memory_mb") == 0) {
            if (!eng__int_in(v, 1, (json_int_t)1 << 32))
                return wf_error_set(err, WF_EINVAL, "\"memory_mb\" must be a positive integer");
        } else if (strcmp(key, "max_jobs") == 0) {
            if (!eng__int_in(v, 1, 10000))
                return wf_error_set(err, WF_EINVAL,
                                    "\"max_jobs\" must be an integer from 1 to 10000");
        } else if (strcmp(key, "sbatch_args") == 0) {
            size_t i;
            json_t *a;
            if (!json_is_array(v) || json_array_size(v) > 64)
                return wf_error_set(err, WF_EINVAL,
                                    "\"sbatch_args\" must be a list of sbatch options");
            json_array_foreach(v, i, a)
            {
                const char *s = json_string_value(a);
                if (s == NULL || s[0] != '-' || strlen(s) > 1000 || strchr(s, '\n') != NULL)
                    return wf_error_set(
                        err, WF_EINVAL,
                        "\"sbatch_args\" item %zu must be an option (\"--qos=low\")", i + 1);
            }
        } else if (strcmp(key, "job_arrays") == 0) {
            /* Whether Cross Validate Model's folds and Tune Model
             * Hyperparameters' runs go to a job array (slurm_array.c). */
            if (!json_is_boolean(v))
                return wf_error_set(err, WF_EINVAL, "\"job_arrays\" must be true or false");
        } else if (strcmp(key, "workspace") == 0 || strcmp(key, "weft") == 0) {
            if (eng__check_path(v, key, err) < 0) return WF_EINVAL;
        } else if (strcmp(key, "retries") != 0) {
            return wf_error_set(err, WF_EINVAL,
                                "unknown setting \"%.60s\" (a Slurm target takes partition, "
                                "account, time_limit, cpus, memory_mb, sbatch_args, workspace, "
                                "weft, retries, max_jobs and job_arrays)",
                                key);
        }
    }
    return 0;
}
