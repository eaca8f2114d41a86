"""The SQLite database backend, with a queue for writers (see base.py)."""
