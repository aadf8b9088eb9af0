-- Monthly audit archives (审计归档): which months went to a checksummed, hash-chained file.
CREATE TABLE audit_archives (
    month       TEXT      NOT NULL PRIMARY KEY,
    events      BIGINT    NOT NULL,
    first_id    BIGINT,
    last_id     BIGINT,
    file_sha256 TEXT      NOT NULL,
    head        TEXT      NOT NULL,
    archived_at TIMESTAMP NOT NULL
);
-- Still append-only, except that the events of an archived month may be deleted (retention).
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_archives a WHERE a.month = strftime('%Y-%m', OLD.occurred_at))
BEGIN SELECT RAISE(ABORT, 'audit_events: only events of an archived month may be deleted'); END;
