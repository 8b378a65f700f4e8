-- Which department subtrees the members of a department see (JSON array of department ids).
CREATE TABLE department_visibility (
    corp_id TEXT NOT NULL,
    dept_id BIGINT NOT NULL,
    visible TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, dept_id)
);
