"""The patient-email outbox: every email the clinic sends a patient by itself goes through here.

- `kinds.py`: what a kind of message is (`MessageKind`) and the audience every kind shares.
- `scheduling/reminders.py`: the kinds themselves, in the table `KINDS`.
- `services.py`: the sweep (plan, cancel what is no longer wanted, queue what is due), the
  send (claim under a row lock, send, mark sent), failures and retries, resending.
- `selectors.py`: what the staff pages read. `links.py`: the signed links in the emails.

The beat job `scheduling.tasks.sweep_outbox` runs the sweep every minute; the task
`scheduling.tasks.send_outbox_message` sends one message (see the module docstrings there).
"""
