-- A member's unfinished uploads, newest first, for resuming them from any device.
CREATE INDEX uploads_by_owner ON uploads (corp_id, userid, created_at);
