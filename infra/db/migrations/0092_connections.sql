-- Connections of a client business to external systems (issue #20: SAM.gov; later the back-office connectors of
-- issue #14): the kind, non-secret settings, credentials stored encrypted (ConnectionSecretProtector, bound to tenant
-- and connection), a schedule, and what the last sync did. Each sync is a durable orchestration with a row here.
CREATE TABLE connections (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind                    text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{1,39}$'),
    name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    settings                jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    credentials_ciphertext  bytea NOT NULL,
    schedule                text NOT NULL CHECK (schedule IN ('hourly', 'daily', 'manual')),
    enabled                 boolean NOT NULL DEFAULT true,
    health                  text NOT NULL DEFAULT 'new' CHECK (health IN ('new', 'ok', 'error', 'broken')),
    sync_cursor             text,
    next_sync_at            timestamptz,
    last_sync_at            timestamptz,
    last_success_at         timestamptz,
    items_seen              bigint NOT NULL DEFAULT 0,
    leads_created           bigint NOT NULL DEFAULT 0,
    leads_updated           bigint NOT NULL DEFAULT 0,
    items_skipped           bigint NOT NULL DEFAULT 0,
    items_failed            bigint NOT NULL DEFAULT 0,
    last_error              text,
    last_error_kind         text,
    last_error_at           timestamptz,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL
);
CREATE INDEX connections_tenant_newest ON connections (tenant_id, id DESC);
CREATE INDEX connections_due ON connections (next_sync_at) WHERE enabled AND schedule <> 'manual' AND health <> 'broken';
CALL enable_tenant_isolation('connections');

CREATE TABLE connection_syncs (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id   uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    trigger         text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    status          text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    pages           integer NOT NULL DEFAULT 0,
    items_seen      integer NOT NULL DEFAULT 0,
    leads_created   integer NOT NULL DEFAULT 0,
    leads_updated   integer NOT NULL DEFAULT 0,
    items_skipped   integer NOT NULL DEFAULT 0,
    items_failed    integer NOT NULL DEFAULT 0,
    retries         integer NOT NULL DEFAULT 0,
    waiting_until   timestamptz,
    cursor_after    text,
    error           text,
    error_kind      text,
    created_at      timestamptz NOT NULL,
    started_at      timestamptz,
    finished_at     timestamptz
);
-- One sync at a time per connection: a second start finds the running one.
CREATE UNIQUE INDEX connection_syncs_one_active ON connection_syncs (connection_id) WHERE status IN ('pending', 'running');
CREATE INDEX connection_syncs_newest ON connection_syncs (tenant_id, connection_id, id DESC);
CALL enable_tenant_isolation('connection_syncs');

-- Which lead an external record became, per source: a record seen again updates its lead instead of making another.
CREATE TABLE lead_source_links (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source          text NOT NULL CHECK (length(source) BETWEEN 1 AND 40),
    external_id     text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    lead_id         uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    connection_id   uuid REFERENCES connections (id) ON DELETE SET NULL,
    status          text,
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, source, external_id)
);
CREATE INDEX lead_source_links_lead ON lead_source_links (tenant_id, lead_id);
CALL enable_tenant_isolation('lead_source_links');

-- Documents a source attached to a lead (a notice's resourceLinks) and what became of each.
CREATE TABLE lead_source_attachments (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id         uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    source          text NOT NULL,
    url             text NOT NULL CHECK (length(url) <= 2000),
    status          text NOT NULL CHECK (status IN ('pending', 'analyzing', 'skipped', 'failed')),
    reason          text,
    file_name       text,
    rfp_id          uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, lead_id, url)
);
CALL enable_tenant_isolation('lead_source_attachments');


-- The scheduler asks which connections are due across tenants (connections_due); only the owner role reads here.
CREATE POLICY connections_scheduler_read ON connections FOR SELECT TO CURRENT_USER USING (true);
