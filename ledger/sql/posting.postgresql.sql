-- Statement trigger over a transition table: one UPDATE of the customers, one upsert of the days
-- and one write of the dues per INSERT or COPY, however many rows it carries. Installed by
-- ledger/migrations/_posting.py; the rules' names start the refusals' messages. A party's dues
-- run by its kind: a customer's credits open dues and its debits pay them; a supplier's the
-- other way round. An entry that opens one adds its due row, and its reversal removes it. What
-- is open is read from the dues and the balance (ledger.dues; sqlite form: the same).
--
-- The tables it writes are named, not written in: on Citus (common/citus.py) the trigger runs on
-- one shard of ledger_entry on a worker, and writes the colocated shards of the customers, dues
-- and days there (every row of one shard's statement has its book in that shard's range). On
-- PostgreSQL, and on Citus's coordinator, the names are the tables themselves. A shard has no
-- default for its id, so new rows take theirs from the table's own sequence (on a Citus worker,
-- that node's range of it).
CREATE OR REPLACE FUNCTION ledger_entries_posted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    customers_table text := 'customers_customer';
    dues_table text := 'ledger_due';
    days_table text := 'ledger_dailytotal';
    book bigint;
    customers bigint;
    moved bigint;
    refusal text;
BEGIN
    IF TG_TABLE_NAME <> 'ledger_entry' THEN
        SELECT book_id INTO book FROM posted LIMIT 1;
        SELECT shard_name(t::regclass, get_shard_id_for_distribution_column(t, book))
        INTO customers_table FROM (VALUES ('customers_customer')) AS v(t);
        SELECT shard_name(t::regclass, get_shard_id_for_distribution_column(t, book))
        INTO dues_table FROM (VALUES ('ledger_due')) AS v(t);
        SELECT shard_name(t::regclass, get_shard_id_for_distribution_column(t, book))
        INTO days_table FROM (VALUES ('ledger_dailytotal')) AS v(t);
    END IF;

    -- Move each customer's totals by its rows' sums. The UPDATE locks the customer's row, so
    -- concurrent postings to one customer move its totals one at a time, and it re-reads the
    -- conditions after the lock: a customer archived meanwhile matches no row.
    EXECUTE format($sql$
        WITH sums AS (
            SELECT customer_id, book_id,
                   COALESCE(sum(amount) FILTER (WHERE type = 'credit'), 0) AS credit,
                   COALESCE(sum(amount) FILTER (WHERE type = 'debit'), 0) AS debit,
                   count(*) AS entries,
                   max(entry_date) AS latest
            FROM posted
            GROUP BY customer_id, book_id
        ), moved AS (
            UPDATE %1$s AS c SET
                total_credit = c.total_credit + s.credit,
                total_debit = c.total_debit + s.debit,
                entry_count = c.entry_count + s.entries,
                last_entry_date = GREATEST(c.last_entry_date, s.latest)
            FROM sums AS s
            WHERE c.id = s.customer_id AND c.book_id = s.book_id AND c.archived_at IS NULL
              AND c.total_credit <= 9223372036854775807 - s.credit
              AND c.total_debit <= 9223372036854775807 - s.debit
            RETURNING c.id
        )
        SELECT (SELECT count(*) FROM sums), (SELECT count(*) FROM moved)
    $sql$, customers_table) INTO customers, moved;

    IF moved < customers THEN
        -- Say which rule the first refused customer broke (the statement is undone whole).
        EXECUTE format($sql$
            SELECT CASE
                WHEN c.id IS NULL OR c.book_id <> s.book_id
                THEN 'ledger_entry_owner_mismatch: an entry belongs to its customer''s book'
                WHEN c.archived_at IS NOT NULL
                THEN 'ledger_entry_customer_archived: the customer is archived'
                ELSE 'ledger_customer_totals_overflow: the totals would pass 64-bit cents'
            END
            FROM (SELECT DISTINCT customer_id, book_id FROM posted) AS s
            LEFT OUTER JOIN %1$s AS c ON c.id = s.customer_id
            ORDER BY (c.id IS NULL OR c.book_id <> s.book_id) DESC, (c.archived_at IS NOT NULL) DESC
            LIMIT 1
        $sql$, customers_table) INTO refusal;
        RAISE EXCEPTION '%', refusal USING ERRCODE = 'check_violation';
    END IF;

    EXECUTE format($sql$
        DELETE FROM %1$s AS d USING posted AS p
        WHERE p.reverses_id IS NOT NULL AND d.book_id = p.book_id AND d.entry_id = p.reverses_id
    $sql$, dues_table);

    EXECUTE format($sql$
        INSERT INTO %1$s (id, book_id, customer_id, entry_id, due_date, entry_date, amount)
        SELECT nextval(pg_get_serial_sequence('ledger_due', 'id')),
               p.book_id, p.customer_id, p.id, COALESCE(p.due_date, p.entry_date), p.entry_date,
               p.amount
        FROM posted AS p JOIN %2$s AS c ON c.book_id = p.book_id AND c.id = p.customer_id
        WHERE p.reverses_id IS NULL
          AND p.type = CASE c.kind WHEN 'supplier' THEN 'debit' ELSE 'credit' END
    $sql$, dues_table, customers_table);

    EXECUTE format($sql$
        INSERT INTO %1$s AS d (id, book_id, customer_id, day, credit, debit, entry_count)
        SELECT nextval(pg_get_serial_sequence('ledger_dailytotal', 'id')),
               book_id, customer_id, entry_date,
               COALESCE(sum(amount) FILTER (WHERE type = 'credit'), 0),
               COALESCE(sum(amount) FILTER (WHERE type = 'debit'), 0),
               count(*)
        FROM posted
        GROUP BY book_id, customer_id, entry_date
        ON CONFLICT (book_id, customer_id, day) DO UPDATE SET
            credit = d.credit + excluded.credit,
            debit = d.debit + excluded.debit,
            entry_count = d.entry_count + excluded.entry_count
    $sql$, days_table);
    RETURN NULL;
END;
$$
--;
DROP TRIGGER IF EXISTS ledger_entry_posted ON ledger_entry
--;
CREATE TRIGGER ledger_entry_posted AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS posted
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_posted()
