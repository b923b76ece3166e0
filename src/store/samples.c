/*
 * samples.c: the sample datasets a new workspace starts with, as the Azure
 * designer's sample datasets do. The files come from Weka's data directory
 * (Debian's weka package) and the vega-datasets npm package; `make deps`
 * puts them in .cache/samples.
 */
#include "store_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const st_sample st__samples[] = {
    {"german-credit", "credit-g.arff",
     "Statlog German credit data: 1,000 loan applicants described by 20 attributes, classified "
     "as good or bad credit risks. Prof. Hans Hofmann, via the UCI Machine Learning Repository; "
     "from Weka's example data."},
    {"cpu-performance", "cpu.arff",
     "Relative CPU performance: published performance of 209 computer CPUs from machine cycle "
     "time, memory and channel figures. Ein-Dor and Feldmesser (1987), via the UCI Machine "
     "Learning Repository; from Weka's example data."},
    {"pima-diabetes", "diabetes.arff",
     "Pima Indians diabetes: diagnostic measurements of 768 women of Pima heritage and whether "
     "they tested positive for diabetes. National Institute of Diabetes and Digestive and Kidney "
     "Diseases, via the UCI Machine Learning Repository; from Weka's example data."},
    {"iris", "iris.arff",
     "Fisher's iris data (1936): sepal and petal measurements of 150 irises of three species. "
     "Via the UCI Machine Learning Repository; from Weka's example data."},
    {"soybean", "soybean.arff",
     "Large soybean disease database: 683 plants described by 35 categorical attributes, in 19 "
     "disease classes. Michalski and Chilausky (1980), via the UCI Machine Learning Repository; "
     "from Weka's example data."},
    {"unbalanced", "unbalanced.arff",
     "A two-class problem with a very rare positive class, for trying methods for unbalanced "
     "data. From Weka's example data."},
    {"ionosphere", "ionosphere.arff",
     "Johns Hopkins University ionosphere data: 351 radar returns from the ionosphere, good or "
     "bad. Sigillito et al. (1989), via the UCI Machine Learning Repository; from Weka's example "
     "data."},
    {"vote", "vote.arff",
     "1984 United States Congressional voting records: the votes of 435 representatives on 16 "
     "key issues, and their party. Via the UCI Machine Learning Repository; from Weka's example "
     "data."},
    {"cars", "cars.json",
     "Car specifications (1970-1982): mileage, cylinders, horsepower, weight, acceleration and "
     "origin of about 400 cars. From the vega-datasets package (originally StatLib, Carnegie "
     "Mellon University)."},
    {"flights-20k", "flights-20k.json",
     "20,000 US domestic flights of 2001: date, departure delay, distance, origin and "
     "destination. From the vega-datasets package (US Bureau of Transportation Statistics)."},
    {"airports", "airports.csv",
     "US airports: IATA code, name, city, state, country, latitude and longitude. From the "
     "vega-datasets package."},
    {"weather", "weather.csv",
     "Daily weather in Seattle and New York, 2012-2015: precipitation, temperatures, wind and "
     "the kind of weather. From the vega-datasets package (NOAA)."},
    {"seattle-weather", "seattle-weather.csv",
     "Daily weather in Seattle, 2012-2015: precipitation, temperatures, wind and the kind of "
     "weather. From the vega-datasets package (NOAA)."},
    {"penguins", "penguins.json",
     "Palmer Archipelago penguins: species, island, beak, flipper and body measurements and sex "
     "of 344 penguins. Gorman, Williams and Fraser (2014), Palmer Station LTER; from the "
     "vega-datasets package."},
};

const st_sample *st_samples(size_t *count)
{
    *count = sizeof st__samples / sizeof st__samples[0];
    return st__samples;
}

static bool st__is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *st_samples_dir(void)
{
    const char *env = getenv("WEFT_SAMPLES_DIR");
    if (env != NULL && env[0] != '\0') return wf_strdup(env);
    /* A binary in a build directory of the source tree finds the tree's
     * .cache, so tests and development runs need no setup. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            size_t len = strlen(exe) + sizeof "/../.cache/samples";
            char *dir = malloc(len);
            if (dir == NULL) return NULL;
            snprintf(dir, len, "%s/../.cache/samples", exe);
            if (st__is_dir(dir)) return dir;
            free(dir);
        }
    }
    return wf_strdup("/usr/share/weft/samples");
}

/* Registers one sample whose file exists. A file that cannot be read is a
 * warning, not a failure: one bad sample must not keep a workspace from
 * opening. Failures of the workspace itself are errors. Returns 1 when it
 * registered the sample, 0 when it only warned. */
static int st__register_sample(st_workspace *ws, const st_sample *s, const char *path,
                               wf_buf *warnings, wf_error *err)
{
    tbl_table *t = NULL;
    wf_error read_err = {0};
    if (tbl_read_file(path, NULL, &t, &read_err) < 0) {
        wf_buf_printf(warnings, "sample %s was not registered: %s\n", s->name, read_err.message);
        return 0;
    }
    char source[300];
    snprintf(source, sizeof source, "sample:%s", s->file);
    int rc = st_dataset_register(ws, s->name, t, s->description, source, NULL, err);
    tbl_free(t);
    return rc < 0 ? rc : 1;
}

int st_register_samples(st_workspace *ws, const char *dir, char **warnings, wf_error *err)
{
    if (warnings != NULL) *warnings = NULL;
    char *owned = NULL;
    if (dir == NULL) {
        owned = st_samples_dir();
        if (owned == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
        dir = owned;
    }
    wf_buf notes = {0};
    int registered = 0, rc = 0;
    size_t n;
    const st_sample *samples = st_samples(&n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const st_sample *s = &samples[i];
        st_dataset_version v;
        wf_error get_err = {0};
        rc = st_dataset_get(ws, s->name, &v, &get_err);
        if (rc == 0) { /* already there, perhaps archived: leave it */
            st_dataset_version_clear(&v);
            continue;
        }
        if (rc != WF_ENOTFOUND) {
            rc = wf_error_set(err, rc, "%s", get_err.message);
            break;
        }
        rc = 0;
        size_t len = strlen(dir) + strlen(s->file) + 2;
        char *path = malloc(len);
        if (path == NULL) {
            rc = wf_error_set(err, WF_ENOMEM, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, s->file);
        struct stat st;
        if (stat(path, &st) != 0) {
            wf_buf_printf(&notes, "sample %s was not registered: %s: %s\n", s->name, path,
                          strerror(errno));
        } else {
            int got = st__register_sample(ws, s, path, &notes, err);
            if (got < 0)
                rc = got;
            else
                registered += got;
        }
        free(path);
    }
    free(owned);
    if (rc == 0 && notes.failed) rc = wf_error_set(err, WF_ENOMEM, "out of memory");
    if (rc == 0 && warnings != NULL && notes.len > 0) {
        notes.data[notes.len - 1] = '\0'; /* no trailing newline */
        *warnings = notes.data;
    } else {
        wf_buf_free(&notes);
    }
    return rc < 0 ? rc : registered;
}
