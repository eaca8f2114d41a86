DROP TRIGGER IF EXISTS ledger_entry_posted;
--;
DROP TRIGGER IF EXISTS ledger_entry_reversed;
