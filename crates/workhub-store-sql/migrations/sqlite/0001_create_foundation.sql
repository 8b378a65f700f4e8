-- Foundation: companies, accounts, sessions, the event stream, audit, sign-up, operators.
-- Every integer is BIGINT (bound as i64), times are unix milliseconds, booleans are 0/1.
CREATE TABLE corps (
    corp_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    edition TEXT NOT NULL,
    verified BIGINT NOT NULL,
    uscc TEXT,
    industry TEXT,
    size TEXT,
    address TEXT,
    logo_file_id TEXT,
    created_at BIGINT NOT NULL,
    verified_at BIGINT
);
CREATE TABLE corp_secrets (
    secret_digest TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    agent_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX corp_secrets_by_agent ON corp_secrets (corp_id, agent_id);
CREATE TABLE apps (
    corp_id TEXT NOT NULL,
    agent_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, agent_id)
);
CREATE TABLE access_tokens (
    token_digest TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    agent_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX access_tokens_by_agent ON access_tokens (corp_id, agent_id, expires_at);
CREATE TABLE users (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    name TEXT NOT NULL,
    mobile TEXT,
    email TEXT,
    is_admin BIGINT NOT NULL,
    disabled BIGINT NOT NULL,
    password_digest TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, userid)
);
CREATE UNIQUE INDEX users_by_mobile ON users (corp_id, mobile);
CREATE UNIQUE INDEX users_by_email ON users (corp_id, email);
CREATE TABLE password_history (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    password_digest TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_by_user ON password_history (corp_id, userid, created_at);
CREATE TABLE devices (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    device_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    trusted BIGINT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, userid, device_id)
);
CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    platform TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (corp_id, userid, revoked_at);
CREATE TABLE device_approvals (
    approval_id TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    platform TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    poll_digest TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX device_approvals_by_user ON device_approvals (corp_id, userid, status);
CREATE TABLE security_policies (
    corp_id TEXT PRIMARY KEY,
    policy TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE user_seqs (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (corp_id, userid)
);
CREATE TABLE events (
    corp_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, userid, seq)
);
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    time BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX audit_log_by_corp ON audit_log (corp_id, id);
CREATE TABLE signups (
    signup_id TEXT PRIMARY KEY,
    token_digest TEXT NOT NULL,
    company_name TEXT NOT NULL,
    uscc TEXT NOT NULL,
    licence_file_id TEXT NOT NULL,
    step TEXT NOT NULL,
    bank_name TEXT,
    account_name TEXT,
    account_number TEXT,
    bank_code TEXT,
    bank_status TEXT NOT NULL,
    corp_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE TABLE uploaded_files (
    file_id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE operators (
    username TEXT PRIMARY KEY,
    password_digest TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE operator_sessions (
    token_digest TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
