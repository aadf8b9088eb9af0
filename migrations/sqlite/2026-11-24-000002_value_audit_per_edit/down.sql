CREATE TABLE value_audit_per_cell (
    id             INTEGER   NOT NULL PRIMARY KEY,
    region_code    TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    indicator_code TEXT      NOT NULL,
    old_value      TEXT,
    new_value      TEXT,
    source         TEXT      NOT NULL,
    actor          TEXT      NOT NULL,
    reason         TEXT,
    revision       BIGINT    NOT NULL,
    changed_at     TIMESTAMP NOT NULL
);
INSERT INTO value_audit_per_cell
    (region_code, period, indicator_code, old_value, new_value, source, actor, reason, revision, changed_at)
SELECT a.region_code, a.period, c.value ->> 0, c.value ->> 1, c.value ->> 2, a.source, a.actor, a.reason,
       a.revision, a.changed_at
FROM value_audit AS a, json_each(a.changes) AS c
ORDER BY a.id, c.key;
DROP TABLE value_audit;
ALTER TABLE value_audit_per_cell RENAME TO value_audit;
CREATE INDEX value_audit_entry ON value_audit (region_code, period, id);
