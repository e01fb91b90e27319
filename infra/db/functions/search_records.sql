-- The universal search over the caller's tenant (row-level security on search_documents; the tenant also leads the
-- indexes). term is the normalised text, like_term the same with LIKE's metacharacters escaped. Ranked exact >
-- prefix (of the text or of a word) > contains > fuzzy (trigram word similarity, pg_trgm.word_similarity_threshold),
-- then open records, closeness and recency. Terms under three characters are too short for trigrams: they match the
-- start of the text only, through the text_pattern_ops index.
CREATE OR REPLACE FUNCTION search_records(term text, like_term text, kinds text[], max_hits integer)
RETURNS TABLE (hit_kind text, hit_record_id uuid, hit_title text, hit_subtitle text, hit_is_open boolean,
               hit_updated_at timestamptz, hit_match_class integer, hit_similarity real)
LANGUAGE sql
STABLE
AS $$
    WITH scope AS (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS tenant_id)
    SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, ranked.match_class, ranked.similarity
    FROM public.search_documents AS d, scope,
         LATERAL (SELECT CASE WHEN d.search_text = term OR lower(d.title) = term THEN 4
                              WHEN d.search_text LIKE like_term || '%' OR d.search_text LIKE '% ' || like_term || '%' THEN 3
                              WHEN d.search_text LIKE '%' || like_term || '%' THEN 2
                              ELSE 1 END AS match_class,
                         CASE WHEN length(term) < 3 THEN 1::real ELSE word_similarity(term, d.search_text) END AS similarity) AS ranked
    WHERE d.tenant_id = scope.tenant_id AND d.kind = ANY (kinds)
      AND CASE WHEN length(term) < 3 THEN d.search_text LIKE like_term || '%'
               ELSE d.search_text LIKE '%' || like_term || '%' OR term <% d.search_text END
    ORDER BY ranked.match_class DESC, d.is_open DESC, ranked.similarity DESC, d.updated_at DESC
    LIMIT LEAST(GREATEST(max_hits, 0), 100);
$$;
REVOKE ALL ON FUNCTION search_records(text, text, text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_records(text, text, text[], integer) TO $AppRole$;
