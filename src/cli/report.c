/*
 * report.c: evaluation reports for people. `weft output` prints one when a
 * report port is asked for, and `weft run` prints every report its run
 * made, so a training pipeline ends with its metrics on the terminal.
 */
#include "cli.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A metric, or "-" when the report has null (undefined). */
static void cli__metric(FILE *f, const char *label, const json_t *metrics, const char *key)
{
    const json_t *v = json_object_get(metrics, key);
    if (v == NULL) return;
    if (json_is_integer(v))
        fprintf(f, "  %-34s %lld\n", label, (long long)json_integer_value(v));
    else if (json_is_number(v))
        fprintf(f, "  %-34s %.6g\n", label, json_number_value(v));
    else
        fprintf(f, "  %-34s -\n", label);
}

static void cli__report_model(FILE *f, const char *task, const json_t *m)
{
    const json_t *metrics = json_object_get(m, "metrics");
    cli__metric(f, "Rows", metrics, "rows");
    if (strcmp(task, "regression") == 0) {
        cli__metric(f, "Mean Absolute Error", metrics, "mean_absolute_error");
        cli__metric(f, "Root Mean Squared Error", metrics, "root_mean_squared_error");
        cli__metric(f, "Relative Absolute Error", metrics, "relative_absolute_error");
        cli__metric(f, "Relative Squared Error", metrics, "relative_squared_error");
        cli__metric(f, "Coefficient of Determination", metrics, "coefficient_of_determination");
    } else if (strcmp(task, "binary") == 0) {
        fprintf(f, "  %-34s %s\n", "Positive class",
                json_string_value(json_object_get(m, "positive_class")));
        cli__metric(f, "Accuracy", metrics, "accuracy");
        cli__metric(f, "Precision", metrics, "precision");
        cli__metric(f, "Recall", metrics, "recall");
        cli__metric(f, "F1 Score", metrics, "f1_score");
        cli__metric(f, "AUC", metrics, "auc");
        cli__metric(f, "Log Loss", metrics, "log_loss");
        const json_t *c = json_object_get(m, "confusion_matrix");
        fprintf(f, "  confusion at threshold 0.5:        TP %lld  FP %lld  TN %lld  FN %lld\n",
                (long long)json_integer_value(json_object_get(c, "true_positives")),
                (long long)json_integer_value(json_object_get(c, "false_positives")),
                (long long)json_integer_value(json_object_get(c, "true_negatives")),
                (long long)json_integer_value(json_object_get(c, "false_negatives")));
    } else if (strcmp(task, "multiclass") == 0) {
        cli__metric(f, "Overall Accuracy", metrics, "overall_accuracy");
        cli__metric(f, "Average Accuracy", metrics, "average_accuracy");
        cli__metric(f, "Micro-averaged Precision", metrics, "micro_precision");
        cli__metric(f, "Macro-averaged Precision", metrics, "macro_precision");
        cli__metric(f, "Micro-averaged Recall", metrics, "micro_recall");
        cli__metric(f, "Macro-averaged Recall", metrics, "macro_recall");
        cli__metric(f, "Log Loss", metrics, "log_loss");
    } else {
        cli__metric(f, "Points", metrics, "count");
        cli__metric(f, "Average Distance to Cluster Center", metrics,
                    "average_distance_to_cluster_center");
        cli__metric(f, "Average Distance to Other Centers", metrics,
                    "average_distance_to_other_centers");
        cli__metric(f, "Maximal Distance to Cluster Center", metrics,
                    "maximal_distance_to_cluster_center");
        fprintf(f, "  clusters: %zu\n", json_array_size(json_object_get(m, "clusters")));
    }
}

bool cli_print_report(FILE *f, const json_t *report)
{
    const char *kind = json_string_value(json_object_get(report, "kind"));
    const char *which = json_string_value(json_object_get(report, "report"));
    const char *task = json_string_value(json_object_get(report, "task"));
    if (kind == NULL || strcmp(kind, "report") != 0 || which == NULL ||
        strcmp(which, "evaluation") != 0 || task == NULL)
        return false;
    const char *label = json_string_value(json_object_get(report, "label"));
    fprintf(f, "Evaluation (%s%s%s)\n", task, label ? ", label " : "", label ? label : "");
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(report, "models"), i, m)
    {
        if (json_array_size(json_object_get(report, "models")) > 1)
            fprintf(f, " %s:\n", json_string_value(json_object_get(m, "input")));
        cli__report_model(f, task, m);
    }
    return true;
}
