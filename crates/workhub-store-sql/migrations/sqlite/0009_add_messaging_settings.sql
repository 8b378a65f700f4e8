-- Per-company messaging settings (retention) and sensitive-word lists.
CREATE TABLE messaging_settings (
    corp_id TEXT PRIMARY KEY,
    retention_days BIGINT NOT NULL
);
CREATE TABLE sensitive_words (
    corp_id TEXT NOT NULL,
    word TEXT NOT NULL,
    -- "block", "mask" or "warn".
    action TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, word)
);
CREATE INDEX messages_by_time ON messages (corp_id, created_at);
-- Emoji reactions to messages, one row per person and emoji.
CREATE TABLE message_reactions (
    corp_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    emoji TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, message_id, userid, emoji)
);
