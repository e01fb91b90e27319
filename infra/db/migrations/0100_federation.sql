-- Forward-only. Federation between StreamFlow instances (docs/federation-signatures.md): the keys peers sign their
-- requests with, the nonces already spent, and the member instances a hub pulls client aggregates from.
-- Platform-wide tables (no tenant rows): only provider routes and signed federation calls reach them.

-- Keys that peers calling this instance sign with. For ed25519 the material is the public key; for hmac-sha256 it
-- is the shared secret, encrypted (AES-256-GCM, Federation:SecretEncryptionKey, the key id as associated data).
-- Rotation: a new key id, and valid_until set on the old one, so both verify during the overlap.
CREATE TABLE federation_keys (
    key_id       text        PRIMARY KEY CHECK (key_id ~ '^[A-Za-z0-9._-]{1,100}$'),
    peer_name    text        NOT NULL CHECK (length(peer_name) BETWEEN 1 AND 200),
    algorithm    text        NOT NULL CHECK (algorithm IN ('hmac-sha256', 'ed25519')),
    material     bytea       NOT NULL,
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz,
    created_at   timestamptz NOT NULL,
    CHECK (valid_until IS NULL OR valid_until >= valid_from)
);
REVOKE DELETE ON federation_keys FROM $AppRole$;

-- A nonce is refused while remembered; rows past forget_after are pruned (their signatures have expired anyway).
CREATE TABLE federation_nonces (
    key_id        text        NOT NULL,
    nonce         text        NOT NULL CHECK (length(nonce) BETWEEN 8 AND 200),
    forget_after  timestamptz NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX federation_nonces_forget_after ON federation_nonces (forget_after);
REVOKE UPDATE ON federation_nonces FROM $AppRole$;
