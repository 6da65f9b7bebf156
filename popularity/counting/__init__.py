"""Counting views: the rule (rule.py), the day's salt (salts.py), recording a view (record.py)
straight into PostgreSQL or into the optional Redis buffer (buffer.py), and the flush that
moves buffered views into PostgreSQL (flush.py)."""
