-- One audit row per edit instead of one per cell: the edit's who, when, why and source once, and
-- its changed cells as a JSON array of [indicator code, old value, new value] in `changes`. Twenty
-- rows and twenty index entries per PATCH were 35 % of the SQLite writer's instructions
-- (callgrind); the history endpoint lists the same cell changes as before.
CREATE TABLE value_audit_per_edit (
    id          INTEGER   NOT NULL PRIMARY KEY,
    region_code TEXT      NOT NULL,
    period      TEXT      NOT NULL,
    revision    BIGINT    NOT NULL,
    source      TEXT      NOT NULL,
    actor       TEXT      NOT NULL,
    reason      TEXT,
    changed_at  TIMESTAMP NOT NULL,
    changes     TEXT      NOT NULL
);
INSERT INTO value_audit_per_edit (region_code, period, revision, source, actor, reason, changed_at, changes)
SELECT region_code, period, revision, source, actor, reason, changed_at,
       json_group_array(json_array(indicator_code, old_value, new_value) ORDER BY id)
FROM value_audit
GROUP BY region_code, period, revision, source, actor, reason, changed_at
ORDER BY min(id);
DROP TABLE value_audit;
ALTER TABLE value_audit_per_edit RENAME TO value_audit;
CREATE INDEX value_audit_entry ON value_audit (region_code, period, id);
