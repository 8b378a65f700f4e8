-- Old events are deleted from the front of each stream (`pruned_seq`: every event up to it is
-- gone, so a reader behind it must start again). A stream's mark notes its head at a moment;
-- once that moment is older than the events' retention, everything up to the mark can go.
ALTER TABLE user_seqs ADD COLUMN pruned_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_seqs ADD COLUMN mark_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_seqs ADD COLUMN mark_at BIGINT NOT NULL DEFAULT 0;
