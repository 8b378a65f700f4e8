-- What a job runs (its file and caller, as JSON) and when its node last showed it alive, so
-- another node can take over a job whose node died.
ALTER TABLE jobs ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN heartbeat_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_by_heartbeat ON jobs (status, heartbeat_at);
