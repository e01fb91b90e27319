-- Issue #14, ADP Workforce Now: a worker's own earning codes for pay data (a salaried supervisor's regular hours under
-- another code than the crew's). Null: the connection's default (settings regularEarningCode / overtimeEarningCode).
-- The import's upsert does not touch them; they are set through the API.
ALTER TABLE adp_workers
    ADD COLUMN regular_earning_code  text CHECK (regular_earning_code ~ '^[A-Za-z0-9]{1,10}$'),
    ADD COLUMN overtime_earning_code text CHECK (overtime_earning_code ~ '^[A-Za-z0-9]{1,10}$');
