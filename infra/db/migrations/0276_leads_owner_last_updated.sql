-- Lead routing reads, for every active user, their open leads and when they last got one
-- (LeadStore.RoutingCandidatesSql: max(updated_at) WHERE owner_user_id = the user). leads_owner is partial on
-- deleted_at IS NULL, which that max does not say, so it read the whole leads table once per user on every scored batch
-- and every create: 38 ms a batch at 70,000 leads in the ServiceTitan import bench, growing with the table
-- (docs/connectors.md, Figures). Leads without an owner (imports) are not in this index, so it costs them nothing.
CREATE INDEX leads_owner_last_updated ON leads (tenant_id, owner_user_id, updated_at) WHERE owner_user_id IS NOT NULL;
