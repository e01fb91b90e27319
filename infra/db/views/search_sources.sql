-- What the universal search shows of each record (docs/search.md): one branch per kind, the only place that says
-- which columns a kind is found by. search_document_sync() copies a changed record's row into search_documents.
-- Personal fields that are encrypted (email, phone, address, notes) are never part of it.
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
