/*
 * record.h: what the executor writes to the workspace database for a step
 * that completed (record.c). A step opens the workspace for its artifact
 * files only (st_open_files), since it may run on a host that cannot share
 * the database (a Slurm node); the executor, which holds the database,
 * records what the step reported:
 *
 * - each output artifact (st_artifact_record);
 * - each table the step asked to register as a dataset version, reported
 *   as {"register": "name", "digest": "ab…", "description": "…"}
 *   (Export Data), registered with the run and node as its source.
 */
#ifndef WEFT_ENGINE_RECORD_H
#define WEFT_ENGINE_RECORD_H

#include "modules/modules.h"
#include "store/store.h"

#include <jansson.h>

/* Records outputs[k] (the digest of output port k, module m's order) for
 * every port; 0 or a negative code with err set. */
int eng__record_outputs(st_workspace *ws, const mod_descriptor *m, char *const *outputs,
                        wf_error *err);

/* Whether a report line is a registration request, and if so appends it
 * (a new reference) to *pending, creating the array. False for other lines;
 * a malformed request is kept as it is, to fail the step when registered. */
bool eng__note_registration(const json_t *msg, json_t **pending);

/* Registers each pending request (in order) as the next version of its
 * dataset, with source "run:RUN/NODE". `said` gets one line per version for
 * the step's log ("registered 150 rows, 5 columns as dataset iris@3"); it
 * may be NULL. 0, or the first failure in err (nothing after it is
 * registered). */
int eng__register_datasets(st_workspace *ws, const json_t *pending, int64_t run_id,
                           const char *node, void (*said)(void *user, const char *line), void *user,
                           wf_error *err);

#endif
