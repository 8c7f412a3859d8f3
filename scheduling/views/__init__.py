"""Scheduling pages, one module per part: calendar, appointments, series, waitlist, feeds."""
