-- Scoring settings, trained models, training runs and CSV imports.

CREATE TABLE scoring_settings (
    tenant_id       uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    rule_set        jsonb,
    hot_threshold   double precision,
    warm_threshold  double precision,
    ai_enabled      boolean NOT NULL DEFAULT false,
    routing         jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CALL enable_tenant_isolation('scoring_settings');

-- Every training run: promoted models serve, others say why they do not.
CREATE TABLE scoring_models (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version      integer,
    status       text NOT NULL CHECK (status IN ('training', 'serving', 'retired', 'rejected', 'failed', 'not_enough_data')),
    reason       text,
    samples      integer,
    auc          double precision,
    report       jsonb,
    blob_name    text,
    requested_at timestamptz NOT NULL,
    trained_at   timestamptz,
    UNIQUE (tenant_id, version)
);
CREATE UNIQUE INDEX scoring_models_serving ON scoring_models (tenant_id) WHERE status = 'serving';
CALL enable_tenant_isolation('scoring_models');

CREATE TABLE lead_imports (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    status              text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    blob_name           text NOT NULL,
    external_id_column  text,
    outcome_column      text,
    total               integer NOT NULL DEFAULT 0,
    processed           integer NOT NULL DEFAULT 0,
    failed              integer NOT NULL DEFAULT 0,
    created             integer NOT NULL DEFAULT 0,
    updated             integer NOT NULL DEFAULT 0,
    errors              jsonb NOT NULL DEFAULT '[]'::jsonb,
    error               text,
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL,
    completed_at        timestamptz
);
CALL enable_tenant_isolation('lead_imports');
