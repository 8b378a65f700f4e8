-- Custom admin roles (built-in roles live in code) and who holds which role where.
CREATE TABLE admin_roles (
    corp_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    -- JSON array of permission keys.
    permissions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, role_id)
);
CREATE UNIQUE INDEX admin_roles_by_name ON admin_roles (corp_id, name);
CREATE TABLE admin_grants (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    role_id TEXT NOT NULL,
    -- JSON array of department ids, roots of the subtrees reached; [] is the whole company.
    departments TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, userid, role_id)
);
CREATE INDEX admin_grants_by_role ON admin_grants (corp_id, role_id);
