-- Visit records of field operations (issue #13): the checklist a technician ticks on site, notes, photos (content in
-- Blob storage, only their metadata here) and the customer's signature on completion. Checklist templates and a job's
-- own checklist are where a visit's checklist is set from. Every table is a tenant table under the usual row-level
-- security.

CREATE TABLE checklist_templates (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    items       text[] NOT NULL CHECK (cardinality(items) BETWEEN 1 AND 100),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL
);
CALL enable_tenant_isolation('checklist_templates');
CREATE INDEX checklist_templates_list ON checklist_templates (tenant_id, id DESC);

-- The job's checklist, copied onto a visit when the office sets the visit's checklist "from the job".
ALTER TABLE jobs ADD COLUMN checklist text[] NOT NULL DEFAULT '{}' CHECK (cardinality(checklist) <= 100);

CREATE TABLE visit_checklist_items (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    visit_id    uuid NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 0),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 500),
    done        boolean NOT NULL DEFAULT false,
    -- The technician who ticked it (or unticked it last).
    done_by     uuid REFERENCES technicians (id) ON DELETE SET NULL,
    done_at     timestamptz,
    UNIQUE (visit_id, position)
);
CALL enable_tenant_isolation('visit_checklist_items');

CREATE TABLE visit_notes (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    visit_id    uuid NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    author      text NOT NULL,
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
    created_at  timestamptz NOT NULL
);
CALL enable_tenant_isolation('visit_notes');
CREATE INDEX visit_notes_of_visit ON visit_notes (visit_id, created_at);

CREATE TABLE visit_photos (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    visit_id      uuid NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    blob_name     text NOT NULL,
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes    integer NOT NULL CHECK (size_bytes > 0),
    sha256        bytea NOT NULL,
    caption       text CHECK (length(caption) <= 500),
    uploaded_by   text NOT NULL,
    created_at    timestamptz NOT NULL
);
CALL enable_tenant_isolation('visit_photos');
CREATE INDEX visit_photos_of_visit ON visit_photos (visit_id, created_at);

-- One signature a visit, given once: the customer signs the completed work.
CREATE TABLE visit_signatures (
    visit_id      uuid PRIMARY KEY REFERENCES visits (id) ON DELETE CASCADE,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    signer_name   text NOT NULL CHECK (length(signer_name) BETWEEN 1 AND 200),
    signed_at     timestamptz NOT NULL,
    blob_name     text NOT NULL,
    content_type  text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    size_bytes    integer NOT NULL CHECK (size_bytes > 0),
    captured_by   text NOT NULL
);
CALL enable_tenant_isolation('visit_signatures');
