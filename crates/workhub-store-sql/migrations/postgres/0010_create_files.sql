-- Resumable uploads (tus) in progress, and the company's files. A file's bytes live in blob
-- storage under their SHA-256 (content addressing: the same bytes are stored once).
CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    file_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX uploads_by_expiry ON uploads (expires_at);
CREATE TABLE corp_files (
    corp_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, file_id)
);
CREATE INDEX corp_files_by_hash ON corp_files (sha256);
