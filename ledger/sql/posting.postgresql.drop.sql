DROP TRIGGER IF EXISTS ledger_entry_posted ON ledger_entry
--;
DROP FUNCTION IF EXISTS ledger_entries_posted()
