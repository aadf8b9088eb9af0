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
DROP TRIGGER audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE FUNCTION audit_events_delete_archived_only() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_archives a WHERE a.month = to_char(OLD.occurred_at, 'YYYY-MM')) THEN
        RAISE EXCEPTION 'audit_events: only events of an archived month may be deleted';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_delete_archived BEFORE DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_delete_archived_only();
