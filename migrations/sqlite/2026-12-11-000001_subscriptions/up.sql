-- Pushes to department systems (订阅推送): a department subscribes one of its approved data
-- requests to an endpoint of its own; the secret signs every event (HMAC-SHA256).
CREATE TABLE subscriptions (
    id              INTEGER   NOT NULL PRIMARY KEY,
    data_request_id BIGINT    NOT NULL REFERENCES data_requests (id),
    department      TEXT      NOT NULL,
    url             TEXT      NOT NULL,
    secret          TEXT      NOT NULL,
    status          TEXT      NOT NULL CHECK (status IN ('active', 'cancelled')),
    created_by      TEXT      NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    cancelled_at    TIMESTAMP
);
CREATE INDEX subscriptions_request ON subscriptions (data_request_id, status);

-- The transactional outbox (发件箱): an event is written in the transaction that approves or
-- reopens the entry, and sent from here by the delivery worker — at least once, in order per
-- village, retried with backoff for 24 hours. `id` is the replay cursor; `event_id` is what a
-- receiver deduplicates on. `leased_until`: a worker is sending it (another leaves it alone).
CREATE TABLE webhook_events (
    id              INTEGER   NOT NULL PRIMARY KEY,
    event_id        TEXT      NOT NULL UNIQUE,
    subscription_id BIGINT    NOT NULL REFERENCES subscriptions (id),
    event_type      TEXT      NOT NULL,
    region_code     TEXT      NOT NULL,
    period          TEXT      NOT NULL,
    indicators      TEXT      NOT NULL,
    revision        BIGINT    NOT NULL,
    occurred_at     TIMESTAMP NOT NULL,
    status          TEXT      NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_until    TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_outcome    TEXT,
    delivered_at    TIMESTAMP
);
CREATE INDEX webhook_events_due ON webhook_events (status, next_attempt_at);
CREATE INDEX webhook_events_village ON webhook_events (subscription_id, region_code, status, id);
