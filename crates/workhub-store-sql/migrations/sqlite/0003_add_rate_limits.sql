-- Per-company API rate limits (JSON), overriding the defaults when set.
ALTER TABLE corps ADD COLUMN rate_limits TEXT;
