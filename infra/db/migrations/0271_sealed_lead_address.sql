-- Issue #15: a lead's address parts (postal code, state, city, country) are sealed like its email, phone and notes
-- (AES-256-GCM with the tenant's data key, bound to the row and column; the row's personal_key_version covers them).
-- Nothing filters or searches them by text; the model-governance slices group leads by state and by postal area (the
-- first three characters of the postal code), so those two keep a blind index under the tenant's index key
-- (HMAC-SHA256 of the upper-cased value): equal states group together without the database holding the state.
-- The plain columns are renamed plain_*: the start-up backfill seals what they hold and clears them.
ALTER TABLE leads RENAME COLUMN postal_code TO plain_postal_code;
ALTER TABLE leads RENAME COLUMN state TO plain_state;
ALTER TABLE leads RENAME COLUMN city TO plain_city;
ALTER TABLE leads RENAME COLUMN country TO plain_country;
ALTER TABLE leads
    ADD COLUMN postal_code_sealed bytea,
    ADD COLUMN state_sealed       bytea,
    ADD COLUMN city_sealed        bytea,
    ADD COLUMN country_sealed     bytea,
    ADD COLUMN state_index        bytea,
    ADD COLUMN postal_area_index  bytea;
ALTER TABLE leads DROP CONSTRAINT leads_sealed_fields_have_key_version;
ALTER TABLE leads ADD CONSTRAINT leads_sealed_fields_have_key_version
    CHECK ((email_sealed IS NULL AND phone_sealed IS NULL AND notes_sealed IS NULL AND postal_code_sealed IS NULL
            AND state_sealed IS NULL AND city_sealed IS NULL AND country_sealed IS NULL) OR personal_key_version IS NOT NULL);

DROP INDEX IF EXISTS leads_plain_personal_fields;
CREATE INDEX leads_plain_personal_fields ON leads (tenant_id, id)
    WHERE plain_email IS NOT NULL OR plain_phone IS NOT NULL OR plain_notes IS NOT NULL
       OR plain_postal_code IS NOT NULL OR plain_state IS NOT NULL OR plain_city IS NOT NULL OR plain_country IS NOT NULL;
