DROP TRIGGER audit_events_delete_archived ON audit_events;
DROP FUNCTION audit_events_delete_archived_only();
DROP TRIGGER audit_events_no_update ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
DROP TABLE audit_archives;
