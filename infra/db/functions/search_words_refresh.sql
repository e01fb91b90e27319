-- Takes the words of the documents written since the last refresh into their business's dictionary (search_words)
-- and empties the queue it read; returns how many documents it read. Runs as the owner, one refresh at a time (the
-- lock), so the dictionary has a single writer and two refreshes never wait on each other's words.
-- It also counts, per word, the business's open documents that hold it (search_records reads a common word in a
-- window): each open document read adds one to each of its words. A record read again after its text changed counts
-- again, and one closed or deleted is not taken off, so a count can only run high, which costs a search a window or
-- two before it reads every match, as it would without counts; counting each word's documents again instead read
-- every business's documents holding it (minutes for an import of 200,000 records).
CREATE OR REPLACE FUNCTION search_words_refresh(max_documents integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    taken integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('search_words_refresh')) THEN
        RETURN 0;
    END IF;

    WITH queued AS (
        DELETE FROM search_words_pending
        WHERE ctid IN (SELECT ctid FROM search_words_pending LIMIT GREATEST(max_documents, 1))
        RETURNING tenant_id, kind, record_id
    ), words AS (
        SELECT d.tenant_id, w.word, d.is_open
        FROM (SELECT DISTINCT tenant_id, kind, record_id FROM queued) AS q
        JOIN search_documents AS d ON d.tenant_id = q.tenant_id AND d.kind = q.kind AND d.record_id = q.record_id
        CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('simple', d.search_text))) AS w (word)
    ), written AS (
        INSERT INTO search_words AS sw (tenant_id, word, open_documents)
        SELECT w.tenant_id, w.word, count(*) FILTER (WHERE w.is_open)
        FROM words AS w
        GROUP BY w.tenant_id, w.word
        ON CONFLICT (tenant_id, word) DO UPDATE SET open_documents = sw.open_documents + EXCLUDED.open_documents
    )
    SELECT count(*) INTO taken FROM queued;
    RETURN taken;
END;
$$;
REVOKE ALL ON FUNCTION search_words_refresh(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_words_refresh(integer) TO $AppRole$;
