-- Background jobs (directory imports): progress and per-row results, readable from any node.
CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- 1 started, 2 running, 3 done (WeCom's values).
    status BIGINT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL,
    result TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_by_corp ON jobs (corp_id, created_at);
