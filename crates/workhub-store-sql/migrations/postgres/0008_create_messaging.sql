-- Conversations (direct, group, app) and their messages. A message is stored once; members'
-- event streams reference it through events.message_id.
CREATE TABLE conversations (
    corp_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    announcement TEXT NOT NULL,
    unique_key TEXT,
    last_seq BIGINT NOT NULL,
    member_limit BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, id)
);
CREATE UNIQUE INDEX conversations_by_key ON conversations (corp_id, unique_key);
CREATE TABLE conversation_members (
    corp_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    userid TEXT NOT NULL,
    role TEXT NOT NULL,
    read_seq BIGINT NOT NULL,
    pinned BIGINT NOT NULL,
    muted BIGINT NOT NULL,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, conversation_id, userid)
);
CREATE INDEX conversation_members_by_user ON conversation_members (corp_id, userid);
CREATE TABLE messages (
    corp_id TEXT NOT NULL,
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    sender TEXT NOT NULL,
    client_msg_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    mentions TEXT NOT NULL,
    reply_to TEXT,
    recalled_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, id)
);
CREATE UNIQUE INDEX messages_by_seq ON messages (corp_id, conversation_id, seq);
CREATE UNIQUE INDEX messages_by_client_id ON messages (corp_id, sender, client_msg_id);
ALTER TABLE events ADD COLUMN message_id TEXT;
-- Group robots: a webhook key (stored as a SHA-256 digest) that posts into one conversation.
CREATE TABLE robots (
    key_digest TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    key_hint TEXT NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX robots_by_conversation ON robots (corp_id, conversation_id);
