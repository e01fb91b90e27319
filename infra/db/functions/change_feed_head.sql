-- The newest feed position every reader may already have seen: the last committed event of a transaction older
-- than the snapshot's xmin, or the start of the feed when there is none.
CREATE OR REPLACE FUNCTION change_feed_head()
RETURNS TABLE (head_xid xid8, head_seq bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT COALESCE(max_row.feed_xid, '0'::xid8), COALESCE(max_row.feed_seq, 0)
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
        SELECT m.feed_xid, m.feed_seq
        FROM public.webhook_messages AS m
        WHERE m.feed_xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY m.feed_xid DESC, m.feed_seq DESC
        LIMIT 1
    ) AS max_row ON true;
$$;
REVOKE ALL ON FUNCTION change_feed_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION change_feed_head() TO $AppRole$;
