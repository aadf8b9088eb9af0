-- Idempotency-Key (IETF httpapi draft): the first result of a request, replayed for retries.
CREATE TABLE idempotency_keys (
    key             TEXT      NOT NULL,
    actor           TEXT      NOT NULL,
    request_hash    TEXT      NOT NULL,
    state           TEXT      NOT NULL CHECK (state IN ('running', 'done')),
    response_status INTEGER,
    response_body   TEXT,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (actor, key)
);
