/*
 * pipeline_int.h: what pipeline.c, validate.c and schema.c share and nobody
 * else needs: issue lists, {"$param": name} references, parameter
 * visibility, the partial topological order and the schema propagation that
 * validation drives with its own options.
 */
#ifndef WEFT_ENGINE_PIPELINE_INT_H
#define WEFT_ENGINE_PIPELINE_INT_H

#include "engine.h"

#include <jansson.h>

/* ---- issues ------------------------------------------------------------ */

/* Appends an issue (node and field may be NULL, meaning ""). Returns 0 or
 * WF_ENOMEM. */
int eng__issue_add(eng_issues *issues, const char *node, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether issues already hold one for this node and (non-empty) field, or
 * one with exactly this node, field and message. Later stages (schema
 * propagation, a module's configure) use it so that one mistake is not
 * reported twice in two wordings. */
bool eng__issue_known(const eng_issues *issues, const char *node, const char *field,
                      const char *message);

/* ---- parameters -------------------------------------------------------- */

/* Classifies a parameter value: 1 when it is a well-formed reference
 * {"$param": "name"} (*name is set), 0 when it is an ordinary value, -1 when
 * it is an object with a "$param" key that is malformed (not a string, or
 * other keys beside it). */
int eng__param_ref(const json_t *value, const char **name);

/* The module parameter's default as a new JSON reference, or NULL when it has
 * none (or the module's default text is not JSON, which is a module bug the
 * module tests catch). */
json_t *eng__param_default(const mod_param *mp);

/* Index of a pipeline parameter by name, or -1. */
int eng__pipeline_param_index(const eng_pipeline *p, const char *name);

/* The value of pipeline parameter `name`: its binding, else its default.
 * NULL with err set when it is not declared or has neither (the message
 * reads after a parameter's name: "refers to ...", "uses ..."). */
const json_t *eng__lookup_param(const eng_pipeline *p, const char *name, const json_t *bindings,
                                wf_error *err);

/* Node i's parameters with defaults filled and references resolved, as
 * eng_node_params. With `tolerant`, a reference that does not resolve is
 * left out instead of failing, so validation can go on checking the rest.
 * On failure *bad_field (if given) names the parameter. */
json_t *eng__resolve_params(const eng_pipeline *p, size_t i, const json_t *bindings, bool tolerant,
                            const char **bad_field, wf_error *err);

/* Whether a parameter is shown, given the node's resolved parameters: its
 * visible_when ("param=value" or "param=v1|v2") holds, or it has none. */
bool eng__param_visible(const mod_param *mp, const json_t *resolved);

/* Replaces every byte of s that is not part of valid UTF-8 with '?'. Every
 * string in a parsed document is valid UTF-8, but cutting one to fit a
 * message can split a character, and a JSON syntax error quotes raw input;
 * messages are sent on as JSON, which must be valid. */
void eng__utf8_scrub(char *s);

/* A short rendering of a JSON value for messages ("abc", 1.5, an object). */
void eng__value_text(const json_t *v, char *buf, size_t cap);

/* Checks node n's "compute" members (compute.c, #12): a target name, and
 * retries from 0 to 10. Adds issues on field "compute"; 0 or WF_ENOMEM. */
int eng__check_node_compute(const eng_node *n, eng_issues *issues);

/* ---- graph ------------------------------------------------------------- */

/* True for dataset@N nodes: they take no inputs. */
bool eng__is_dataset(const mod_descriptor *m);

/* The edges as node indices, resolved once (ids are looked up through a
 * sorted index, so big documents stay fast), and every node's successors in
 * edge order. */
typedef struct eng__graph {
    size_t nnodes, nedges;
    int *from, *to;  /* per edge: node index, or -1 when there is no such node */
    size_t *succ_at; /* successors of node i: succ[succ_at[i] .. succ_at[i + 1]) */
    size_t *succ;    /* node indices, in edge order; only edges between existing nodes */
} eng__graph;

/* 0 or WF_ENOMEM (g is then empty). Free with eng__graph_free. */
int eng__graph_build(const eng_pipeline *p, eng__graph *g);
void eng__graph_free(eng__graph *g);

/* The nodes that can be ordered: Kahn's algorithm, taking ready nodes in
 * document order so the order is stable. Nodes on a cycle, or downstream of
 * one, are left out: *count < p->nnodes then. Only edges between existing
 * nodes count. Caller frees *order. 0 or WF_ENOMEM. */
int eng__partial_order(const eng_pipeline *p, size_t **order, size_t *count, wf_error *err);

/* Reports every cycle as issues: each node on a cycle gets one, naming the
 * whole cycle ("a" -> "b" -> "a"). When `first` is given it also receives the
 * first cycle's description (for eng_topological_order's error). Returns the
 * number of cycles found, or WF_ENOMEM. */
int eng__report_cycles(const eng_pipeline *p, eng_issues *issues, char *first, size_t cap);

/* ---- schema propagation ------------------------------------------------ */

typedef struct eng__propagate_opts {
    /* Nodes whose configure is not called (validation already found their
     * parameters wrong, so configure would only repeat it); may be NULL. */
    const bool *skip_configure;
    /* Report cycles and unresolved references too (validation reports those
     * itself). */
    bool report_graph;
} eng__propagate_opts;

/* eng_propagate_schemas with options: *schemas has a row for every node of
 * a known module (NULL rows for unknown modules); a schema is NULL when
 * unknown. Fails only on OOM. */
int eng__propagate(const eng_pipeline *p, const json_t *bindings, const eng_env *env,
                   const eng__propagate_opts *opts, tbl_table ****schemas, eng_issues *issues,
                   wf_error *err);

#endif
