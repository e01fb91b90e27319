-- Replays of creating POSTs sent with an Idempotency-Key: the first response is kept for a day.
-- A platform table: keyed by a hash of the caller's credentials, the path and the key, so it holds no tenant data
-- beyond the stored response, which only the same caller with the same key can get back.
CREATE TABLE idempotency_keys (
    key_hash      bytea PRIMARY KEY,
    request_hash  bytea NOT NULL,
    status_code   integer,
    content_type  text,
    body          bytea,
    created_at    timestamptz NOT NULL,
    completed_at  timestamptz
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
