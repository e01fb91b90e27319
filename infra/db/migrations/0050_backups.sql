-- Forward-only. Backups: what was taken, what was verified (with the measured restore time), what was restored.
-- Platform tables: they describe the whole database, so they have no tenant_id and no row-level security.

CREATE TABLE backup_runs (
    backup_id         text PRIMARY KEY,
    requested_by      text NOT NULL,
    status            text NOT NULL CHECK (status IN ('succeeded', 'failed')),
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz NOT NULL,
    key_id            text,
    schema_version    text,
    table_count       integer,
    row_count         bigint,
    plaintext_bytes   bigint,
    ciphertext_bytes  bigint,
    error             text
);
CREATE INDEX backup_runs_started_at ON backup_runs (started_at DESC);

CREATE TABLE backup_verifications (
    id              uuid PRIMARY KEY,
    backup_id       text,
    succeeded       boolean NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    restore_ms      double precision NOT NULL,
    verify_ms       double precision NOT NULL,
    tables_checked  integer NOT NULL,
    rows_checked    bigint NOT NULL,
    problems        jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX backup_verifications_finished_at ON backup_verifications (finished_at DESC);

-- One row per restore orchestration (id = its instance id); the restore activity keeps the progress current.
CREATE TABLE backup_restores (
    id               text PRIMARY KEY,
    backup_id        text NOT NULL,
    target_database  text NOT NULL,
    requested_by     text NOT NULL,
    status           text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    tables_total     integer NOT NULL DEFAULT 0,
    tables_done      integer NOT NULL DEFAULT 0,
    rows_total       bigint NOT NULL DEFAULT 0,
    rows_restored    bigint NOT NULL DEFAULT 0,
    current_table    text,
    started_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    error            text
);

-- The application records history; it never rewrites or deletes it.
REVOKE UPDATE, DELETE ON backup_runs, backup_verifications FROM $AppRole$;
REVOKE DELETE ON backup_restores FROM $AppRole$;
