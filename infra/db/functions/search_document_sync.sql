-- Keeps search_documents in step with the records it indexes, in the writing transaction (so under its tenant):
-- a record that is no longer visible (deleted, superseded, a draft) leaves the index. Records are found by id alone,
-- so each branch of search_sources reads its primary key (with the tenant in the condition, the planner may scan a
-- whole tenant per row).
CREATE OR REPLACE FUNCTION search_document_sync()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    document_kind text := TG_ARGV[0];
    changed_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    changed_tenant uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
    previous_text text;
    written_text text;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        SELECT d.search_text INTO previous_text
        FROM public.search_documents AS d
        WHERE d.tenant_id = changed_tenant AND d.kind = document_kind AND d.record_id = changed_id;
        INSERT INTO public.search_documents AS d (tenant_id, kind, record_id, title, subtitle, search_text, is_open, updated_at)
        SELECT s.tenant_id, s.kind, s.record_id, left(s.title, 300), left(s.subtitle, 300), left(s.search_text, 2000), s.is_open, s.updated_at
        FROM public.search_sources AS s
        WHERE s.kind = document_kind AND s.record_id = changed_id AND s.visible
        ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
            SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, search_text = EXCLUDED.search_text,
                is_open = EXCLUDED.is_open, updated_at = EXCLUDED.updated_at
        RETURNING d.search_text INTO written_text;
        IF FOUND THEN
            -- Most writes (a stage, a score, an owner) leave the words as they were: only new words wait for the dictionary.
            IF written_text IS DISTINCT FROM previous_text THEN
                INSERT INTO public.search_words_pending (tenant_id, kind, record_id) VALUES (changed_tenant, document_kind, changed_id);
            END IF;
            RETURN NULL;
        END IF;
    END IF;

    DELETE FROM public.search_documents AS d
    WHERE d.tenant_id = changed_tenant AND d.kind = document_kind AND d.record_id = changed_id;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION search_document_sync() FROM PUBLIC;
