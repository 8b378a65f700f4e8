-- What a self-built app may see of the directory, and where it may call from (JSON).
ALTER TABLE apps ADD COLUMN visible TEXT NOT NULL DEFAULT '{}';
ALTER TABLE apps ADD COLUMN trusted_ips TEXT NOT NULL DEFAULT '[]';
