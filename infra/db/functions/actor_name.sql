-- The display name behind an actor as the API records it ("user:<id>" or "apikey:<id>"), for the names the API shows
-- beside ids. It runs as the caller (SECURITY INVOKER), so row-level security names only the caller's business's users
-- and keys; any other actor (system, workflow, email:…) has no name here.
CREATE OR REPLACE FUNCTION actor_name(actor text)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = public, pg_temp
AS $$
    SELECT CASE
        WHEN actor ~ '^user:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            THEN (SELECT u.name FROM users AS u WHERE u.id = substr(actor, 6)::uuid)
        WHEN actor ~ '^apikey:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            THEN (SELECT k.name FROM api_keys AS k WHERE k.id = substr(actor, 8)::uuid)
    END
$$;
-- Privileges: the schema defaults (0001), as created.
