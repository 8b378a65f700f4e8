-- What a member can be found by (userid, name, pinyin, initials, alias, mobile, email), one per line;
-- written with the member, filled for existing members when the server starts.
ALTER TABLE users ADD COLUMN search_keys TEXT NOT NULL DEFAULT '';
