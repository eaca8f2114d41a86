DROP TRIGGER IF EXISTS books_activity_append_only ON books_activity
--;
DROP FUNCTION IF EXISTS books_activity_refuse_change()
