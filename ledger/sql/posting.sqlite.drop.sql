DROP TRIGGER IF EXISTS ledger_entry_posted;
