"""Where a course stands on a given day: sessions done, overdue and to come, and when the
next maintenance session falls due. Pure date arithmetic on the clinic's calendar days (a
session's day is its local date), so daylight-saving changes never shift a due date.

The schedule rolls: the next session is due one interval after the last one done (or on the
plan's start date), and the ones after it follow at the same interval. A session done late
moves the rest of the course, as a practitioner would.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from treatments.models import TreatmentPlan, TreatmentSession

Kind = TreatmentSession.Kind
Status = TreatmentPlan.Status


@dataclass(frozen=True)
class PlanProgress:
    total: int
    done: int
    in_progress: int
    overdue: int
    upcoming: int
    due_dates: tuple[datetime.date, ...]
    next_due: datetime.date | None
    maintenance_done: int
    last_session_on: datetime.date | None
    next_maintenance: datetime.date | None
    # True while the course is still running: the maintenance date is a projection.
    maintenance_projected: bool
    today: datetime.date

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def percent_overdue(self) -> int:
        return round(100 * self.overdue / self.total) if self.total else 0

    @property
    def next_due_overdue(self) -> bool:
        return self.next_due is not None and self.next_due < self.today

    @property
    def maintenance_overdue(self) -> bool:
        return (
            not self.maintenance_projected
            and self.next_maintenance is not None
            and self.next_maintenance < self.today
        )


def compute_progress(
    *,
    status: str,
    initial_sessions: int,
    interval_days: int,
    maintenance_every_days: int | None,
    start_date: datetime.date,
    sessions: Iterable[tuple[str, str, datetime.date | None]],
    today: datetime.date,
) -> PlanProgress:
    """`sessions` holds (kind, status, local day) for each session of the plan."""
    initial_days = sorted(
        day for kind, state, day in sessions if kind == Kind.INITIAL and state == "signed" and day
    )
    all_days = sorted(day for _, state, day in sessions if state == "signed" and day)
    in_progress = sum(1 for _, state, _ in sessions if state == "in_progress")
    maintenance_done = len(all_days) - len(initial_days)
    done = min(len(initial_days), initial_sessions)
    remaining = initial_sessions - done
    interval = datetime.timedelta(days=interval_days)

    scheduling = status in (Status.PROPOSED, Status.ACCEPTED, Status.IN_PROGRESS)
    due_dates: tuple[datetime.date, ...] = ()
    if scheduling and remaining:
        anchor = initial_days[-1] + interval if initial_days else start_date
        due_dates = tuple(anchor + index * interval for index in range(remaining))
    # Nothing is overdue before the patient accepted the plan.
    counting = status in (Status.ACCEPTED, Status.IN_PROGRESS)
    overdue = sum(1 for day in due_dates if day < today) if counting else 0

    next_maintenance = None
    projected = False
    if maintenance_every_days and status not in (Status.COMPLETED, Status.STOPPED):
        cadence = datetime.timedelta(days=maintenance_every_days)
        if remaining == 0 and all_days:
            next_maintenance = all_days[-1] + cadence
        elif due_dates:
            next_maintenance, projected = due_dates[-1] + cadence, True

    return PlanProgress(
        total=initial_sessions,
        done=done,
        in_progress=in_progress,
        overdue=overdue,
        upcoming=len(due_dates) - overdue,
        due_dates=due_dates,
        next_due=due_dates[0] if due_dates else None,
        maintenance_done=maintenance_done,
        last_session_on=all_days[-1] if all_days else None,
        next_maintenance=next_maintenance,
        maintenance_projected=projected,
        today=today,
    )


def plan_progress(
    plan: TreatmentPlan, sessions: Iterable[TreatmentSession], *, today: datetime.date
) -> PlanProgress:
    """The progress of `plan` from its sessions (already loaded: no query)."""
    return compute_progress(
        status=plan.status,
        initial_sessions=plan.initial_sessions,
        interval_days=plan.interval_days,
        maintenance_every_days=plan.maintenance_every_days,
        start_date=plan.start_date,
        sessions=[(s.kind, s.status, s.performed_on) for s in sessions],
        today=today,
    )
