/*
 * migrate.c: the workspace schema, as numbered migrations.
 *
 * Migration N is st__migrations[N - 1]. A migration is never edited once it
 * has shipped: workspaces in the field have already run it. To change the
 * schema, append a migration. Each one runs in its own transaction together
 * with the row that records it in schema_migrations, so a crash leaves the
 * schema at a whole version, never half-way through one.
 */
#include "store_int.h"

#include <stdio.h>

static const char *const st__migrations[] = {
    /* 1: artifacts and the dataset registry. */
    "CREATE TABLE artifacts ("
    "  digest TEXT PRIMARY KEY CHECK (length(digest) = 64),"
    "  kind TEXT NOT NULL," /* 'table' or 'blob' */
    "  size INTEGER NOT NULL CHECK (size >= 0),"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE datasets ("
    "  name TEXT PRIMARY KEY,"
    "  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE dataset_versions ("
    "  name TEXT NOT NULL REFERENCES datasets(name),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  digest TEXT NOT NULL REFERENCES artifacts(digest),"
    "  description TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT '',"
    "  rows INTEGER NOT NULL,"
    "  cols INTEGER NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  profile_json TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  PRIMARY KEY (name, version)"
    ") WITHOUT ROWID;",
    /* 2: finding what refers to an artifact (for garbage collection and
     * lineage) without scanning every version. */
    "CREATE INDEX dataset_versions_by_digest ON dataset_versions(digest);",
    /* 3: experiments, runs, their steps and the step cache. A run records
     * the process executing it (pid and start time) so that recovery after
     * a crash can tell a dead run from one another process is executing. */
    "CREATE TABLE experiments ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
    "  pipeline_name TEXT NOT NULL,"
    "  snapshot TEXT NOT NULL,"
    "  parameters TEXT NOT NULL DEFAULT '{}',"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('queued', 'running', 'completed', 'failed', 'canceled')),"
    "  error TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  started_at TEXT NOT NULL DEFAULT '',"
    "  finished_at TEXT NOT NULL DEFAULT '',"
    "  owner_pid INTEGER NOT NULL DEFAULT 0,"
    "  owner_start INTEGER NOT NULL DEFAULT 0,"
    "  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))"
    ");"
    "CREATE INDEX runs_by_experiment ON runs(experiment_id, id);"
    "CREATE INDEX runs_by_status ON runs(status);"
    "CREATE TABLE steps ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  node_id TEXT NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  module TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'reused',"
    "    'failed', 'canceled', 'skipped')),"
    "  cache_key TEXT NOT NULL DEFAULT '',"
    "  started_at TEXT NOT NULL DEFAULT '',"
    "  finished_at TEXT NOT NULL DEFAULT '',"
    "  elapsed_ms INTEGER NOT NULL DEFAULT -1,"
    "  outputs TEXT NOT NULL DEFAULT '{}',"
    "  log_path TEXT NOT NULL DEFAULT '',"
    "  error TEXT NOT NULL DEFAULT '',"
    "  signal INTEGER NOT NULL DEFAULT 0,"
    "  peak_rss_kb INTEGER NOT NULL DEFAULT 0,"
    "  reused_from_run INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (run_id, node_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE step_cache ("
    "  cache_key TEXT PRIMARY KEY CHECK (length(cache_key) = 64),"
    "  outputs TEXT NOT NULL,"
    "  run_id INTEGER NOT NULL,"
    "  node_id TEXT NOT NULL,"
    "  created_at TEXT NOT NULL"
    ") WITHOUT ROWID;",
    /* 4: pipeline drafts (edited in place, guarded by a revision number),
     * the model registry, and the events of finished runs, kept so that a
     * client connecting after a run ended still gets its whole history. A
     * model keeps its lineage (the dataset versions of the run's snapshot)
     * as JSON, fixed when it is registered. */
    "CREATE TABLE drafts ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  document TEXT NOT NULL,"
    "  revision INTEGER NOT NULL CHECK (revision >= 1),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE TABLE models ("
    "  name TEXT NOT NULL,"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  description TEXT NOT NULL DEFAULT '',"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  node_id TEXT NOT NULL,"
    "  port TEXT NOT NULL,"
    "  digest TEXT NOT NULL REFERENCES artifacts(digest),"
    "  kind TEXT NOT NULL,"
    "  lineage TEXT NOT NULL DEFAULT '[]',"
    "  created_at TEXT NOT NULL,"
    "  PRIMARY KEY (name, version)"
    ") WITHOUT ROWID;"
    "CREATE INDEX models_by_digest ON models(digest);"
    "CREATE INDEX models_by_run ON models(run_id);"
    "CREATE TABLE run_events ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  kind TEXT NOT NULL,"
    "  data TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, seq)"
    ") WITHOUT ROWID;",
    /* 5: production and scale-out. Published pipelines and their immutable
     * versions (one is the default); runs remember the published pipeline
     * they were submitted through. Real-time endpoints hold their inference
     * pipeline and two keys, stored as SHA-256 digests (keys are 256 random
     * bits, so a fast hash is enough). Compute targets (local, slurm) with
     * their settings as JSON; runs remember their target, steps their
     * scheduler job. */
    "CREATE TABLE published_pipelines ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  default_version INTEGER NOT NULL DEFAULT 1 CHECK (default_version >= 1),"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE published_versions ("
    "  pipeline_id INTEGER NOT NULL REFERENCES published_pipelines(id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  document TEXT NOT NULL,"
    "  source TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  PRIMARY KEY (pipeline_id, version)"
    ") WITHOUT ROWID;"
    "ALTER TABLE runs ADD COLUMN published_id INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN published_version INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE endpoints ("
    "  name TEXT PRIMARY KEY,"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  document TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('deploying', 'healthy', 'failed')),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  primary_key_sha256 TEXT NOT NULL CHECK (length(primary_key_sha256) = 64),"
    "  secondary_key_sha256 TEXT NOT NULL CHECK (length(secondary_key_sha256) = 64),"
    "  source TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE compute_targets ("
    "  name TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('local', 'slurm')),"
    "  config TEXT NOT NULL DEFAULT '{}',"
    "  created_at TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "ALTER TABLE runs ADD COLUMN compute TEXT NOT NULL DEFAULT 'local';"
    "ALTER TABLE steps ADD COLUMN job_id TEXT NOT NULL DEFAULT '';",
    /* 6: who started a run: the account of the process that created it (the
     * CLI's user, or the server's for runs submitted over the API, whose
     * single workspace token names nobody). */
    "ALTER TABLE runs ADD COLUMN created_by TEXT NOT NULL DEFAULT '';",
    /* 7: scheduler jobs left behind: when a run is found interrupted (the
     * process that ran it died), the jobs of its unfinished steps are kept
     * here until someone has cancelled them (engine/orphans.c). */
    "CREATE TABLE orphan_jobs ("
    "  job_id TEXT PRIMARY KEY,"
    "  run_id INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL"
    ") WITHOUT ROWID;",
    /* 8: a published pipeline can be disabled (Azure's Disable): it refuses
     * new runs and keeps its versions and past runs, until enabled again. */
    ("ALTER TABLE published_pipelines ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0"
     "  CHECK (disabled IN (0, 1));"),
};

