/*
 * endpoint_openapi.c: what an endpoint says about itself: its input and
 * output schemas as JSON, and its own OpenAPI document
 * (GET /endpoints/{name}/openapi.json), which describes the three scoring
 * routes with the input columns as a JSON Schema, so that client
 * generators and people know what to send.
 */
#include "endpoints_int.h"

#include <stdio.h>
#include <string.h>

json_t *srv__schema_json(const tbl_table *t)
{
    if (t == NULL) return json_null();
    json_t *cols = json_array();
    for (size_t j = 0; cols != NULL && j < t->ncols; j++) {
        const tbl_column *c = &t->cols[j];
        json_t *col = json_pack("{s:s, s:s}", "name", c->name, "type", tbl_type_name(c->type));
        if (col != NULL && c->role != TBL_ROLE_FEATURE)
            json_object_set_new(col, "role", json_string(tbl_role_name(c->role)));
        if (col != NULL && c->type == TBL_CATEGORICAL) {
            json_t *levels = json_array();
            for (size_t l = 0; levels != NULL && l < c->levels.count; l++) {
                size_t len;
                const char *s = tbl_strings_at(&c->levels, l, &len);
                json_array_append_new(levels, json_stringn(s, len));
            }
            json_object_set_new(col, "levels", levels);
        }
        if (col == NULL || json_array_append_new(cols, col) < 0) {
            json_decref(cols);
            return NULL;
        }
    }
    return json_pack("{s:o}", "columns", cols);
}

/* The JSON Schema of one value of column c. */
static json_t *srv__value_schema(const tbl_column *c)
{
    json_t *s;
    switch (c->type) {
    case TBL_NUMERIC:
        s = json_pack("{s:s}", "type", "number");
        break;
    case TBL_INTEGER:
        s = json_pack("{s:s, s:s}", "type", "integer", "format", "int64");
        break;
    case TBL_BOOLEAN:
        s = json_pack("{s:s}", "type", "boolean");
        break;
    case TBL_DATETIME:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "date-time");
        break;
    default:
        s = json_pack("{s:s}", "type", "string");
        break;
    }
    if (s != NULL && c->type == TBL_CATEGORICAL && c->levels.count > 0) {
        json_t *levels = json_array();
        for (size_t l = 0; levels != NULL && l < c->levels.count; l++) {
            size_t len;
            const char *v = tbl_strings_at(&c->levels, l, &len);
            json_array_append_new(levels, json_stringn(v, len));
        }
        json_object_set_new(s, "example", json_incref(json_array_get(levels, 0)));
        json_object_set_new(s, "x-levels", levels);
    }
    if (s != NULL) json_object_set_new(s, "nullable", json_true());
    return s;
}

/* A row of t as a JSON Schema object. */
static json_t *srv__row_schema(const tbl_table *t)
{
    json_t *props = json_object(), *required = json_array();
    for (size_t j = 0; t != NULL && j < t->ncols; j++) {
        json_object_set_new(props, t->cols[j].name, srv__value_schema(&t->cols[j]));
        json_array_append_new(required, json_string(t->cols[j].name));
    }
    return json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props, "required",
                     required);
}

json_t *srv__endpoint_openapi(const srv__deployment *d, const char *base_url)
{
    const tbl_table *in = d->plan ? eng_scoring_input_schema(d->plan) : NULL;
    const tbl_table *out = d->plan ? eng_scoring_output_schema(d->plan) : NULL;
    char version[16];
    snprintf(version, sizeof version, "%d", d->version);
    json_t *rows_in = json_pack("{s:s, s:o}", "type", "array", "items", srv__row_schema(in));
    json_t *rows_out = json_pack("{s:s, s:o}", "type", "array", "items",
                                 out ? srv__row_schema(out) : json_pack("{s:s}", "type", "object"));
    json_t *native_req = json_pack(
        "{s:s, s:[s], s:{s:{s:s, s:[s], s:{s:O}}, s:{s:s}}}", "type", "object", "required",
        "Inputs", "properties", "Inputs", "type", "object", "required", SRV__NATIVE_INPUT,
        "properties", SRV__NATIVE_INPUT, rows_in, "GlobalParameters", "type", "object");
    json_t *native_res =
        json_pack("{s:s, s:{s:{s:s, s:{s:O}}}}", "type", "object", "properties", "Results", "type",
                  "object", "properties", SRV__NATIVE_OUTPUT, rows_out);
    json_t *mlflow_req = json_pack("{s:s, s:{s:O, s:O, s:{s:s}}}", "type", "object", "properties",
                                   "dataframe_records", rows_in, "instances", rows_in,
                                   "dataframe_split", "type", "object");
    json_t *mlflow_res =
        json_pack("{s:s, s:{s:O}}", "type", "object", "properties", "predictions", rows_out);
    char score[300], invocations[300], infer[300];
    snprintf(score, sizeof score, "/endpoints/%s/score", d->name);
    snprintf(invocations, sizeof invocations, "/endpoints/%s/invocations", d->name);
    snprintf(infer, sizeof infer, "/v2/models/%s/infer", d->name);
    json_t *paths = json_pack(
        "{s:{s:{s:s, s:s, s:{s:b, s:{s:{s:o}}}, s:{s:{s:s, s:{s:{s:o}}}}}},"
        " s:{s:{s:s, s:s, s:{s:b, s:{s:{s:o}}}, s:{s:{s:s, s:{s:{s:o}}}}}},"
        " s:{s:{s:s, s:s, s:{s:b, s:{s:{s:{s:s}}}}, s:{s:{s:s}}}}}",
        score, "post", "summary", "Score rows (Azure designer format)", "operationId", "score",
        "requestBody", "required", 1, "content", "application/json", "schema", native_req,
        "responses", "200", "description", "The rows with their scores", "content",
        "application/json", "schema", native_res, invocations, "post", "summary",
        "Score rows (MLflow format)", "operationId", "invocations", "requestBody", "required", 1,
        "content", "application/json", "schema", mlflow_req, "responses", "200", "description",
        "The predictions", "content", "application/json", "schema", mlflow_res, infer, "post",
        "summary", "Score rows (Open Inference Protocol v2, one tensor per column)", "operationId",
        "infer", "requestBody", "required", 1, "content", "application/json", "schema", "type",
        "object", "responses", "200", "description", "One tensor per column");
    json_decref(rows_in);
    json_decref(rows_out);
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:[{s:[]}], s:{s:{s:{s:s, s:s, s:s}}}}", "openapi", "3.0.3",
        "info", "title", d->name, "version", version, "description",
        "A weft real-time endpoint. Send \"Authorization: Bearer <key>\" with the endpoint's "
        "primary or secondary key.",
        "paths", paths, "security", "endpointKey", "components", "securitySchemes", "endpointKey",
        "type", "http", "scheme", "bearer", "description", "The endpoint key");
    if (doc != NULL && base_url != NULL)
        json_object_set_new(doc, "servers", json_pack("[{s:s}]", "url", base_url));
    return doc;
}
