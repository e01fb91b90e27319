-- Leads, the pipeline and its history, the activity timeline and score history.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A tenant's pipeline: ordered stages; 'won' and 'lost' kinds close a lead.
CREATE TABLE pipeline_stages (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key        text NOT NULL CHECK (key ~ '^[a-z0-9_]{1,40}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position   integer NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    PRIMARY KEY (tenant_id, key)
);
CALL enable_tenant_isolation('pipeline_stages');

CREATE TABLE leads (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    first_name      text,
    last_name       text,
    company         text,
    email           text CHECK (email = lower(email)),
    phone           text,
    source          text,
    external_id     text,
    postal_code     text,
    state           text,
    city            text,
    country         text,
    notes           text,
    attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
    owner_user_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    stage           text NOT NULL,
    outcome         text CHECK (outcome IN ('won', 'lost')),
    won_amount      numeric(14, 2),
    won_currency    char(3),
    lost_reason     text,
    outcome_at      timestamptz,
    score           jsonb,
    score_value     smallint,
    score_tier      text CHECK (score_tier IN ('hot', 'warm', 'cold')),
    score_status    text NOT NULL DEFAULT 'pending' CHECK (score_status IN ('pending', 'scored', 'failed')),
    score_error     text,
    scored_at       timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    deleted_at      timestamptz,
    search_text     text GENERATED ALWAYS AS (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(notes, ''))) STORED,
    search_vector   tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(notes, ''))) STORED
);
CALL enable_tenant_isolation('leads');
CREATE UNIQUE INDEX leads_email_unique ON leads (tenant_id, email) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE UNIQUE INDEX leads_phone_unique ON leads (tenant_id, phone) WHERE deleted_at IS NULL AND phone IS NOT NULL;
CREATE UNIQUE INDEX leads_external_id_unique ON leads (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX leads_recent ON leads (tenant_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX leads_stage ON leads (tenant_id, stage) WHERE deleted_at IS NULL;
CREATE INDEX leads_tier ON leads (tenant_id, score_tier) WHERE deleted_at IS NULL;
CREATE INDEX leads_owner ON leads (tenant_id, owner_user_id) WHERE deleted_at IS NULL;
CREATE INDEX leads_pending_score ON leads (tenant_id, updated_at) WHERE score_status = 'pending' AND deleted_at IS NULL;
CREATE INDEX leads_search_trgm ON leads USING gin (search_text gin_trgm_ops);
CREATE INDEX leads_search_fts ON leads USING gin (search_vector);

CREATE TABLE lead_stage_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id     uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    from_stage  text,
    to_stage    text NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL
);
CREATE INDEX lead_stage_history_lead ON lead_stage_history (tenant_id, lead_id, id);
CALL enable_tenant_isolation('lead_stage_history');

-- The timeline a salesperson reads: notes and everything that happened to the lead.
CREATE TABLE lead_activities (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id      uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    body         text,
    actor        text NOT NULL,
    data         jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at  timestamptz NOT NULL
);
CREATE INDEX lead_activities_lead ON lead_activities (tenant_id, lead_id, id DESC);
CALL enable_tenant_isolation('lead_activities');

CREATE TABLE lead_scores (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id      uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    value        smallint NOT NULL CHECK (value BETWEEN 0 AND 100),
    tier         text NOT NULL,
    probability  double precision,
    confidence   double precision NOT NULL,
    factors      jsonb NOT NULL,
    model        text NOT NULL,
    scored_at    timestamptz NOT NULL
);
CREATE INDEX lead_scores_lead ON lead_scores (tenant_id, lead_id, scored_at DESC);
CALL enable_tenant_isolation('lead_scores');
