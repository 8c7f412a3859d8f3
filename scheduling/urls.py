from __future__ import annotations

from django.urls import include, path

from scheduling.views import (
    appointments,
    calendar,
    email_switches,
    feeds,
    outbox,
    patient_links,
    series,
    time_off,
    waitlist,
    working_hours,
)

app_name = "scheduling"

# The switches of the kinds of patient email are the clinic manager's: their own namespace
# ("scheduling:email_switches") lets the navigation tell them from the appointment pages.
email_switch_patterns = (
    [
        path("", email_switches.switch_list, name="list"),
        path("<str:kind>/", email_switches.switch, name="switch"),
    ],
    "email_switches",
)

urlpatterns = [
    path("", calendar.week, name="week"),
    path("day/", calendar.day, name="day"),
    path("today/", calendar.today, name="today"),
    path("book/", appointments.book, name="book"),
    path("book/free-times/", appointments.free_slots, name="free_slots"),
    path("series/", series.series, name="series"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", appointments.appointment_move, name="appointment_move"),
    path(
        "appointments/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment_cancel"
    ),
    path(
        "appointments/<int:pk>/status/", appointments.appointment_status, name="appointment_status"
    ),
    path("waitlist/", waitlist.waitlist, name="waitlist"),
    path("waitlist/<int:pk>/withdraw/", waitlist.waitlist_withdraw, name="waitlist_withdraw"),
    path("days-off/", time_off.time_off_list, name="time_off_list"),
    path("days-off/<int:pk>/", time_off.time_off_detail, name="time_off"),
    path("days-off/<int:pk>/remove/", time_off.time_off_remove, name="time_off_remove"),
    path("days-off/<int:pk>/back-early/", time_off.time_off_end_early, name="time_off_end_early"),
    path("hours/", working_hours.working_hours_list, name="working_hours_list"),
    path("hours/<int:practitioner_id>/", working_hours.working_hours, name="working_hours"),
    path("calendar-feed/", feeds.feed_settings, name="feed_settings"),
    path("calendar-feed/<int:practitioner_id>/new/", feeds.feed_rotate, name="feed_rotate"),
    path("calendar-feed/<int:practitioner_id>/revoke/", feeds.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", feeds.feed, name="feed"),
    path("emails/", outbox.outbox, name="outbox"),
    path("emails/<int:pk>/resend/", outbox.outbox_resend, name="outbox_resend"),
    path("emails/switches/", include(email_switch_patterns)),
    # Patients' links from their emails: no login, the signed token is the key.
    path("my/confirm/<str:token>/", patient_links.link_confirm, name="link_confirm"),
    path("my/cancel/<str:token>/", patient_links.link_cancel, name="link_cancel"),
    path("my/stop-emails/<str:token>/", patient_links.link_stop, name="link_stop"),
]
