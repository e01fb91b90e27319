-- The universal search (docs/search.md): one row per findable record, kept by triggers from search_sources, with
-- trigram indexes led by the tenant (btree_gin), so a fuzzy or infix match reads one business's entries only.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE search_documents (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('lead', 'quote', 'job', 'invoice', 'rfp', 'task', 'user')),
    record_id    uuid NOT NULL,
    title        text NOT NULL,
    subtitle     text,
    search_text  text NOT NULL,
    is_open      boolean NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind, record_id)
);
CREATE INDEX search_documents_trigram ON search_documents USING gin (tenant_id, search_text gin_trgm_ops);
CREATE INDEX search_documents_prefix ON search_documents (tenant_id, search_text text_pattern_ops);
CALL enable_tenant_isolation('search_documents');
GRANT SELECT, INSERT, UPDATE, DELETE ON search_documents TO $AppRole$;

CREATE OR REPLACE VIEW search_sources WITH (security_invoker = true) AS
    SELECT l.tenant_id, 'lead'::text AS kind, l.id AS record_id,
           COALESCE(NULLIF(btrim(concat_ws(' ', l.first_name, l.last_name)), ''), NULLIF(l.company, ''), 'Lead') AS title,
           concat_ws(' · ', NULLIF(l.company, ''), l.stage) AS subtitle,
           lower(concat_ws(' ', l.first_name, l.last_name, l.company, l.external_id)) AS search_text,
           l.outcome IS NULL AS is_open, l.updated_at, l.deleted_at IS NULL AS visible
    FROM leads AS l
    UNION ALL
    SELECT q.tenant_id, 'quote', q.id,
           'Q-' || q.number || ' ' || q.title,
           concat_ws(' · ', q.customer_name, q.status),
           lower(concat_ws(' ', 'q-' || q.number, q.title, q.customer_name)),
           q.status IN ('draft', 'sent'), q.updated_at, q.status <> 'superseded'
    FROM quotes AS q
    UNION ALL
    SELECT j.tenant_id, 'job', j.id,
           j.title,
           concat_ws(' · ', j.customer_name, j.address),
           lower(concat_ws(' ', j.title, j.customer_name, j.address)),
           true, j.updated_at, j.deleted_at IS NULL
    FROM jobs AS j
    UNION ALL
    SELECT i.tenant_id, 'invoice', i.id,
           COALESCE(i.number, 'Draft invoice'),
           concat_ws(' · ', i.period_start || ' – ' || i.period_end, i.status),
           lower(COALESCE(i.number, '')),
           i.status IN ('open', 'payment_failed'), i.updated_at, i.status <> 'draft'
    FROM invoices AS i
    UNION ALL
    SELECT r.tenant_id, 'rfp', r.id,
           COALESCE(r.analysis #>> '{facts,title,value}', r.file_name, 'RFP'),
           NULLIF(concat_ws(' · ', r.analysis #>> '{facts,solicitationNumber,value}', r.analysis #>> '{facts,agency,value}'), ''),
           lower(concat_ws(' ', r.analysis #>> '{facts,title,value}', r.analysis #>> '{facts,solicitationNumber,value}',
                 r.analysis #>> '{facts,agency,value}', r.file_name)),
           r.status <> 'failed', r.updated_at, true
    FROM rfps AS r
    UNION ALL
    SELECT t.tenant_id, 'task', t.id,
           t.title,
           concat_ws(' · ', t.priority, t.status),
           lower(t.title),
           t.status = 'open', t.updated_at, true
    FROM tasks AS t
    UNION ALL
    SELECT u.tenant_id, 'user', u.id,
           u.name,
           concat_ws(' · ', u.email, u.role),
           lower(concat_ws(' ', u.name, u.email)),
           u.status = 'active', u.updated_at, true
    FROM users AS u;
GRANT SELECT ON search_sources TO $AppRole$;

CREATE OR REPLACE FUNCTION search_document_sync()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    document_kind text := TG_ARGV[0];
    changed_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    changed_tenant uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO public.search_documents AS d (tenant_id, kind, record_id, title, subtitle, search_text, is_open, updated_at)
        SELECT s.tenant_id, s.kind, s.record_id, left(s.title, 300), left(s.subtitle, 300), left(s.search_text, 2000), s.is_open, s.updated_at
        FROM public.search_sources AS s
        WHERE s.kind = document_kind AND s.record_id = changed_id AND s.visible
        ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
            SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, search_text = EXCLUDED.search_text,
                is_open = EXCLUDED.is_open, updated_at = EXCLUDED.updated_at;
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;

    DELETE FROM public.search_documents AS d
    WHERE d.tenant_id = changed_tenant AND d.kind = document_kind AND d.record_id = changed_id;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION search_document_sync() FROM PUBLIC;

CREATE TRIGGER leads_search AFTER INSERT OR DELETE OR UPDATE OF first_name, last_name, company, external_id, stage, outcome, deleted_at ON leads FOR EACH ROW EXECUTE FUNCTION search_document_sync('lead');
CREATE TRIGGER quotes_search AFTER INSERT OR UPDATE OR DELETE ON quotes FOR EACH ROW EXECUTE FUNCTION search_document_sync('quote');
CREATE TRIGGER jobs_search AFTER INSERT OR UPDATE OR DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION search_document_sync('job');
CREATE TRIGGER invoices_search AFTER INSERT OR UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION search_document_sync('invoice');
CREATE TRIGGER rfps_search AFTER INSERT OR UPDATE OR DELETE ON rfps FOR EACH ROW EXECUTE FUNCTION search_document_sync('rfp');
CREATE TRIGGER tasks_search AFTER INSERT OR UPDATE OR DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION search_document_sync('task');
CREATE TRIGGER users_search AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION search_document_sync('user');

-- What exists already, business by business: the insert is checked against the tenant set for it.
DO $$
DECLARE
    tenant record;
BEGIN
    FOR tenant IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tenant.id::text, true);
        INSERT INTO search_documents (tenant_id, kind, record_id, title, subtitle, search_text, is_open, updated_at)
        SELECT s.tenant_id, s.kind, s.record_id, left(s.title, 300), left(s.subtitle, 300), left(s.search_text, 2000), s.is_open, s.updated_at
        FROM search_sources AS s
        WHERE s.tenant_id = tenant.id AND s.visible;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END;
$$;
