-- Erasure of a person (issue #15): the change feed and the stored webhook payloads are the same rows (webhook_messages,
-- 0030 and 0140). Every one of the calling transaction's tenant's events whose payload names one of the erased leads
-- keeps its id, type and times, and its payload becomes a stub naming only the pseudonym. The application may not
-- update these rows (0030); this runs as the owner, under the tenant policy like every role (FORCE row level security).
CREATE OR REPLACE FUNCTION privacy_erase_webhook_payloads(lead_ids uuid[], pseudonym text)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH named AS (
        SELECT m.id FROM public.webhook_messages m
        WHERE m.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
          AND NOT (m.payload ? 'erased')
          AND EXISTS (SELECT 1 FROM unnest(lead_ids) AS erased(id) WHERE strpos(m.payload::text, erased.id::text) > 0)
    ), stubbed AS (
        UPDATE public.webhook_messages m SET payload = jsonb_build_object('erased', true, 'subject', pseudonym)
        WHERE m.id IN (SELECT id FROM named) RETURNING 1
    )
    SELECT count(*)::integer FROM stubbed;
$$;
REVOKE ALL ON FUNCTION privacy_erase_webhook_payloads(uuid[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION privacy_erase_webhook_payloads(uuid[], text) TO $AppRole$;
