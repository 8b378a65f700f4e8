-- How many admin roles a member holds, kept with the grants: most members hold none, and
-- signing in need not look for grants then.
ALTER TABLE users ADD COLUMN admin_roles BIGINT NOT NULL DEFAULT 0;
