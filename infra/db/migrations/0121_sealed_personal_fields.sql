-- Issue #15: leads' email and phone and users' TOTP secrets are sealed with the tenant's data key (AES-256-GCM, bound
-- to tenant, table, column and row) and carry the key version; email and phone are found through blind indexes
-- (HMAC-SHA256 under the tenant's index key of the normalised value). The plain columns are renamed plain_*: the
-- start-up backfill (PersonalDataBackfill) seals what they still hold in batches, clears them, and drops them once
-- every row is sealed. Until then nothing reads them but the backfill.
DROP INDEX IF EXISTS leads_search_trgm;
DROP INDEX IF EXISTS leads_search_fts;
ALTER TABLE leads DROP COLUMN search_text, DROP COLUMN search_vector;
DROP INDEX IF EXISTS leads_email_unique;
DROP INDEX IF EXISTS leads_phone_unique;
ALTER TABLE leads RENAME COLUMN email TO plain_email;
ALTER TABLE leads RENAME COLUMN phone TO plain_phone;
ALTER TABLE leads
    ADD COLUMN email_sealed          bytea,
    ADD COLUMN phone_sealed          bytea,
    ADD COLUMN email_index           bytea CHECK (length(email_index) = 32),
    ADD COLUMN phone_index           bytea CHECK (length(phone_index) = 32),
    ADD COLUMN personal_key_version  integer,
    ADD CONSTRAINT leads_sealed_fields_have_key_version
        CHECK ((email_sealed IS NULL AND phone_sealed IS NULL) OR personal_key_version IS NOT NULL),
    -- Names, company and notes stay searchable by substring; email and phone are found by exact match (blind index).
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, '') || ' ' || coalesce(notes, ''))) STORED,
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, '') || ' ' || coalesce(notes, ''))) STORED;
CREATE INDEX leads_search_trgm ON leads USING gin (search_text gin_trgm_ops);
CREATE INDEX leads_search_fts ON leads USING gin (search_vector);
CREATE UNIQUE INDEX leads_email_index_unique ON leads (tenant_id, email_index) WHERE deleted_at IS NULL AND email_index IS NOT NULL;
CREATE UNIQUE INDEX leads_phone_index_unique ON leads (tenant_id, phone_index) WHERE deleted_at IS NULL AND phone_index IS NOT NULL;
-- Rotation re-seals by version: finding the rows still under an old version is an index scan.
CREATE INDEX leads_personal_key_version ON leads (tenant_id, personal_key_version) WHERE personal_key_version IS NOT NULL;
CREATE INDEX leads_plain_personal_fields ON leads (tenant_id, id) WHERE plain_email IS NOT NULL OR plain_phone IS NOT NULL;

ALTER TABLE users RENAME COLUMN mfa_secret TO plain_mfa_secret;
ALTER TABLE users
    ADD COLUMN mfa_secret_sealed  bytea,
    ADD COLUMN mfa_key_version    integer,
    ADD CONSTRAINT users_sealed_mfa_has_key_version CHECK (mfa_secret_sealed IS NULL OR mfa_key_version IS NOT NULL);
