-- The activity trail is append-only, like the entries: no row is ever changed (installed by
-- books 0003).
CREATE OR REPLACE FUNCTION books_activity_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'books_activity_append_only: the activity trail is append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$
--;
DROP TRIGGER IF EXISTS books_activity_append_only ON books_activity
--;
CREATE TRIGGER books_activity_append_only BEFORE UPDATE ON books_activity
    FOR EACH ROW EXECUTE FUNCTION books_activity_refuse_change()
