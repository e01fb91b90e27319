-- Outgoing webhooks: endpoints, the transactional outbox of events, deliveries per (message, endpoint) and the
-- attempt log. Forward-only. Every table is tenant-owned and isolated by row-level security.

-- A tenant's overrides of the retry schedule; no row means the defaults of WebhookRetryOptions.
CREATE TABLE webhook_settings (
    tenant_id             uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    retry_delays_seconds  integer[] CHECK (retry_delays_seconds IS NULL OR cardinality(retry_delays_seconds) BETWEEN 1 AND 20),
    max_attempts          integer CHECK (max_attempts IS NULL OR max_attempts BETWEEN 1 AND 20),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CALL enable_tenant_isolation('webhook_settings');

-- Where a tenant wants its events. Signing secrets are stored encrypted (AES-256-GCM, key from the
-- Webhooks:SecretEncryptionKey setting, bound to tenant and endpoint); during a rotation the previous secret
-- stays valid until previous_secret_expires_at and both signatures are sent.
CREATE TABLE webhook_endpoints (
    id                          uuid PRIMARY KEY,
    tenant_id                   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url                         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description                 text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    event_types                 text[] NOT NULL DEFAULT '{}',
    enabled                     boolean NOT NULL DEFAULT true,
    disabled_reason             text CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
    disabled_at                 timestamptz,
    custom_headers              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(custom_headers) = 'object'),
    rate_limit_per_second       integer CHECK (rate_limit_per_second > 0),
    secret_ciphertext           bytea NOT NULL,
    previous_secret_ciphertext  bytea,
    previous_secret_expires_at  timestamptz,
    -- The first failed attempt since the last success: an endpoint failing for long enough is disabled.
    failing_since               timestamptz,
    rate_window_started_at      timestamptz,
    rate_window_count           integer NOT NULL DEFAULT 0,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CHECK (enabled = (disabled_reason IS NULL))
);
CALL enable_tenant_isolation('webhook_endpoints');