#define ST__MIGRATION_COUNT ((int)(sizeof st__migrations / sizeof st__migrations[0]))

int st__migration_count(void)
{
    return ST__MIGRATION_COUNT;
}

static int st__current_version(st_workspace *ws, int *version, wf_error *err)
{
    sqlite3_stmt *stmt;
    int rc = st__prepare(ws, "SELECT coalesce(max(version), 0) FROM schema_migrations", &stmt, err);
    if (rc < 0) return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *version = sqlite3_column_int(stmt, 0);
    else
        rc = st__sql_error(ws, err, "reading the schema version");
    sqlite3_finalize(stmt);
    return rc;
}

/* Applies migration `version` inside an open transaction. */
static int st__apply(st_workspace *ws, int version, wf_error *err)
{
    if (st__fault("migrate"))
        return wf_error_set(err, WF_ESTORE, "migration %d: injected fault", version);
    int rc = st__exec(ws, st__migrations[version - 1], err);
    if (rc < 0) {
        if (err != NULL) wf_error_prefix(err, "migration %d", version);
        return rc;
    }
    char now[32];
    st__now(now);
    sqlite3_stmt *stmt;
    rc = st__prepare(ws, "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int(stmt, 1, version);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
    rc = st__step_done(ws, stmt, "migrate", "recording a migration", err);
    sqlite3_finalize(stmt);
    return rc;
}

int st__migrate(st_workspace *ws, wf_error *err)
{
    int rc = st__exec(ws,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "  version INTEGER PRIMARY KEY,"
                      "  applied_at TEXT NOT NULL"
                      ")",
                      err);
    if (rc < 0) return rc;
    for (;;) {
        /* Read the version under the write lock: another process may be
         * opening the same workspace and migrating at this moment. */
        int version = 0;
        if ((rc = st__begin(ws, err)) < 0) return rc;
        if ((rc = st__current_version(ws, &version, err)) < 0) goto fail;
        if (version > ST__MIGRATION_COUNT) {
            rc = wf_error_set(err, WF_ESTORE,
                              "the workspace schema is at version %d, newer than this weft "
                              "knows (%d); use a newer weft",
                              version, ST__MIGRATION_COUNT);
            goto fail;
        }
        if (version == ST__MIGRATION_COUNT) {
            st__rollback(ws); /* nothing to do: release the lock */
            ws->version = version;
            return 0;
        }
        if ((rc = st__apply(ws, version + 1, err)) < 0) goto fail;
        if ((rc = st__commit(ws, err)) < 0) goto fail;
    }
fail:
    st__rollback(ws);
    return rc;
}
