-- Bumped by every member write, so each node knows when its search index is stale.
ALTER TABLE corps ADD COLUMN directory_version BIGINT NOT NULL DEFAULT 0;
