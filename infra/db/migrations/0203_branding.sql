-- Forward-only. White-label branding (issue #21, item 5). A business's own brand overrides the provider's brand
-- member by member; a member left null falls back to the provider's. Logos live in Blob storage (container
-- "branding"); the row keeps the blob's name, its checked content type, size, dimensions and SHA-256.
CREATE TABLE tenant_branding (
    tenant_id          uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    display_name       text CHECK (length(display_name) BETWEEN 1 AND 100),
    primary_color      text CHECK (primary_color ~ '^#[0-9A-F]{6}$'),
    accent_color       text CHECK (accent_color ~ '^#[0-9A-F]{6}$'),
    sender_name        text CHECK (length(sender_name) BETWEEN 1 AND 100),
    reply_to           text CHECK (length(reply_to) BETWEEN 3 AND 254),
    footer             text CHECK (length(footer) BETWEEN 1 AND 1000),
    logo_blob          text,
    logo_content_type  text CHECK (logo_content_type IN ('image/png', 'image/jpeg', 'image/svg+xml')),
    logo_bytes         integer,
    logo_width         integer,
    logo_height        integer,
    logo_sha256        text,
    updated_by         text NOT NULL,
    updated_at         timestamptz NOT NULL
);
CALL enable_tenant_isolation('tenant_branding');
REVOKE ALL ON tenant_branding FROM $AppRole$;
GRANT SELECT, INSERT, UPDATE ON tenant_branding TO $AppRole$;

-- The provider's own brand: one row, the default of every business. A platform table (no tenant).
CREATE TABLE provider_branding (
    id                 smallint PRIMARY KEY CHECK (id = 1),
    display_name       text CHECK (length(display_name) BETWEEN 1 AND 100),
    primary_color      text CHECK (primary_color ~ '^#[0-9A-F]{6}$'),
    accent_color       text CHECK (accent_color ~ '^#[0-9A-F]{6}$'),
    sender_name        text CHECK (length(sender_name) BETWEEN 1 AND 100),
    reply_to           text CHECK (length(reply_to) BETWEEN 3 AND 254),
    footer             text CHECK (length(footer) BETWEEN 1 AND 1000),
    logo_blob          text,
    logo_content_type  text CHECK (logo_content_type IN ('image/png', 'image/jpeg', 'image/svg+xml')),
    logo_bytes         integer,
    logo_width         integer,
    logo_height        integer,
    logo_sha256        text,
    updated_by         text NOT NULL,
    updated_at         timestamptz NOT NULL
);
REVOKE ALL ON provider_branding FROM $AppRole$;
GRANT SELECT, INSERT, UPDATE ON provider_branding TO $AppRole$;
