"""The clinic manager's reports: what the practice did over a period of months, read on one
page and downloaded table by table as CSV. Aggregates only: no patient is ever named.

It reads across the apps (appointments, treatments, patients), so it lives in scheduling, the
app at the top of the dependency order (scheduling → treatments → cocktails/patients), and is
mounted at /reports/ under its own namespace ("reports").

- ``selectors``: the figures, each table from one GROUP BY query by month.
- ``forms``: the period (from and to months) and the practitioner.
- ``views``: the page and its CSV downloads; URLs in ``urls.py``.
"""
