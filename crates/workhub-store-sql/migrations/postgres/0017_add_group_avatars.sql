-- A group's picture: the file id of an image the company stored ('' for none).
ALTER TABLE conversations ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
