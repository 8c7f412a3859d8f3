"""Writes for treatment plans, sessions and what follows them.

Every function is keyword-only and atomic, and refuses bad input with a ValidationError keyed
by the form field it concerns. Other apps import from here (scheduling calls
`plan_sessions_reserve` when it books appointments from a plan).
"""

from treatments.services.followup import (
    adverse_event_record,
    adverse_event_update,
    outcome_record,
)
from treatments.services.plans import (
    plan_accept,
    plan_complete,
    plan_create,
    plan_refresh,
    plan_sessions_reserve,
    plan_stop,
    plan_update,
)
from treatments.services.sessions import (
    AMENDABLE_FIELDS,
    LotInput,
    PointInput,
    RowErrors,
    session_amend,
    session_log_problems,
    session_record,
    session_sign,
    session_start,
    sign_problems,
)

__all__ = [
    "AMENDABLE_FIELDS",
    "LotInput",
    "PointInput",
    "RowErrors",
    "adverse_event_record",
    "adverse_event_update",
    "outcome_record",
    "plan_accept",
    "plan_complete",
    "plan_create",
    "plan_refresh",
    "plan_sessions_reserve",
    "plan_stop",
    "plan_update",
    "session_amend",
    "session_log_problems",
    "session_record",
    "session_sign",
    "session_start",
    "sign_problems",
]
