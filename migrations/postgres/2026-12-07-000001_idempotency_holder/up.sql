-- Which server process holds a running Idempotency-Key claim: on PostgreSQL each process holds a
-- session-level advisory lock on this number for its life, so a claim whose holder was killed
-- (its lock released with its connection) is taken over at once, not after the lease.
ALTER TABLE idempotency_keys ADD COLUMN holder INTEGER;
