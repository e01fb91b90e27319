-- Issue #15: a lead's notes are sealed like its email and phone (AES-256-GCM with the tenant's data key, bound to the
-- row and column; the row's personal_key_version covers them). They are found by whole words only: notes_terms holds
-- one keyed term per distinct word (the first 8 bytes of HMAC-SHA256 under the tenant's index key), so the list's
-- search and the RFP pricing history match a word of the notes without the database ever holding the text. Substring,
-- prefix and typo matches on notes are gone (docs/privacy.md says why). The plain column is renamed plain_notes: the
-- start-up backfill seals what it holds and clears it, as it does for plain_email and plain_phone.
ALTER TABLE leads DROP COLUMN search_text, DROP COLUMN search_vector;
ALTER TABLE leads RENAME COLUMN notes TO plain_notes;
ALTER TABLE leads
    ADD COLUMN notes_sealed bytea,
    ADD COLUMN notes_terms  bigint[] CHECK (cardinality(notes_terms) BETWEEN 1 AND 512),
    ADD CONSTRAINT leads_notes_terms_need_notes CHECK (notes_terms IS NULL OR notes_sealed IS NOT NULL),
    -- Names and company stay searchable by substring.
    ADD COLUMN search_text text GENERATED ALWAYS AS (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, ''))) STORED,
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company, ''))) STORED;
ALTER TABLE leads DROP CONSTRAINT leads_sealed_fields_have_key_version;
ALTER TABLE leads ADD CONSTRAINT leads_sealed_fields_have_key_version
    CHECK ((email_sealed IS NULL AND phone_sealed IS NULL AND notes_sealed IS NULL) OR personal_key_version IS NOT NULL);
CREATE INDEX leads_search_trgm ON leads USING gin (search_text gin_trgm_ops);
CREATE INDEX leads_search_fts ON leads USING gin (search_vector);
CREATE INDEX leads_notes_terms ON leads USING gin (notes_terms);

DROP INDEX IF EXISTS leads_plain_personal_fields;
CREATE INDEX leads_plain_personal_fields ON leads (tenant_id, id)
    WHERE plain_email IS NOT NULL OR plain_phone IS NOT NULL OR plain_notes IS NOT NULL;
