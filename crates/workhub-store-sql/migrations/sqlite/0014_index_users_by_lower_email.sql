-- Sign-in and uniqueness checks look members up by e-mail without regard to case.
CREATE INDEX users_by_lower_email ON users (corp_id, LOWER(email));