-- The outbox: one row per event, inserted in the same transaction as the change that caused it. The body sent
-- is the envelope { id, type, tenantId, occurredAt, data = payload }. Events never change after insertion.
CREATE TABLE webhook_messages (
    id                    text PRIMARY KEY CHECK (id ~ '^msg_[0-9a-f]{32}$'),
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_type            text NOT NULL CHECK (event_type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    occurred_at           timestamptz NOT NULL,
    payload               jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    -- Test events go to one endpoint only, whatever its event-type filter.
    target_endpoint_id    uuid,
    created_at            timestamptz NOT NULL DEFAULT now(),
    dispatched_at         timestamptz,
    dispatch_lease_until  timestamptz,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, target_endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_messages_undispatched ON webhook_messages (created_at) WHERE dispatched_at IS NULL;
CALL enable_tenant_isolation('webhook_messages');

-- One message to one endpoint. round changes whenever a new orchestration takes the delivery over (resend,
-- recovery, rescue of a stalled one): an orchestration of an older round stops at its next step.
-- series_attempts counts the attempts of the current retry schedule (a resend starts a new one).
CREATE TABLE webhook_deliveries (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    message_id            text NOT NULL,
    endpoint_id           uuid NOT NULL,
    status                text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    round                 integer NOT NULL DEFAULT 1 CHECK (round >= 1),
    attempts              integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    series_attempts       integer NOT NULL DEFAULT 0 CHECK (series_attempts >= 0),
    next_attempt_at       timestamptz,
    last_attempt_at       timestamptz,
    last_status_code      integer,
    last_error            text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (message_id, endpoint_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES webhook_messages (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, message_id);
CREATE INDEX webhook_deliveries_endpoint_failed ON webhook_deliveries (endpoint_id, last_attempt_at) WHERE status = 'failed';
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CALL enable_tenant_isolation('webhook_deliveries');

-- Every attempt, as it happened: an append-only log. (round, round_attempt) is the orchestration's own count,
-- which makes recording an attempt idempotent when an activity runs twice.
CREATE TABLE webhook_attempts (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    delivery_id       uuid NOT NULL,
    attempt_number    integer NOT NULL CHECK (attempt_number >= 1),
    round             integer NOT NULL CHECK (round >= 1),
    round_attempt     integer NOT NULL CHECK (round_attempt >= 1),
    message_id        text NOT NULL,
    endpoint_id       uuid NOT NULL,
    attempted_at      timestamptz NOT NULL,
    succeeded         boolean NOT NULL,
    status_code       integer,
    duration_ms       integer NOT NULL CHECK (duration_ms >= 0),
    response_body     text CHECK (octet_length(response_body) <= 1024),
    error             text CHECK (length(error) <= 1000),
    UNIQUE (delivery_id, attempt_number),
    UNIQUE (delivery_id, round, round_attempt),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
CALL enable_tenant_isolation('webhook_attempts');

-- What the application may not do: rewrite history. Events are immutable except for their dispatch
-- bookkeeping; attempts are append-only; deliveries and events go only with their endpoint or tenant.
REVOKE UPDATE, DELETE ON webhook_attempts FROM $AppRole$;
REVOKE UPDATE, DELETE ON webhook_messages FROM $AppRole$;
GRANT UPDATE (dispatched_at, dispatch_lease_until) ON webhook_messages TO $AppRole$;
REVOKE DELETE ON webhook_deliveries FROM $AppRole$;

-- The one cross-tenant path of the dispatcher. The application role stays bound by row-level security; these
-- SECURITY DEFINER functions run as the owner role (which runs migrations and nothing else), and only the
-- owner role gets the policies below. They hand out nothing but identifiers: the dispatcher then reads and
-- writes each tenant's rows in that tenant's own transaction, under the tenant policy.
CREATE POLICY webhook_dispatch_read ON webhook_messages FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY webhook_dispatch_lease ON webhook_messages FOR UPDATE TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY webhook_dispatch_read ON webhook_deliveries FOR SELECT TO CURRENT_USER USING (true);

-- Claims up to max_messages undispatched events for lease_seconds (another dispatcher skips them meanwhile)
-- and returns their (tenant, message) pairs, oldest first.
CREATE FUNCTION webhook_claim_outbox(max_messages integer, lease_seconds integer)
RETURNS TABLE (claimed_tenant_id uuid, claimed_message_id text)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.webhook_messages AS m
    SET dispatch_lease_until = now() + make_interval(secs => GREATEST(lease_seconds, 1))
    FROM (
        SELECT candidate.id
        FROM public.webhook_messages AS candidate
        WHERE candidate.dispatched_at IS NULL
          AND (candidate.dispatch_lease_until IS NULL OR candidate.dispatch_lease_until < now())
        ORDER BY candidate.created_at
        LIMIT LEAST(GREATEST(max_messages, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) AS claimable
    WHERE m.id = claimable.id
    RETURNING m.tenant_id, m.id;
$$;

-- Deliveries still pending well after their attempt was due: their orchestration was never started or died.
CREATE FUNCTION webhook_find_stalled_deliveries(due_before timestamptz, max_deliveries integer)
RETURNS TABLE (stalled_tenant_id uuid, stalled_delivery_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT d.tenant_id, d.id
    FROM public.webhook_deliveries AS d
    WHERE d.status = 'pending' AND d.next_attempt_at < due_before
    ORDER BY d.next_attempt_at
    LIMIT LEAST(GREATEST(max_deliveries, 0), 1000);
$$;

REVOKE ALL ON FUNCTION webhook_claim_outbox(integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION webhook_find_stalled_deliveries(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_claim_outbox(integer, integer) TO $AppRole$;
GRANT EXECUTE ON FUNCTION webhook_find_stalled_deliveries(timestamptz, integer) TO $AppRole$;
