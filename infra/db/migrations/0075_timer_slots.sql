-- Each timer occurrence is claimed once here, so that several hosts on one database fire every schedule once.
-- Platform-wide (no tenant rows): the app role may claim and prune, nothing else.
CREATE TABLE timer_slots (
    timer_name  text        NOT NULL,
    slot        timestamptz NOT NULL,
    host        text        NOT NULL,
    claimed_at  timestamptz NOT NULL,
    PRIMARY KEY (timer_name, slot)
);
REVOKE UPDATE ON timer_slots FROM $AppRole$;
