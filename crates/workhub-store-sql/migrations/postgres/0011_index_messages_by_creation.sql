-- Lets the search indexer read every new message in order, across companies.
CREATE INDEX messages_by_creation ON messages (created_at, id);
