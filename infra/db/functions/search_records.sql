-- The universal search over the caller's tenant (app.tenant_id). It runs as the owner, whose policies on
-- search_documents and search_words let their indexes answer (migrations 0180, 0220), and so checks the tenant itself.
-- term is the normalised text, like_term the same with LIKE's metacharacters escaped. Ranked exact > prefix (of the
-- text or of a word) > contains > fuzzy (trigram word similarity, pg_trgm.word_similarity_threshold), then open
-- records, closeness and recency.
--
-- Words first: every word of the term as a word prefix, through the full-text index ("dana whit" finds Dana
-- Whitfield). Only when that leaves room in the page, the business's dictionary gives each word of the term the words
-- that contain it or look like it ("field" -> whitfield, "whitfeild" -> whitfield), and the documents with those words
-- are the contains and fuzzy matches; documents written since the dictionary's last refresh are checked directly
-- (the first 200 queued: after a large import the rest are found once the refresh has taken their words).
-- A common term (the dictionary counts at least 3,000 open documents for each of its words, or their completions) is
-- read in a window instead: its prefix matches among the 8,000 newest open documents (then 32,000) until the window
-- holds 200, beside the exact titles looked up directly. Those include the 200 candidates the full read would
-- keep (no contains match can rank above 200 prefix matches, nor an older or closed one above the window's), so the
-- answer is the same; when no window holds 200 (the word sits in old or closed records, or a kind not asked for),
-- the full read answers.
-- Each statement is planned with its values (EXECUTE, in plain quotes: the migrator reads a dollar-quote tag as a
-- variable). Terms under three characters, or without a word, match the start of the text only.
CREATE OR REPLACE FUNCTION search_records(term text, like_term text, kinds text[], max_hits integer)
RETURNS TABLE (hit_kind text, hit_record_id uuid, hit_title text, hit_subtitle text, hit_is_open boolean,
               hit_updated_at timestamptz, hit_match_class integer, hit_similarity real)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
-- The planner prices a trigram similarity like a comparison and scans a dictionary of thousands of words rather
-- than read its trigram index (30-60 ms against 0.1 ms); every statement here has an index to use.
SET enable_seqscan = off
-- A search is one of many at once on a few cores: parallel workers only add their start-up to its latency.
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    caller_tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    wanted integer := LEAST(GREATEST(max_hits, 0), 100);
    term_words text[] := tsvector_to_array(to_tsvector('simple', term));
    words_query tsquery;
    near_query tsquery;
    direct_hits integer := 0;
    common_documents integer;
    window_size integer;
    window_start timestamptz;
BEGIN
    IF caller_tenant IS NULL OR wanted = 0 THEN
        RETURN;
    END IF;

    IF length(term) < 3 OR cardinality(term_words) = 0 THEN
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

    -- Lexemes are quoted for tsquery by hand (quote_literal would write E'' for a backslash, which tsquery reads
    -- wrong); a word with a backslash is left out of the dictionary's answers instead.
    words_query := (SELECT string_agg('''' || replace(w, '''', '''''') || ''':*', ' & ') FROM unnest(term_words) AS w)::tsquery;

    -- How many open documents hold the term's rarest word (a word typed is a prefix: its completions' counts add up).
    common_documents := (
        SELECT min(counted.documents)
        FROM unnest(term_words) AS t (w)
        CROSS JOIN LATERAL (
            SELECT COALESCE(sum(sw.open_documents), 0) AS documents
            FROM search_words AS sw
            WHERE sw.tenant_id = caller_tenant
              AND sw.word LIKE replace(replace(replace(t.w, '\', '\\'), '_', '\_'), '%', '\%') || '%'
        ) AS counted);

    -- A common term: its matches among the newest open documents, a window of the ranking's order that widens
    -- until it holds 200 prefix or exact matches (the word index and the recency index intersected, so only the
    -- window's matches are read); then no other match can be among the 200 candidates.
    IF common_documents >= 3000 THEN
        window_size := 8000;
        WHILE window_size <= 32000 LOOP
            window_start := (
                SELECT d.updated_at FROM search_documents AS d
                WHERE d.tenant_id = caller_tenant AND d.is_open
                ORDER BY d.updated_at DESC
                OFFSET window_size - 1 LIMIT 1);
            EXIT WHEN window_start IS NULL;
            RETURN QUERY EXECUTE '
                WITH windowed AS MATERIALIZED (
                    SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, d.search_text
                    FROM search_documents AS d
                    WHERE d.tenant_id = $3 AND d.is_open AND d.updated_at >= $7 AND d.kind = ANY ($4)
                      AND to_tsvector(''simple'', d.search_text) @@ $6
                      AND (d.search_text LIKE $2 || ''%'' OR d.search_text LIKE ''% '' || $2 || ''%'')
                ), exact AS (
                    SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, d.search_text
                    FROM search_documents AS d
                    WHERE d.tenant_id = $3 AND (d.search_text = $1 OR lower(d.title) = $1)
                      AND d.kind = ANY ($4) AND to_tsvector(''simple'', d.search_text) @@ $6
                    ORDER BY d.is_open DESC, d.updated_at DESC
                    LIMIT 200
                )
                SELECT c.kind, c.record_id, c.title, c.subtitle, c.is_open, c.updated_at, c.match_class, word_similarity($1, c.search_text)
                FROM (SELECT u.*, CASE WHEN u.search_text = $1 OR lower(u.title) = $1 THEN 4 ELSE 3 END AS match_class
                      FROM (SELECT * FROM windowed UNION SELECT * FROM exact) AS u
                      ORDER BY 8 DESC, u.is_open DESC, u.updated_at DESC
                      LIMIT 200) AS c
                WHERE (SELECT count(*) FROM windowed) >= 200
                ORDER BY 7 DESC, c.is_open DESC, 8 DESC, c.updated_at DESC
                LIMIT $5
                ' USING term, like_term, caller_tenant, kinds, wanted, words_query, window_start;
            GET DIAGNOSTICS direct_hits = ROW_COUNT;
            IF direct_hits > 0 THEN
                RETURN;
            END IF;
            window_size := window_size * 4;
        END LOOP;
    END IF;

    -- Closeness is weighed among the 200 likeliest candidates only: a common word matches thousands of documents.
    RETURN QUERY EXECUTE '
        SELECT c.kind, c.record_id, c.title, c.subtitle, c.is_open, c.updated_at, c.match_class, word_similarity($1, c.search_text)
        FROM (SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, d.search_text,
                     CASE WHEN d.search_text = $1 OR lower(d.title) = $1 THEN 4
                          WHEN d.search_text LIKE $2 || ''%'' OR d.search_text LIKE ''% '' || $2 || ''%'' THEN 3
                          ELSE 2 END AS match_class
              FROM search_documents AS d
              WHERE d.tenant_id = $3 AND d.kind = ANY ($4) AND to_tsvector(''simple'', d.search_text) @@ $6
              ORDER BY 8 DESC, d.is_open DESC, d.updated_at DESC
              LIMIT 200) AS c
        ORDER BY 7 DESC, c.is_open DESC, 8 DESC, c.updated_at DESC
        LIMIT $5
        ' USING term, like_term, caller_tenant, kinds, wanted, words_query;
    GET DIAGNOSTICS direct_hits = ROW_COUNT;
    IF direct_hits >= wanted THEN
        RETURN;
    END IF;

    -- Each word of the term, or (if it has none) nothing: a term word without a near word matches no document.
    near_query := (
        SELECT string_agg('(' || near.alternatives || ')', ' & ')
        FROM unnest(term_words) AS t (w)
        CROSS JOIN LATERAL (
            SELECT string_agg('''' || replace(s.word, '''', '''''') || '''', ' | ') AS alternatives
            FROM (SELECT sw.word
                  FROM search_words AS sw
                  WHERE sw.tenant_id = caller_tenant
                    AND (sw.word LIKE '%' || replace(replace(t.w, '\', '\\'), '_', '\_') || '%' OR t.w <% sw.word)
                    AND strpos(sw.word, '\') = 0
                  ORDER BY word_similarity(t.w, sw.word) DESC, sw.word
                  LIMIT 20) AS s
        ) AS near
        HAVING count(*) = count(near.alternatives))::tsquery;

    -- A queued document that holds a near word is read by the first branch, so the queue's branch leaves it out
    -- (no de-duplication of thousands of wide rows).
    RETURN QUERY EXECUTE '
        SELECT c.kind, c.record_id, c.title, c.subtitle, c.is_open, c.updated_at,
               CASE WHEN c.search_text LIKE ''%'' || $2 || ''%'' THEN 2 ELSE 1 END, word_similarity($1, c.search_text)
        FROM (SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, d.search_text
              FROM search_documents AS d
              WHERE d.tenant_id = $3 AND d.kind = ANY ($4) AND to_tsvector(''simple'', d.search_text) @@ $7
              UNION ALL
              SELECT d.kind, d.record_id, d.title, d.subtitle, d.is_open, d.updated_at, d.search_text
              FROM (SELECT DISTINCT q.tenant_id, q.kind, q.record_id
                    FROM (SELECT p.tenant_id, p.kind, p.record_id FROM search_words_pending AS p WHERE p.tenant_id = $3 LIMIT 200) AS q) AS p
              JOIN search_documents AS d ON d.tenant_id = p.tenant_id AND d.kind = p.kind AND d.record_id = p.record_id
              WHERE d.kind = ANY ($4) AND (to_tsvector(''simple'', d.search_text) @@ $7) IS NOT TRUE
              ORDER BY 5 DESC, 6 DESC
              LIMIT 200) AS c
        WHERE NOT to_tsvector(''simple'', c.search_text) @@ $6
          AND (c.search_text LIKE ''%'' || $2 || ''%'' OR $1 <% c.search_text)
        ORDER BY 7 DESC, c.is_open DESC, 8 DESC, c.updated_at DESC
        LIMIT $5
        ' USING term, like_term, caller_tenant, kinds, wanted - direct_hits, words_query, near_query;
END;
$$;
REVOKE ALL ON FUNCTION search_records(text, text, text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_records(text, text, text[], integer) TO $AppRole$;
