-- Request counts per rate-limit key (tenant:…, user:…, operator:…) and one-minute window, summed over every host:
-- each host adds what it admitted about once a second and reads the total, so limits hold across instances
-- without a round trip per request. Platform-wide (keys, not tenant rows); windows older than two minutes are pruned.
CREATE TABLE api_rate_windows (
    key           text   NOT NULL CHECK (length(key) BETWEEN 1 AND 300),
    window_minute bigint NOT NULL,
    count         bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (key, window_minute)
);
CREATE INDEX api_rate_windows_by_minute ON api_rate_windows (window_minute);
