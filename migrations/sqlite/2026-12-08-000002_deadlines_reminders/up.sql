-- 报送截止日期: a county's, prefecture's or province's own due dates for the forms of its villages.
-- `applies_to` is a frequency (annual, quarterly, monthly: `days_after` the period's end, a
-- standing rule) or a period (2025Q1: `due_date`, that period only).
CREATE TABLE deadlines (
    region_code TEXT      NOT NULL,
    applies_to  TEXT      NOT NULL,
    days_after  INTEGER,
    due_date    DATE,
    set_by      TEXT      NOT NULL,
    set_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, applies_to)
);

-- 催报: a reviewer's or admin's reminder to a village about a period's form.
CREATE TABLE reminders (
    id          INTEGER   NOT NULL PRIMARY KEY,
    region_code TEXT      NOT NULL,
    period      TEXT      NOT NULL,
    message     TEXT      NOT NULL,
    sent_by     TEXT      NOT NULL,
    sent_at     TIMESTAMP NOT NULL,
    read_by     TEXT,
    read_at     TIMESTAMP,
    -- What the township's chat robot answered (none configured: null).
    delivery    TEXT
);
CREATE INDEX reminders_region ON reminders (region_code, period, sent_at);

-- A township's (or county's) chat group robot: DingTalk (钉钉) or WeCom (企业微信).
CREATE TABLE reminder_hooks (
    region_code TEXT      NOT NULL PRIMARY KEY,
    kind        TEXT      NOT NULL CHECK (kind IN ('dingtalk', 'wecom')),
    url         TEXT      NOT NULL,
    set_by      TEXT      NOT NULL,
    set_at      TIMESTAMP NOT NULL
);
