"""Kept only for articles/admin.py, which imports annotate_view_totals from here.

The popularity reads live by concern: rankings.py, totals.py, statistics.py, read_depth.py
and analysis.py. Delete this module once articles no longer imports popularity.
"""

from .totals import annotate_view_totals

__all__ = ["annotate_view_totals"]
