"""The home page greets by the time of day on the clinic's clock (Europe/Paris in tests)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from clinic.views import greeting

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, 16, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (paris(0, 0), "Good morning"),
        (paris(11, 59), "Good morning"),
        (paris(12, 0), "Good afternoon"),
        (paris(17, 59), "Good afternoon"),
        (paris(18, 0), "Good evening"),
        (paris(20, 0), "Good evening"),
        (paris(23, 59), "Good evening"),
        # 19:30 UTC is 20:30 in Paris: the clinic's clock, not the server's.
        (datetime.datetime(2026, 3, 16, 19, 30, tzinfo=datetime.UTC), "Good evening"),
    ],
)
def test_the_greeting_follows_the_time_of_day(moment, words):
    assert greeting(moment) == words


def test_the_home_page_says_good_evening_at_eight(practitioner_client, practitioner, time_machine):
    time_machine.move_to(paris(20, 0), tick=False)
    practitioner_client.force_login(practitioner)
    html = practitioner_client.get(reverse("home")).content.decode()
    assert "Good evening," in html
    assert "Good afternoon" not in html
