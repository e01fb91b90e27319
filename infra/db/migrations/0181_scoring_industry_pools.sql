-- Cold start (docs/model-governance.md): each industry's pooled outcome counts per feature value, rebuilt nightly
-- from its businesses' tallies. A platform table: it holds counts over at least three businesses per value, never a
-- lead or a business's id, so every business of the industry reads it.
CREATE TABLE scoring_industry_pools (
    industry        text PRIMARY KEY,
    businesses      integer NOT NULL CHECK (businesses >= 3),
    won             integer NOT NULL,
    decided         integer NOT NULL,
    features        jsonb NOT NULL,
    validation_auc  double precision,
    hot_threshold   double precision,
    warm_threshold  double precision,
    built_at        timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON scoring_industry_pools TO $AppRole$;
