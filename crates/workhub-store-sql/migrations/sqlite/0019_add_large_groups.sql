-- A group with more members than the configured threshold has a stream of its own: its
-- messages, recalls and reactions are appended once, as events of 'conversation:' || id (a name
-- no member can have), instead of once per member.
ALTER TABLE conversations ADD COLUMN large BIGINT NOT NULL DEFAULT 0;
