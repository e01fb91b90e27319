-- The universal search over the caller's tenant (app.tenant_id). It runs as the owner, whose policy on
-- search_documents lets the trigram and prefix indexes answer (migration 0180), and so checks the tenant itself.
-- term is the normalised text, like_term the same with LIKE's metacharacters escaped. Ranked exact > prefix (of the
-- text or of a word) > contains > fuzzy (trigram word similarity, pg_trgm.word_similarity_threshold), then open
-- records, closeness and recency. Each statement is planned with its term (EXECUTE, in plain quotes: the migrator
-- reads a dollar-quote tag as a variable), so a prefix reaches the b-tree; the fuzzy pass runs only when the direct
-- matches leave room. Terms under three characters are too short for trigrams: they match the start of the text only.
CREATE OR REPLACE FUNCTION search_records(term text, like_term text, kinds text[], max_hits integer)
RETURNS TABLE (hit_kind text, hit_record_id uuid, hit_title text, hit_subtitle text, hit_is_open boolean,
               hit_updated_at timestamptz, hit_match_class integer, hit_similarity real)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    caller_tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    wanted integer := LEAST(GREATEST(max_hits, 0), 100);
    direct_hits integer;
BEGIN
    IF caller_tenant IS NULL OR wanted = 0 THEN
        RETURN;
    END IF;

    IF length(term) < 3 THEN
        RETURN QUERY EXECUTE '
            SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at,
                   CASE WHEN d.search_text = $1 OR lower(d.title) = $1 THEN 4 ELSE 3 END, 1::real
            FROM search_documents AS d
            WHERE d.tenant_id = $3 AND d.kind = ANY ($4) AND d.search_text LIKE $2 || ''%''
            ORDER BY 7 DESC, d.is_open DESC, d.updated_at DESC
            LIMIT $5
            ' USING term, like_term, caller_tenant, kinds, wanted;
        RETURN;
    END IF;

    -- Closeness is weighed among the 200 likeliest candidates only: a common word matches thousands of documents,
    -- and its similarity was most of the cost.
    RETURN QUERY EXECUTE '
        SELECT c.kind, c.record_id, c.title, c.subtitle, c.is_open, c.updated_at, c.match_class, word_similarity($1, c.search_text)
        FROM (SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, d.search_text,
                     CASE WHEN d.search_text = $1 OR lower(d.title) = $1 THEN 4
                          WHEN d.search_text LIKE $2 || ''%'' OR d.search_text LIKE ''% '' || $2 || ''%'' THEN 3
                          ELSE 2 END AS match_class
              FROM search_documents AS d
              WHERE d.tenant_id = $3 AND d.kind = ANY ($4) AND d.search_text LIKE ''%'' || $2 || ''%''
              ORDER BY 8 DESC, d.is_open DESC, d.updated_at DESC
              LIMIT 200) AS c
        ORDER BY 7 DESC, c.is_open DESC, 8 DESC, c.updated_at DESC
        LIMIT $5
        ' USING term, like_term, caller_tenant, kinds, wanted;
    GET DIAGNOSTICS direct_hits = ROW_COUNT;

    IF direct_hits < wanted THEN
        RETURN QUERY EXECUTE '
            SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, 1, word_similarity($1, d.search_text)
            FROM search_documents AS d
            WHERE d.tenant_id = $3 AND d.kind = ANY ($4) AND $1 <% d.search_text AND d.search_text NOT LIKE ''%'' || $2 || ''%''
            ORDER BY d.is_open DESC, 8 DESC, d.updated_at DESC
            LIMIT $5
            ' USING term, like_term, caller_tenant, kinds, wanted - direct_hits;
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION search_records(text, text, text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_records(text, text, text[], integer) TO $AppRole$;
