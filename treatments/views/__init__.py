"""Pages for treatment plans, sessions, their follow-up and the practitioner's day."""
