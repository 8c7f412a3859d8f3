"""The clinic manager's reports: what the practice did over a period of months, read on one
page and downloaded table by table as CSV. Aggregates only: no patient is ever named.

It reads across the apps (treatments, scheduling, patients), so it sits above them all.

- ``selectors``: the figures, each table from one GROUP BY query by month.
- ``forms``: the period (from and to months) and the practitioner.
- ``views``: the page and its CSV downloads; URLs in ``reports/urls.py``.
"""
