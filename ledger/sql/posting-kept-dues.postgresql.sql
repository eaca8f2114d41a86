-- Statement trigger over a transition table: one UPDATE of the customers, one upsert of the days
-- and one write of the dues per INSERT or COPY, however many rows it carries. Installed by
-- ledger/migrations/_posting.py; the rules' names start the refusals' messages. A party's dues
-- run by its kind: a customer's credits open dues and its debits pay them; a supplier's the
-- other way round. An entry that opens one adds its due row; a payment adds to what the party
-- has paid; a reversal takes back what its entry did (a reversed due's settled part returns to
-- what has been paid but not yet settled). ledger.dues then settles (sqlite form: the same).
CREATE OR REPLACE FUNCTION ledger_entries_posted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    customers bigint;
    moved bigint;
    refusal text;
BEGIN
    -- Move each customer's totals by its rows' sums. The UPDATE locks the customer's row, so
    -- concurrent postings to one customer move its totals one at a time, and it re-reads the
    -- conditions after the lock: a customer archived meanwhile matches no row.
    WITH sums AS (
        SELECT customer_id, book_id,
               COALESCE(sum(amount) FILTER (WHERE type = 'credit'), 0) AS credit,
               COALESCE(sum(amount) FILTER (WHERE type = 'debit'), 0) AS debit,
               count(*) AS entries,
               max(entry_date) AS latest,
               COALESCE(sum(amount) FILTER (WHERE type = 'credit' AND reverses_id IS NULL), 0)
                   AS credit_new,
               COALESCE(sum(amount) FILTER (WHERE type = 'debit' AND reverses_id IS NULL), 0)
                   AS debit_new,
               COALESCE(sum(amount) FILTER (WHERE type = 'credit' AND reverses_id IS NOT NULL), 0)
                   AS credit_reversing,
               COALESCE(sum(amount) FILTER (WHERE type = 'debit' AND reverses_id IS NOT NULL), 0)
                   AS debit_reversing
        FROM posted
        GROUP BY customer_id, book_id
    ), released AS (
        -- the settled part of each due whose entry this statement reverses
        SELECT d.customer_id, sum(d.amount - d.open_amount) AS amount
        FROM posted AS p JOIN ledger_due AS d ON d.entry_id = p.reverses_id
        WHERE p.reverses_id IS NOT NULL
        GROUP BY d.customer_id
    ), moved AS (
        UPDATE customers_customer AS c SET
            total_credit = c.total_credit + s.credit,
            total_debit = c.total_debit + s.debit,
            entry_count = c.entry_count + s.entries,
            last_entry_date = GREATEST(c.last_entry_date, s.latest),
            -- payments in, payments' reversals out
            dues_paid = c.dues_paid + CASE c.kind
                WHEN 'supplier' THEN s.credit_new - s.debit_reversing
                ELSE s.debit_new - s.credit_reversing END,
            dues_settled = c.dues_settled - COALESCE(r.amount, 0)
        FROM sums AS s LEFT OUTER JOIN released AS r ON r.customer_id = s.customer_id
        WHERE c.id = s.customer_id AND c.book_id = s.book_id AND c.archived_at IS NULL
          AND c.total_credit <= 9223372036854775807 - s.credit
          AND c.total_debit <= 9223372036854775807 - s.debit
        RETURNING c.id
    )
    SELECT (SELECT count(*) FROM sums), (SELECT count(*) FROM moved) INTO customers, moved;

    IF moved < customers THEN
        -- Say which rule the first refused customer broke (the statement is undone whole).
        SELECT CASE
            WHEN c.id IS NULL OR c.book_id <> s.book_id
            THEN 'ledger_entry_owner_mismatch: an entry belongs to its customer''s book'
            WHEN c.archived_at IS NOT NULL
            THEN 'ledger_entry_customer_archived: the customer is archived'
            ELSE 'ledger_customer_totals_overflow: the totals would pass 64-bit cents'
        END
        INTO refusal
        FROM (SELECT DISTINCT customer_id, book_id FROM posted) AS s
        LEFT OUTER JOIN customers_customer AS c ON c.id = s.customer_id
        ORDER BY (c.id IS NULL OR c.book_id <> s.book_id) DESC, (c.archived_at IS NOT NULL) DESC
        LIMIT 1;
        RAISE EXCEPTION '%', refusal USING ERRCODE = 'check_violation';
    END IF;

    DELETE FROM ledger_due AS d USING posted AS p
    WHERE p.reverses_id IS NOT NULL AND d.entry_id = p.reverses_id;

    INSERT INTO ledger_due (book_id, customer_id, entry_id, due_date, entry_date, amount, open_amount)
    SELECT p.book_id, p.customer_id, p.id, COALESCE(p.due_date, p.entry_date), p.entry_date,
           p.amount, p.amount
    FROM posted AS p JOIN customers_customer AS c ON c.id = p.customer_id
    WHERE p.reverses_id IS NULL
      AND p.type = CASE c.kind WHEN 'supplier' THEN 'debit' ELSE 'credit' END;

    INSERT INTO ledger_dailytotal AS d (book_id, customer_id, day, credit, debit, entry_count)
    SELECT book_id, customer_id, entry_date,
           COALESCE(sum(amount) FILTER (WHERE type = 'credit'), 0),
           COALESCE(sum(amount) FILTER (WHERE type = 'debit'), 0),
           count(*)
    FROM posted
    GROUP BY book_id, customer_id, entry_date
    ON CONFLICT (book_id, customer_id, day) DO UPDATE SET
        credit = d.credit + excluded.credit,
        debit = d.debit + excluded.debit,
        entry_count = d.entry_count + excluded.entry_count;
    RETURN NULL;
END;
$$
--;
DROP TRIGGER IF EXISTS ledger_entry_posted ON ledger_entry
--;
CREATE TRIGGER ledger_entry_posted AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS posted
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_posted()
