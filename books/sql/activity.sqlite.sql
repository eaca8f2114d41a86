-- The activity trail is append-only, like the entries: no row is ever changed (installed by
-- books 0003).
CREATE TRIGGER IF NOT EXISTS books_activity_append_only BEFORE UPDATE ON books_activity
BEGIN SELECT RAISE(ABORT, 'books_activity_append_only: the activity trail is append-only'); END;
