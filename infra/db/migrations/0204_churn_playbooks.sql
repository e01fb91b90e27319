-- Forward-only. Churn playbooks (issue #21, item 4): rules the provider sets (risk at least x, and factor y among a
-- business's reasons → actions), and what each rule did for each business, once per calendar month, with its outcome.
-- The rules are the provider's (a platform table); the runs belong to the business they acted on (row-level security).
CREATE TABLE churn_playbooks (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    min_risk    double precision NOT NULL CHECK (min_risk BETWEEN 0 AND 1),
    factor      text CHECK (length(factor) BETWEEN 1 AND 50),
    actions     jsonb NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
REVOKE ALL ON churn_playbooks FROM $AppRole$;
GRANT SELECT, INSERT, UPDATE ON churn_playbooks TO $AppRole$;

CREATE TABLE churn_playbook_runs (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    playbook_id   uuid NOT NULL REFERENCES churn_playbooks (id),
    period        date NOT NULL,
    risk          double precision NOT NULL,
    reasons       jsonb NOT NULL,
    actions       jsonb NOT NULL DEFAULT '[]'::jsonb,
    triggered_at  timestamptz NOT NULL,
    outcome       text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'stayed', 'churned')),
    outcome_at    timestamptz,
    UNIQUE (tenant_id, playbook_id, period)
);
CALL enable_tenant_isolation('churn_playbook_runs');
REVOKE ALL ON churn_playbook_runs FROM $AppRole$;
GRANT SELECT, INSERT, UPDATE ON churn_playbook_runs TO $AppRole$;
