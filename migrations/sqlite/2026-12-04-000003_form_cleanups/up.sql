-- Clean-up runs (报表清理): the counts of each batch of forms analyzed together — N forms and
-- M columns down to K distinct needs, so many already in the registry — that the burden page
-- shows. The forms themselves are not kept.
CREATE TABLE form_cleanups (
    id             INTEGER   NOT NULL PRIMARY KEY,
    run_by         TEXT      NOT NULL,
    department     TEXT,
    run_at         TIMESTAMP NOT NULL,
    forms          BIGINT    NOT NULL,
    columns_total  BIGINT    NOT NULL,
    distinct_needs BIGINT    NOT NULL,
    in_registry    BIGINT    NOT NULL,
    new_needs      BIGINT    NOT NULL
);
