-- A business may keep its outcomes out of its industry's pool (docs/model-governance.md): the nightly rebuild reads
-- no lead of a business that opted out, so its counts leave the pool at the next rebuild.
ALTER TABLE scoring_settings ADD COLUMN shares_with_industry_pool boolean NOT NULL DEFAULT true;
