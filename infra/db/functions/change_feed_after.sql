-- Committed events after a feed position, across tenants, for the change-feed hub that fans them out to the
-- subscribers of each tenant. Only transactions older than the snapshot's xmin are read (see 0140_change_feed.sql).
CREATE OR REPLACE FUNCTION change_feed_after(after_xid xid8, after_seq bigint, max_events integer)
RETURNS TABLE (feed_tenant_id uuid, feed_xid xid8, feed_seq bigint, feed_message_id text, feed_event_type text,
               feed_occurred_at timestamptz, feed_payload jsonb)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT m.tenant_id, m.feed_xid, m.feed_seq, m.id, m.event_type, m.occurred_at, m.payload
    FROM public.webhook_messages AS m
    WHERE (m.feed_xid, m.feed_seq) > (after_xid, after_seq)
      AND m.feed_xid < pg_snapshot_xmin(pg_current_snapshot())
      AND m.target_endpoint_id IS NULL
    ORDER BY m.feed_xid, m.feed_seq
    LIMIT LEAST(GREATEST(max_events, 0), 5000);
$$;
REVOKE ALL ON FUNCTION change_feed_after(xid8, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION change_feed_after(xid8, bigint, integer) TO $AppRole$;
