-- Row triggers: each entry row checks its customer, then moves its totals, its day's totals and
-- its dues. Installed by ledger/migrations/_posting.py; the rules' names start the refusals'
-- messages. A party's dues run by its kind: a customer's credits open dues and its debits pay
-- them; a supplier's the other way round. An entry that opens one adds its due row, and its
-- reversal removes it. What is open is read from the dues and the balance (ledger.dues).
CREATE TRIGGER IF NOT EXISTS ledger_entry_posted AFTER INSERT ON ledger_entry
BEGIN
    SELECT CASE
        WHEN c.id IS NULL OR c.book_id <> NEW.book_id
        THEN RAISE(ABORT, 'ledger_entry_owner_mismatch: an entry belongs to its customer''s book')
        WHEN c.archived_at IS NOT NULL
        THEN RAISE(ABORT, 'ledger_entry_customer_archived: the customer is archived')
        WHEN c.total_credit > 9223372036854775807 - (CASE WHEN NEW.type = 'credit' THEN NEW.amount ELSE 0 END)
          OR c.total_debit > 9223372036854775807 - (CASE WHEN NEW.type = 'debit' THEN NEW.amount ELSE 0 END)
        THEN RAISE(ABORT, 'ledger_customer_totals_overflow: the totals would pass 64-bit cents')
    END
    FROM (SELECT NEW.customer_id AS id) AS wanted
    LEFT OUTER JOIN customers_customer AS c ON c.id = wanted.id;

    UPDATE customers_customer SET
        total_credit = total_credit + (CASE WHEN NEW.type = 'credit' THEN NEW.amount ELSE 0 END),
        total_debit = total_debit + (CASE WHEN NEW.type = 'debit' THEN NEW.amount ELSE 0 END),
        entry_count = entry_count + 1,
        last_entry_date = CASE
            WHEN last_entry_date IS NULL OR last_entry_date < NEW.entry_date THEN NEW.entry_date
            ELSE last_entry_date END
    WHERE id = NEW.customer_id;

    INSERT INTO ledger_due (book_id, customer_id, entry_id, due_date, entry_date, amount)
    SELECT NEW.book_id, NEW.customer_id, NEW.id, COALESCE(NEW.due_date, NEW.entry_date),
           NEW.entry_date, NEW.amount
    FROM customers_customer AS c
    WHERE c.id = NEW.customer_id AND NEW.reverses_id IS NULL
      AND NEW.type = (CASE c.kind WHEN 'supplier' THEN 'debit' ELSE 'credit' END);

    INSERT INTO ledger_dailytotal (book_id, customer_id, day, credit, debit, entry_count)
    VALUES (
        NEW.book_id, NEW.customer_id, NEW.entry_date,
        CASE WHEN NEW.type = 'credit' THEN NEW.amount ELSE 0 END,
        CASE WHEN NEW.type = 'debit' THEN NEW.amount ELSE 0 END,
        1
    )
    ON CONFLICT (book_id, customer_id, day) DO UPDATE SET
        credit = credit + excluded.credit,
        debit = debit + excluded.debit,
        entry_count = entry_count + excluded.entry_count;
END;
--;
-- A reversal of an entry that opened a due removes the due. Apart, so an import's rows skip it.
CREATE TRIGGER IF NOT EXISTS ledger_entry_reversed AFTER INSERT ON ledger_entry
WHEN NEW.reverses_id IS NOT NULL
BEGIN
    DELETE FROM ledger_due WHERE entry_id = NEW.reverses_id;
END;
