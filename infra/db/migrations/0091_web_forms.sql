-- Web forms of a client business: a public intake address (the form key) per form, its field mapping onto leads,
-- the browser origins allowed to post, a honeypot field and an optional captcha whose secret is stored encrypted
-- (SourceSecretProtector, bound to tenant and form).
CREATE TABLE web_forms (
    id                         uuid PRIMARY KEY,
    tenant_id                  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    form_key                   text NOT NULL UNIQUE CHECK (form_key ~ '^frm_[A-Za-z0-9_-]{43}$'),
    name                       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    lead_source                text NOT NULL CHECK (length(lead_source) BETWEEN 1 AND 100),
    field_map                  jsonb NOT NULL CHECK (jsonb_typeof(field_map) = 'object'),
    allowed_origins            text[] NOT NULL DEFAULT '{}',
    honeypot_field             text CHECK (length(honeypot_field) BETWEEN 1 AND 100),
    captcha_provider           text CHECK (captcha_provider IN ('hcaptcha', 'turnstile')),
    captcha_secret_ciphertext  bytea,
    submissions_per_minute     integer NOT NULL CHECK (submissions_per_minute BETWEEN 1 AND 1000),
    enabled                    boolean NOT NULL DEFAULT true,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    CHECK ((captcha_provider IS NULL) = (captcha_secret_ciphertext IS NULL))
);
CREATE INDEX web_forms_tenant_newest ON web_forms (tenant_id, id DESC);
CALL enable_tenant_isolation('web_forms');
