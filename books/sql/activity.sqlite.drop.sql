DROP TRIGGER IF EXISTS books_activity_append_only;
