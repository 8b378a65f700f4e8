-- The org directory: departments, member profiles and memberships, tags, activation links.
CREATE TABLE departments (
    corp_id TEXT NOT NULL,
    dept_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    parent_id BIGINT NOT NULL,
    sort_order BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, dept_id)
);
CREATE INDEX departments_by_parent ON departments (corp_id, parent_id);
-- Every existing company gets its root department, named after it.
INSERT INTO departments (corp_id, dept_id, name, name_en, parent_id, sort_order, created_at)
    SELECT corp_id, 1, name, NULL, 0, 0, created_at FROM corps;

-- status: 1 active, 2 disabled, 4 not yet activated (WeCom's values).
ALTER TABLE users ADD COLUMN status BIGINT NOT NULL DEFAULT 1;
UPDATE users SET status = 2 WHERE disabled = 1;
ALTER TABLE users DROP COLUMN disabled;
ALTER TABLE users ADD COLUMN alias TEXT;
ALTER TABLE users ADD COLUMN position TEXT;
ALTER TABLE users ADD COLUMN gender TEXT NOT NULL DEFAULT '0';
ALTER TABLE users ADD COLUMN telephone TEXT;
ALTER TABLE users ADD COLUMN avatar TEXT;
ALTER TABLE users ADD COLUMN extattr TEXT;
ALTER TABLE users ADD COLUMN main_department BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN direct_leaders TEXT NOT NULL DEFAULT '[]';

CREATE TABLE member_departments (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    dept_id BIGINT NOT NULL,
    sort_order BIGINT NOT NULL,
    is_leader BIGINT NOT NULL,
    -- Where the department stands in the member's own list (WeCom keeps that order).
    list_index BIGINT NOT NULL,
    PRIMARY KEY (corp_id, userid, dept_id)
);
CREATE INDEX member_departments_by_dept ON member_departments (corp_id, dept_id);
-- Existing members (company administrators) belong to the root department.
INSERT INTO member_departments (corp_id, userid, dept_id, sort_order, is_leader, list_index)
    SELECT corp_id, userid, 1, 0, 0, 0 FROM users;

CREATE TABLE tags (
    corp_id TEXT NOT NULL,
    tag_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, tag_id)
);
CREATE UNIQUE INDEX tags_by_name ON tags (corp_id, name);
CREATE TABLE tag_members (
    corp_id TEXT NOT NULL,
    tag_id BIGINT NOT NULL,
    userid TEXT NOT NULL,
    PRIMARY KEY (corp_id, tag_id, userid)
);
CREATE TABLE tag_departments (
    corp_id TEXT NOT NULL,
    tag_id BIGINT NOT NULL,
    dept_id BIGINT NOT NULL,
    PRIMARY KEY (corp_id, tag_id, dept_id)
);
CREATE TABLE activations (
    token_digest TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
